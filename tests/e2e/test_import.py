"""
End-to-end tests of the iCalendar import: POST /api/v1/events/import and
`roadshowd import`.

- A realistic file (Chinese text, escaped commas and newlines, a TZID event,
  a UTC event, an all-day event, a monthly series with EXDATE and a
  RECURRENCE-ID override) imports; every stored field is checked exactly,
  the feeds carry it, importing it again changes nothing, a changed
  SUMMARY updates one event and raises its SEQUENCE, and a UID that belongs
  to another carrier's event is refused.
- Broken files get a 400 problem naming the VEVENT, its line and what is
  wrong; one bad VEVENT among good ones stores nothing.
- Hostile files, generated here at test time (nothing large is committed):
  megabytes of folded lines, 10 000 VEVENTs, invalid UTF-8, NUL octets,
  deep nesting, runaway RRULEs, year 99999, bodies over 4 MiB. Each must be
  answered with a 4xx within 5 s by the same, still healthy process, and
  store nothing.
- The CLI: output, exit statuses, error lines "FILE:LINE: VEVENT n: ...".

Run with:
    /usr/bin/python3 -m unittest discover -v -s tests/e2e -p 'test_*.py'
"""
import json
import os
import re
import threading
import time
import unittest

import icalendar

from harness import E2ETestCase, Server, start_class_server, start_server
from importkit import (ANSWER_DEADLINE_S, ImportMixin, ics, metric,
                       vcalendar, vevent)

NOW = "2025-02-20T12:00:00+08:00"
NOW_UTC_TEXT = "2025-02-20T04:00:00Z"
CARRIER = "pinghu-maker-space"          # 平湖众创空间, region 万州经开区
OTHER_CARRIER = "sanxia-tusstar"        # 三峡启迪众创空间, region 渝东新区
MAX_IMPORT_BODY = 4 * 1024 * 1024       # octets (DESIGN: ≤ 4 MiB)

UID_ROADSHOW = "pinghu-2025-03-roadshow@pinghu.example"
UID_FORUM = "pinghu-2025-04-forum@pinghu.example"
UID_EXPO = "pinghu-2025-05-expo@pinghu.example"
UID_SALON = "pinghu-2025-salon-series@pinghu.example"
ROADSHOW_TITLE = "平湖众创空间三月项目路演, 第一期"
ROADSHOW_DESCRIPTION = ("议程：\n1. 项目路演, 每个项目10分钟; 问答5分钟\n"
                        "2. 投资人点评（达州市, 开州区投资机构）\n"
                        "报名：张老师, 023-58000000")


def fold(line):
    """Fold one content line at 75 octets without splitting a UTF-8
    character (RFC 5545 §3.1)."""
    out, cur, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > limit:
            out.append(cur.decode("utf-8"))
            cur, limit = b"", 74          # the leading space counts
        cur += b
    out.append(cur.decode("utf-8"))
    return "\r\n ".join(out)


def realistic_lines(roadshow_summary="平湖众创空间三月项目路演\\, 第一期"):
    """The lines of an export such as a carrier's calendar program writes.
    Four events: 1 timed with TZID, 1 in UTC, 1 all-day over two days, 1
    monthly series (with an EXDATE) plus 1 RECURRENCE-ID override."""
    return [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//平湖众创空间//活动计划 2025//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:平湖众创空间 2025 年活动",
        "X-WR-TIMEZONE:Asia/Shanghai",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "DTSTART:19700101T000000",
        "END:STANDARD",
        "END:VTIMEZONE",
        # --- 1: timed, TZID, escaped commas/semicolons, newlines, folded
        "BEGIN:VEVENT",
        "UID:" + UID_ROADSHOW,
        "DTSTAMP:20250201T020000Z",
        "SEQUENCE:0",
        fold("SUMMARY:" + roadshow_summary),
        fold("LOCATION:万州经开区平湖路1号\\, 三楼路演厅"),
        fold("DESCRIPTION:议程：\\n1. 项目路演\\, 每个项目10分钟\\; 问答5分钟\\n"
             "2. 投资人点评（达州市\\, 开州区投资机构）\\n报名：张老师\\, "
             "023-58000000"),
        "DTSTART;TZID=Asia/Shanghai:20250301T093000",
        "DTEND;TZID=Asia/Shanghai:20250301T113000",
        "CATEGORIES:项目路演",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        # --- 2: UTC times, English category, URL
        "BEGIN:VEVENT",
        "UID:" + UID_FORUM,
        "DTSTAMP:20250201T020000Z",
        "SUMMARY:数字经济主题论坛",
        "DTSTART:20250410T060000Z",
        "DTEND:20250410T083000Z",
        "CATEGORIES:Forum",
        "URL:https://pinghu.example/2025/forum",
        "END:VEVENT",
        # --- 3: all-day, two days (DTEND exclusive)
        "BEGIN:VEVENT",
        "UID:" + UID_EXPO,
        "DTSTAMP:20250201T020000Z",
        "SUMMARY:孵化成果展览",
        "LOCATION:万州科技创新中心展厅",
        "DTSTART;VALUE=DATE:20250512",
        "DTEND;VALUE=DATE:20250514",
        "CATEGORIES:exhibition",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        # --- 4: monthly series, May skipped
        "BEGIN:VEVENT",
        "UID:" + UID_SALON,
        "DTSTAMP:20250201T020000Z",
        "SUMMARY:平湖创业沙龙",
        "LOCATION:平湖众创空间一楼",
        "DTSTART;TZID=Asia/Shanghai:20250315T190000",
        "DTEND;TZID=Asia/Shanghai:20250315T210000",
        "RRULE:FREQ=MONTHLY;COUNT=6",
        "EXDATE;TZID=Asia/Shanghai:20250515T190000",
        "CATEGORIES:创业沙龙",
        "END:VEVENT",
        # --- 5: the June occurrence moved to the 16th, longer, retitled
        "BEGIN:VEVENT",
        "UID:" + UID_SALON,
        "DTSTAMP:20250201T020000Z",
        "RECURRENCE-ID;TZID=Asia/Shanghai:20250615T190000",
        "SUMMARY:平湖创业沙龙（端午特别场）",
        "LOCATION:平湖众创空间二楼",
        "DTSTART;TZID=Asia/Shanghai:20250616T190000",
        "DTEND;TZID=Asia/Shanghai:20250616T213000",
        "END:VEVENT",
        "END:VCALENDAR",
    ]


