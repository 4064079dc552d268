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
  * The district, scoped and filtered feeds (headers, contents, folding,
    VTIMEZONE, ETag after a change, cancelled events kept as CANCELLED).
  * Private feeds: TENTATIVE events, fetch records, filters, revocation,
    who may manage subscriptions.
  * A feed's window leaves out a series that ended before it.
"""
import json
import os
import shutil
import subprocess
import tempfile
import re
import unittest
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

import icalendar
import recurring_ical_events

from harness import REPO_ROOT, E2ETestCase, start_class_server, start_server
from importkit import ics, vcalendar, vevent
from helpers import (MonthlySeriesCase, ev_body, icaljs, parse_feed,
                     text_values, vevents)
from test_feeds_clients import DISTRICT_NAME, NOW_UTC, check_octets

NOW = "2025-02-20T12:00:00+08:00"
CST = timezone(timedelta(hours=8))
UTC = timezone.utc
CARRIER = "pinghu-maker-space"
JS_DIR = os.path.join(REPO_ROOT, "tests", "js")

# A title of 100+ characters with commas, semicolons and a backslash, each
# of which iCalendar TEXT must escape (RFC 5545 3.3.11).
LONG_TITLE = (
    "万州区2025年第一季度“科创万州”项目路演暨孵化载体对接会，"
    "主题：数字经济、智能制造；生物医药\\新材料；"
    "邀请达州市、开州区、云阳县、两江新区的投资机构，"
    "聚焦初创企业融资，路演项目不少于十个；欢迎报名参加，名额有限，先到先得。"
    "备注：路径C:\\路演\\资料，请提前下载；联系人：张老师，电话023-58000000。"
)
assert len(LONG_TITLE) >= 100, len(LONG_TITLE)

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
        cls.srv = start_class_server(cls, now=NOW)
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
        cls.srv = start_class_server(cls, now=NOW)

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
        self.srv = start_server(self, now=NOW,
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



# ---------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------

class FeedTest(E2ETestCase):
    """Events posted once; the tests only read the feeds."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin = cls.srv.token("admin")
        cls.org = cls.srv.token("organiser", "pinghu-maker-space")
        cls.ev = {}

        def add(name, body, token=None):
            status, _, doc = cls.srv.json("POST", "/api/v1/events",
                                          body=body,
                                          token=token or cls.admin)
            assert status == 201, doc
            cls.ev[name] = doc
            return doc

        add("long", ev_body("roadshow", LONG_TITLE,
                            "2025-03-01T00:30:00+08:00",
                            "2025-03-01T02:30:00+08:00",
                            venue="万州经开区，平湖路1号；二楼",
                            description="第一行\n第二行，含逗号；分号\\反斜杠",
                            partner_regions=["dazhou"]), token=cls.org)
        add("salon", ev_body("salon", "渝东创业沙龙",
                             "2025-03-10T19:00:00+08:00",
                             "2025-03-10T21:00:00+08:00",
                             carrier="sanxia-tusstar",
                             partner_regions=["kaizhou"]))
        add("tentative", ev_body("forum", "暂定主题论坛",
                                 "2025-04-05T14:00:00+08:00",
                                 "2025-04-05T17:00:00+08:00",
                                 carrier="pinghu-maker-space",
                                 status="TENTATIVE"))
        c = add("cancelled", ev_body("roadshow", "龙驹镇路演",
                                     "2025-05-20T09:00:00+08:00",
                                     "2025-05-20T11:00:00+08:00",
                                     carrier="longteng-maker-space"))
        status, _, cls.ev["cancelled"] = cls.srv.json(
            "POST", "/api/v1/events/%d/cancel" % c["id"], token=cls.admin)
        assert status == 200
        add("competition", ev_body("competition", "“高新杯”众创大赛",
                                   "2025-09-01T09:00:00+08:00",
                                   "2025-09-01T18:00:00+08:00",
                                   partner_regions=["dazhou",
                                                    "liangjiang-xinqu"]))
        add("berlin", ev_body("seminar", "柏林学术研讨",
                              "2025-03-10T10:00:00+01:00",
                              "2025-03-10T12:00:00+01:00",
                              timezone="Europe/Berlin",
                              carrier="e-wanzhou-maker-space"))
        add("allday", {"kind": "exhibition", "title": "成果展览",
                       "all_day": True, "start_date": "2025-06-01",
                       "end_date": "2025-06-03",
                       "carrier": "jinwan-liulian-center"})

    def uids(self, *names):
        return sorted(self.ev[n]["uid"] for n in names)

    def feed(self, path):
        status, headers, payload = self.srv.request("GET", path)
        self.assertEqual(status, 200, payload[:300])
        self.assertEqual(headers["content-type"],
                         "text/calendar; charset=utf-8")
        return headers, parse_feed(self, payload)

    def test_district_feed_headers(self):
        status, headers, payload = self.srv.request("GET", "/calendar.ics")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"],
                         "text/calendar; charset=utf-8")
        etag = headers["etag"]
        self.assertRegex(etag, r'^"[^"]+"$')     # strong, quoted
        self.assertIn("last-modified", headers)
        self.assertEqual(int(headers["content-length"]), len(payload))

        status, h304, body = self.srv.request(
            "GET", "/calendar.ics", headers={"If-None-Match": etag})
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(h304.get("etag"), etag)

        status, _, body = self.srv.request(
            "GET", "/calendar.ics", headers={"If-None-Match": '"other"'})
        self.assertEqual((status, body), (200, payload))

        status, hhead, body = self.srv.request("HEAD", "/calendar.ics")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(hhead["etag"], etag)
        self.assertEqual(hhead["content-type"],
                         "text/calendar; charset=utf-8")

        # Same data, same octets, same ETag.
        status, h2, payload2 = self.srv.request("GET", "/calendar.ics")
        self.assertEqual((h2["etag"], payload2), (etag, payload))

    def test_district_feed_contents(self):
        _, cal = self.feed("/calendar.ics")
        evs = vevents(cal)
        self.assertEqual(sorted(evs), self.uids("long", "salon", "cancelled",
                                                "competition", "berlin",
                                                "allday"))
        self.assertNotIn(self.ev["tentative"]["uid"], evs)
        for name in ("long", "salon", "cancelled", "competition", "berlin"):
            api = self.ev[name]
            ve = evs[api["uid"]]
            with self.subTest(event=name):
                self.assertEqual(str(ve["SUMMARY"]), api["title"])
                self.assertEqual(str(ve["STATUS"]), api["status"])
                self.assertEqual(int(ve.decoded("SEQUENCE")),
                                 api["sequence"])
                self.assertEqual(ve["DTSTART"].params.get("TZID"),
                                 api["timezone"])
                self.assertEqual(ve["DTEND"].params.get("TZID"),
                                 api["timezone"])
                self.assertEqual(ve.decoded("DTSTART"),
                                 datetime.fromisoformat(api["start"]))
                self.assertEqual(ve.decoded("DTEND"),
                                 datetime.fromisoformat(api["end"]))
        self.assertEqual(str(evs[self.ev["cancelled"]["uid"]]["STATUS"]),
                         "CANCELLED")
        self.assertEqual(int(evs[self.ev["cancelled"]["uid"]]
                             .decoded("SEQUENCE")), 1)
        tzids = sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE"))
        self.assertEqual(tzids, ["Asia/Shanghai", "Europe/Berlin"])
        # The Berlin event keeps its zone: 10:00 CET is 17:00 in Shanghai.
        berlin = evs[self.ev["berlin"]["uid"]]
        self.assertEqual(self.ev["berlin"]["start"],
                         "2025-03-10T10:00:00+01:00")
        start = berlin.decoded("DTSTART")
        self.assertEqual((start.hour, start.minute,
                          start.utcoffset()), (10, 0, timedelta(hours=1)))
        self.assertEqual(start, datetime(2025, 3, 10, 17, 0, tzinfo=CST))
        # All-day: DATE values, DTEND exclusive.
        allday = evs[self.ev["allday"]["uid"]]
        self.assertEqual((self.ev["allday"]["all_day"],
                          self.ev["allday"]["start_date"],
                          self.ev["allday"]["end_date"]),
                         (True, "2025-06-01", "2025-06-03"))
        self.assertEqual(allday["DTSTART"].params.get("VALUE"), "DATE")
        self.assertEqual(allday.decoded("DTSTART"), date(2025, 6, 1))
        self.assertEqual(allday.decoded("DTEND"), date(2025, 6, 3))

    def test_long_chinese_title_round_trip(self):
        _, cal = self.feed("/calendar.ics")
        api = self.ev["long"]
        self.assertEqual(api["title"], LONG_TITLE)
        ve = vevents(cal)[api["uid"]]
        self.assertEqual(str(ve["SUMMARY"]), LONG_TITLE)
        self.assertEqual(str(ve["LOCATION"]), "万州经开区，平湖路1号；二楼")
        self.assertEqual(str(ve["DESCRIPTION"]),
                         "第一行\n第二行，含逗号；分号\\反斜杠")
        self.assertEqual(str(ve["UID"]), api["uid"])
        self.assertEqual(str(ve["STATUS"]), "CONFIRMED")
        self.assertEqual(int(ve.decoded("SEQUENCE")), 0)
        dtstart = ve["DTSTART"]
        self.assertEqual(dtstart.params.get("TZID"), "Asia/Shanghai")
        start = ve.decoded("DTSTART")
        self.assertEqual(start, datetime(2025, 3, 1, 0, 30, tzinfo=CST))
        self.assertEqual(start.utcoffset(), timedelta(hours=8))
        self.assertEqual((start.year, start.month, start.day, start.hour,
                          start.minute), (2025, 3, 1, 0, 30))
        self.assertEqual(ve.decoded("DTEND"),
                         datetime(2025, 3, 1, 2, 30, tzinfo=CST))
        # The folded SUMMARY spans several physical lines.
        _, _, payload = self.srv.request("GET", "/calendar.ics")
        self.assertIn(LONG_TITLE, text_values(payload, "SUMMARY"))
        text = payload.decode("utf-8")
        i = text.index("SUMMARY:")
        self.assertTrue(text[i:].split("\r\n")[1].startswith(" "))

    def test_vtimezone_for_every_tzid(self):
        _, cal = self.feed("/calendar.ics")
        defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
        used = set()
        for ve in cal.walk("VEVENT"):
            for prop in ("DTSTART", "DTEND"):
                if prop in ve and "TZID" in ve[prop].params:
                    used.add(ve[prop].params["TZID"])
        self.assertEqual(used, {"Asia/Shanghai", "Europe/Berlin"})
        self.assertTrue(used <= defined, (used, defined))

    def test_scoped_feeds(self):
        cases = [
            ("/calendars/regions/wanzhou-jingkaiqu.ics", ["long"]),
            ("/calendars/regions/yudong-xinqu.ics", ["salon"]),
            ("/calendars/regions/longju.ics", ["cancelled"]),
            ("/calendars/regions/pailou.ics", []),
            ("/calendars/regions/gaosuntang.ics", ["berlin"]),
            ("/calendars/regions/longdu.ics", ["allday"]),
            ("/calendars/kinds/exhibition.ics", ["allday"]),
            ("/calendars/carriers/pinghu-maker-space.ics", ["long"]),
            ("/calendars/carriers/sanxia-tusstar.ics", ["salon"]),
            ("/calendars/carriers/huijie-maker-workshop.ics", []),
            ("/calendars/kinds/roadshow.ics", ["long", "cancelled"]),
            ("/calendars/kinds/competition.ics", ["competition"]),
            ("/calendars/kinds/forum.ics", []),
            ("/calendars/partners/dazhou.ics", ["long", "competition"]),
            ("/calendars/partners/kaizhou.ics", ["salon"]),
            ("/calendars/partners/liangjiang-xinqu.ics", ["competition"]),
            ("/calendars/partners/yunyang.ics", []),
        ]
        for path, names in cases:
            with self.subTest(path=path):
                headers, cal = self.feed(path)
                self.assertEqual(sorted(vevents(cal)), self.uids(*names))
                self.assertRegex(headers["etag"], r'^"[^"]+"$')

    def test_feed_query_filters(self):
        _, cal = self.feed("/calendar.ics?kind=salon")
        self.assertEqual(sorted(vevents(cal)), self.uids("salon"))
        _, cal = self.feed("/calendar.ics?status=TENTATIVE")
        self.assertEqual(sorted(vevents(cal)), [])

    def test_unknown_feeds_404(self):
        for path in ("/calendars/regions/mars.ics",
                     "/calendars/carriers/nobody.ics",
                     "/calendars/kinds/party.ics",
                     "/calendars/partners/mars.ics",
                     "/calendars/regions/dazhou.ics",
                     "/calendars/partners/wanzhou-jingkaiqu.ics",
                     "/calendars/planets/earth.ics",
                     "/calendars/regions/wanzhou-jingkaiqu"):
            with self.subTest(path=path):
                self.assertProblem(self.srv.request("GET", path), 404)


