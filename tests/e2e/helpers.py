"""
helpers: small functions shared by the end-to-end suites (one copy each).

    q(s)                    percent-encode a path or query value
    ev_body(kind, title, start, end, **more)
                            an event's JSON body
    unfolded_lines(payload) an iCalendar payload's content lines, unfolded
    http_date(text)         an HTTP-date (RFC 9110 5.6.7) as a datetime
    parse_feed(tc, payload) check a feed's octets, parse it (icalendar)
    text_values(payload, name), vevents(cal)
                            a feed's TEXT values read strictly; its VEVENTs
    have_icaljs(), icaljs(tc, payload, window)
                            parse a feed with ical.js (tests/js)
    MonthlySeriesCase       a server at 2025-08-15 with a six-month series

Python's standard library, Debian's python3-icalendar and harness.py.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import icalendar

from harness import REPO_ROOT, E2ETestCase, start_server

JS_DIR = os.path.join(REPO_ROOT, "tests", "js")
PARSE_FEED_JS = os.path.join(JS_DIR, "parse_feed.mjs")
ICALJS_TIMEOUT_S = 30
# ical.js expands recurring events over this window unless told otherwise
ICALJS_WINDOW = ("2024-12-01T00:00:00Z", "2026-01-01T00:00:00Z")


def q(s):
    """Percent-encode a query or path value (the '+' of an offset must not
    become a space)."""
    return quote(s, safe="")


def ev_body(kind, title, start, end, **more):
    """An event's JSON body: the four required members plus more."""
    body = {"kind": kind, "title": title, "start": start, "end": end}
    body.update(more)
    return body


def unfolded_lines(payload):
    """The non-empty content lines of an iCalendar payload (bytes),
    unfolded (RFC 5545 3.1)."""
    text = payload.decode("utf-8").replace("\r\n ", "").replace("\r\n\t",
                                                                  "")
    return [ln for ln in text.split("\r\n") if ln]


def http_date(s):
    """An HTTP-date header value as an aware datetime."""
    return parsedate_to_datetime(s)


def parse_feed(testcase, payload):
    """Check the octets of an iCalendar feed and parse it."""
    testcase.assertTrue(payload.endswith(b"\r\n"), payload[-20:])
    lines = payload[:-2].split(b"\r\n")
    for n, line in enumerate(lines, 1):
        testcase.assertNotIn(b"\n", line, "bare LF in line %d" % n)
        testcase.assertNotIn(b"\r", line, "bare CR in line %d" % n)
        testcase.assertLessEqual(len(line), 75, "line %d is %d octets: %r"
                                 % (n, len(line), line))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            testcase.fail("line %d is not UTF-8 on its own (%s): %r"
                          % (n, exc, line))
    testcase.assertEqual(lines[0], b"BEGIN:VCALENDAR")
    testcase.assertEqual(lines[-1], b"END:VCALENDAR")
    return icalendar.Calendar.from_ical(payload.decode("utf-8"))


def text_values(payload, name):
    """The values of every property name (no parameters) in a feed, read
    strictly by RFC 5545: unfold (3.1), then unescape TEXT in one pass
    (3.3.11). Python icalendar 4.0.3 unescapes with chained str.replace(),
    which turns an escaped backslash followed by ',', ';' or 'n' into the
    wrong text, so exact checks of such values use this reader."""
    text = payload.decode("utf-8").replace("\r\n ", "").replace(
        "\r\n\t", "")
    out = []
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            value = line[len(name) + 1:]
            out.append(re.sub(r"\\([\\;,nN])",
                              lambda m: "\n" if m.group(1) in "nN"
                              else m.group(1), value))
    return out


def vevents(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def have_icaljs():
    """Whether node and ical.js (tests/js/node_modules) are there."""
    return (shutil.which("node") is not None and os.path.isdir(
        os.path.join(JS_DIR, "node_modules", "ical.js")))


def icaljs(tc, payload, window=ICALJS_WINDOW):
    """Parse payload with ical.js (tests/js/parse_feed.mjs); the parsed
    document (see that file), with recurring events expanded over window
    (None: not expanded). Fails tc when ical.js is missing or fails."""
    if not have_icaljs():
        tc.fail("ical.js is not installed: run `npm ci` in tests/js (make"
                " e2e does) and make sure `node` is on PATH")
    fd, path = tempfile.mkstemp(prefix="roadshowd-feed-", suffix=".ics")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        args = ["node", PARSE_FEED_JS, path]
        if window:
            args += list(window)
        p = subprocess.run(args, cwd=JS_DIR, capture_output=True,
                           timeout=ICALJS_TIMEOUT_S)
    finally:
        os.unlink(path)
    if p.returncode != 0:
        tc.fail("ical.js failed (%d): %s" % (p.returncode,
                                             p.stderr.decode("utf-8",
                                                             "replace")))
    return json.loads(p.stdout.decode("utf-8"))


SERIES_NOW = "2025-08-15T12:00:00+08:00"


def series_body(**extra):
    """A monthly training series, 2025-01-01 .. 2025-06-01 09:00 +08:00."""
    body = {"kind": "training", "title": "月度培训",
            "start": "2025-01-01T09:00:00+08:00",
            "end": "2025-01-01T11:00:00+08:00",
            "rrule": "FREQ=MONTHLY;COUNT=6"}
    body.update(extra)
    return body


class MonthlySeriesCase(E2ETestCase):
    """A server whose clock is SERIES_NOW, an organiser (self.org) of
    pinghu-maker-space, an admin (self.admin), and the organiser's series
    (self.series, at self.path). Holds no tests itself."""

    def setUp(self):
        self.srv = start_server(self, now=SERIES_NOW)
        self.org = self.srv.token("organiser", "pinghu-maker-space")
        self.admin = self.srv.token("admin")
        status, _, self.series = self.srv.json(
            "POST", "/api/v1/events", body=series_body(), token=self.org)
        self.assertEqual(status, 201, self.series)
        self.path = "/api/v1/events/%d" % self.series["id"]

    def occurrence(self, rid, suffix=""):
        return "%s/occurrences/%s%s" % (self.path, quote(rid), suffix)