def realistic_file(**kw):
    return ics(realistic_lines(**kw))


COMMON = {
    "timezone": "Asia/Shanghai", "status": "CONFIRMED",
    "carrier": CARRIER, "carrier_name": "平湖众创空间",
    "region": "wanzhou-jingkaiqu", "partner_regions": [],
    "sequence": 0, "revision": 1, "capacity": None, "geo": None,
    "created": NOW_UTC_TEXT, "updated": NOW_UTC_TEXT,
}
EXPECTED = {
    UID_ROADSHOW: dict(
        COMMON, kind="roadshow", kind_name="项目路演", title=ROADSHOW_TITLE,
        description=ROADSHOW_DESCRIPTION, venue="万州经开区平湖路1号, 三楼路演厅",
        all_day=False, start="2025-03-01T09:30:00+08:00",
        end="2025-03-01T11:30:00+08:00", rrule=None, url=None),
    UID_FORUM: dict(
        COMMON, kind="forum", kind_name="主题论坛", title="数字经济主题论坛",
        description=None, venue=None, all_day=False,
        # 06:00Z is 14:00 in the district's zone, the default zone
        start="2025-04-10T14:00:00+08:00", end="2025-04-10T16:30:00+08:00",
        rrule=None, url="https://pinghu.example/2025/forum"),
    UID_EXPO: dict(
        COMMON, kind="exhibition", kind_name="成果展览", title="孵化成果展览",
        description=None, venue="万州科技创新中心展厅", all_day=True,
        start_date="2025-05-12", end_date="2025-05-14", rrule=None,
        url=None),
    UID_SALON: dict(
        COMMON, kind="salon", kind_name="创业沙龙", title="平湖创业沙龙",
        description=None, venue="平湖众创空间一楼", all_day=False,
        start="2025-03-15T19:00:00+08:00", end="2025-03-15T21:00:00+08:00",
        rrule="FREQ=MONTHLY;COUNT=6", url=None,
        exdates=["2025-05-15T19:00:00+08:00"],
        overrides=[{
            "recurrence_id": "2025-06-15T19:00:00+08:00",
            "start": "2025-06-16T19:00:00+08:00",
            "end": "2025-06-16T21:30:00+08:00",
            "title": "平湖创业沙龙（端午特别场）", "venue": "平湖众创空间二楼",
            "description": None, "status": "CONFIRMED"}]),
}


def by_uid(items):
    return {i["uid"]: i for i in items}


# ---------------------------------------------------------------------------
# A realistic file: import, read back, feeds, re-import, update, conflicts
# ---------------------------------------------------------------------------

