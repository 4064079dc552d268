"""
Operations and hardening (issue 13), fast versions for `make check`:

 1  backup while writing: consistent copy, integrity_check ok, mode 0600,
    never overwrites; database and WAL files are 0600
 2  full disk (a small tmpfs; needs root, else skipped): 507 with
    Retry-After, /healthz writable false, reads work, recovery without
    restart, start on a full disk serves reads
 3  a database locked by another connection: 503 with Retry-After
 4  costly RRULE refused naming rrule; /healthz stays fast meanwhile
 5  input limits: 366 days, series after 2200, PATCH read-only fields,
    invisible characters in title, venue and uid
 6  strict HTTP with raw sockets: Host, control characters, %00, spaces,
    Content-Type exact, charset
 7  disclosure: /metrics without TENTATIVE counts, --metrics-token, no
    secret in the log for a doubled slash, failed tokens 429 + counted
 8  slow clients: 50 idle connections from 127.0.0.2 leave 127.0.0.1
    served; a header trickled past --header-timeout is cut off

Run from tests/e2e with:  /usr/bin/python3 -m unittest test_ops
"""
import json
import os
import select
import socket
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from harness import E2ETestCase, Server, binary_path, start_server
from importkit import ImportMixin, ics, vcalendar, vevent

NOW = "2025-02-20T12:00:00+08:00"
COSTLY = ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=%s;BYMINUTE=%s;"
          "BYSECOND=%s;COUNT=1000" % (",".join(map(str, range(24))),
                                      ",".join(map(str, range(60))),
                                      ",".join(map(str, range(60)))))


def event(title="Roadshow", **more):
    body = {"kind": "roadshow", "title": title,
            "start": "2025-03-04T14:00:00+08:00",
            "end": "2025-03-04T16:00:00+08:00"}
    body.update(more)
    return body


def raw(port, data, src="127.0.0.1", timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(data)
    buf = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            buf += c
    finally:
        s.close()
    return buf


def status_of(resp):
    return int(resp.split(b" ", 2)[1])


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    return None


class BackupTest(E2ETestCase):
    def test_backup_while_writing(self):
        srv = start_server(self, now=NOW)
        admin = srv.token("admin")
        acked = []
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set() and i < 400:
                st, _, doc = srv.json("POST", "/api/v1/events",
                                      body=event("w%d" % i), token=admin)
                if st == 201:
                    acked.append(doc["id"])
                i += 1
        t = threading.Thread(target=writer)
        t.start()
        while len(acked) < 20:
            time.sleep(0.01)
        before = len(acked)
        out = os.path.join(srv.tmpdir, "backup.db")
        rc, so, se = srv.cli("backup", "--db", srv.db_path, out)
        stop.set()
        t.join()
        self.assertEqual(rc, 0, se)
        self.assertIn("integrity_check ok", so)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        for suffix in ("", "-wal"):
            self.assertEqual(stat.S_IMODE(os.stat(srv.db_path + suffix)
                                          .st_mode), 0o600, suffix)
        con = sqlite3.connect(out)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone(),
                         ("ok",))
        n = con.execute("SELECT count(*) FROM event").fetchone()[0]
        ids = {r[0] for r in con.execute("SELECT id FROM event")}
        con.close()
        self.assertGreaterEqual(n, before)
        self.assertTrue(set(acked[:before]) <= ids)
        # never overwrites
        rc, _, se = srv.cli("backup", "--db", srv.db_path, out)
        self.assertEqual(rc, 2)
        self.assertIn("never overwrites", se)
        # the copy serves
        srv2 = start_server(self, db_path=out, now=NOW)
        st, _, doc = srv2.json("GET", "/api/v1/events?limit=500",
                               token=srv2.token("admin"))
        self.assertEqual(st, 200)
        self.assertEqual(len(doc["items"]), n)


def can_mount():
    return os.geteuid() == 0


