"""
importkit: shared helpers for the iCalendar import end-to-end tests
(test_import*.py and the other suites that post iCalendar files).

    ics(lines)                 CRLF-terminated iCalendar text as bytes
    ImportMixin.post_ics(...)  POST /api/v1/events/import, timed
    ImportMixin.snapshot()     what is stored: event count (admin list),
                               roadshowd_events, roadshowd_event_changes_total
    ImportMixin.assertAnsweredSafely(...)
                               4xx problem+json within the deadline, the
                               same server process alive, nothing stored

Only the Python standard library and harness.py are used.
"""
import json
import re
import time
from urllib.parse import quote

IMPORT_PATH = "/api/v1/events/import"
# Hang bounds, not timing targets (those live in `make bench`): the server
# kills its parse child after 3 s plus 1 s per MiB (service/ics_import.c), so an answer later than
# this means something hangs, whatever the machine's load.
ANSWER_DEADLINE_S = 30.0         # every import must be answered within this
HTTP_TIMEOUT_S = 60.0            # a hung server fails the test, not the run
CRLF = "\r\n"


def ics(lines):
    """lines (str, one iCalendar content line each, unfolded or already
    folded by the caller) -> bytes with CRLF line ends."""
    return (CRLF.join(lines) + CRLF).encode("utf-8")


def vcalendar(*vevents, prodid="-//roadshowd e2e//import test//ZH"):
    """Lines of a VCALENDAR holding the given VEVENT line lists."""
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + prodid]
    for v in vevents:
        out += v
    out.append("END:VCALENDAR")
    return out


def vevent(uid, summary="路演", start="DTSTART;TZID=Asia/Shanghai:"
           "20250301T093000", end="DTEND;TZID=Asia/Shanghai:20250301T113000",
           categories="CATEGORIES:项目路演", extra=()):
    """Lines of one VEVENT. start/end/categories None leaves them out."""
    out = ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20250201T000000Z"]
    if summary is not None:
        out.append("SUMMARY:" + summary)
    for line in (start, end, categories):
        if line is not None:
            out.append(line)
    out += list(extra)
    out.append("END:VEVENT")
    return out


def metric(text, name):
    """The value of an unlabelled Prometheus sample, or None."""
    m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else None


class ImportMixin:
    """For E2ETestCase subclasses that set self.srv (or cls.srv) and
    self.admin (or cls.admin)."""

    def post_ics(self, body, carrier="pinghu-maker-space", token="admin",
                 ctype="text/calendar; charset=utf-8", kind=None,
                 timeout=HTTP_TIMEOUT_S):
        """POST body to the import endpoint. token "admin" means the admin
        token, None none. Returns (status, headers, payload, seconds)."""
        path = IMPORT_PATH
        query = []
        if carrier is not None:
            query.append("carrier=" + quote(carrier, safe=""))
        if kind is not None:
            query.append("kind=" + quote(kind, safe=""))
        if query:
            path += "?" + "&".join(query)
        headers = {}
        if ctype is not None:
            headers["Content-Type"] = ctype
        tok = self.admin if token == "admin" else token
        t0 = time.monotonic()
        status, hdrs, payload = self.srv.request(
            "POST", path, raw=body, token=tok, headers=headers,
            timeout=timeout)
        return status, hdrs, payload, time.monotonic() - t0

    def import_ok(self, body, **kw):
        """post_ics() that must answer 200; returns the parsed answer."""
        status, hdrs, payload, _ = self.post_ics(body, **kw)
        self.assertEqual(status, 200, payload[:1000])
        self.assertEqual(hdrs["content-type"].split(";")[0],
                         "application/json")
        return json.loads(payload.decode("utf-8"))

    def snapshot(self):
        """(events listed to an admin, roadshowd_events,
        roadshowd_event_changes_total): what a rejected import must leave
        as it was."""
        status, _, doc = self.srv.json("GET", "/api/v1/events?limit=500",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        self.assertIsNone(doc["next_cursor"], "more than 500 events")
        status, _, text = self.srv.request("GET", "/metrics")
        self.assertEqual(status, 200)
        text = text.decode("utf-8")
        return {"listed": len(doc["items"]),
                "uids": sorted(i["uid"] for i in doc["items"]),
                "roadshowd_events": metric(text, "roadshowd_events"),
                "roadshowd_event_changes_total":
                    metric(text, "roadshowd_event_changes_total")}

    def assertAlive(self, pid):
        """The server process that had pid is still the one answering."""
        self.assertIsNotNone(self.srv.proc, "server stopped")
        self.assertIsNone(self.srv.proc.poll(), "roadshowd exited (%s)"
                          % self.srv.proc.returncode)
        self.assertEqual(self.srv.proc.pid, pid, "server was restarted")
        status, _, _ = self.srv.request("GET", "/healthz",
                                        timeout=HTTP_TIMEOUT_S)
        self.assertEqual(status, 200)

    def assertAnsweredSafely(self, resp, before, pid, statuses=None,
                             deadline=ANSWER_DEADLINE_S):
        """resp is post_ics()'s answer. A 4xx problem (status in statuses
        when given) within deadline seconds, the same process alive and
        answering, and stored data as in before. Returns the problem."""
        status, hdrs, payload, took = resp
        self.assertLess(took, deadline, "answered after %.2f s" % took)
        if statuses is not None:
            self.assertIn(status, statuses, payload[:600])
        self.assertTrue(400 <= status < 500, "status %d: %r"
                        % (status, payload[:600]))
        doc = self.assertProblem((status, hdrs, payload), status)
        self.assertAlive(pid)
        self.assertEqual(self.snapshot(), before, "a rejected import"
                         " changed stored data")
        return doc