class ImportRoundTripTest(ImportMixin, E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, now=NOW)
        self.admin = self.srv.token("admin")

    def listed(self):
        status, _, doc = self.srv.json("GET", "/api/v1/events?limit=500",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        return doc["items"]

    def feed(self, path="/calendar.ics"):
        status, headers, payload = self.srv.request("GET", path)
        self.assertEqual(status, 200, path)
        return headers, payload

    def test_realistic_file_imports_exact_fields(self):
        answer = self.import_ok(realistic_file())
        self.assertEqual({k: answer[k] for k in ("created", "updated",
                                                 "unchanged")},
                         {"created": 4, "updated": 0, "unchanged": 0})
        self.assertEqual(sorted(answer["ids"]), [1, 2, 3, 4])

        items = by_uid(self.listed())
        self.assertEqual(sorted(items), sorted(EXPECTED))
        self.assertEqual(sorted(i["id"] for i in items.values()),
                         sorted(answer["ids"]))
        for uid, expected in EXPECTED.items():
            with self.subTest(uid=uid):
                got = items[uid]
                self.assertEqual({k: got.get(k) for k in expected}, expected)
                if expected["all_day"]:
                    self.assertNotIn("start", got)
                    self.assertNotIn("end", got)
                else:
                    self.assertNotIn("start_date", got)
                # GET by id gives the same representation.
                status, _, one = self.srv.json(
                    "GET", "/api/v1/events/%d" % got["id"], token=self.admin)
                self.assertEqual((status, one), (200, got))

        # The series expands to five occurrences: May excluded, June moved.
        status, _, doc = self.srv.json(
            "GET", "/api/v1/events?expand=true&kind=salon"
            "&from=2025-03-01T00:00:00%2B08:00&to=2026-01-01T00:00:00%2B08:00",
            token=self.admin)
        self.assertEqual(status, 200, doc)
        occ = [(i["recurrence_id"], i["start"], i["end"], i["title"])
               for i in doc["items"] if i["uid"] == UID_SALON]
        self.assertEqual(occ, [
            ("2025-03-15T19:00:00+08:00", "2025-03-15T19:00:00+08:00",
             "2025-03-15T21:00:00+08:00", "平湖创业沙龙"),
            ("2025-04-15T19:00:00+08:00", "2025-04-15T19:00:00+08:00",
             "2025-04-15T21:00:00+08:00", "平湖创业沙龙"),
            ("2025-06-15T19:00:00+08:00", "2025-06-16T19:00:00+08:00",
             "2025-06-16T21:30:00+08:00", "平湖创业沙龙（端午特别场）"),
            ("2025-07-15T19:00:00+08:00", "2025-07-15T19:00:00+08:00",
             "2025-07-15T21:00:00+08:00", "平湖创业沙龙"),
            ("2025-08-15T19:00:00+08:00", "2025-08-15T19:00:00+08:00",
             "2025-08-15T21:00:00+08:00", "平湖创业沙龙"),
        ])

    def test_imported_events_in_feeds(self):
        self.import_ok(realistic_file())
        for path in ("/calendar.ics", "/calendars/carriers/%s.ics" % CARRIER,
                     "/calendars/regions/wanzhou-jingkaiqu.ics"):
            with self.subTest(feed=path):
                headers, payload = self.feed(path)
                self.assertEqual(headers["content-type"],
                                 "text/calendar; charset=utf-8")
                cal = icalendar.Calendar.from_ical(payload)
                vevents = [c for c in cal.walk("VEVENT")]
                masters = {str(c["UID"]): c for c in vevents
                           if "RECURRENCE-ID" not in c}
                self.assertEqual(sorted(masters), sorted(EXPECTED))
                rs = masters[UID_ROADSHOW]
                self.assertEqual(str(rs["SUMMARY"]), ROADSHOW_TITLE)
                self.assertEqual(str(rs["DESCRIPTION"]), ROADSHOW_DESCRIPTION)
                self.assertEqual(str(rs["LOCATION"]),
                                 "万州经开区平湖路1号, 三楼路演厅")
                self.assertEqual(rs.decoded("DTSTART").isoformat(),
                                 "2025-03-01T09:30:00+08:00")
                self.assertEqual(int(rs["SEQUENCE"]), 0)
                self.assertEqual(masters[UID_FORUM].decoded("DTSTART")
                                 .isoformat(), "2025-04-10T14:00:00+08:00")
                expo = masters[UID_EXPO]
                self.assertEqual((expo.decoded("DTSTART").isoformat(),
                                  expo.decoded("DTEND").isoformat()),
                                 ("2025-05-12", "2025-05-14"))
                salon = masters[UID_SALON]
                self.assertEqual(salon["RRULE"].to_ical(),
                                 b"FREQ=MONTHLY;COUNT=6")
                ex = salon["EXDATE"]
                ex = ex if isinstance(ex, list) else [ex]
                self.assertEqual([d.dt.isoformat() for e in ex for d in e.dts],
                                 ["2025-05-15T19:00:00+08:00"])
                moved = [c for c in vevents if "RECURRENCE-ID" in c]
                self.assertEqual(len(moved), 1)
                self.assertEqual(
                    (str(moved[0]["UID"]),
                     moved[0].decoded("RECURRENCE-ID").isoformat(),
                     moved[0].decoded("DTSTART").isoformat(),
                     str(moved[0]["SUMMARY"])),
                    (UID_SALON, "2025-06-15T19:00:00+08:00",
                     "2025-06-16T19:00:00+08:00", "平湖创业沙龙（端午特别场）"))
        # The kind feeds follow CATEGORIES.
        for kind, uid in (("roadshow", UID_ROADSHOW), ("forum", UID_FORUM),
                          ("exhibition", UID_EXPO), ("salon", UID_SALON)):
            _, payload = self.feed("/calendars/kinds/%s.ics" % kind)
            cal = icalendar.Calendar.from_ical(payload)
            self.assertEqual({str(c["UID"]) for c in cal.walk("VEVENT")},
                             {uid}, kind)
        # Another carrier's feed has none of them.
        _, payload = self.feed("/calendars/carriers/%s.ics" % OTHER_CARRIER)
        self.assertEqual(icalendar.Calendar.from_ical(payload)
                         .walk("VEVENT"), [])

    def test_reimport_same_file_changes_nothing(self):
        first = self.import_ok(realistic_file())
        before_items = self.listed()
        before_snap = self.snapshot()
        h1, feed1 = self.feed()
        hc1, cfeed1 = self.feed("/calendars/carriers/%s.ics" % CARRIER)

        again = self.import_ok(realistic_file())
        self.assertEqual({k: again[k] for k in ("created", "updated",
                                                "unchanged")},
                         {"created": 0, "updated": 0, "unchanged": 4})
        self.assertEqual(sorted(again["ids"]), sorted(first["ids"]))
        self.assertEqual(self.listed(), before_items)   # revision, sequence…
        self.assertEqual(self.snapshot(), before_snap)  # no history rows
        h2, feed2 = self.feed()
        self.assertEqual((h2["etag"], feed2), (h1["etag"], feed1))
        hc2, cfeed2 = self.feed("/calendars/carriers/%s.ics" % CARRIER)
        self.assertEqual((hc2["etag"], cfeed2), (hc1["etag"], cfeed1))
        status, _, _ = self.srv.request(
            "GET", "/calendar.ics", headers={"If-None-Match": h1["etag"]})
        self.assertEqual(status, 304)

    def test_changed_summary_updates_one_and_raises_sequence(self):
        self.import_ok(realistic_file())
        before = by_uid(self.listed())
        changes0 = self.snapshot()["roadshowd_event_changes_total"]
        h1, _ = self.feed()

        answer = self.import_ok(realistic_file(
            roadshow_summary="平湖众创空间三月项目路演（改期通知）"))
        self.assertEqual({k: answer[k] for k in ("created", "updated",
                                                 "unchanged")},
                         {"created": 0, "updated": 1, "unchanged": 3})
        after = by_uid(self.listed())
        rs = after[UID_ROADSHOW]
        self.assertEqual((rs["title"], rs["sequence"], rs["revision"],
                          rs["id"]),
                         ("平湖众创空间三月项目路演（改期通知）", 1, 2,
                          before[UID_ROADSHOW]["id"]))
        self.assertEqual({k: v for k, v in rs.items()
                          if k not in ("title", "sequence", "revision")},
                         {k: v for k, v in before[UID_ROADSHOW].items()
                          if k not in ("title", "sequence", "revision")})
        for uid in (UID_FORUM, UID_EXPO, UID_SALON):
            self.assertEqual(after[uid], before[uid], uid)
        self.assertEqual(self.snapshot()["roadshowd_event_changes_total"],
                         changes0 + 1)
        h2, payload = self.feed()
        self.assertNotEqual(h2["etag"], h1["etag"])
        cal = icalendar.Calendar.from_ical(payload)
        rs_ics = [c for c in cal.walk("VEVENT")
                  if str(c["UID"]) == UID_ROADSHOW]
        self.assertEqual([(str(c["SUMMARY"]), int(c["SEQUENCE"]))
                          for c in rs_ics],
                         [("平湖众创空间三月项目路演（改期通知）", 1)])

    def test_uid_of_another_carriers_event_is_not_squatted(self):
        """Issue 10: a UID held by another carrier's event never blocks an
        import nor reveals that carrier; the importing carrier's event is
        stored under "<UID>~<carrier>" (test_import_producers has more)."""
        self.import_ok(realistic_file())
        before_items = self.listed()
        org = self.srv.token("organiser", OTHER_CARRIER)
        body = ics(vcalendar(
            vevent("tusstar-2025-03@tusstar.example", summary="启迪路演"),
            vevent(UID_ROADSHOW, summary="同一 UID 的路演")))
        answer = self.import_ok(body, carrier=OTHER_CARRIER, token=org)
        self.assertEqual(answer["created"], 2)
        self.assertNotIn(CARRIER, json.dumps(answer))
        after = by_uid(self.listed())
        self.assertEqual(after[UID_ROADSHOW + "~" + OTHER_CARRIER]["carrier"],
                         OTHER_CARRIER)
        self.assertEqual({u: after[u] for u in by_uid(before_items)},
                         by_uid(before_items))
        self.assertEqual(self.import_ok(realistic_file())["unchanged"], 4)

    def test_kind_from_query_when_no_categories(self):
        body = ics(vcalendar(vevent("training-1@pinghu.example",
                                    summary="创业培训第一课",
                                    categories=None)))
        before = self.snapshot()
        doc = self.assertAnsweredSafely(self.post_ics(body), before,
                                        self.srv.proc.pid, statuses=(400,))
        self.assertRegex(doc["detail"], r"(?i)kind|CATEGORIES")
        answer = self.import_ok(body, kind="training")
        self.assertEqual(answer["created"], 1)
        got = by_uid(self.listed())["training-1@pinghu.example"]
        self.assertEqual((got["kind"], got["title"], got["carrier"]),
                         ("training", "创业培训第一课", CARRIER))

    def test_organiser_imports_for_own_carrier(self):
        org = self.srv.token("organiser", CARRIER)
        answer = self.import_ok(realistic_file(), token=org)
        self.assertEqual(answer["created"], 4)
        self.assertEqual({i["carrier"] for i in self.listed()}, {CARRIER})

    def test_fold_inside_a_utf8_character_is_unfolded(self):
        """RFC 5545 §3.1: a simple writer may fold in the middle of a
        multi-octet character; unfolding must restore the sequence."""
        title = "平湖众创空间三月项目路演"
        raw = title.encode("utf-8")
        # 平 is 3 octets: fold after its first 2 octets and after 4 more.
        folded = raw[:2] + b"\r\n " + raw[2:6] + b"\r\n " + raw[6:]
        body = ics(vcalendar(vevent("split-fold@pinghu.example",
                                    summary="@@"))).replace(b"@@", folded)
        answer = self.import_ok(body)
        self.assertEqual(answer["created"], 1)
        got = by_uid(self.listed())["split-fold@pinghu.example"]
        self.assertEqual(got["title"], title)


# ---------------------------------------------------------------------------
# Broken files: 400 naming the VEVENT, the line and what is wrong
# ---------------------------------------------------------------------------

class BrokenFileTest(ImportMixin, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin = cls.srv.token("admin")
        cls.org_other = cls.srv.token("organiser", OTHER_CARRIER)
        # Something stored already, so "unchanged" is not just "zero".
        status, _, payload = cls.srv.request(
            "POST", "/api/v1/events/import?carrier=" + CARRIER,
            raw=ics(vcalendar(vevent("baseline@pinghu.example"))),
            token=cls.admin, headers={"Content-Type": "text/calendar"})
        if status != 200:
            raise AssertionError("baseline import: %d %r" % (status, payload))

    def setUp(self):
        self.before = self.snapshot()
        self.pid = self.srv.proc.pid
        self.assertEqual(self.before["listed"], 1)

    def reject(self, body, vevent_no, line, uid, detail_re, status=400,
               **kw):
        """body must get a 400 problem whose first error names VEVENT
        vevent_no, starting at line, with uid and a detail matching
        detail_re; nothing stored."""
        doc = self.assertAnsweredSafely(self.post_ics(body, **kw),
                                        self.before, self.pid,
                                        statuses=(status,))
        self.assertEqual(doc["type"].rsplit("/", 1)[-1], "invalid-icalendar")
        errors = doc.get("errors")
        self.assertIsInstance(errors, list, doc)
        first = errors[0]
        self.assertEqual((first["field"], first.get("vevent"),
                          first.get("line"), first.get("uid")),
                         ("body", vevent_no, line, uid), doc)
        self.assertRegex(first["detail"], detail_re)
        if vevent_no:
            self.assertIn("line %d" % line, doc["detail"])
            self.assertIn("VEVENT %d" % vevent_no, doc["detail"])
        return doc

    def test_missing_dtstart_among_good_events_stores_nothing(self):
        lines = vcalendar(
            vevent("good-1@pinghu.example", summary="第一场"),      # line 4
            vevent("good-2@pinghu.example", summary="第二场"),      # line 12
            vevent("no-start@pinghu.example", summary="没有开始时间",
                   start=None, end=None),                         # line 20
            vevent("good-3@pinghu.example", summary="第三场"))      # line 26
        self.assertEqual(lines[19], "BEGIN:VEVENT")
        self.assertEqual(lines[20], "UID:no-start@pinghu.example")
        doc = self.reject(ics(lines), 3, 20, "no-start@pinghu.example",
                          r"DTSTART")
        self.assertEqual(len(doc["errors"]), 1, doc)
        self.assertNotIn("good-1@pinghu.example", self.snapshot()["uids"])

    def test_unknown_tzid(self):
        """A TZID that is neither an IANA nor a Windows name and that no
        VTIMEZONE of the file defines (Windows names are accepted since
        issue 10)."""
        body = ics(vcalendar(
            vevent("ok@pinghu.example"),
            vevent("custom-tz@pinghu.example",
                   start="DTSTART;TZID=China Standard Time (custom):"
                         "20250301T093000",
                   end="DTEND;TZID=China Standard Time (custom):"
                       "20250301T113000")))
        self.reject(body, 2, 12, "custom-tz@pinghu.example",
                    r"China Standard Time \(custom\)")

    def test_end_before_start(self):
        body = ics(vcalendar(vevent(
            "backwards@pinghu.example",
            start="DTSTART;TZID=Asia/Shanghai:20250301T113000",
            end="DTEND;TZID=Asia/Shanghai:20250301T093000")))
        self.reject(body, 1, 4, "backwards@pinghu.example",
                    r"(?i)DTEND.*DTSTART|end.*start")

    def test_rrule_secondly_billion(self):
        body = ics(vcalendar(vevent(
            "secondly@pinghu.example",
            extra=["RRULE:FREQ=SECONDLY;COUNT=1000000000"])))
        self.reject(body, 1, 4, "secondly@pinghu.example", r"RRULE|FREQ")

    def test_two_rrules(self):
        body = ics(vcalendar(vevent(
            "two-rules@pinghu.example",
            extra=["RRULE:FREQ=WEEKLY;COUNT=4",
                   "RRULE:FREQ=MONTHLY;COUNT=3"])))
        self.reject(body, 1, 4, "two-rules@pinghu.example", r"RRULE")

    def test_recurrence_id_without_master(self):
        body = ics(vcalendar(
            vevent("single@pinghu.example"),
            vevent("orphan@pinghu.example", extra=[
                "RECURRENCE-ID;TZID=Asia/Shanghai:20250301T093000"])))
        self.reject(body, 2, 12, "orphan@pinghu.example", r"RECURRENCE-ID")

    def test_not_a_vcalendar(self):
        for name, body in (
                ("vcard", ics(["BEGIN:VCARD", "VERSION:3.0", "FN:张老师",
                               "TEL:023-58000000", "END:VCARD"])),
                ("text", "平湖众创空间三月项目路演\n3月1日 9:30\n".encode()),
                ("vevent only", ics(vevent("bare@pinghu.example"))),
                ("json", b'{"kind": "roadshow"}')):
            with self.subTest(body=name):
                self.reject(body, 0, 0, "", r"VCALENDAR")

    def test_calendar_without_vevent(self):
        self.reject(ics(vcalendar()), 0, 0, "", r"VEVENT")

    def test_empty_body(self):
        doc = self.assertAnsweredSafely(self.post_ics(b""), self.before,
                                        self.pid, statuses=(400,))
        self.assertEqual([e["field"] for e in doc["errors"]], ["body"])

    def test_wrong_content_type_415(self):
        body = ics(vcalendar(vevent("ct@pinghu.example")))
        for ctype in ("application/json", "text/plain",
                      "multipart/form-data; boundary=x"):
            with self.subTest(ctype=ctype):
                self.assertAnsweredSafely(self.post_ics(body, ctype=ctype),
                                          self.before, self.pid,
                                          statuses=(415,))

    def test_no_or_bad_token_401(self):
        body = ics(vcalendar(vevent("anon@pinghu.example")))
        for token in (None, "not-a-token"):
            with self.subTest(token=token):
                self.assertAnsweredSafely(self.post_ics(body, token=token),
                                          self.before, self.pid,
                                          statuses=(401,))

    def test_organiser_of_another_carrier_403(self):
        body = ics(vcalendar(vevent("intruder@pinghu.example")))
        doc = self.assertAnsweredSafely(
            self.post_ics(body, carrier=CARRIER, token=self.org_other),
            self.before, self.pid, statuses=(403,))
        self.assertEqual([e["field"] for e in doc["errors"]], ["carrier"])

    def test_unknown_carrier_or_kind_400(self):
        body = ics(vcalendar(vevent("q@pinghu.example")))
        for query, field in ((dict(carrier="nobody"), "carrier"),
                             (dict(carrier=CARRIER, kind="party"), "kind")):
            with self.subTest(query=query):
                doc = self.assertAnsweredSafely(
                    self.post_ics(body, **query), self.before, self.pid,
                    statuses=(400,))
                self.assertIn(field, [e["field"] for e in doc["errors"]])

    def test_line_numbers_count_only_the_calendars_vevents(self):
        """A VEVENT inside another component (here an X- component, which
        RFC 5545 lets a reader ignore) is not one of the calendar's
        VEVENTs: the error for the second real VEVENT must point at its own
        BEGIN:VEVENT line."""
        lines = vcalendar(
            ["BEGIN:X-PINGHU-ARCHIVE", "BEGIN:VEVENT",
             "UID:archived@pinghu.example", "END:VEVENT",
             "END:X-PINGHU-ARCHIVE"],                              # 4..8
            vevent("first@pinghu.example"),                        # 9..16
            vevent("second@pinghu.example", start=None, end=None))  # 17
        self.assertEqual(lines[16:18], ["BEGIN:VEVENT",
                                        "UID:second@pinghu.example"])
        self.reject(ics(lines), 2, 17, "second@pinghu.example", r"DTSTART")


# ---------------------------------------------------------------------------
# Hostile files, generated at test time
# ---------------------------------------------------------------------------

def folded_summary_megabytes(octets=3 * 1024 * 1024):
    """A SUMMARY folded over ~3 MB of " x" continuation lines."""
    head = ics(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//hostile//EN",
                "BEGIN:VEVENT", "UID:folded@hostile.example",
                "DTSTAMP:20250201T000000Z",
                "DTSTART;TZID=Asia/Shanghai:20250301T093000",
                "CATEGORIES:roadshow"])
    tail = ics(["END:VEVENT", "END:VCALENDAR"])
    return head + b"SUMMARY:big\r\n" + b" x\r\n" * (octets // 4) + tail


def many_vevents(n=10000):
    return ics(vcalendar(*[vevent("bulk-%05d@hostile.example" % i,
                                  summary="批量 %d" % i)
                           for i in range(n)]))


def nested_calendars(depth):
    """depth levels of BEGIN:VCALENDAR/BEGIN:VEVENT, each VEVENT complete
    but for its END, which all come at the end."""
    level = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//e2e//nest//EN",
             "BEGIN:VEVENT", "UID:nest-{i}@hostile.example",
             "DTSTAMP:20250201T000000Z", "SUMMARY:嵌套 {i}",
             "DTSTART:20250301T010000Z", "CATEGORIES:roadshow"]
    lines = []
    for i in range(depth):
        lines += [x.format(i=i) for x in level]
    lines += ["END:VEVENT", "END:VCALENDAR"] * depth
    return ics(lines)


def nested_vcalendar_only(depth=100000):
    return (b"BEGIN:VCALENDAR\r\n" * depth +
            ics(vevent("deep@hostile.example")) +
            b"END:VCALENDAR\r\n" * depth)


def with_rrule(uid, rule):
    return ics(vcalendar(vevent(uid, extra=["RRULE:" + rule])))


def over_limit_body(octets=MAX_IMPORT_BODY + 1):
    head = ics(vcalendar(vevent("huge@hostile.example",
                                extra=["X-PAD:@@"])))
    pad = b"y" * (octets - len(head) + 2)
    body = head.replace(b"@@", pad)
    assert len(body) == octets, len(body)
    return body


class HostileInputTest(ImportMixin, E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        cls.admin = cls.srv.token("admin")
        cls.pid = cls.srv.proc.pid

    def setUp(self):
        self.before = self.snapshot()

    def hostile(self, body, statuses=None):
        return self.assertAnsweredSafely(self.post_ics(body), self.before,
                                         self.pid, statuses=statuses)

    def test_summary_folded_over_megabytes(self):
        body = folded_summary_megabytes()
        self.assertGreater(len(body), 3 * 1024 * 1024)
        self.assertLess(len(body), MAX_IMPORT_BODY)
        self.hostile(body, statuses=(400,))

    def test_ten_thousand_and_one_vevents(self):
        """10,000 import (test_import_producers.TenThousandTest); one more
        is refused before libical reads the file."""
        doc = self.hostile(many_vevents(10001), statuses=(400,))
        self.assertRegex(doc["detail"], r"10000")

    def test_invalid_utf8(self):
        base = ics(vcalendar(vevent("utf8@hostile.example",
                                    summary="@@")))
        for name, bad in (("lone continuation", b"\x80\x80"),
                          ("overlong", b"\xc0\xaf"),
                          ("truncated", "路".encode()[:2]),
                          ("surrogate", b"\xed\xa0\x80"),
                          ("latin-1", "Café".encode("latin-1")),
                          ("gbk", "路演".encode("gbk"))):
            with self.subTest(case=name):
                doc = self.hostile(base.replace(b"@@", bad), statuses=(400,))
                self.assertRegex(doc["detail"], r"UTF-8")

    def test_nul_octets(self):
        base = ics(vcalendar(vevent("nul@hostile.example", summary="a@@b")))
        for name, body in (("in a value", base.replace(b"@@", b"\x00")),
                           ("at the end", base + b"\x00"),
                           ("many", base.replace(b"@@", b"\x00" * 10000))):
            with self.subTest(case=name):
                doc = self.hostile(body, statuses=(400,))
                self.assertRegex(doc["detail"], r"NUL")

    def test_deeply_nested_vcalendar_vevent(self):
        """1500 VCALENDARs each holding a VEVENT holding the next one:
        not a valid iCalendar object (RFC 5545 §3.6: a VEVENT holds no
        VEVENT or VCALENDAR); the file must be refused, not silently read
        as its outermost event."""
        self.hostile(nested_calendars(1500))

    def test_deeply_nested_vcalendar_only(self):
        body = nested_vcalendar_only()
        self.assertLess(len(body), MAX_IMPORT_BODY)
        self.hostile(body)

    def test_rrule_secondly_billion(self):
        doc = self.hostile(with_rrule("secondly@hostile.example",
                                      "FREQ=SECONDLY;COUNT=1000000000"),
                           statuses=(400, 422))
        self.assertRegex(doc["detail"], r"RRULE|FREQ|COUNT")

    def test_rrule_byday_huge_values(self):
        """BYDAY ordinals are -53..53 (RFC 5545 §3.3.10). Values beyond an
        int must not be read modulo 2^32 or clamped into another rule."""
        for n, rule in enumerate((
                     "FREQ=MONTHLY;COUNT=10;BYDAY=99999999MO",
                     "FREQ=MONTHLY;COUNT=10;BYDAY=-2147483649TU",
                     "FREQ=YEARLY;COUNT=5;BYDAY=4294967297MO",
                     "FREQ=YEARLY;COUNT=5;BYDAY=" +
                     ",".join("%dMO" % (10 ** 12 + i) for i in range(200)))):
            with self.subTest(rule=rule[:60]):
                self.before = self.snapshot()
                self.hostile(with_rrule("byday-%d@hostile.example" % n,
                                        rule))

    def test_dtstart_year_99999(self):
        for name, start in (
                ("date-time", "DTSTART:999990301T010000Z"),
                ("local", "DTSTART;TZID=Asia/Shanghai:999990301T093000"),
                ("date", "DTSTART;VALUE=DATE:999990301"),
                ("year 9999", "DTSTART:99990301T010000Z")):
            with self.subTest(case=name):
                body = ics(vcalendar(vevent("y99999@hostile.example",
                                            start=start, end=None)))
                doc = self.hostile(body, statuses=(400,))
                self.assertRegex(doc["detail"], r"DTSTART")

    def test_over_4_mib_is_413(self):
        body = over_limit_body()
        self.hostile(body, statuses=(413,))
        # Without Content-Length (chunked), the same cap applies.
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]),
                                             body[i:i + 65536])
                          for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
        head = ("POST /api/v1/events/import?carrier=%s HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: text/calendar\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
                % (CARRIER, self.admin)).encode()
        t0 = time.monotonic()
        status, hdrs, payload = self.srv.raw_exchange(head, chunks,
                                                      timeout=10)
        self.assertAnsweredSafely((status, hdrs, payload,
                                   time.monotonic() - t0),
                                  self.before, self.pid, statuses=(413,))

    def test_server_answers_while_a_big_file_is_parsed(self):
        """The parser runs in a child: other requests are served
        meanwhile."""
        body = folded_summary_megabytes()
        result = {}

        def run():
            result["resp"] = self.post_ics(body)

        t = threading.Thread(target=run)
        t.start()
        worst = 0.0
        while t.is_alive():
            t0 = time.monotonic()
            status, _, _ = self.srv.request("GET", "/healthz", timeout=5)
            worst = max(worst, time.monotonic() - t0)
            self.assertEqual(status, 200)
            time.sleep(0.01)
        t.join()
        self.assertLess(worst, 1.0)
        self.assertAnsweredSafely(result["resp"], self.before, self.pid,
                                  statuses=(400,))


