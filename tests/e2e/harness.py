"""
harness: run the real roadshowd binary for end-to-end tests.

    with Server() as srv:                     # or srv.start() ... srv.stop()
        admin = srv.token("admin")
        status, headers, body = srv.request("GET", "/api/v1/regions")
        status, headers, doc = srv.json("POST", "/api/v1/events",
                                        body={...}, token=admin)

Each Server gets a free 127.0.0.1 port (bind port 0, then release it), a
temporary directory holding a fresh database file (or an existing one passed
in), and keeps the server's standard error in a file of that directory.
The binary is $ROADSHOWD_BIN, else build/roadshowd relative to the repository
root. Only the Python standard library is used.

The test clock: Server(now="2025-04-15T00:00:00+08:00") (or the older
env={"ROADSHOWD_NOW": ...}) starts the server with that time written to a
clock file in its temporary directory, named by ROADSHOWD_NOW_FILE; the
server and its CLI read the file on every call. srv.set_now(text) moves the
clock while the server runs (no restart, nothing lost); srv.advance(s) moves
it on by s seconds. Without a fixed time the file is absent and the server
reads the real clock until a test calls set_now(). No test sleeps waiting
for a clock.

Shared helpers for the suites (q(), ev_body(), unfolded_lines(),
http_date()) are in helpers.py.

In a unittest.TestCase, start_server(self, ...) starts a server and registers
its stop with addCleanup; when the test failed, the tail of the server's
standard error is printed.
"""
import datetime
import http.client
import json as _json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DEFAULT_BIN = os.path.join(REPO_ROOT, "build", "roadshowd")
HEALTH_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 15.0


def binary_path():
    """The roadshowd binary under test (absolute path)."""
    path = os.environ.get("ROADSHOWD_BIN") or DEFAULT_BIN
    if not os.path.isabs(path):
        path = os.path.join(REPO_ROOT, path)
    return path


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerError(RuntimeError):
    pass


