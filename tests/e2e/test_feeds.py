"""
End-to-end tests of issue 10's feed items: feeds that strict consumers
accept.

  * RRULE UNTIL in RFC 5545 §3.3.10's form (UTC for a zoned series, DATE
    for an all-day one) whatever form the API or an imported file used;
    Python icalendar + recurring_ical_events and ical.js (tests/js) give
    the same occurrences; calcurse imports the feed without skipping.
  * An empty feed is valid iCalendar (at least one component).
  * The default window: 180 days back plus everything ahead; ?from= for
    more; serve --feed-days to change it.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from datetime import date, datetime, timedelta, timezone

import icalendar
import recurring_ical_events

from harness import REPO_ROOT, E2ETestCase, start_class_server, start_server
from importkit import ics, vcalendar, vevent

NOW = "2025-02-20T12:00:00+08:00"
CST = timezone(timedelta(hours=8))
UTC = timezone.utc
CARRIER = "pinghu-maker-space"
JS_DIR = os.path.join(REPO_ROOT, "tests", "js")

# Five Saturdays, 2025-03-01 .. 2025-03-29, 09:30 in Shanghai.
SATURDAYS = ["2025-03-%02dT01:30:00Z" % d for d in (1, 8, 15, 22, 29)]
ALL_DAY_SATURDAYS = ["2025-03-%02d" % d for d in (1, 8, 15, 22, 29)]

# UNTIL as posted -> as stored and published
TIMED_FORMS = {
    "until-local@e2e": ("FREQ=WEEKLY;UNTIL=20250329T093000",
                        "FREQ=WEEKLY;UNTIL=20250329T013000Z"),
    "until-date@e2e": ("FREQ=WEEKLY;UNTIL=20250329",
                       "FREQ=WEEKLY;UNTIL=20250329T155959Z"),
    "until-utc@e2e": ("FREQ=WEEKLY;UNTIL=20250329T013000Z",
                      "FREQ=WEEKLY;UNTIL=20250329T013000Z"),
}
ALL_DAY_FORMS = {
    "allday-until-utc@e2e": ("FREQ=WEEKLY;UNTIL=20250329T010000Z",
                             "FREQ=WEEKLY;UNTIL=20250329"),
    "allday-until-date@e2e": ("FREQ=WEEKLY;UNTIL=20250329",
                              "FREQ=WEEKLY;UNTIL=20250329"),
}


def utc_text(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def python_occurrences(payload):
    cal = icalendar.Calendar.from_ical(payload)
    out = {}
    for ev in recurring_ical_events.of(cal).between((2025, 1, 1),
                                                    (2026, 1, 1)):
        out.setdefault(str(ev["UID"]), []).append(
            utc_text(ev.decoded("DTSTART")))
    return {k: sorted(v) for k, v in out.items()}


def icaljs_occurrences(tc, payload):
    if shutil.which("node") is None or not os.path.isdir(
            os.path.join(JS_DIR, "node_modules", "ical.js")):
        tc.fail("ical.js is not installed: run `npm ci` in tests/js")
    fd, path = tempfile.mkstemp(suffix=".ics")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        p = subprocess.run(["node", os.path.join(JS_DIR, "parse_feed.mjs"),
                            path, "2025-01-01T00:00:00Z",
                            "2026-01-01T00:00:00Z"], cwd=JS_DIR,
                           capture_output=True, timeout=30)
    finally:
        os.unlink(path)
    tc.assertEqual(p.returncode, 0, p.stderr)
    doc = json.loads(p.stdout)
    out = {}
    for uid, occ in doc["occurrences"].items():
        # start: the UTC instant; start_local: the date of a DATE value
        out[uid] = sorted(o["start_local"] if len(o["start_local"]) == 10
                          else o["start"] for o in occ)
    return out


class UntilFormsTest(E2ETestCase):
    """RFC 5545 §3.3.10: UNTIL is UTC for a zoned series and a DATE for an
    all-day one, in the API's answer and in the feed; three independent
    readers agree on the occurrences."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, env={"ROADSHOWD_NOW": NOW})
        cls.admin = cls.srv.token("admin")
        for uid, (posted, _) in TIMED_FORMS.items():
            cls.post(uid, rrule=posted, start="2025-03-01T09:30:00+08:00",
                     end="2025-03-01T11:30:00+08:00")
        for uid, (posted, _) in ALL_DAY_FORMS.items():
            cls.post(uid, rrule=posted, all_day=True,
                     start_date="2025-03-01", end_date="2025-03-02")
        # The same forms through an imported file.
        body = ics(vcalendar(
            vevent("import-until-local@e2e", start="DTSTART;TZID=Asia/"
                   "Shanghai:20250301T093000", extra=[
                       "RRULE:FREQ=WEEKLY;UNTIL=20250329T093000"]),
            vevent("import-until-date@e2e", extra=[
                "RRULE:FREQ=WEEKLY;UNTIL=20250329"]),
            vevent("import-allday-until-utc@e2e",
                   start="DTSTART;VALUE=DATE:20250301",
                   end="DTEND;VALUE=DATE:20250302", extra=[
                       "RRULE:FREQ=WEEKLY;UNTIL=20250329T010000Z"])))
        status, _, payload = cls.srv.request(
            "POST", "/api/v1/events/import?carrier=" + CARRIER, raw=body,
            token=cls.admin, headers={"Content-Type": "text/calendar"})
        if status != 200:
            raise AssertionError("import: %d %r" % (status, payload))
        status, _, cls.feed = cls.srv.request("GET", "/calendar.ics")
        if status != 200:
            raise AssertionError("feed: %d" % status)

    @classmethod
    def post(cls, uid, **fields):
        body = {"uid": uid, "kind": "salon", "title": uid,
                "carrier": CARRIER}
        body.update(fields)
        status, _, doc = cls.srv.json("POST", "/api/v1/events", body=body,
                                      token=cls.admin)
        if status != 201:
            raise AssertionError("%s: %d %r" % (uid, status, doc))
        return doc

    def expected(self):
        want = {uid: SATURDAYS for uid in TIMED_FORMS}
        want.update({uid: ALL_DAY_SATURDAYS for uid in ALL_DAY_FORMS})
        want.update({"import-until-local@e2e": SATURDAYS,
                     "import-until-date@e2e": SATURDAYS,
                     "import-allday-until-utc@e2e": ALL_DAY_SATURDAYS})
        return want

    def test_stored_and_published_form(self):
        cal = icalendar.Calendar.from_ical(self.feed)
        rules = {str(v["UID"]): v["RRULE"].to_ical().decode()
                 for v in cal.walk("VEVENT")}
        for uid, (_, stored) in list(TIMED_FORMS.items()) + \
                list(ALL_DAY_FORMS.items()):
            with self.subTest(uid=uid):
                self.assertEqual(rules[uid], stored)
        self.assertEqual(rules["import-until-local@e2e"],
                         "FREQ=WEEKLY;UNTIL=20250329T013000Z")
        self.assertEqual(rules["import-until-date@e2e"],
                         "FREQ=WEEKLY;UNTIL=20250329T155959Z")
        self.assertEqual(rules["import-allday-until-utc@e2e"],
                         "FREQ=WEEKLY;UNTIL=20250329")
        # Python icalendar's reading of UNTIL: UTC date-time, or a date.
        for v in cal.walk("VEVENT"):
            until = v["RRULE"]["UNTIL"][0]
            if isinstance(v.decoded("DTSTART"), datetime):
                self.assertEqual(until.utcoffset(), timedelta(0))
            else:
                self.assertIs(type(until), date)

    def test_python_and_icaljs_give_the_same_occurrences(self):
        want = self.expected()
        self.assertEqual(python_occurrences(self.feed), want)
        self.assertEqual(icaljs_occurrences(self, self.feed), want)

    @unittest.skipIf(shutil.which("calcurse") is None,
                     "calcurse is not installed (Debian: calcurse)")
    def test_calcurse_imports_every_event(self):
        tmp = tempfile.mkdtemp(prefix="roadshowd-calcurse-")
        self.addCleanup(shutil.rmtree, tmp, True)
        feed = os.path.join(tmp, "feed.ics")
        with open(feed, "wb") as f:
            f.write(self.feed)
        os.mkdir(os.path.join(tmp, "cc"))
        p = subprocess.run(["calcurse", "-D", os.path.join(tmp, "cc"),
                            "-i", feed], capture_output=True, timeout=30,
                           env=dict(os.environ, TZ="Asia/Shanghai"),
                           stdin=subprocess.DEVNULL)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out + p.stderr.decode())
        # 5 timed series as appointments, 3 all-day series as events.
        self.assertIn("5 apps / 3 events / 0 todos / 0 skipped", out)
        with open(os.path.join(tmp, "cc", "apts")) as f:
            apts = f.read()
        self.assertEqual(apts.count("{1W -> 03/29/2025}"), 8, apts)


class EmptyFeedTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, env={"ROADSHOWD_NOW": NOW})

    def test_empty_feed_has_a_component(self):
        for path in ("/calendars/partners/yunyang.ics", "/calendar.ics"):
            with self.subTest(path=path):
                status, _, payload = self.srv.request("GET", path)
                self.assertEqual(status, 200)
                cal = icalendar.Calendar.from_ical(payload)
                self.assertEqual([c.name for c in cal.subcomponents],
                                 ["VTIMEZONE"])
                self.assertEqual(str(cal.subcomponents[0]["TZID"]),
                                 "Asia/Shanghai")
                self.assertEqual(str(cal["X-WR-TIMEZONE"]), "Asia/Shanghai")


def shanghai(days):
    """NOW plus days, 10:00 in Shanghai, RFC 3339."""
    d = datetime(2025, 2, 20, 10, 0, tzinfo=CST) + timedelta(days=days)
    return d.isoformat()


class DefaultWindowTest(E2ETestCase):
    """Feeds without ?from= carry 180 days back and everything ahead."""

    EVENTS = {"old-200@e2e": -200, "old-181@e2e": -181,
              "recent-179@e2e": -179, "ahead-400@e2e": 400}

    def start(self, *args):
        self.srv = start_server(self, env={"ROADSHOWD_NOW": NOW},
                                extra_args=list(args))
        admin = self.srv.token("admin")
        for uid, days in self.EVENTS.items():
            status, _, doc = self.srv.json("POST", "/api/v1/events", body={
                "uid": uid, "kind": "roadshow", "title": uid,
                "carrier": CARRIER, "start": shanghai(days),
                "end": shanghai(days + 0.1)}, token=admin)
            self.assertEqual(status, 201, doc)
        # An open-ended weekly series that began 400 days ago is still in.
        status, _, doc = self.srv.json("POST", "/api/v1/events", body={
            "uid": "weekly-forever@e2e", "kind": "salon", "title": "每周",
            "carrier": CARRIER, "start": shanghai(-400),
            "end": shanghai(-399.9), "rrule": "FREQ=WEEKLY"}, token=admin)
        self.assertEqual(status, 201, doc)
        # A series that ended 300 days ago is not.
        status, _, doc = self.srv.json("POST", "/api/v1/events", body={
            "uid": "ended-series@e2e", "kind": "salon", "title": "已结束",
            "carrier": CARRIER, "start": shanghai(-400),
            "end": shanghai(-399.9), "rrule": "FREQ=WEEKLY;COUNT=4"},
            token=admin)
        self.assertEqual(status, 201, doc)

    def uids(self, path):
        status, _, payload = self.srv.request("GET", path)
        self.assertEqual(status, 200, payload[:300])
        cal = icalendar.Calendar.from_ical(payload)
        return sorted(str(v["UID"]) for v in cal.walk("VEVENT"))

    def test_default_window_and_from(self):
        self.start()
        in_window = ["ahead-400@e2e", "recent-179@e2e", "weekly-forever@e2e"]
        self.assertEqual(self.uids("/calendar.ics"), in_window)
        self.assertEqual(self.uids("/calendars/carriers/%s.ics" % CARRIER),
                         in_window)
        self.assertEqual(self.uids("/calendars/kinds/roadshow.ics"),
                         ["ahead-400@e2e", "recent-179@e2e"])
        self.assertEqual(self.uids("/calendar.ics?from=2024-01-01T00:00:00"
                                   "%2B08:00"),
                         sorted(list(self.EVENTS) + ["weekly-forever@e2e",
                                                     "ended-series@e2e"]))
        self.assertEqual(self.uids("/calendar.ics?from=2024-08-01T00:00:00"
                                   "%2B08:00"),
                         ["ahead-400@e2e", "old-181@e2e", "old-200@e2e",
                          "recent-179@e2e", "weekly-forever@e2e"])

    def test_feed_days_flag(self):
        self.start("--feed-days", "365")
        self.assertEqual(self.uids("/calendar.ics"),
                         ["ahead-400@e2e", "old-181@e2e", "old-200@e2e",
                          "recent-179@e2e", "weekly-forever@e2e"])
