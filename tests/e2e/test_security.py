"""
End-to-end tests of roadshowd's hardening: one test per fixed behaviour
(the list below, from the hardening commit d7e055f, each of which failed
on the code before it), and TENTATIVE occurrences kept out of every public
view.

 1  event dates limited to 1970-2200 (start, start_date, occurrence PATCH)
 2  If-Match on DELETE, If-Match lists, weak tags, malformed If-Match
 3  moving a series keeps its EXDATEs and overrides (shifted along)
 4  import: RDATE refused, non-existent day refused, literal TAB refused,
    UTF-8 byte order mark accepted
 5  a private feed fetched with a User-Agent that is not UTF-8
 6  TENTATIVE titles left out of the anonymous cadence report
 7  access log: JSON lines with time/path/status/us, no feed secret
 8  timezone: IANA names only
 9  header framing refused (and the connection closed)
10  paths and query values that are not UTF-8
11  expand=true honours limit
12  cancelling an occurrence twice
13  GET /api/v1/events/import is 405 with Allow: POST
14  bearer token followed by whitespace
15  description with CRLF line ends kept as LF; a lone CR refused
16  serve --public-url normalised and checked
17  a TENTATIVE occurrence of a series stays out of public views

Run from tests/e2e with:
    /usr/bin/python3 -m unittest test_security
"""
import http.client
import json
import os
import re
import socket
import subprocess
import time
import unittest
from urllib.parse import quote, urlsplit

from harness import (E2ETestCase, binary_path, free_port,
                     start_class_server, start_server)
from importkit import ImportMixin, ics, vcalendar, vevent
from helpers import MonthlySeriesCase, ev_body, q, unfolded_lines

NOW = "2025-02-20T12:00:00+08:00"          # ROADSHOWD_NOW of the servers
RAW_TIMEOUT_S = 3.0                         # waiting for a close / answer


def vevents_of(payload, uid):
    """The VEVENTs (each a list of content lines) with UID uid."""
    out, cur = [], None
    for line in unfolded_lines(payload):
        if line == "BEGIN:VEVENT":
            cur = []
        elif line == "END:VEVENT":
            if "UID:" + uid in cur:
                out.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line)
    return out


