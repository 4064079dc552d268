"""
Replay of libical's own regression inputs against the import endpoint.

The files are third-party data kept beside the repository, in
<repo>/../shared/testdata/libical-regressions/ (DESIGN.md, robustness
decisions: libical 3.0.16 crashes or spins on some of them). They are read
from there and never copied into the repository; where the folder is absent
the tests say so and skip.

Every file must be answered within 5 s with a 4xx problem+json (or a 200 if
it is valid), by the same server process, and a rejected file stores
nothing. Most of the files are not valid UTF-8 and stop at the importer's
first check, so a second pass sends each file with its invalid octets
replaced (U+FFFD) and NULs removed: then libical's parser itself reads the
hostile structure, inside the sandboxed helper. During that pass /healthz
is polled from another thread and must keep answering quickly.

Run with:
    /usr/bin/python3 -m unittest discover -v -s tests/e2e -p 'test_*.py'
"""
import os
import threading
import time
import unittest

from harness import REPO_ROOT, E2ETestCase, start_class_server
from importkit import ANSWER_DEADLINE_S, ImportMixin

REGRESSIONS_DIR = os.path.normpath(os.path.join(
    REPO_ROOT, "..", "shared", "testdata", "libical-regressions"))
NOW = "2025-02-20T12:00:00+08:00"
CARRIER = "pinghu-maker-space"


def regression_files():
    """Sorted (name, path) of the replay set; README.md is not one."""
    return [(name, os.path.join(REGRESSIONS_DIR, name))
            for name in sorted(os.listdir(REGRESSIONS_DIR))
            if not name.lower().startswith("readme") and
            os.path.isfile(os.path.join(REGRESSIONS_DIR, name))]


def utf8_repaired(data):
    """data with invalid UTF-8 replaced by U+FFFD and NULs removed."""
    return data.decode("utf-8", "replace").replace("\0", "").encode("utf-8")


class LibicalRegressionsTest(ImportMixin, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = None
        if not os.path.isdir(REGRESSIONS_DIR):
            return
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin = cls.srv.token("admin")
        cls.pid = cls.srv.proc.pid

    def setUp(self):
        if not os.path.isdir(REGRESSIONS_DIR):
            self.skipTest("no libical regression files at %s"
                          % REGRESSIONS_DIR)
        self.files = regression_files()
        self.assertGreater(len(self.files), 0, REGRESSIONS_DIR)

    def replay(self, transform):
        """Send every file (after transform); per-file checks. Returns
        {name: status}."""
        statuses = {}
        before = self.snapshot()
        for name, path in self.files:
            with open(path, "rb") as f:
                body = transform(f.read())
            with self.subTest(file=name):
                status, hdrs, payload, took = self.post_ics(
                    body, carrier=CARRIER)
                statuses[name] = status
                self.assertLess(took, ANSWER_DEADLINE_S,
                                "%s answered after %.2f s" % (name, took))
                if status == 200:
                    # Valid after all: it may store; later files are
                    # compared with what is stored now.
                    before = self.snapshot()
                    continue
                self.assertTrue(400 <= status < 500, "%s: status %d %r"
                                % (name, status, payload[:300]))
                self.assertProblem((status, hdrs, payload), status)
                self.assertAlive(self.pid)
                self.assertEqual(self.snapshot(), before,
                                 "%s was rejected but changed stored data"
                                 % name)
        self.assertAlive(self.pid)
        return statuses

    def test_every_file_answered_in_time(self):
        statuses = self.replay(lambda data: data)
        self.assertEqual(len(statuses), len(self.files))

    def test_every_file_utf8_repaired_reaches_the_parser(self):
        """The same files made valid UTF-8, so that libical parses them;
        meanwhile the server keeps serving other requests."""
        stop = threading.Event()
        latencies, failures = [], []

        def poll():
            while not stop.is_set():
                t0 = time.monotonic()
                try:
                    status, _, _ = self.srv.request("GET", "/healthz",
                                                    timeout=5)
                except OSError as exc:
                    failures.append(repr(exc))
                    return
                latencies.append(time.monotonic() - t0)
                if status != 200:
                    failures.append("healthz %d" % status)
                stop.wait(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            statuses = self.replay(utf8_repaired)
        finally:
            stop.set()
            poller.join(10)
        self.assertEqual(len(statuses), len(self.files))
        self.assertEqual(failures, [])
        self.assertGreater(len(latencies), 0)
        self.assertLess(max(latencies), 1.0,
                        "/healthz was slow while files were parsed")


if __name__ == "__main__":
    unittest.main()