class ImportSizeBoundaryTest(ImportMixin, E2ETestCase):
    """The cap is "at most 4 MiB": a file of 4 MiB - 1 and one of exactly
    4 MiB (each with the most VEVENTs allowed, 2000) both import."""

    def setUp(self):
        self.srv = start_server(self, now=NOW)
        self.admin = self.srv.token("admin")

    def file_of(self, size, n=2000):
        events = [vevent("limit-%04d@pinghu.example" % i,
                         summary="容量测试 %d" % i,
                         start="DTSTART:2025%02d%02dT010000Z"
                               % (i % 12 + 1, i % 28 + 1),
                         end=None, extra=["DESCRIPTION:@@"])
                  for i in range(n)]
        skeleton = ics(vcalendar(*events))
        per, extra = divmod(size - (len(skeleton) - 2 * n), n)
        self.assertLess(per, 20000)     # within the DESCRIPTION limit
        parts = skeleton.split(b"@@")
        body = b"".join(p + (b"d" * (per + (1 if i < extra else 0))
                             if i < n else b"")
                        for i, p in enumerate(parts))
        self.assertEqual(len(body), size)
        return body

    def check_imports(self, size, n=2000):
        t0 = time.monotonic()
        answer = self.import_ok(self.file_of(size, n))
        self.assertLess(time.monotonic() - t0, ANSWER_DEADLINE_S)
        self.assertEqual((answer["created"], len(answer["ids"])), (n, n))
        status, _, text = self.srv.request("GET", "/metrics")
        self.assertEqual(metric(text.decode(), "roadshowd_events"), n)

    def test_just_under_4_mib_with_2000_vevents(self):
        self.check_imports(MAX_IMPORT_BODY - 1)

    def test_exactly_4_mib_with_2000_vevents(self):
        self.check_imports(MAX_IMPORT_BODY)