def raw_session(port, data, timeout=RAW_TIMEOUT_S):
    """Send data on one connection and read until the server closes it or
    timeout passes. Returns (closed by the server, list of (status, headers,
    body)) for the complete responses read."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    buf, closed = b"", False
    deadline = time.monotonic() + timeout
    try:
        s.sendall(data)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            buf += chunk
    finally:
        s.close()
    responses = []
    while b"\r\n\r\n" in buf:
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        responses.append((status, hdrs, rest[:n]))
        buf = rest[n:]
    return closed, responses


class HardeningTest(E2ETestCase):
    """One server for the tests that do not look at the server's log or
    start it differently; each test uses its own events (or years)."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin = cls.srv.token("admin")

    # ---- helpers ----

    def create(self, body, token=None):
        status, headers, doc = self.srv.json(
            "POST", "/api/v1/events", body=body, token=token or self.admin)
        self.assertEqual(status, 201, doc)
        return doc

    def state(self):
        """What a rejected request must leave as it was: every event as
        the admin lists it, and the change counter."""
        status, _, doc = self.srv.json("GET", "/api/v1/events?limit=500",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        self.assertIsNone(doc["next_cursor"])
        _, _, metrics = self.srv.request("GET", "/metrics")
        changes = [line for line in metrics.decode().splitlines()
                   if line.startswith("roadshowd_event_changes_total ")]
        self.assertEqual(len(changes), 1)
        return doc["items"], changes

    def assertRejected(self, resp_fn, status, field=None):
        before = self.state()
        doc = self.assertProblem(resp_fn(), status, field)
        self.assertEqual(self.state(), before, "a refused request changed"
                         " stored data")
        return doc

    def weekly_series(self, title, start="2025-03-03T10:00:00+08:00",
                      end="2025-03-03T12:00:00+08:00", count=10,
                      carrier="pinghu-maker-space"):
        s = self.create(ev_body("roadshow", title, start, end,
                                rrule="FREQ=WEEKLY;COUNT=%d" % count,
                                carrier=carrier))
        self.assertEqual((s["rrule"], s["exdates"], s["overrides"]),
                         ("FREQ=WEEKLY;COUNT=%d" % count, [], []))
        return s

    # ---- 1 ----

    def test_01_dates_outside_1970_2200_rejected(self):
        self.assertRejected(lambda: self.srv.request(
            "POST", "/api/v1/events", token=self.admin,
            body=ev_body("salon", "三千年沙龙", "3001-06-01T10:00:00+08:00",
                         "3001-06-01T12:00:00+08:00")), 400, "start")
        self.assertRejected(lambda: self.srv.request(
            "POST", "/api/v1/events", token=self.admin,
            body={"kind": "exhibition", "title": "三千年展览",
                  "all_day": True, "start_date": "3001-01-01",
                  "end_date": "3001-01-02"}), 400, "start_date")
        s = self.weekly_series("日期范围周路演")
        occ = "/api/v1/events/%d/occurrences/%s" % (
            s["id"], q("2025-03-10T10:00:00+08:00"))
        self.assertRejected(lambda: self.srv.request(
            "PATCH", occ, token=self.admin,
            body={"start": "9999-03-10T10:00:00+08:00",
                  "end": "9999-03-10T12:00:00+08:00"}), 400, "start")
        status, headers, got = self.srv.json(
            "GET", "/api/v1/events/%d" % s["id"])
        self.assertEqual((status, headers["etag"], got), (200, '"r1"', s))

    # ---- 2 ----

    def test_02_if_match_delete_lists_weak_malformed(self):
        e = self.create(ev_body("salon", "条件请求沙龙",
                                "2025-04-10T19:00:00+08:00",
                                "2025-04-10T21:00:00+08:00",
                                carrier="pinghu-maker-space"))
        path = "/api/v1/events/%d" % e["id"]
        status, headers, p = self.srv.json("PATCH", path, token=self.admin,
                                           body={"venue": "一号厅"})
        self.assertEqual((status, headers["etag"], p["revision"]),
                         (200, '"r2"', 2))
        # DELETE with a stale tag: 412, and the event stays.
        self.assertRejected(lambda: self.srv.request(
            "DELETE", path, token=self.admin, headers={"If-Match": '"r1"'}),
            412)
        status, headers, got = self.srv.json("GET", path)
        self.assertEqual((status, headers["etag"], got), (200, '"r2"', p))
        # A weak tag never matches (strong comparison).
        self.assertRejected(lambda: self.srv.request(
            "PATCH", path, token=self.admin, body={"venue": "二号厅"},
            headers={"If-Match": 'W/"r2"'}), 412)
        # Not a list of quoted tags: 400.
        self.assertRejected(lambda: self.srv.request(
            "PATCH", path, token=self.admin, body={"venue": "二号厅"},
            headers={"If-Match": "garbage"}), 400)
        # A list naming the current revision passes.
        status, headers, p3 = self.srv.json(
            "PATCH", path, token=self.admin, body={"venue": "二号厅"},
            headers={"If-Match": '"r99", "r2"'})
        self.assertEqual(status, 200, p3)
        self.assertEqual((headers["etag"], p3["venue"], p3["revision"]),
                         ('"r3"', "二号厅", 3))

    # ---- 3 ----

    def test_03_moving_a_series_keeps_exdate_and_override(self):
        s = self.weekly_series("改期周路演")
        sid = s["id"]
        status, _, doc = self.srv.json(
            "POST", "/api/v1/events/%d/occurrences/%s/cancel"
            % (sid, q("2025-03-10T10:00:00+08:00")), token=self.admin)
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["exdates"], ["2025-03-10T10:00:00+08:00"])
        status, _, doc = self.srv.json(
            "PATCH", "/api/v1/events/%d/occurrences/%s"
            % (sid, q("2025-03-17T10:00:00+08:00")), token=self.admin,
            body={"title": "第三场（改标题）"})
        self.assertEqual(status, 200, doc)
        status, headers, moved = self.srv.json(
            "PATCH", "/api/v1/events/%d" % sid, token=self.admin,
            body={"start": "2025-03-03T11:00:00+08:00",
                  "end": "2025-03-03T13:00:00+08:00"},
            headers={"If-Match": '"r3"'})
        self.assertEqual(status, 200, moved)
        self.assertEqual((headers["etag"], moved["start"], moved["end"]),
                         ('"r4"', "2025-03-03T11:00:00+08:00",
                          "2025-03-03T13:00:00+08:00"))
        self.assertEqual(moved["exdates"], ["2025-03-10T11:00:00+08:00"])
        self.assertEqual(moved["overrides"], [{
            "recurrence_id": "2025-03-17T11:00:00+08:00",
            "start": "2025-03-17T11:00:00+08:00",
            "end": "2025-03-17T13:00:00+08:00",
            "title": "第三场（改标题）", "venue": None, "description": None,
            "status": None}])
        status, _, got = self.srv.json("GET", "/api/v1/events/%d" % sid)
        self.assertEqual((status, got), (200, moved))

        status, _, payload = self.srv.request(
            "GET", "/calendars/carriers/pinghu-maker-space.ics")
        self.assertEqual(status, 200)
        evs = vevents_of(payload, s["uid"])
        self.assertEqual(len(evs), 2, evs)
        master = [v for v in evs
                  if not any(x.startswith("RECURRENCE-ID") for x in v)]
        override = [v for v in evs
                    if any(x.startswith("RECURRENCE-ID") for x in v)]
        self.assertEqual((len(master), len(override)), (1, 1))
        master, override = master[0], override[0]
        self.assertIn("DTSTART;TZID=Asia/Shanghai:20250303T110000", master)
        self.assertEqual([x for x in master if x.startswith("EXDATE")],
                         ["EXDATE;TZID=Asia/Shanghai:20250310T110000"])
        self.assertEqual(
            [x for x in override if x.split(":", 1)[0].split(";")[0] in
             ("RECURRENCE-ID", "DTSTART", "DTEND", "SUMMARY")],
            ["DTSTART;TZID=Asia/Shanghai:20250317T110000",
             "DTEND;TZID=Asia/Shanghai:20250317T130000",
             "SUMMARY:第三场（改标题）",
             "RECURRENCE-ID;TZID=Asia/Shanghai:20250317T110000"])

    # ---- 5 ----

    def test_05_private_feed_with_non_utf8_user_agent(self):
        status, _, sub = self.srv.json("POST", "/api/v1/subscriptions",
                                       token=self.admin,
                                       body={"label": "非UTF-8客户端"})
        self.assertEqual(status, 201, sub)
        path = urlsplit(sub["feed"]["url"]).path
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port,
                                          timeout=10)
        try:
            conn.putrequest("GET", path)
            conn.putheader("User-Agent", b"\xff\xfebad")
            conn.endheaders()
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
        finally:
            conn.close()
        status, _, doc = self.srv.json("GET", "/api/v1/subscriptions",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        found = [s for s in doc["items"] if s["id"] == sub["id"]]
        self.assertEqual(len(found), 1, doc)
        self.assertEqual((found[0]["label"], found[0]["last_user_agent"],
                          found[0]["fetch_count"], found[0]["revoked"]),
                         ("非UTF-8客户端", "(not UTF-8)", 1, None))

    # ---- 6 ----

    def test_06_tentative_title_hidden_from_anonymous_cadence(self):
        held = self.create(ev_body("roadshow", "2027三月已办路演",
                                   "2027-03-05T10:00:00+08:00",
                                   "2027-03-05T12:00:00+08:00",
                                   carrier="pinghu-maker-space"))
        tent = self.create(ev_body("roadshow", "2027三月暂定路演（保密）",
                                   "2027-03-20T10:00:00+08:00",
                                   "2027-03-20T12:00:00+08:00",
                                   carrier="pinghu-maker-space",
                                   status="TENTATIVE"))
        path = ("/api/v1/cadence?year=2027&rule=monthly-roadshow&as_of=%s"
                % q("2027-03-15T00:00:00+08:00"))
        held_item = {"id": held["id"], "title": "2027三月已办路演",
                     "start": "2027-03-05T10:00:00+08:00",
                     "status": "CONFIRMED", "recorded_late": False}
        tent_item = {"id": tent["id"], "title": "2027三月暂定路演（保密）",
                     "start": "2027-03-20T10:00:00+08:00",
                     "status": "TENTATIVE", "recorded_late": False}

        status, _, payload = self.srv.request("GET", path)
        self.assertEqual(status, 200, payload[:300])
        self.assertNotIn("保密".encode(), payload)
        doc = json.loads(payload)
        march = [p for p in doc["periods"] if p["period"] == "2027-03"]
        self.assertEqual(len(march), 1)
        march = march[0]
        self.assertEqual((march["status"], march["held"], march["scheduled"]),
                         ("met", 1, 1))
        self.assertEqual(march["events"], [held_item])

        status, _, doc = self.srv.json("GET", path, token=self.admin)
        self.assertEqual(status, 200, doc)
        march = [p for p in doc["periods"] if p["period"] == "2027-03"][0]
        self.assertEqual((march["status"], march["held"], march["scheduled"]),
                         ("met", 1, 1))
        self.assertEqual(march["events"], [held_item, tent_item])

    # ---- 8 ----

    def test_08_timezone_must_be_an_iana_name(self):
        for tz in ("posixrules", "localtime", "right/UTC", "Asia/../UTC"):
            with self.subTest(timezone=tz):
                self.assertRejected(lambda: self.srv.request(
                    "POST", "/api/v1/events", token=self.admin,
                    body=ev_body("seminar", "时区研讨会",
                                 "2025-05-01T10:00:00+08:00",
                                 "2025-05-01T12:00:00+08:00",
                                 timezone=tz)), 400, "timezone")
        for tz, start, end in (
                ("Etc/GMT+8", "2025-05-01T10:00:00-08:00",
                 "2025-05-01T12:00:00-08:00"),
                ("America/Argentina/Buenos_Aires",
                 "2025-05-01T10:00:00-03:00", "2025-05-01T12:00:00-03:00")):
            with self.subTest(timezone=tz):
                status, _, doc = self.srv.json(
                    "POST", "/api/v1/events", token=self.admin,
                    body=ev_body("seminar", "时区研讨会", start, end,
                                 timezone=tz))
                self.assertEqual(status, 201, doc)
                self.assertEqual((doc["timezone"], doc["start"],
                                  doc["end"]), (tz, start, end))

    # ---- 9 ----

    def test_09_refused_header_framing_closes_connection(self):
        second = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        # Whitespace between the field name and the colon (RFC 9112 5.1).
        closed, responses = raw_session(
            self.srv.port,
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding : chunked\r\n\r\n" + second)
        self.assertEqual([r[0] for r in responses], [400], responses)
        self.assertTrue(closed, "the connection stayed open")
        self.assertEqual(
            responses[0][1]["content-type"].split(";")[0].strip(),
            "application/problem+json")
        # A transfer coding the server does not implement.
        before = self.state()
        closed, responses = raw_session(
            self.srv.port,
            b"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Bearer " + self.admin.encode() + b"\r\n"
            b"Content-Type: application/json\r\n"
            b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
        self.assertEqual([r[0] for r in responses], [501], responses)
        self.assertTrue(closed, "the connection stayed open")
        # Transfer-Encoding twice.
        closed, responses = raw_session(
            self.srv.port,
            b"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Bearer " + self.admin.encode() + b"\r\n"
            b"Content-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        self.assertEqual([r[0] for r in responses], [400], responses)
        self.assertEqual(self.state(), before)

    # ---- 10 ----

    def test_10_non_utf8_path_and_query(self):
        for path in ("/%FF", "/api/v1/events/%FF"):
            with self.subTest(path=path):
                self.assertProblem(self.srv.request("GET", path), 404)
        doc = self.assertProblem(
            self.srv.request("GET", "/api/v1/events?kind=%FF"), 400, "kind")
        self.assertEqual([e for e in doc["errors"] if e["field"] == "kind"],
                         [{"field": "kind", "code": "unknown_kind",
                           "detail": "the value is not valid UTF-8"}])

    # ---- 11 ----

    def test_11_expanded_list_honours_limit(self):
        s = self.weekly_series("展开上限周路演", start="2031-03-03T10:00:00+08:00",
                               end="2031-03-03T12:00:00+08:00")
        window = "&from=%s&to=%s" % (q("2031-01-01T00:00:00+08:00"),
                                     q("2032-01-01T00:00:00+08:00"))
        status, _, doc = self.srv.json(
            "GET", "/api/v1/events?expand=true&limit=3" + window)
        self.assertEqual(status, 200, doc)
        self.assertEqual(
            [(i["id"], i["recurrence_id"], i["start"]) for i in doc["items"]],
            [(s["id"], "2031-03-03T10:00:00+08:00",
              "2031-03-03T10:00:00+08:00"),
             (s["id"], "2031-03-10T10:00:00+08:00",
              "2031-03-10T10:00:00+08:00"),
             (s["id"], "2031-03-17T10:00:00+08:00",
              "2031-03-17T10:00:00+08:00")])
        self.assertIs(doc["truncated"], True)
        # Without limit all ten, not truncated.
        status, _, doc = self.srv.json(
            "GET", "/api/v1/events?expand=true" + window)
        self.assertEqual((status, len(doc["items"]), doc["truncated"]),
                         (200, 10, False))
        self.assertProblem(self.srv.request(
            "GET", "/api/v1/events?expand=true&limit=2001" + window), 400,
            "limit")

    # ---- 12 ----

    def test_12_cancelling_an_occurrence_twice(self):
        s = self.weekly_series("重复取消周路演", start="2025-06-02T10:00:00+08:00",
                               end="2025-06-02T12:00:00+08:00")
        path = "/api/v1/events/%d/occurrences/%s/cancel" % (
            s["id"], q("2025-06-09T10:00:00+08:00"))
        status, _, first = self.srv.json("POST", path, token=self.admin)
        self.assertEqual(status, 200, first)
        self.assertEqual(first["exdates"], ["2025-06-09T10:00:00+08:00"])
        status, _, again = self.srv.json("POST", path, token=self.admin)
        self.assertEqual(status, 200, again)
        self.assertEqual(again, first)
        status, _, got = self.srv.json("GET", "/api/v1/events/%d" % s["id"])
        self.assertEqual((status, got["exdates"], got["revision"]),
                         (200, ["2025-06-09T10:00:00+08:00"], 2))
        _, _, payload = self.srv.request("GET", "/calendar.ics")
        evs = vevents_of(payload, s["uid"])
        self.assertEqual(len(evs), 1)
        self.assertEqual([x for x in evs[0] if x.startswith("EXDATE")],
                         ["EXDATE;TZID=Asia/Shanghai:20250609T100000"])

    # ---- 13 ----

    def test_13_get_import_is_405_with_allow(self):
        resp = self.srv.request("GET", "/api/v1/events/import")
        self.assertProblem(resp, 405)
        self.assertEqual(resp[1].get("allow"), "POST")

    # ---- 14 ----

    def test_14_bearer_token_with_trailing_whitespace(self):
        for n, tail in enumerate((" ", "\t")):
            with self.subTest(tail=repr(tail)):
                status, _, doc = self.srv.json(
                    "POST", "/api/v1/events",
                    headers={"Authorization": "Bearer " + self.admin + tail},
                    body=ev_body("training", "令牌空白培训%d" % n,
                                 "2025-07-0%dT09:00:00+08:00" % (n + 1),
                                 "2025-07-0%dT11:00:00+08:00" % (n + 1)))
                self.assertEqual(status, 201, doc)
                self.assertEqual(doc["title"], "令牌空白培训%d" % n)

    # ---- 15 ----

    def test_15_description_crlf_kept_as_lf_lone_cr_refused(self):
        e = self.create(ev_body("forum", "换行论坛", "2025-08-01T09:00:00+08:00",
                                "2025-08-01T11:00:00+08:00",
                                description="a\r\nb"))
        self.assertEqual(e["description"], "a\nb")
        status, _, got = self.srv.json("GET", "/api/v1/events/%d" % e["id"])
        self.assertEqual((status, got["description"]), (200, "a\nb"))
        self.assertRejected(lambda: self.srv.request(
            "POST", "/api/v1/events", token=self.admin,
            body=ev_body("forum", "回车论坛", "2025-08-02T09:00:00+08:00",
                         "2025-08-02T11:00:00+08:00", description="a\rb")),
            400, "description")


class ImportHardeningTest(ImportMixin, E2ETestCase):
    """4: the importer refuses RDATE, days that do not exist and literal
    control characters, and reads a file with a UTF-8 byte order mark."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin = cls.srv.token("admin")

    def setUp(self):
        self.before = self.snapshot()
        self.pid = self.srv.proc.pid

    def refused(self, body, detail_re, uid):
        doc = self.assertAnsweredSafely(self.post_ics(body), self.before,
                                        self.pid, statuses=(400,))
        errors = doc.get("errors")
        self.assertIsInstance(errors, list, doc)
        # the first error is the reason (a refused SUMMARY also reports
        # SUMMARY as missing after it)
        self.assertEqual((errors[0]["field"], errors[0].get("vevent"),
                          errors[0].get("uid")), ("body", 1, uid), doc)
        self.assertRegex(errors[0]["detail"], detail_re)
        return doc

    def test_04_import_rdate_nonexistent_day_tab_and_bom(self):
        with self.subTest(case="RDATE"):
            # Supported since issue 10 (test_import_producers.test_rdate);
            # a RDATE that names no real day is still refused.
            uid = "rdate@pinghu.example"
            self.refused(ics(vcalendar(vevent(uid, extra=(
                "RDATE;TZID=Asia/Shanghai:20250230T093000",)))),
                r"RDATE", uid)
        with self.subTest(case="2025-02-29"):
            uid = "feb29@pinghu.example"
            self.before = self.snapshot()
            self.refused(ics(vcalendar(vevent(
                uid, start="DTSTART:20250229T020000Z",
                end="DTEND:20250301T040000Z"))), r"does not exist", uid)
        with self.subTest(case="TAB in SUMMARY"):
            uid = "tab@pinghu.example"
            self.before = self.snapshot()
            self.refused(ics(vcalendar(vevent(uid, summary="路演\t第一场"))),
                         r"SUMMARY", uid)
        with self.subTest(case="BOM"):
            self.before = self.snapshot()
            body = b"\xef\xbb\xbf" + ics(vcalendar(vevent(
                "bom@pinghu.example", summary="带BOM的路演")))
            answer = self.import_ok(body)
            self.assertEqual({k: answer[k] for k in ("created", "updated",
                                                     "unchanged")},
                             {"created": 1, "updated": 0, "unchanged": 0})
            after = self.snapshot()
            self.assertEqual(after["uids"], sorted(
                self.before["uids"] + ["bom@pinghu.example"]))


class AccessLogTest(E2ETestCase):
    """7: the access log on standard error: one JSON object a line with
    time, path, status and us; a private feed's secret is not written."""

    def test_07_access_log_json_without_feed_secret(self):
        self.srv = start_server(self, now=NOW)
        admin = self.srv.token("admin")
        status, _, sub = self.srv.json("POST", "/api/v1/subscriptions",
                                       token=admin,
                                       body={"label": "日志检查"})
        self.assertEqual(status, 201, sub)
        path = urlsplit(sub["feed"]["url"]).path
        m = re.match(r"^/calendars/private/([A-Za-z0-9_-]{32,})\.ics$", path)
        self.assertIsNotNone(m, path)
        secret = m.group(1)
        status, _, _ = self.srv.request("GET", path)
        self.assertEqual(status, 200)
        status, _, _ = self.srv.request("GET", path + "?x=1")
        self.assertEqual(status, 200)
        # The log line of the last request is written after its answer.
        deadline = time.monotonic() + 5
        while True:
            with open(self.srv.stderr_path, "rb") as f:
                text = f.read().decode("utf-8")
            if text.count('"/calendars/private/') >= 2 or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertNotIn(secret, text)
        entries = []
        for line in text.splitlines():
            if line.startswith("--- start ") or \
                    line.startswith("roadshowd: serving "):
                continue          # the harness's and the startup line
            try:
                entry = json.loads(line)
            except ValueError:
                self.fail("not a JSON line: %r" % line)
            self.assertIsInstance(entry, dict, line)
            self.assertTrue({"time", "path", "status", "us"} <= set(entry),
                            line)
            self.assertRegex(entry["time"],
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertIsInstance(entry["status"], int, line)
            self.assertIsInstance(entry["us"], int, line)
            self.assertGreaterEqual(entry["us"], 0, line)
            entries.append(entry)
        feed = [(e["method"], e["path"], e["status"]) for e in entries
                if e["path"].startswith("/calendars/private/")]
        self.assertEqual(feed, [("GET", "/calendars/private/(secret).ics",
                                 200)] * 2)
        self.assertIn(("POST", "/api/v1/subscriptions", 201),
                      [(e["method"], e["path"], e["status"])
                       for e in entries])


class PublicUrlTest(E2ETestCase):
    """16: --public-url with a trailing slash, and one that is no URL."""

    def test_16_public_url_normalised_and_checked(self):
        self.srv = start_server(self, now=NOW,
                                extra_args=["--public-url",
                                            "https://example.org/"])
        status, _, doc = self.srv.json("GET", "/api/v1/kinds")
        self.assertEqual(status, 200, doc)
        roadshow = [k for k in doc["items"] if k["slug"] == "roadshow"]
        self.assertEqual(len(roadshow), 1)
        self.assertEqual(roadshow[0]["feed"], {
            "url": "https://example.org/calendars/kinds/roadshow.ics",
            "webcal": "webcal://example.org/calendars/kinds/roadshow.ics"})
        for k in doc["items"]:
            self.assertNotIn("//", k["feed"]["url"][len("https://"):], k)

        db = os.path.join(self.srv.tmpdir, "notaurl.db")
        try:
            p = subprocess.run(
                [binary_path(), "serve", "--db", db, "--bind", "127.0.0.1",
                 "--port", str(free_port()), "--public-url", "notaurl"],
                stdin=subprocess.DEVNULL, capture_output=True,
                env=self.srv.environ(), timeout=5)
        except subprocess.TimeoutExpired:
            self.fail("serve --public-url notaurl kept running")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertNotEqual(p.stderr.strip(), b"")


class TentativeOccurrenceTest(MonthlySeriesCase):
    JUN1 = "2025-06-01T09:00:00+08:00"

    def test_tentative_occurrence_hidden_from_public_views(self):
        status, _, doc = self.srv.json(
            "PATCH", self.occurrence(self.JUN1), body={"status": "TENTATIVE"},
            token=self.org)
        self.assertEqual(status, 200, doc)
        window = ("/api/v1/events?expand=true&from=%s&to=%s"
                  % (quote("2025-05-15T00:00:00+08:00"),
                     quote("2025-06-15T00:00:00+08:00")))
        _, _, public = self.srv.json("GET", window)
        self.assertEqual(public["items"], [])
        _, _, private = self.srv.json("GET", window, token=self.org)
        self.assertEqual([(i["recurrence_id"], i["status"])
                          for i in private["items"]],
                         [(self.JUN1, "TENTATIVE")])
        status, _, feed = self.srv.request("GET", "/calendar.ics")
        self.assertEqual(status, 200)
        self.assertNotIn(b"TENTATIVE", feed)
        self.assertIn(b"EXDATE;TZID=Asia/Shanghai:20250601T090000", feed)
        self.assertNotIn(b"RECURRENCE-ID", feed)
        _, _, anon = self.srv.json("GET", self.path)
        self.assertEqual(anon["overrides"], [])
        _, _, mine = self.srv.json("GET", self.path, token=self.org)
        self.assertEqual([(o["recurrence_id"], o["status"])
                          for o in mine["overrides"]],
                         [(self.JUN1, "TENTATIVE")])
        _, _, listed = self.srv.json("GET", "/api/v1/events")
        self.assertEqual(listed["items"][0]["overrides"], [])


if __name__ == "__main__":
    unittest.main()