class DiskFullTest(E2ETestCase):
    def setUp(self):
        if not can_mount():
            self.skipTest("needs root to mount a small tmpfs")
        self.mnt = tempfile.mkdtemp(prefix="roadshowd-full-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m",
                            "tmpfs", self.mnt], capture_output=True)
        if r.returncode != 0:
            os.rmdir(self.mnt)
            self.skipTest("cannot mount tmpfs: %s" % r.stderr.decode())
        self.addCleanup(self.unmount)

    def unmount(self):
        subprocess.run(["umount", "-l", self.mnt])
        os.rmdir(self.mnt)

    def fill(self):
        pad = os.path.join(self.mnt, "pad")
        fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while True:
                os.write(fd, b"x" * 4096)
        except OSError:
            pass
        os.close(fd)
        return pad

    def test_full_disk_507_reads_recovery(self):
        db = os.path.join(self.mnt, "r.db")
        srv = start_server(self, db_path=db, now=NOW)
        admin = srv.token("admin")
        st, _, doc = srv.json("POST", "/api/v1/events", body=event("a"),
                              token=admin)
        self.assertEqual(st, 201)
        self.assertIs(srv.json("GET", "/healthz")[2]["writable"], True)
        pad = self.fill()
        big = event("b", description="y" * 19000)
        statuses = set()
        for i in range(20):
            st, h, doc = srv.json("POST", "/api/v1/events", body=big,
                                  token=admin)
            statuses.add(st)
            if st == 507:
                self.assertEqual(h["retry-after"], "60")
                self.assertEqual(doc["status"], 507)
                break
        self.assertIn(507, statuses)
        self.assertIs(srv.json("GET", "/healthz")[2]["writable"], False)
        st, _, doc = srv.json("GET", "/api/v1/events?limit=500",
                              token=admin)
        self.assertEqual(st, 200)
        self.assertEqual(srv.request("GET", "/calendar.ics")[0], 200)
        # a start on the full disk still serves reads
        srv.stop()
        srv.start()
        self.assertEqual(srv.json("GET", "/api/v1/events/%d" % 1,
                                  token=admin)[0], 200)
        self.assertEqual(srv.request("GET", "/calendar.ics")[0], 200)
        os.unlink(pad)
        self.assertIs(srv.json("GET", "/healthz")[2]["writable"], True)
        st, _, _ = srv.json("POST", "/api/v1/events", body=big,
                            token=admin)
        self.assertEqual(st, 201)
        with open(srv.stderr_path) as f:
            log = f.read()
        self.assertIn("the disk holding the database is full", log)


class LockedTest(E2ETestCase):
    def test_locked_database_is_503(self):
        srv = start_server(self, now=NOW)
        admin = srv.token("admin")
        con = sqlite3.connect(srv.db_path, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            st, h, doc = srv.json("POST", "/api/v1/events", body=event(),
                                  token=admin)
        finally:
            con.execute("ROLLBACK")
            con.close()
        self.assertEqual(st, 503, doc)
        self.assertEqual(h["retry-after"], "5")
        self.assertEqual(doc["type"],
                         "https://roadshowd.dev/problems/database-locked")
        st, _, _ = srv.json("POST", "/api/v1/events", body=event(),
                            token=admin)
        self.assertEqual(st, 201)


class ReadOnlyTest(E2ETestCase):
    """A database file the server may not write (opened read-only):
    writes 503 with Retry-After, reads work, /healthz writable false. Needs
    root to run the server as nobody (root may write any file)."""

    def test_read_only_database_is_503(self):
        setpriv = "/usr/bin/setpriv"
        if os.geteuid() != 0 or not os.access(setpriv, os.X_OK):
            self.skipTest("needs root and setpriv to run as nobody")
        d = tempfile.mkdtemp(prefix="roadshowd-ro-")
        self.addCleanup(subprocess.run, ["rm", "-rf", d])
        os.chmod(d, 0o755)
        wrapper = os.path.join(d, "as-nobody")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec %s --reuid=nobody --regid=nogroup"
                    " --clear-groups %s \"$@\"\n" % (setpriv,
                                                     binary_path()))
        os.chmod(wrapper, 0o755)
        data = os.path.join(d, "data")
        os.mkdir(data)
        subprocess.run(["chown", "nobody:nogroup", data], check=True)
        db = os.path.join(data, "r.db")
        srv = start_server(self, db_path=db, now=NOW, binary=wrapper)
        admin = srv.token("admin")
        self.assertEqual(srv.json("POST", "/api/v1/events", body=event(),
                                  token=admin)[0], 201)
        srv.stop()
        os.chmod(db, 0o444)
        srv.start()
        st, h, doc = srv.json("POST", "/api/v1/events", body=event("b"),
                              token=admin)
        self.assertEqual(st, 503, doc)
        self.assertEqual(h["retry-after"], "5")
        self.assertEqual(doc["type"],
                         "https://roadshowd.dev/problems/database-read-only")
        self.assertIs(srv.json("GET", "/healthz")[2]["writable"], False)
        st, _, doc = srv.json("GET", "/api/v1/events", token=admin)
        self.assertEqual((st, len(doc["items"])), (200, 1))
        self.assertEqual(srv.request("GET", "/calendar.ics")[0], 200)