class FeedFoldingTest(E2ETestCase):
    def test_folding_never_splits_a_character(self):
        self.srv = start_server(self, now=NOW)
        admin = self.srv.token("admin")
        titles = ["a" * k + "项目路演" * 30 for k in range(4)]
        # Escaped backslash next to other escapes (RFC 5545 3.3.11).
        titles.append("🚀" * 60 + "，;\\,；\\;\\n\\\\N")
        titles.append("x" * 74 + "路" + "y" * 74 + "演")
        description = ("第一段：孵化载体，路演；\\\n" * 150)[:-1]
        uids = {}
        for i, title in enumerate(titles):
            status, _, e = self.srv.json(
                "POST", "/api/v1/events", token=admin,
                body=ev_body("roadshow", title, "2025-03-%02dT10:00:00+08:00"
                             % (i + 1), "2025-03-%02dT12:00:00+08:00"
                             % (i + 1), description=description,
                             venue="会议室" * 40))
            self.assertEqual(status, 201, e)
            self.assertEqual(e["title"], title)
            uids[e["uid"]] = title
        _, _, payload = self.srv.request("GET", "/calendar.ics")
        evs = vevents(parse_feed(self, payload))
        self.assertEqual(sorted(evs), sorted(uids))
        self.assertEqual(sorted(text_values(payload, "SUMMARY")),
                         sorted(titles))
        self.assertEqual(text_values(payload, "DESCRIPTION")[1:],
                         [description] * len(titles))
        for uid, title in uids.items():
            if "\\" not in title:
                self.assertEqual(str(evs[uid]["SUMMARY"]), title)
            self.assertEqual(str(evs[uid]["LOCATION"]), "会议室" * 40)


class FeedChangeTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, now=NOW)
        self.admin = self.srv.token("admin")

    def test_etag_changes_after_patch(self):
        status, _, e = self.srv.json(
            "POST", "/api/v1/events", token=self.admin,
            body=ev_body("roadshow", "路演", "2025-03-01T00:30:00+08:00",
                         "2025-03-01T02:30:00+08:00",
                         carrier="pinghu-maker-space"))
        self.assertEqual(status, 201)
        scoped = "/calendars/carriers/pinghu-maker-space.ics"
        _, h1, _ = self.srv.request("GET", "/calendar.ics")
        _, s1, _ = self.srv.request("GET", scoped)
        status, _, p = self.srv.json(
            "PATCH", "/api/v1/events/%d" % e["id"], token=self.admin,
            body={"venue": "二号厅"}, headers={"If-Match": '"r1"'})
        self.assertEqual((status, p["sequence"]), (200, 1))
        status, h2, payload = self.srv.request(
            "GET", "/calendar.ics", headers={"If-None-Match": h1["etag"]})
        self.assertEqual(status, 200)
        self.assertNotEqual(h2["etag"], h1["etag"])
        ve = vevents(parse_feed(self, payload))[e["uid"]]
        self.assertEqual((str(ve["LOCATION"]), int(ve.decoded("SEQUENCE"))),
                         ("二号厅", 1))
        status, s2, _ = self.srv.request("GET", scoped,
                                         headers={"If-None-Match":
                                                  s1["etag"]})
        self.assertEqual(status, 200)
        self.assertNotEqual(s2["etag"], s1["etag"])
        status, _, body = self.srv.request(
            "GET", "/calendar.ics", headers={"If-None-Match": h2["etag"]})
        self.assertEqual((status, body), (304, b""))

    def test_cancel_keeps_event_in_feed_as_cancelled(self):
        status, _, e = self.srv.json(
            "POST", "/api/v1/events", token=self.admin,
            body=ev_body("roadshow", "路演", "2025-03-01T00:30:00+08:00",
                         "2025-03-01T02:30:00+08:00"))
        _, h1, _ = self.srv.request("GET", "/calendar.ics")
        status, _, c = self.srv.json("POST", "/api/v1/events/%d/cancel"
                                     % e["id"], token=self.admin)
        self.assertEqual(status, 200)
        status, h2, payload = self.srv.request("GET", "/calendar.ics")
        self.assertNotEqual(h2["etag"], h1["etag"])
        ve = vevents(parse_feed(self, payload))[e["uid"]]
        self.assertEqual((str(ve["STATUS"]), int(ve.decoded("SEQUENCE"))),
                         ("CANCELLED", 1))