class Server:
    """One roadshowd process on 127.0.0.1 with its own database file.

    db_path: an existing (or wanted) database file; default a fresh file in
    a temporary directory owned by this object. now: the test clock's
    time (RFC 3339), written to the clock file (see set_now()). env: extra
    environment variables; a ROADSHOWD_NOW in it is taken as now.
    extra_args: more arguments for `serve`.
    """

    def __init__(self, db_path=None, env=None, extra_args=(), binary=None,
                 now=None):
        self.binary = binary or binary_path()
        self.tmpdir = tempfile.mkdtemp(prefix="roadshowd-e2e-")
        self.db_path = db_path or os.path.join(self.tmpdir, "roadshowd.db")
        self.extra_env = dict(env or {})
        now = self.extra_env.pop("ROADSHOWD_NOW", None) or now
        self.clock_path = self.extra_env.setdefault(
            "ROADSHOWD_NOW_FILE", os.path.join(self.tmpdir, "clock"))
        if now:
            self.set_now(now)
        self.extra_args = list(extra_args)
        self.port = None
        self.proc = None
        self.stderr_path = os.path.join(self.tmpdir, "server.stderr")
        self._stderr_file = None
        self._starts = 0

    # ---- test clock ----

    def set_now(self, when):
        """Set the server's (and its CLI's) clock to when (RFC 3339 text,
        with an offset), at once: the clock file is replaced atomically,
        and the server reads it on every call."""
        tmp = self.clock_path + ".new"
        with open(tmp, "w") as f:
            f.write(when + "\n")
        os.replace(tmp, self.clock_path)

    def now(self):
        """The clock file's time as an aware datetime (None: real clock)."""
        try:
            with open(self.clock_path) as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))

    def advance(self, seconds):
        """Move the test clock on by seconds (it must have been set)."""
        t = self.now()
        if t is None:
            raise ServerError("advance() needs a test clock (set_now)")
        self.set_now((t + datetime.timedelta(seconds=seconds)).isoformat())

    # ---- lifecycle ----

    def environ(self):
        e = dict(os.environ)
        for k in ("ROADSHOWD_DB", "ROADSHOWD_BIND", "ROADSHOWD_PORT",
                  "ROADSHOWD_PUBLIC_URL", "ROADSHOWD_NOW",
                  "ROADSHOWD_NOW_FILE"):
            e.pop(k, None)
        # Tests judge years before their fixed clock (ROADSHOWD_NOW), so
        # recording is taken to start in 1970 (no period is `untracked`)
        # unless a test sets ROADSHOWD_TRACKING_SINCE itself ("" gives
        # the server's default: the database's creation).
        e["ROADSHOWD_TRACKING_SINCE"] = "1970-01-01"
        e.update(self.extra_env)
        return e

    def start(self):
        if self.proc is not None:
            raise ServerError("server already running")
        if not os.access(self.binary, os.X_OK):
            raise ServerError("no executable %s (run make, or set"
                              " ROADSHOWD_BIN)" % self.binary)
        self._starts += 1
        self.port = free_port()
        self._stderr_file = open(self.stderr_path, "ab")
        self._stderr_file.write(("--- start %d on port %d ---\n"
                                 % (self._starts, self.port)).encode())
        self._stderr_file.flush()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db_path, "--bind",
             "127.0.0.1", "--port", str(self.port)] + self.extra_args,
            stdin=subprocess.DEVNULL, stdout=self._stderr_file,
            stderr=self._stderr_file, env=self.environ())
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self._reap()
                raise ServerError("roadshowd exited with %s before"
                                  " answering /healthz:\n%s"
                                  % (rc, self.stderr_tail()))
            try:
                status, _, _ = self.request("GET", "/healthz", timeout=1.0)
                if status == 200:
                    return self
                last = "status %d" % status
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.02)
        self.stop()
        raise ServerError("roadshowd did not answer /healthz within %.0f s"
                          " (%s):\n%s" % (HEALTH_TIMEOUT_S, last,
                                          self.stderr_tail()))

    def stop(self):
        """SIGTERM, wait, SIGKILL on timeout. Returns the exit status."""
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait(timeout=STOP_TIMEOUT_S)
        tail = self.stderr_tail() if rc != 0 else ""
        self._reap()
        # Under ASan (make e2e-asan) a leak or error found at exit makes
        # the exit status non-zero: that fails the test that started it.
        if rc != 0 and os.environ.get("ROADSHOWD_EXPECT_CLEAN_EXIT"):
            raise ServerError("roadshowd exited with status %s:\n%s"
                              % (rc, tail))
        return rc

    def _reap(self):
        self.proc = None
        if self._stderr_file:
            self._stderr_file.close()
            self._stderr_file = None

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        """Stop the server and remove the temporary directory."""
        self.stop()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if exc[0] is not None:
            sys.stderr.write(self.stderr_tail())
        self.cleanup()
        return False

    def exit_note(self):
        """A line saying so when the server has exited by itself."""
        if self.proc is None or self.proc.poll() is None:
            return ""
        rc = self.proc.returncode
        if rc < 0:
            try:
                name = signal.Signals(-rc).name
            except ValueError:
                name = "signal %d" % -rc
            return "  | (roadshowd died: %s)\n" % name
        return "  | (roadshowd exited by itself with status %d)\n" % rc

    def stderr_tail(self, lines=30):
        try:
            with open(self.stderr_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        tail = text.splitlines()[-lines:]
        return "".join("  | %s\n" % line for line in tail)

    # ---- CLI ----

    def cli(self, *args, env=None, timeout=30):
        """Run the binary with args; (returncode, stdout, stderr) as str."""
        e = self.environ()
        e.update(env or {})
        p = subprocess.run([self.binary] + [str(a) for a in args],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           env=e, timeout=timeout)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))

    def token(self, role, carrier=None):
        """A new bearer token (last line of `token create`)."""
        args = ["token", "create", "--db", self.db_path, "--role", role]
        if carrier:
            args += ["--carrier", carrier]
        rc, out, err = self.cli(*args)
        if rc != 0:
            raise ServerError("token create failed (%d): %s" % (rc, err))
        lines = out.strip().splitlines()
        if not lines:
            raise ServerError("token create printed nothing")
        return lines[-1].strip()

    # ---- HTTP ----

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def request(self, method, path, body=None, token=None, headers=None,
                raw=None, timeout=REQUEST_TIMEOUT_S):
        """One request on a new connection.

        body: JSON-encoded (Content-Type application/json) unless None.
        raw: bytes sent as they are (no Content-Type added unless given).
        Returns (status, headers with lower-case names, body bytes).
        """
        hdrs = {}
        data = None
        if body is not None:
            data = _json.dumps(body, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
        if token:
            hdrs["Authorization"] = "Bearer " + token
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            try:
                conn.request(method, path, body=data, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                # The server answered early (e.g. 413) and closed; its
                # answer may still be readable.
                pass
            resp = conn.getresponse()
            payload = resp.read()
            out = {}
            for k, v in resp.getheaders():
                k = k.lower()
                out[k] = out[k] + ", " + v if k in out else v
            return resp.status, out, payload
        finally:
            conn.close()

    def json(self, method, path, body=None, token=None, headers=None,
             raw=None):
        """request(), with the body parsed as JSON (None when empty)."""
        status, hdrs, payload = self.request(method, path, body=body,
                                             token=token, headers=headers,
                                             raw=raw)
        doc = _json.loads(payload.decode("utf-8")) if payload else None
        return status, hdrs, doc

    def raw_exchange(self, head, body=b"", timeout=REQUEST_TIMEOUT_S):
        """Send head (bytes, the request line and headers with the blank
        line) and then body from a second thread, while reading the answer
        until the server closes or a full response with Content-Length has
        arrived. Returns (status, headers, body bytes). Meant for requests
        the server may refuse before reading the whole body."""
        s = socket.create_connection(("127.0.0.1", self.port),
                                     timeout=timeout)

        def sender():
            try:
                s.sendall(head)
                view = memoryview(body)
                for i in range(0, len(view), 65536):
                    s.sendall(view[i:i + 65536])
            except OSError:
                pass

        t = threading.Thread(target=sender, daemon=True)
        t.start()
        buf = b""
        try:
            while True:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                buf += chunk
                if b"\r\n\r\n" in buf:
                    head_s, _, rest = buf.partition(b"\r\n\r\n")
                    hdrs = _parse_head(head_s)[1]
                    n = hdrs.get("content-length")
                    if n is not None and len(rest) >= int(n):
                        break
        finally:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
            t.join(timeout)
        if b"\r\n\r\n" not in buf:
            raise ServerError("no HTTP response (got %r)" % buf[:200])
        head_s, _, rest = buf.partition(b"\r\n\r\n")
        status, hdrs = _parse_head(head_s)
        return status, hdrs, rest


def _parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        k = k.strip().lower()
        v = v.strip()
        hdrs[k] = hdrs[k] + ", " + v if k in hdrs else v
    return status, hdrs


def _test_failed(testcase):
    """Whether testcase has failed so far (its failures and errors are
    recorded in the result as they happen, Python 3.4+)."""
    outcome = getattr(testcase, "_outcome", None)
    result = getattr(outcome, "result", None)
    if result is None:
        return False
    for test, _ in list(getattr(result, "errors", [])) + \
            list(getattr(result, "failures", [])):
        if test is testcase or getattr(test, "test_case", None) is testcase:
            return True
    return False


def start_server(testcase, prepare=None, **kwargs):
    """Start a Server for a unittest.TestCase test; the cleanup stops it and
    prints the tail of its standard error when the test failed. prepare:
    called with the Server before it starts (e.g. to create tokens with
    the CLI, whose write a running server would notice up to a second
    later as a change by another process)."""
    srv = Server(**kwargs)

    def cleanup():
        if _test_failed(testcase):
            sys.stderr.write("\nroadshowd stderr (tail):\n%s%s"
                             % (srv.stderr_tail(), srv.exit_note()))
        srv.cleanup()

    testcase.addCleanup(cleanup)
    if prepare:
        prepare(srv)
    srv.start()
    return srv


def start_class_server(cls, **kwargs):
    """Start a Server in setUpClass; addClassCleanup stops it."""
    srv = Server(**kwargs)
    srv._class_wide = True
    cls.addClassCleanup(srv.cleanup)
    srv.start()
    return srv


class E2ETestCase(unittest.TestCase):
    """Base for end-to-end tests: problem+json assertions, and the tail of
    the server's standard error printed when a test fails (self.srv, or the
    class attribute srv for class-wide servers)."""

    maxDiff = None

    def tearDown(self):
        srv = getattr(self, "srv", None)
        if srv is not None and _test_failed(self) and \
                getattr(srv, "_class_wide", False):
            sys.stderr.write("\nroadshowd stderr (tail):\n%s%s"
                             % (srv.stderr_tail(), srv.exit_note()))
        super().tearDown()

    def assertProblem(self, resp, status, field=None, fields_required=True):
        """resp is (status, headers, body bytes) from Server.request().
        Checks the status, application/problem+json, the RFC 9457 members,
        and (when field is given) an errors array naming field. Returns
        the parsed document."""
        got_status, headers, payload = resp
        self.assertEqual(got_status, status, payload[:500])
        ctype = headers.get("content-type", "")
        self.assertEqual(ctype.split(";")[0].strip(),
                         "application/problem+json", ctype)
        doc = _json.loads(payload.decode("utf-8"))
        self.assertEqual(doc.get("status"), status, doc)
        self.assertIsInstance(doc.get("type"), str, doc)
        self.assertIsInstance(doc.get("title"), str, doc)
        if field is not None:
            errors = doc.get("errors")
            self.assertIsInstance(errors, list,
                                  "no errors array in %r" % (doc,))
            names = [e.get("field") for e in errors]
            self.assertIn(field, names, doc)
            for e in errors:
                self.assertIsInstance(e.get("detail"), str, doc)
        return doc