class InputTest(ImportMixin, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(now=NOW).start()
        cls.admin = cls.srv.token("admin")

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        cls.srv.cleanup()

    def post(self, body):
        return self.srv.json("POST", "/api/v1/events", body=body,
                             token=self.admin)

    def test_costly_rrule_refused_and_healthz_fast(self):
        worst = 0.0
        for i in range(3):
            st, _, doc = self.post(event(rrule=COSTLY))
            self.assertEqual(st, 400)
            self.assertEqual(doc["errors"][0]["field"], "rrule")
            self.assertIn("604800 candidate", doc["errors"][0]["detail"])
            t0 = time.monotonic()
            self.assertEqual(self.srv.request("GET", "/healthz")[0], 200)
            worst = max(worst, time.monotonic() - t0)
        self.assertLess(worst, 0.25)
        st, _, _ = self.post(event(rrule="FREQ=WEEKLY;BYDAY=TU,TH;COUNT=50"))
        self.assertEqual(st, 201)

    def test_rule_libical_cannot_satisfy(self):
        # one libical call searches for years: refused after the budget
        t0 = time.monotonic()
        st, _, doc = self.post(event(
            rrule="FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5"))
        self.assertEqual(st, 400)
        self.assertEqual(doc["errors"][0]["field"], "rrule")
        self.assertLess(time.monotonic() - t0, 1.0)
        t0 = time.monotonic()
        self.assertEqual(self.srv.request("GET", "/healthz")[0], 200)
        self.assertLess(time.monotonic() - t0, 0.25)

    def test_event_longer_than_366_days(self):
        st, _, doc = self.post(event(end="2026-03-06T14:00:00+08:00"))
        self.assertEqual(st, 400)
        self.assertEqual(doc["errors"][0]["field"], "end")
        st, _, _ = self.post(event(end="2026-03-04T14:00:00+08:00"))
        self.assertEqual(st, 201)

    def test_series_after_2200(self):
        st, _, doc = self.post(event(
            start="2190-03-04T14:00:00+08:00",
            end="2190-03-04T16:00:00+08:00",
            rrule="FREQ=YEARLY;COUNT=20"))
        self.assertEqual(st, 400)
        self.assertEqual(doc["errors"][0]["field"], "rrule")
        self.assertIn("2200-12-31", doc["errors"][0]["detail"])

    def test_patch_read_only_fields(self):
        st, _, ev = self.post(event("p"))
        self.assertEqual(st, 201)
        for field, value in (("revision", ev["revision"]),
                             ("sequence", 5), ("uid", "x@y")):
            st, _, doc = self.srv.json(
                "PATCH", "/api/v1/events/%d" % ev["id"],
                body={"title": "q", field: value}, token=self.admin)
            self.assertEqual(st, 400, field)
            self.assertEqual(doc["errors"][0]["field"], field)
        self.assertEqual(self.srv.json("GET", "/api/v1/events/%d" % ev["id"],
                                       token=self.admin)[2]["title"], "p")

    def test_invisible_characters(self):
        for ch in ("\u2028", "\ufeff", "\u200b", "\u202e", "\u2029"):
            st, _, doc = self.post(event("a" + ch + "b"))
            self.assertEqual(st, 400, repr(ch))
            self.assertEqual(doc["errors"][0]["field"], "title")
            st, _, doc = self.post(event("ok", uid="u" + ch + "@x"))
            self.assertEqual(st, 400, repr(ch))
            self.assertEqual(doc["errors"][0]["field"], "uid")
            st, _, doc = self.post(event("ok", venue="v" + ch + "w"))
            self.assertEqual(st, 400, repr(ch))
            self.assertEqual((doc["errors"][0]["field"],
                              doc["errors"][0]["code"]),
                             ("venue", "bad_characters"))

    def test_import_keeps_the_same_limits(self):
        cases = [
            (vevent("inv-1@x", summary="a\u2028b"), "SUMMARY"),
            (vevent("inv\ufeff2@x"), "UID"),
            (vevent("inv-3@x", extra=["LOCATION:a\u202eb"]), "LOCATION"),
            (vevent("late@x", start="DTSTART;TZID=Asia/Shanghai:"
                    "21900301T093000", end="DTEND;TZID=Asia/Shanghai:"
                    "21900301T113000", extra=["RRULE:FREQ=YEARLY;COUNT=20"]),
             "2200-12-31"),
            (vevent("costly@x", extra=["RRULE:" + COSTLY]), "candidate"),
        ]
        for ve, word in cases:
            st, _, payload, _ = self.post_ics(ics(vcalendar(ve)))
            self.assertEqual(st, 400, payload[:300])
            self.assertIn(word, payload.decode("utf-8"))
        st, _, doc = self.srv.json("GET", "/api/v1/events?q=late",
                                   token=self.admin)
        self.assertEqual(doc["items"], [])

    def test_content_type_exact(self):
        body = json.dumps(event("ct")).encode()
        for ct, want in (("application/jsonx", 415),
                         ("application/json; charset=latin1", 415),
                         ("application/json;charset=\"UTF-8\"", 201),
                         ("Application/JSON", 201)):
            st, _, _ = self.srv.request(
                "POST", "/api/v1/events", raw=body, token=self.admin,
                headers={"Content-Type": ct})
            self.assertEqual(st, want, ct)
        st, _, _, _ = self.post_ics(ics(vcalendar(vevent("ct@x"))),
                                    ctype="text/calendarx")
        self.assertEqual(st, 415)
        st, _, _, _ = self.post_ics(ics(vcalendar(vevent("ct@x"))),
                                    ctype="text/calendar; charset=gb2312")
        self.assertEqual(st, 415)

    def test_strict_http(self):
        p = self.srv.port
        cases = [
            b"GET /healthz HTTP/1.1\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n",
            b"GET /calendars/regions/baianba.ics%00.txt HTTP/1.1\r\n"
            b"Host: a\r\n\r\n",
            b"GET /calendar.ics?kind=roadshow%00 HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
        ]
        for req in cases:
            resp = raw(p, req)
            self.assertEqual(status_of(resp), 400, req)
            self.assertEqual(resp.count(b"HTTP/1.1 "), 1, req)
            self.assertIn(b"application/problem+json", resp, req)
        # each refusal has its own stable code, in Chinese when asked
        resp = raw(p, b"GET /calendars/regions/baianba.ics%00.txt HTTP/1.1"
                   b"\r\nHost: a\r\nAccept-Language: zh-CN\r\n\r\n")
        doc = json.loads(resp.split(b"\r\n\r\n", 1)[1])
        self.assertEqual((doc["errors"][0]["field"],
                          doc["errors"][0]["code"],
                          doc["errors"][0]["detail"]),
                         ("path", "nul_in_path",
                          "路径和查询参数中不得含有 %00（NUL）"))


class DisclosureTest(E2ETestCase):
    def test_metrics_public_and_token(self):
        srv = start_server(self, now=NOW)
        admin = srv.token("admin")
        self.assertEqual(srv.json("POST", "/api/v1/events",
                                  body=event("t", status="TENTATIVE"),
                                  token=admin)[0], 201)
        self.assertEqual(srv.json("POST", "/api/v1/events", body=event("c"),
                                  token=admin)[0], 201)
        text = srv.request("GET", "/metrics")[2].decode()
        self.assertEqual(metric(text, "roadshowd_events"), 1)
        self.assertEqual(metric(text, "roadshowd_event_changes_total"), 1)
        srv.stop()
        srv.extra_args = ["--metrics-token", "m-secret"]
        srv.start()
        self.assertEqual(srv.request("GET", "/metrics")[0], 401)
        st, _, body = srv.request("GET", "/metrics",
                                  headers={"Authorization":
                                           "Bearer m-secret"})
        self.assertEqual(st, 200)
        self.assertEqual(metric(body.decode(), "roadshowd_events"), 2)

    def test_no_secret_in_log_and_auth_limit(self):
        srv = start_server(self, now=NOW)
        secret = "s3cr3tfeedtoken0123456789"
        srv.request("GET", "//calendars/private/%s.ics" % secret)
        srv.request("GET", "/calendars//private/%s.ics" % secret)
        bad = "rsd_" + "0" * 64
        statuses = [srv.json("POST", "/api/v1/events", body=event(),
                             token=bad)[0] for _ in range(12)]
        # the tenth failure in a minute reaches the budget
        self.assertEqual(statuses, [401] * 9 + [429] * 3)
        # the right token from the same address is refused too
        admin = srv.token("admin")
        st, h, _ = srv.json("POST", "/api/v1/events", body=event(),
                            token=admin)
        self.assertEqual(st, 429)
        self.assertEqual(h["retry-after"], "60")
        text = srv.request("GET", "/metrics")[2].decode()
        self.assertEqual(metric(text, "roadshowd_auth_failures_total"), 10)
        self.assertGreaterEqual(
            metric(text, "roadshowd_auth_rate_limited_total"), 3)
        with open(srv.stderr_path) as f:
            log = f.read()
        self.assertNotIn(secret, log)
        self.assertIn("private/(secret).ics", log)


class SlowClientTest(E2ETestCase):
    def test_idle_connections_from_one_address(self):
        srv = start_server(self, now=NOW, extra_args=[
            "--header-timeout", "2"])
        socks = []
        try:
            for _ in range(50):
                s = socket.socket()
                s.bind(("127.0.0.2", 0))
                s.connect(("127.0.0.1", srv.port))
                s.sendall(b"GET /healthz HTTP/1.1\r\n")
                socks.append(s)
            t0 = time.monotonic()
            self.assertEqual(status_of(raw(
                srv.port, b"GET /healthz HTTP/1.1\r\nHost: a\r\n"
                b"Connection: close\r\n\r\n")), 200)
            self.assertLess(time.monotonic() - t0, 1.0)
            # one header line a second never completes: cut at 2 s
            s = socks[0]
            s.settimeout(6)
            t0 = time.monotonic()
            closed = False
            while time.monotonic() - t0 < 6:
                try:
                    s.sendall(b"X: y\r\n")
                    if s.recv(1, socket.MSG_DONTWAIT) == b"":
                        closed = True
                        break
                except BlockingIOError:
                    pass
                except OSError:
                    closed = True
                    break
                # a line every 0.5 s at most; wake at once when it closes
                select.select([s], [], [], 0.5)
            self.assertTrue(closed)
            self.assertLess(time.monotonic() - t0, 4.5)
            text = srv.request("GET", "/metrics")[2].decode()
            self.assertGreaterEqual(metric(
                text, 'roadshowd_connections_deadline_total{phase="header"}'),
                1)
        finally:
            for s in socks:
                s.close()

    def test_body_trickled_past_its_deadline(self):
        srv = start_server(self, now=NOW, extra_args=[
            "--body-timeout", "2"])
        admin = srv.token("admin")
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=6)
        try:
            s.sendall(("POST /api/v1/events HTTP/1.1\r\nHost: a\r\n"
                       "Authorization: Bearer %s\r\nContent-Type: "
                       "application/json\r\nContent-Length: 200\r\n\r\n"
                       % admin).encode())
            t0 = time.monotonic()
            closed = False
            while time.monotonic() - t0 < 6:
                try:
                    s.sendall(b" ")
                    if s.recv(1, socket.MSG_DONTWAIT) == b"":
                        closed = True
                        break
                except BlockingIOError:
                    pass
                except OSError:
                    closed = True
                    break
                # a byte every 0.25 s at most; wake at once when it closes
                select.select([s], [], [], 0.25)
            self.assertTrue(closed)
            self.assertLess(time.monotonic() - t0, 4.5)
        finally:
            s.close()
        text = srv.request("GET", "/metrics")[2].decode()
        self.assertEqual(metric(
            text, 'roadshowd_connections_deadline_total{phase="body"}'), 1)
        # nothing was stored
        st, _, doc = srv.json("GET", "/api/v1/events?limit=5", token=admin)
        self.assertEqual(doc["items"], [])


if __name__ == "__main__":
    unittest.main()