# ---------------------------------------------------------------------------
# Private feeds
# ---------------------------------------------------------------------------

THUNDERBIRD_UA = ("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101"
                  " Thunderbird/115.3.1")
OUTLOOK_UA = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)"


class PrivateFeedTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, now=NOW)
        self.admin = self.srv.token("admin")
        self.org = self.srv.token("organiser", "pinghu-maker-space")
        self.events = {}
        for name, status, start in (("confirmed", "CONFIRMED", "10"),
                                    ("tentative", "TENTATIVE", "11")):
            code, _, doc = self.srv.json(
                "POST", "/api/v1/events", token=self.org,
                body={"kind": "salon", "title": "%s沙龙" % name,
                      "status": status,
                      "start": "2025-03-%sT19:00:00+08:00" % start,
                      "end": "2025-03-%sT21:00:00+08:00" % start})
            self.assertEqual(code, 201, doc)
            self.events[name] = doc

    def subscribe(self, body):
        status, headers, doc = self.srv.json("POST", "/api/v1/subscriptions",
                                             token=self.admin, body=body)
        self.assertEqual(status, 201, doc)
        return doc

    def listed(self, sub_id):
        status, _, doc = self.srv.json("GET", "/api/v1/subscriptions",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        found = [s for s in doc["items"] if s["id"] == sub_id]
        self.assertEqual(len(found), 1)
        return found[0]

    def test_private_feed_has_tentative_and_records_the_client(self):
        sub = self.subscribe({"label": "张老师", "region": "wanzhou-jingkaiqu"})
        url = sub["feed"]["url"]
        m = re.match(r"^http://127\.0\.0\.1:%d(/calendars/private/"
                     r"([A-Za-z0-9_-]{32,})\.ics)$" % self.srv.port, url)
        self.assertIsNotNone(m, url)
        path = m.group(1)
        self.assertEqual(sub["feed"]["webcal"],
                         "webcal://" + url[len("http://"):])
        self.assertEqual({k: sub[k] for k in (
            "label", "filters", "created", "revoked", "last_fetched",
            "last_user_agent", "fetch_count")},
            {"label": "张老师",
             "filters": {"kind": None, "region": "wanzhou-jingkaiqu",
                         "carrier": None, "partner": None},
             "created": NOW_UTC, "revoked": None, "last_fetched": None,
             "last_user_agent": None, "fetch_count": 0})
        self.assertEqual(self.listed(sub["id"])["fetch_count"], 0)

        status, h, payload = self.srv.request(
            "GET", path, headers={"User-Agent": THUNDERBIRD_UA})
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "text/calendar; charset=utf-8")
        check_octets(self, payload)
        js = icaljs(self, payload, window=None)
        self.assertEqual(sorted((e["uid"], e["status"]) for e in js["events"]),
                         sorted([(self.events["confirmed"]["uid"],
                                  "CONFIRMED"),
                                 (self.events["tentative"]["uid"],
                                  "TENTATIVE")]))
        py = icalendar.Calendar.from_ical(payload.decode("utf-8"))
        self.assertEqual(sorted(str(v["STATUS"]) for v in py.walk("VEVENT")),
                         ["CONFIRMED", "TENTATIVE"])
        self.assertEqual(str(py["X-WR-CALNAME"]), DISTRICT_NAME + "（张老师）")
        got = self.listed(sub["id"])
        self.assertEqual((got["last_fetched"], got["last_user_agent"],
                          got["fetch_count"]),
                         (NOW_UTC, THUNDERBIRD_UA, 1))

        # The public feed of the same region leaves TENTATIVE out.
        _, _, public = self.srv.request(
            "GET", "/calendars/regions/wanzhou-jingkaiqu.ics")
        self.assertEqual([e["uid"] for e in icaljs(self, public,
                                                     window=None)["events"]],
                         [self.events["confirmed"]["uid"]])

        status, _, _ = self.srv.request("GET", path,
                                        headers={"User-Agent": OUTLOOK_UA})
        self.assertEqual(status, 200)
        got = self.listed(sub["id"])
        self.assertEqual((got["last_user_agent"], got["fetch_count"]),
                         (OUTLOOK_UA, 2))

    def test_private_feed_filters(self):
        sub = self.subscribe({"label": "只看展览", "kind": "exhibition"})
        status, _, payload = self.srv.request(
            "GET", urlsplit(sub["feed"]["url"]).path)
        self.assertEqual(status, 200)
        self.assertEqual(icaljs(self, payload, window=None)["events"], [])
        sub = self.subscribe({"label": "只看沙龙", "kind": "salon",
                              "carrier": "pinghu-maker-space"})
        status, _, payload = self.srv.request(
            "GET", urlsplit(sub["feed"]["url"]).path)
        self.assertEqual(sorted(e["uid"] for e in icaljs(
            self, payload, window=None)["events"]),
            sorted(e["uid"] for e in self.events.values()))

    def test_revoked_private_feed_is_404(self):
        sub = self.subscribe({"label": "将被撤销"})
        path = urlsplit(sub["feed"]["url"]).path
        status, _, _ = self.srv.request("GET", path)
        self.assertEqual(status, 200)
        status, _, body = self.srv.request(
            "DELETE", "/api/v1/subscriptions/%d" % sub["id"],
            token=self.admin)
        self.assertEqual((status, body), (204, b""))
        self.assertProblem(self.srv.request("GET", path), 404)
        self.assertProblem(self.srv.request("GET", path, headers={
            "User-Agent": THUNDERBIRD_UA}), 404)
        got = self.listed(sub["id"])
        self.assertEqual((got["revoked"], got["fetch_count"]), (NOW_UTC, 1))
        self.assertProblem(self.srv.request(
            "DELETE", "/api/v1/subscriptions/%d" % sub["id"],
            token=self.admin), 404)
        # Other subscriptions keep working.
        other = self.subscribe({"label": "仍然有效"})
        status, _, _ = self.srv.request(
            "GET", urlsplit(other["feed"]["url"]).path)
        self.assertEqual(status, 200)

    def test_unknown_secret_is_404(self):
        sub = self.subscribe({"label": "真的"})
        path = urlsplit(sub["feed"]["url"]).path
        secret = path[len("/calendars/private/"):-len(".ics")]
        wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        for p in ("/calendars/private/%s.ics" % wrong,
                  "/calendars/private/x.ics",
                  "/calendars/private/%s" % secret):
            with self.subTest(path=p):
                self.assertProblem(self.srv.request("GET", p), 404)
        self.assertEqual(self.listed(sub["id"])["fetch_count"], 0)

    def test_who_may_manage_subscriptions(self):
        body = {"label": "不该创建"}
        self.assertProblem(self.srv.request("POST", "/api/v1/subscriptions",
                                            body=body, token=self.org), 403)
        resp = self.srv.request("POST", "/api/v1/subscriptions", body=body)
        self.assertProblem(resp, 401)
        self.assertEqual(resp[1]["www-authenticate"],
                         'Bearer realm="roadshowd"')
        self.assertProblem(self.srv.request("POST", "/api/v1/subscriptions",
                                            body=body, token="nope"), 401)
        self.assertProblem(self.srv.request("GET", "/api/v1/subscriptions",
                                            token=self.org), 403)
        self.assertProblem(self.srv.request("GET", "/api/v1/subscriptions"),
                           401)
        sub = self.subscribe({"label": "管理员创建"})
        self.assertProblem(self.srv.request(
            "DELETE", "/api/v1/subscriptions/%d" % sub["id"],
            token=self.org), 403)
        self.assertProblem(self.srv.request(
            "DELETE", "/api/v1/subscriptions/%d" % sub["id"]), 401)
        status, _, doc = self.srv.json("GET", "/api/v1/subscriptions",
                                       token=self.admin)
        self.assertEqual([s["label"] for s in doc["items"]], ["管理员创建"])
        self.assertIsNone(doc["items"][0]["revoked"])


class EndedSeriesFeedTest(MonthlySeriesCase):
    def test_feed_window_leaves_out_ended_series(self):
        def uids(query):
            status, _, body = self.srv.request("GET", "/calendar.ics" + query)
            self.assertEqual(status, 200)
            cal = icalendar.Calendar.from_ical(body)
            return [str(c["UID"]) for c in cal.walk("VEVENT")]

        # occurrences Jan 1 .. Jun 1 2025
        self.assertEqual(uids("?from=%s&to=%s" % (
            quote("2025-09-01T00:00:00+08:00"),
            quote("2025-10-01T00:00:00+08:00"))), [])
        self.assertEqual(uids("?from=%s&to=%s" % (
            quote("2025-05-15T00:00:00+08:00"),
            quote("2025-06-15T00:00:00+08:00"))), [self.series["uid"]])


if __name__ == "__main__":
    unittest.main()