# ---------------------------------------------------------------------------
# CLI: roadshowd import FILE --db DB --carrier SLUG [--kind KIND]
# ---------------------------------------------------------------------------

class CliImportTest(ImportMixin, E2ETestCase):
    def setUp(self):
        self.srv = Server(now=NOW)
        self.addCleanup(self.srv.cleanup)
        self.db = self.srv.db_path

    def write(self, name, body):
        path = os.path.join(self.srv.tmpdir, name)
        with open(path, "wb") as f:
            f.write(body)
        return path

    def stored(self):
        """Start a server on the database; the snapshot of what it holds."""
        if self.srv.proc is None:
            self.srv.start()
            self.admin = self.srv.token("admin")
        return self.snapshot()

    def test_import_prints_counts_and_is_idempotent(self):
        path = self.write("pinghu.ics", realistic_file())
        rc, out, err = self.srv.cli("import", path, "--db", self.db,
                                    "--carrier", CARRIER)
        self.assertEqual((rc, out, err),
                         (0, "created 4, updated 0, unchanged 0\n", ""))
        rc, out, err = self.srv.cli("import", path, "--db", self.db,
                                    "--carrier", CARRIER)
        self.assertEqual((rc, out, err),
                         (0, "created 0, updated 0, unchanged 4\n", ""))
        snap = self.stored()
        self.assertEqual(snap["uids"], sorted(EXPECTED))
        status, _, doc = self.srv.json("GET", "/api/v1/events?limit=500",
                                       token=self.admin)
        got = by_uid(doc["items"])
        for uid, expected in EXPECTED.items():
            exp = {k: v for k, v in expected.items()
                   if k not in ("created", "updated")}
            self.assertEqual({k: got[uid].get(k) for k in exp}, exp, uid)

    def test_broken_file_exit_1_with_file_line_vevent(self):
        lines = vcalendar(vevent("cli-ok@pinghu.example"),
                          vevent("cli-no-start@pinghu.example", start=None,
                                 end=None))
        self.assertEqual(lines[11], "BEGIN:VEVENT")
        path = self.write("broken.ics", ics(lines))
        rc, out, err = self.srv.cli("import", path, "--db", self.db,
                                    "--carrier", CARRIER)
        self.assertEqual((rc, out), (1, ""), err)
        self.assertRegex(err, r"(?m)^%s:12: VEVENT 2: .*DTSTART.*$"
                         % re.escape(path))
        self.assertEqual(self.stored()["listed"], 0)

    def test_not_a_calendar_exit_1(self):
        path = self.write("note.txt", "三月路演\n".encode())
        rc, out, err = self.srv.cli("import", path, "--db", self.db,
                                    "--carrier", CARRIER)
        self.assertEqual((rc, out), (1, ""), err)
        self.assertIn(path, err)
        self.assertRegex(err, r"VCALENDAR")

    def test_missing_carrier_exit_2(self):
        path = self.write("pinghu.ics", realistic_file())
        rc, out, err = self.srv.cli("import", path, "--db", self.db)
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn("--carrier", err)
        self.assertEqual(self.stored()["listed"], 0)

    def test_missing_file_exit_2(self):
        rc, out, err = self.srv.cli("import", os.path.join(
            self.srv.tmpdir, "nope.ics"), "--db", self.db, "--carrier",
            CARRIER)
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn("nope.ics", err)

    def test_unknown_carrier_is_a_bad_argument(self):
        """Like the HTTP endpoint's 400 on ?carrier=nobody: the CLI says
        which argument is wrong and exits 2 (bad arguments), storing
        nothing."""
        path = self.write("pinghu.ics", realistic_file())
        rc, out, err = self.srv.cli("import", path, "--db", self.db,
                                    "--carrier", "nobody")
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn("nobody", err)
        self.assertEqual(self.stored()["listed"], 0)


if __name__ == "__main__":
    unittest.main()
