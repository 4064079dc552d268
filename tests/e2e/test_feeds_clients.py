"""
End-to-end tests of roadshowd's iCalendar feeds read by independent, real
clients: every kind of feed (district, region, carrier, kind, partner,
private, query-filtered) is parsed by

  * Python icalendar (Debian python3-icalendar),
  * ical.js (npm, the parser Mozilla Thunderbird uses; tests/js/parse_feed.mjs,
    which also expands recurring events with ical.js's own iterator), and
  * a strict RFC 5545 reader written here (unfold per 3.1, unescape TEXT in
    one pass per 3.3.11), used for the raw property lines and for the TEXT
    values Python icalendar 4.0.3 cannot decode (see icalendar_decodes()),

and the parsed values are compared with what was posted over the JSON API.
Also: the octets of each feed (CRLF, lines <= 75 octets, UTF-8). HTTP
caching, SEQUENCE and UID rules: test_feeds_cache.py; private feeds:
test_feeds.py.

ical.js comes from tests/js (package.json + package-lock.json); `make e2e`
runs `npm ci` there first. Every value is asserted exactly.
"""
import re
import unittest
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import icalendar
from dateutil import rrule as du_rrule

from harness import E2ETestCase, start_class_server
from helpers import icaljs, q, unfolded_lines

UTC = timezone.utc
CST = timezone(timedelta(hours=8))
NOW = "2025-02-20T12:00:00+08:00"          # ROADSHOWD_NOW (fixed clock)
NOW_UTC = "2025-02-20T04:00:00Z"
NOW_DT = datetime(2025, 2, 20, 4, 0, tzinfo=UTC)

DISTRICT_NAME = "万州区创新创业活动"
DISTRICT_DESC = "万州区孵化载体与合作地区的路演、沙龙、论坛、培训、研讨、展览和大赛"
PRIVATE_DESC = "含待定（TENTATIVE）活动的私有订阅"
CANCELLED_PREFIX = "[已取消] "

# A title of 100+ characters with ASCII and full-width commas and
# semicolons and a backslash (before a Chinese character), each of which
# iCalendar TEXT must escape (RFC 5545 3.3.11). Python icalendar decodes it
# correctly, so all three parsers are compared on it.
LONG_TITLE = (
    "万州区2025年第一季度“科创万州”项目路演暨孵化载体对接会, 主题: 数字经济; "
    "智能制造; 生物医药\\新材料，邀请达州市、开州区、云阳县、两江新区的投资机构参加；"
    "聚焦初创企业融资与孵化服务, 路演项目不少于十个, 欢迎报名参加, 名额有限, "
    "先到先得。联系人: 张老师; 电话: 023-58000000")
LONG_DESC = ("第一行：路演安排\n第二行, 含逗号; 分号\\反斜杠\n\n"
             "第四行（上一行是空行），结束")
LONG_VENUE = "万州经开区, 平湖路1号; 二楼路演厅"

# Text whose escaped form has a backslash before ',', ';', 'n' or 'N'
# ("\\\\,", "\\\\;", "\\\\n" in the feed): Python icalendar 4.0.3 unescapes
# with chained str.replace() and turns these into the wrong text, so for
# them the exact check is done with ical.js and the strict reader.
ESC_TITLE = "转义检查 C:\\new\\n\\N a\\,b c\\;d 末尾反斜杠\\"
ESC_DESC = "第一行\\n仍是第一行\n第二行: C:\\路演\\,资料\\;备份\\\\双反斜杠"
ESC_VENUE = "会议室\\,二号厅; 三楼, 东侧"

PRIVATE_LABEL = "区科技局张老师, Thunderbird"

# The monthly series and its exceptions.
SERIES_RRULE = "FREQ=MONTHLY;BYDAY=2TH;COUNT=6"
SERIES_MOVED_RID = "2025-02-13T14:00:00+08:00"
SERIES_CANCELLED_RID = "2025-03-13T14:00:00+08:00"
SERIES_EXPANDED_UTC = ["2025-01-09T06:00:00Z", "2025-02-14T02:00:00Z",
                       "2025-04-10T06:00:00Z", "2025-05-08T06:00:00Z",
                       "2025-06-12T06:00:00Z"]


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------

def check_octets(tc, payload):
    """Check the octets of a feed: CRLF line ends only, every physical line
    at most 75 octets and valid UTF-8 on its own (folding never splits a
    character), BEGIN/END:VCALENDAR. Returns the physical lines."""
    tc.assertTrue(payload.endswith(b"\r\n"), payload[-20:])
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        tc.fail("the feed is not UTF-8: %s" % exc)
    lines = payload[:-2].split(b"\r\n")
    for n, line in enumerate(lines, 1):
        tc.assertNotIn(b"\n", line, "bare LF in line %d" % n)
        tc.assertNotIn(b"\r", line, "bare CR in line %d" % n)
        tc.assertLessEqual(len(line), 75, "line %d is %d octets: %r"
                           % (n, len(line), line))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            tc.fail("line %d is not UTF-8 on its own (%s): %r"
                    % (n, exc, line))
        tc.assertNotEqual(line, b"", "empty line %d" % n)
    tc.assertEqual(lines[0], b"BEGIN:VCALENDAR")
    tc.assertEqual(lines[-1], b"END:VCALENDAR")
    return lines


def unescape_text(value):
    """RFC 5545 3.3.11 TEXT, in one pass."""
    return re.sub(r"\\([\\;,nN])",
                  lambda m: "\n" if m.group(1) in "nN" else m.group(1),
                  value)


def escape_text(value):
    """RFC 5545 3.3.11 TEXT escaping."""
    return (value.replace("\\", "\\\\").replace(";", "\\;")
            .replace(",", "\\,").replace("\n", "\\n"))


def split_content_line(line):
    """(NAME, {PARAM: value}, raw value) of an unfolded content line
    (RFC 5545 3.1; parameter values may be quoted)."""
    i, n = 0, len(line)
    while i < n and line[i] not in ";:":
        i += 1
    name = line[:i].upper()
    params = {}
    while i < n and line[i] == ";":
        j = line.index("=", i)
        pname = line[i + 1:j].upper()
        k = j + 1
        if k < n and line[k] == '"':
            end = line.index('"', k + 1)
            pval = line[k + 1:end]
            k = end + 1
        else:
            end = k
            while end < n and line[end] not in ";:":
                end += 1
            pval = line[k:end]
            k = end
        params[pname] = pval
        i = k
    if i >= n or line[i] != ":":
        raise ValueError("no ':' in content line %r" % line)
    return name, params, line[i + 1:]


class RawComponent:
    """A component read by the strict reader: name, properties as
    (NAME, params, raw value, unfolded line), subcomponents."""

    def __init__(self, name):
        self.name = name
        self.props = []
        self.subs = []

    def all(self, name):
        return [p for p in self.props if p[0] == name]

    def one(self, name):
        found = self.all(name)
        if len(found) != 1:
            raise AssertionError("%d %s properties in %s, not 1"
                                 % (len(found), name, self.name))
        return found[0]

    def text(self, name):
        """The TEXT value of property name, unescaped; None if absent."""
        found = self.all(name)
        if not found:
            return None
        return unescape_text(self.one(name)[2])

    def walk(self, name):
        out = []
        for s in self.subs:
            if s.name == name:
                out.append(s)
            out.extend(s.walk(name))
        return out


def strict_parse(payload):
    """Unfold (RFC 5545 3.1) and build the component tree."""
    text = payload.decode("utf-8")
    text = text.replace("\r\n ", "").replace("\r\n\t", "")
    lines = [ln for ln in text.split("\r\n") if ln != ""]
    root = None
    stack = []
    for line in lines:
        name, params, value = split_content_line(line)
        if name == "BEGIN":
            comp = RawComponent(value.upper())
            if stack:
                stack[-1].subs.append(comp)
            else:
                assert root is None, "two top-level components"
                root = comp
            stack.append(comp)
        elif name == "END":
            assert stack and stack[-1].name == value.upper(), line
            stack.pop()
        else:
            stack[-1].props.append((name, params, value, line))
    assert not stack, "unterminated %s" % stack[-1].name
    return root


def icalendar_decodes(text):
    """Whether Python icalendar 4.0.3 decodes TEXT value text correctly.

    Its parser.unescape_char() unescapes with chained str.replace() in the
    order \\N, \\n, \\, \\; \\\\, instead of in one pass: the escaped
    form of a backslash followed by ',' ';' 'n' or 'N' ("\\\\," etc.) is
    taken apart at the wrong place (a posted "a\\,b" comes back as "a,b",
    "C:\\new" as "C:" + newline + "ew"). Such values are checked exactly
    with ical.js and the strict reader instead."""
    return text is None or re.search(r"\\[,;nN\\]", text) is None


# ---------------------------------------------------------------------------
# Expected values
# ---------------------------------------------------------------------------

def t_local(local, tzid, offset, utc):
    """A DATE-TIME as ical.js reports it (see parse_feed.mjs)."""
    return {"value": local, "is_date": False, "tzid": tzid, "zone": tzid,
            "offset": offset, "iso": local + offset, "utc": utc}


def t_date(d):
    return {"value": d, "is_date": True, "tzid": None, "zone": "floating",
            "offset": None, "iso": d, "utc": None}


def t_utc(utc):
    return {"value": utc, "is_date": False, "tzid": None, "zone": "UTC",
            "offset": "+00:00", "iso": utc[:-1] + "+00:00", "utc": utc}


def shanghai(local, utc):
    return t_local(local, "Asia/Shanghai", "+08:00", utc)


def raw_time(prop, t):
    """The content line RFC 5545 wants for time t (ical.js shape)."""
    if t["is_date"]:
        return "%s;VALUE=DATE:%s" % (prop, t["value"].replace("-", ""))
    basic = t["value"].replace("-", "").replace(":", "")
    return "%s;TZID=%s:%s" % (prop, t["tzid"], basic)


def py_time_matches(tc, value, t, what):
    """A value decoded by Python icalendar equals time t."""
    if t["is_date"]:
        tc.assertEqual(value, date.fromisoformat(t["value"]), what)
        tc.assertNotIsInstance(value, datetime, what)
        return
    tc.assertIsInstance(value, datetime, what)
    tc.assertEqual(value.replace(tzinfo=None).isoformat(), t["value"], what)
    off = datetime.fromisoformat("2000-01-01T00:00:00" + t["offset"])
    tc.assertEqual(value.utcoffset(), off.utcoffset(), what)
    tc.assertEqual(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   t["utc"], what)



def tzids_used(root):
    used = set()
    for comp in root.walk("VEVENT"):
        for _, params, _, _ in comp.props:
            if "TZID" in params:
                used.add(params["TZID"])
    return used


# ---------------------------------------------------------------------------
# The feeds of one fixture, read by three parsers
# ---------------------------------------------------------------------------

class FeedClientsTest(E2ETestCase):
    """Events posted once (clock fixed at NOW); each test reads feeds."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, now=NOW)
        srv = cls.srv
        cls.admin = srv.token("admin")
        cls.org = srv.token("organiser", "pinghu-maker-space")
        cls.api = {}

        def post(name, body, token=None):
            status, _, doc = srv.json("POST", "/api/v1/events", body=body,
                                      token=token or cls.admin)
            assert status == 201, (name, status, doc)
            cls.api[name] = doc
            return doc

        post("long", {
            "kind": "roadshow", "title": LONG_TITLE,
            "description": LONG_DESC, "venue": LONG_VENUE,
            "start": "2025-03-31T23:30:00+08:00",
            "end": "2025-04-01T01:30:00+08:00",
            "partner_regions": ["dazhou"],
            "url": "https://roadshow.example.cn/events/long?a=1&b=2",
            "geo": {"lat": 30.8078, "lon": 108.4089}, "capacity": 120,
        }, token=cls.org)
        post("escapes", {
            "kind": "salon", "title": ESC_TITLE, "description": ESC_DESC,
            "venue": ESC_VENUE, "carrier": "pinghu-maker-space",
            "start": "2025-04-10T19:00:00+08:00",
            "end": "2025-04-10T21:00:00+08:00",
        })
        post("expo", {
            "kind": "exhibition", "title": "万州区孵化载体成果展览（为期两天）",
            "venue": "万州区会展中心A馆", "all_day": True,
            "start_date": "2025-05-01", "end_date": "2025-05-03",
            "carrier": "jinwan-liulian-center",
            "partner_regions": ["kaizhou"],
        })
        series = post("series", {
            "kind": "roadshow", "title": "三峡启迪月度项目路演（每月第二个星期四）",
            "venue": "渝东新区三峡启迪路演厅",
            "start": "2025-01-09T14:00:00+08:00",
            "end": "2025-01-09T16:00:00+08:00",
            "rrule": SERIES_RRULE, "carrier": "sanxia-tusstar",
            "partner_regions": ["dazhou"],
        })
        status, _, doc = srv.json(
            "PATCH", "/api/v1/events/%d/occurrences/%s"
            % (series["id"], q(SERIES_MOVED_RID)), token=cls.admin,
            body={"start": "2025-02-14T10:00:00+08:00",
                  "end": "2025-02-14T12:00:00+08:00",
                  "venue": "渝东新区三峡启迪二号厅"})
        assert status == 200, doc
        status, _, doc = srv.json(
            "POST", "/api/v1/events/%d/occurrences/%s/cancel"
            % (series["id"], q(SERIES_CANCELLED_RID)), token=cls.admin)
        assert status == 200, doc
        cls.api["series"] = doc
        forum = post("cancelled", {
            "kind": "forum", "title": "龙驹镇主题论坛：乡村振兴与创新创业",
            "start": "2025-06-20T09:00:00+08:00",
            "end": "2025-06-20T11:30:00+08:00",
            "carrier": "longteng-maker-space",
            "partner_regions": ["yunyang"],
        })
        status, _, doc = srv.json("POST", "/api/v1/events/%d/cancel"
                                  % forum["id"], token=cls.admin)
        assert status == 200, doc
        cls.api["cancelled"] = doc
        post("tentative", {
            "kind": "training", "title": "创业培训（时间待定）",
            "status": "TENTATIVE", "carrier": "pinghu-maker-space",
            "start": "2025-07-05T14:00:00+08:00",
            "end": "2025-07-05T17:00:00+08:00",
        })
        post("berlin", {
            "kind": "seminar", "title": "中德创新创业学术研讨会（柏林）",
            "timezone": "Europe/Berlin",
            "start": "2025-03-31T10:00:00+02:00",
            "end": "2025-03-31T12:00:00+02:00",
            "carrier": "e-wanzhou-maker-space",
            "partner_regions": ["dazhou"],
        })
        post("competition", {
            "kind": "competition", "title": "“高新杯”众创大赛决赛",
            "start": "2025-09-01T09:00:00+08:00",
            "end": "2025-09-01T18:00:00+08:00",
            "partner_regions": ["dazhou", "liangjiang-xinqu"],
        })
        status, _, sub = srv.json("POST", "/api/v1/subscriptions",
                                  token=cls.admin,
                                  body={"label": PRIVATE_LABEL,
                                        "region": "wanzhou-jingkaiqu"})
        assert status == 201, sub
        cls.private_path = urlsplit(sub["feed"]["url"]).path
        cls.expected = cls.build_expected()

    @classmethod
    def build_expected(cls):
        """name -> list of VEVENTs as ical.js must report them (the series
        first, then its RECURRENCE-ID override), hand-computed."""
        port = cls.srv.port
        stamp = t_utc(NOW_UTC)

        def organizer(slug, name):
            return {"value": "http://127.0.0.1:%d/api/v1/carriers/%s"
                             % (port, slug), "cn": name}

        def ev(name, summary, start, end, categories, **more):
            e = {
                "uid": cls.api[name]["uid"], "summary": summary,
                "description": None, "location": None,
                "status": "CONFIRMED", "sequence": 0,
                "categories": categories, "url": None, "geo": None,
                "organizer": None, "dtstamp": stamp, "created": stamp,
                "last_modified": stamp, "dtstart": start, "dtend": end,
                "duration_seconds": None, "recurrence_id": None,
                "rrule_parts": None, "exdates": [], "is_recurring": False,
            }
            e.update(more)
            return e

        pinghu = organizer("pinghu-maker-space", "平湖众创空间")
        return {
            "long": [ev(
                "long", LONG_TITLE,
                shanghai("2025-03-31T23:30:00", "2025-03-31T15:30:00Z"),
                shanghai("2025-04-01T01:30:00", "2025-03-31T17:30:00Z"),
                ["项目路演", "Roadshow"], description=LONG_DESC,
                location=LONG_VENUE, duration_seconds=7200,
                url="https://roadshow.example.cn/events/long?a=1&b=2",
                geo=[30.8078, 108.4089], organizer=pinghu)],
            "escapes": [ev(
                "escapes", ESC_TITLE,
                shanghai("2025-04-10T19:00:00", "2025-04-10T11:00:00Z"),
                shanghai("2025-04-10T21:00:00", "2025-04-10T13:00:00Z"),
                ["创业沙龙", "Salon"], description=ESC_DESC,
                location=ESC_VENUE, duration_seconds=7200,
                organizer=pinghu)],
            "expo": [ev(
                "expo", "万州区孵化载体成果展览（为期两天）",
                t_date("2025-05-01"), t_date("2025-05-03"),
                ["成果展览", "Exhibition"], location="万州区会展中心A馆",
                duration_seconds=2 * 86400,
                organizer=organizer("jinwan-liulian-center",
                                    "津万榴莲创新创业中心"))],
            "series": [
                ev("series", "三峡启迪月度项目路演（每月第二个星期四）",
                   shanghai("2025-01-09T14:00:00", "2025-01-09T06:00:00Z"),
                   shanghai("2025-01-09T16:00:00", "2025-01-09T08:00:00Z"),
                   ["项目路演", "Roadshow"], location="渝东新区三峡启迪路演厅",
                   sequence=2, duration_seconds=7200,
                   organizer=organizer("sanxia-tusstar", "三峡启迪众创空间"),
                   rrule_parts={"freq": "MONTHLY", "count": 6,
                                "byday": "2TH"},
                   exdates=[shanghai("2025-03-13T14:00:00",
                                     "2025-03-13T06:00:00Z")],
                   is_recurring=True),
                ev("series", "三峡启迪月度项目路演（每月第二个星期四）",
                   shanghai("2025-02-14T10:00:00", "2025-02-14T02:00:00Z"),
                   shanghai("2025-02-14T12:00:00", "2025-02-14T04:00:00Z"),
                   ["项目路演", "Roadshow"], location="渝东新区三峡启迪二号厅",
                   sequence=2, duration_seconds=7200,
                   organizer=organizer("sanxia-tusstar", "三峡启迪众创空间"),
                   recurrence_id=shanghai("2025-02-13T14:00:00",
                                          "2025-02-13T06:00:00Z")),
            ],
            "cancelled": [ev(
                "cancelled", "龙驹镇主题论坛：乡村振兴与创新创业",
                shanghai("2025-06-20T09:00:00", "2025-06-20T01:00:00Z"),
                shanghai("2025-06-20T11:30:00", "2025-06-20T03:30:00Z"),
                ["主题论坛", "Forum"], status="CANCELLED", sequence=1,
                duration_seconds=9000,
                organizer=organizer("longteng-maker-space", "龙腾众创空间"))],
            "tentative": [ev(
                "tentative", "创业培训（时间待定）",
                shanghai("2025-07-05T14:00:00", "2025-07-05T06:00:00Z"),
                shanghai("2025-07-05T17:00:00", "2025-07-05T09:00:00Z"),
                ["创业培训", "Training"], status="TENTATIVE",
                duration_seconds=3 * 3600, organizer=pinghu)],
            "berlin": [ev(
                "berlin", "中德创新创业学术研讨会（柏林）",
                # 31 March 2025 is the day after Europe/Berlin moved to
                # summer time: +02:00, which ical.js can only know from
                # the feed's VTIMEZONE.
                t_local("2025-03-31T10:00:00", "Europe/Berlin", "+02:00",
                        "2025-03-31T08:00:00Z"),
                t_local("2025-03-31T12:00:00", "Europe/Berlin", "+02:00",
                        "2025-03-31T10:00:00Z"),
                ["学术研讨", "Seminar"], duration_seconds=7200,
                organizer=organizer("e-wanzhou-maker-space",
                                    "E万州众创空间"))],
            "competition": [ev(
                "competition", "“高新杯”众创大赛决赛",
                shanghai("2025-09-01T09:00:00", "2025-09-01T01:00:00Z"),
                shanghai("2025-09-01T18:00:00", "2025-09-01T10:00:00Z"),
                ["大赛", "Competition"], duration_seconds=9 * 3600)],
        }

    # ---- one feed, three parsers ----

    def fetch(self, path):
        status, headers, payload = self.srv.request("GET", path)
        self.assertEqual(status, 200, payload[:300])
        self.assertEqual(headers["content-type"],
                         "text/calendar; charset=utf-8")
        self.assertEqual(int(headers["content-length"]), len(payload))
        return payload

    def check_feed(self, path, cal_name, cal_desc, names, marked=False):
        """Fetch path and check it with the three parsers against the
        events names (keys of self.expected). marked: the cancelled ones
        carry the "[已取消] " prefix."""
        payload = self.fetch(path)
        check_octets(self, payload)
        expected = []
        for name in names:
            for e in self.expected[name]:
                e = dict(e)
                if marked and e["status"] == "CANCELLED":
                    e["summary"] = CANCELLED_PREFIX + e["summary"]
                expected.append(e)

        def key(e):
            rid = e["recurrence_id"]
            return (e["uid"], rid["utc"] if rid else None)

        want = {key(e): e for e in expected}
        self.assertEqual(len(want), len(expected))

        # -- the strict reader: structure, raw lines, TEXT values --
        root = strict_parse(payload)
        self.assertEqual(root.name, "VCALENDAR")
        top = {p[3] for p in root.props}
        for line in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-TIMEZONE:Asia/Shanghai",
                     "REFRESH-INTERVAL;VALUE=DURATION:PT60M",
                     "X-PUBLISHED-TTL:PT60M"):
            self.assertIn(line, top)
        self.assertRegex(root.one("PRODID")[2], r"^-//roadshowd//")
        self.assertEqual(unescape_text(root.one("X-WR-CALNAME")[2]),
                         cal_name)
        self.assertEqual(root.text("NAME"), cal_name)
        self.assertEqual(unescape_text(root.one("X-WR-CALDESC")[2]),
                         cal_desc)
        self.assertEqual(root.text("DESCRIPTION"), cal_desc)
        used = tzids_used(root)
        defined = [tz.one("TZID")[2] for tz in root.walk("VTIMEZONE")]
        self.assertEqual(sorted(defined), sorted(used),
                         "one VTIMEZONE for every TZID used, no other")
        raw_events = root.walk("VEVENT")
        raw_keys = []
        for comp in raw_events:
            uid = comp.one("UID")[2]
            rid = comp.all("RECURRENCE-ID")
            exp = [e for e in expected if e["uid"] == uid and
                   bool(e["recurrence_id"]) == bool(rid)]
            self.assertTrue(exp, "unexpected VEVENT %s" % uid)
            if rid:
                exp = [e for e in exp if raw_time(
                    "RECURRENCE-ID", e["recurrence_id"]) == rid[0][3]]
            self.assertEqual(len(exp), 1, uid)
            e = exp[0]
            raw_keys.append(key(e))
            with self.subTest(parser="strict", uid=uid):
                self.assertEqual(comp.one("DTSTART")[3],
                                 raw_time("DTSTART", e["dtstart"]))
                self.assertEqual(comp.one("DTEND")[3],
                                 raw_time("DTEND", e["dtend"]))
                self.assertEqual(comp.text("SUMMARY"), e["summary"])
                self.assertEqual(comp.text("DESCRIPTION"),
                                 e["description"])
                self.assertEqual(comp.text("LOCATION"), e["location"])
                self.assertEqual(comp.one("STATUS")[3],
                                 "STATUS:" + e["status"])
                self.assertEqual(comp.one("SEQUENCE")[3],
                                 "SEQUENCE:%d" % e["sequence"])
                self.assertEqual(comp.one("DTSTAMP")[3],
                                 "DTSTAMP:20250220T040000Z")
                cats = re.split(r"(?<!\\),", comp.one("CATEGORIES")[2])
                self.assertEqual([unescape_text(c) for c in cats],
                                 e["categories"])
                self.assertEqual([p[2] for p in comp.all("URL")],
                                 [e["url"]] if e["url"] else [])
        self.assertEqual(sorted(raw_keys, key=str), sorted(want, key=str))

        # -- ical.js (Thunderbird's parser) --
        js = icaljs(self, payload)
        props = js["calendar"]["properties"]
        # ical.js 2.2.1 does not know RFC 7986's NAME (nor REFRESH-INTERVAL)
        # and hands its value over as raw text, so what it reports is the
        # escaped form; X-WR-CALNAME is written (and read) literally.
        for name, value in (("VERSION", "2.0"), ("CALSCALE", "GREGORIAN"),
                            ("METHOD", "PUBLISH"),
                            ("NAME", escape_text(cal_name)),
                            ("X-WR-CALNAME", cal_name),
                            ("DESCRIPTION", cal_desc),
                            ("X-WR-CALDESC", cal_desc),
                            ("X-WR-TIMEZONE", "Asia/Shanghai"),
                            ("REFRESH-INTERVAL", "PT60M"),
                            ("X-PUBLISHED-TTL", "PT60M")):
            self.assertEqual(props.get(name), [[value]], name)
        self.assertEqual(sorted(js["timezones"]), sorted(used))
        got = {}
        for e in js["events"]:
            e = dict(e)
            del e["rrule"]       # ical.js's own serialization; parts below
            k = key(e)
            self.assertNotIn(k, got, "duplicate VEVENT %r" % (k,))
            got[k] = e
        self.assertEqual(sorted(got, key=str), sorted(want, key=str))
        for k, e in want.items():
            with self.subTest(parser="ical.js", uid=k[0], rid=k[1]):
                self.assertEqual(got[k], e)

        # -- Python icalendar --
        cal = icalendar.Calendar.from_ical(payload.decode("utf-8"))
        self.assertEqual(str(cal["X-WR-CALNAME"]), cal_name)
        self.assertEqual(str(cal["NAME"]), cal_name)
        self.assertEqual(str(cal["METHOD"]), "PUBLISH")
        self.assertEqual(str(cal["VERSION"]), "2.0")
        pyev = {}
        for ve in cal.walk("VEVENT"):
            rid = ve.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in ve \
                else None
            k = (str(ve["UID"]), rid.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ") if rid else None)
            self.assertNotIn(k, pyev)
            pyev[k] = ve
        self.assertEqual(sorted(pyev, key=str), sorted(want, key=str))
        for k, e in want.items():
            with self.subTest(parser="icalendar", uid=k[0], rid=k[1]):
                self.check_python_vevent(pyev[k], e)
        return payload, js

    def check_python_vevent(self, ve, e):
        for prop, field in (("SUMMARY", "summary"),
                            ("DESCRIPTION", "description"),
                            ("LOCATION", "location")):
            if e[field] is None:
                self.assertNotIn(prop, ve)
            elif icalendar_decodes(e[field]):
                self.assertEqual(str(ve[prop]), e[field], prop)
            # else: checked by ical.js and the strict reader (see
            # icalendar_decodes()).
        self.assertEqual(str(ve["STATUS"]), e["status"])
        self.assertEqual(int(ve.decoded("SEQUENCE")), e["sequence"])
        self.assertEqual([str(c) for c in ve["CATEGORIES"].cats],
                         e["categories"])
        self.assertEqual(ve.decoded("DTSTAMP"), NOW_DT)
        self.assertEqual(ve.decoded("CREATED"), NOW_DT)
        self.assertEqual(ve.decoded("LAST-MODIFIED"), NOW_DT)
        for prop, field in (("DTSTART", "dtstart"), ("DTEND", "dtend"),
                            ("RECURRENCE-ID", "recurrence_id")):
            t = e[field]
            if t is None:
                self.assertNotIn(prop, ve)
                continue
            py_time_matches(self, ve.decoded(prop), t, prop)
            if t["is_date"]:
                self.assertEqual(ve[prop].params.get("VALUE"), "DATE")
            else:
                self.assertEqual(ve[prop].params.get("TZID"), t["tzid"])
        if e["url"]:
            self.assertEqual(str(ve["URL"]), e["url"])
        else:
            self.assertNotIn("URL", ve)
        if e["geo"]:
            self.assertEqual([ve["GEO"].latitude, ve["GEO"].longitude],
                             e["geo"])
        else:
            self.assertNotIn("GEO", ve)
        if e["organizer"]:
            self.assertEqual((str(ve["ORGANIZER"]),
                              ve["ORGANIZER"].params.get("CN")),
                             (e["organizer"]["value"],
                              e["organizer"]["cn"]))
        else:
            self.assertNotIn("ORGANIZER", ve)
        if e["rrule_parts"]:
            self.assertEqual(dict(ve["RRULE"]),
                             {k.upper(): [v] for k, v in
                              e["rrule_parts"].items()})
        else:
            self.assertNotIn("RRULE", ve)
        exdates = []
        if "EXDATE" in ve:
            ex = ve["EXDATE"]
            for lst in (ex if isinstance(ex, list) else [ex]):
                for d in lst.dts:
                    self.assertEqual(lst.params.get("TZID"), "Asia/Shanghai")
                    exdates.append(d.dt.astimezone(UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"))
        self.assertEqual(exdates, [x["utc"] for x in e["exdates"]])

    # ---- every kind of feed ----

    def test_district_feed(self):
        self.check_feed("/calendar.ics", DISTRICT_NAME, DISTRICT_DESC,
                        ["long", "escapes", "expo", "series", "cancelled",
                         "berlin", "competition"])

    def test_region_feed(self):
        self.check_feed("/calendars/regions/wanzhou-jingkaiqu.ics",
                        "万州经开区创新创业活动", "万州经开区孵化载体的活动",
                        ["long", "escapes"])
        self.check_feed("/calendars/regions/yudong-xinqu.ics",
                        "渝东新区创新创业活动", "渝东新区孵化载体的活动",
                        ["series"])

    def test_carrier_feed(self):
        self.check_feed("/calendars/carriers/sanxia-tusstar.ics",
                        "三峡启迪众创空间活动", "三峡启迪众创空间主办的创新创业活动",
                        ["series"])
        self.check_feed("/calendars/carriers/pinghu-maker-space.ics",
                        "平湖众创空间活动", "平湖众创空间主办的创新创业活动",
                        ["long", "escapes"])

    def test_kind_feed(self):
        # all-day only: no TZID, no VTIMEZONE
        self.check_feed("/calendars/kinds/exhibition.ics",
                        DISTRICT_NAME + " · 成果展览", "万州区的成果展览（Exhibition）",
                        ["expo"])
        self.check_feed("/calendars/kinds/roadshow.ics",
                        DISTRICT_NAME + " · 项目路演", "万州区的项目路演（Roadshow）",
                        ["long", "series"])

    def test_partner_feed(self):
        self.check_feed("/calendars/partners/dazhou.ics", "达州市创新创业活动",
                        "与达州市合作开展的活动",
                        ["long", "series", "berlin", "competition"])
        self.check_feed("/calendars/partners/yunyang.ics", "云阳县创新创业活动",
                        "与云阳县合作开展的活动", ["cancelled"])

    def test_private_feed(self):
        self.check_feed(self.private_path,
                        DISTRICT_NAME + "（" + PRIVATE_LABEL + "）",
                        PRIVATE_DESC, ["long", "escapes", "tentative"])

    def test_filtered_feeds(self):
        self.check_feed("/calendar.ics?kind=roadshow&region=wanzhou-jingkaiqu",
                        DISTRICT_NAME, DISTRICT_DESC, ["long"])
        self.check_feed("/calendars/partners/dazhou.ics?kind=seminar",
                        "达州市创新创业活动", "与达州市合作开展的活动",
                        ["berlin"])
        # A window: the series is kept whole (it has occurrences in it).
        self.check_feed("/calendar.ics?from=%s&to=%s"
                        % (q("2025-04-15T00:00:00+08:00"),
                           q("2025-06-01T00:00:00+08:00")),
                        DISTRICT_NAME, DISTRICT_DESC, ["expo", "series"])

    def test_tentative_only_in_private_feed(self):
        uid = self.api["tentative"]["uid"]
        for path in ("/calendar.ics",
                     "/calendars/regions/wanzhou-jingkaiqu.ics",
                     "/calendars/carriers/pinghu-maker-space.ics",
                     "/calendars/kinds/training.ics",
                     "/calendar.ics?status=TENTATIVE"):
            with self.subTest(path=path):
                payload = self.fetch(path)
                self.assertNotIn(uid.encode(), payload)
                uids = [e["uid"] for e in icaljs(self, payload)["events"]]
                self.assertNotIn(uid, uids)
        payload = self.fetch(self.private_path)
        js = icaljs(self, payload)
        self.assertEqual([e["status"] for e in js["events"]
                          if e["uid"] == uid], ["TENTATIVE"])

    def test_cancelled_event_stays_and_mark_cancelled(self):
        title = self.expected["cancelled"][0]["summary"]
        self.assertEqual(self.api["cancelled"]["status"], "CANCELLED")
        # Without the option: STATUS:CANCELLED, SUMMARY untouched.
        self.check_feed("/calendars/kinds/forum.ics",
                        DISTRICT_NAME + " · 主题论坛", "万州区的主题论坛（Forum）",
                        ["cancelled"])
        # With it: "[已取消] " before the SUMMARY of cancelled events only.
        self.check_feed("/calendars/kinds/forum.ics?mark_cancelled=1",
                        DISTRICT_NAME + " · 主题论坛", "万州区的主题论坛（Forum）",
                        ["cancelled"], marked=True)
        _, js = self.check_feed(
            "/calendar.ics?mark_cancelled=1", DISTRICT_NAME, DISTRICT_DESC,
            ["long", "escapes", "expo", "series", "cancelled", "berlin",
             "competition"], marked=True)
        marked = sorted(e["summary"] for e in js["events"]
                        if e["summary"].startswith(CANCELLED_PREFIX))
        self.assertEqual(marked, ["[已取消] " + title])

    def test_last_day_of_month_2330(self):
        """23:30 on 31 March in Shanghai is still 31 March in the feed
        (15:30 UTC), whatever the reader's zone."""
        payload = self.fetch("/calendar.ics")
        self.assertIn("DTSTART;TZID=Asia/Shanghai:20250331T233000",
                      unfolded_lines(payload))
        self.assertIn("DTEND;TZID=Asia/Shanghai:20250401T013000",
                      unfolded_lines(payload))
        self.assertEqual(self.api["long"]["start"],
                         "2025-03-31T23:30:00+08:00")
        ve = [e for e in icalendar.Calendar.from_ical(payload.decode())
              .walk("VEVENT") if str(e["UID"]) == self.api["long"]["uid"]]
        self.assertEqual(ve[0].decoded("DTSTART"),
                         datetime(2025, 3, 31, 23, 30, tzinfo=CST))
        js = [e for e in icaljs(self, payload)["events"]
              if e["uid"] == self.api["long"]["uid"]]
        self.assertEqual(js[0]["dtstart"]["iso"], "2025-03-31T23:30:00+08:00")
        self.assertEqual(js[0]["dtstart"]["utc"], "2025-03-31T15:30:00Z")

    def test_all_day_two_day_exhibition(self):
        payload = self.fetch("/calendars/kinds/exhibition.ics")
        lines = unfolded_lines(payload)
        self.assertIn("DTSTART;VALUE=DATE:20250501", lines)
        self.assertIn("DTEND;VALUE=DATE:20250503", lines)
        self.assertEqual((self.api["expo"]["all_day"],
                          self.api["expo"]["start_date"],
                          self.api["expo"]["end_date"]),
                         (True, "2025-05-01", "2025-05-03"))
        js = icaljs(self, payload)["events"]
        self.assertEqual([(e["dtstart"]["value"], e["dtend"]["value"],
                           e["dtstart"]["is_date"], e["duration_seconds"])
                          for e in js],
                         [("2025-05-01", "2025-05-03", True, 172800)])

    def test_series_expansion_by_icaljs(self):
        """ical.js's iterator, with the override related as an exception
        and the EXDATE applied, gives exactly the five remaining dates."""
        uid = self.api["series"]["uid"]
        api = self.api["series"]
        self.assertEqual((api["rrule"], api["exdates"],
                          [(o["recurrence_id"], o["start"], o["end"])
                           for o in api["overrides"]], api["sequence"]),
                         (SERIES_RRULE, [SERIES_CANCELLED_RID],
                          [(SERIES_MOVED_RID, "2025-02-14T10:00:00+08:00",
                            "2025-02-14T12:00:00+08:00")], 2))
        for path in ("/calendar.ics", "/calendars/carriers/sanxia-tusstar.ics",
                     "/calendars/partners/dazhou.ics"):
            with self.subTest(path=path):
                js = icaljs(self, self.fetch(path))
                occ = js["occurrences"][uid]
                self.assertEqual([o["start"] for o in occ],
                                 SERIES_EXPANDED_UTC)
                self.assertEqual(
                    [(o["recurrence_id"], o["end"], o["exception"],
                      o["location"], o["sequence"]) for o in occ],
                    [("2025-01-09T06:00:00Z", "2025-01-09T08:00:00Z", False,
                      "渝东新区三峡启迪路演厅", 2),
                     ("2025-02-13T06:00:00Z", "2025-02-14T04:00:00Z", True,
                      "渝东新区三峡启迪二号厅", 2),
                     ("2025-04-10T06:00:00Z", "2025-04-10T08:00:00Z", False,
                      "渝东新区三峡启迪路演厅", 2),
                     ("2025-05-08T06:00:00Z", "2025-05-08T08:00:00Z", False,
                      "渝东新区三峡启迪路演厅", 2),
                     ("2025-06-12T06:00:00Z", "2025-06-12T08:00:00Z", False,
                      "渝东新区三峡启迪路演厅", 2)])
                self.assertEqual({o["start_local"] for o in occ} & {
                    "2025-02-13T14:00:00+08:00",
                    "2025-03-13T14:00:00+08:00"}, set())
                # no other event of the feed recurs
                self.assertEqual(list(js["occurrences"]), [uid])

    def test_series_expansion_by_dateutil_and_api(self):
        """Two more expansions agree with ical.js: python-dateutil's rrule
        fed with what Python icalendar parsed (RRULE, EXDATE,
        RECURRENCE-ID), and the server's own expand=true list."""
        uid = self.api["series"]["uid"]
        payload = self.fetch("/calendars/carriers/sanxia-tusstar.ics")
        cal = icalendar.Calendar.from_ical(payload.decode("utf-8"))
        master = [v for v in cal.walk("VEVENT") if str(v["UID"]) == uid
                  and "RECURRENCE-ID" not in v]
        overrides = [v for v in cal.walk("VEVENT") if str(v["UID"]) == uid
                     and "RECURRENCE-ID" in v]
        self.assertEqual((len(master), len(overrides)), (1, 1))
        master = master[0]
        rs = du_rrule.rruleset()
        rs.rrule(du_rrule.rrulestr(
            master["RRULE"].to_ical().decode(),
            dtstart=master.decoded("DTSTART")))
        for d in master["EXDATE"].dts:
            rs.exdate(d.dt)
        moved = {}
        for o in overrides:
            moved[o.decoded("RECURRENCE-ID")] = o.decoded("DTSTART")
        starts = sorted(moved.get(d, d) for d in rs)
        self.assertEqual([d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                          for d in starts], SERIES_EXPANDED_UTC)

        status, _, doc = self.srv.json(
            "GET", "/api/v1/events?expand=true&carrier=sanxia-tusstar"
            "&from=%s&to=%s" % (q("2025-01-01T00:00:00+08:00"),
                                q("2026-01-01T00:00:00+08:00")))
        self.assertEqual(status, 200, doc)
        self.assertEqual(
            [(i["uid"], i["recurrence_id"], i["start"], i["end"])
             for i in doc["items"]],
            [(uid, "2025-01-09T14:00:00+08:00", "2025-01-09T14:00:00+08:00",
              "2025-01-09T16:00:00+08:00"),
             (uid, "2025-02-13T14:00:00+08:00", "2025-02-14T10:00:00+08:00",
              "2025-02-14T12:00:00+08:00"),
             (uid, "2025-04-10T14:00:00+08:00", "2025-04-10T14:00:00+08:00",
              "2025-04-10T16:00:00+08:00"),
             (uid, "2025-05-08T14:00:00+08:00", "2025-05-08T14:00:00+08:00",
              "2025-05-08T16:00:00+08:00"),
             (uid, "2025-06-12T14:00:00+08:00", "2025-06-12T14:00:00+08:00",
              "2025-06-12T16:00:00+08:00")])

    def test_text_escapes_all_parsers(self):
        """Commas, semicolons, backslashes and newlines come back exactly:
        long Chinese text through all three parsers; the values Python
        icalendar 4.0.3 mis-decodes through ical.js and the strict reader
        (and the raw escaped form is checked octet by octet)."""
        self.assertGreaterEqual(len(LONG_TITLE), 100)
        for text in (LONG_TITLE, LONG_DESC, LONG_VENUE):
            self.assertTrue(icalendar_decodes(text), text)
        for text in (ESC_TITLE, ESC_DESC, ESC_VENUE):
            self.assertFalse(icalendar_decodes(text), text)
        for name, fields in (("long", (LONG_TITLE, LONG_DESC, LONG_VENUE)),
                             ("escapes", (ESC_TITLE, ESC_DESC, ESC_VENUE))):
            self.assertEqual((self.api[name]["title"],
                              self.api[name]["description"],
                              self.api[name]["venue"]), fields)
        payload = self.fetch("/calendars/regions/wanzhou-jingkaiqu.ics")
        lines = unfolded_lines(payload)
        # RFC 5545 3.3.11: "\\" for a backslash, "\;" "\," and "\n".
        self.assertIn("SUMMARY:转义检查 C:\\\\new\\\\n\\\\N a\\\\\\,b"
                      " c\\\\\\;d 末尾反斜杠\\\\", lines)
        self.assertIn("DESCRIPTION:第一行\\\\n仍是第一行\\n第二行: C:\\\\路演"
                      "\\\\\\,资料\\\\\\;备份\\\\\\\\双反斜杠", lines)
        self.assertIn("LOCATION:会议室\\\\\\,二号厅\\; 三楼\\, 东侧", lines)
        self.assertIn("LOCATION:万州经开区\\, 平湖路1号\\; 二楼路演厅", lines)
        js = {e["uid"]: e for e in icaljs(self, payload)["events"]}
        root = strict_parse(payload)
        raw = {c.one("UID")[2]: c for c in root.walk("VEVENT")}
        for name, (title, desc, venue) in (
                ("long", (LONG_TITLE, LONG_DESC, LONG_VENUE)),
                ("escapes", (ESC_TITLE, ESC_DESC, ESC_VENUE))):
            uid = self.api[name]["uid"]
            self.assertEqual((js[uid]["summary"], js[uid]["description"],
                              js[uid]["location"]), (title, desc, venue))
            self.assertEqual((raw[uid].text("SUMMARY"),
                              raw[uid].text("DESCRIPTION"),
                              raw[uid].text("LOCATION")),
                             (title, desc, venue))
        py = {str(v["UID"]): v for v in icalendar.Calendar.from_ical(
            payload.decode("utf-8")).walk("VEVENT")}
        uid = self.api["long"]["uid"]
        self.assertEqual((str(py[uid]["SUMMARY"]), str(py[uid]["DESCRIPTION"]),
                          str(py[uid]["LOCATION"])),
                         (LONG_TITLE, LONG_DESC, LONG_VENUE))


# ---------------------------------------------------------------------------


if __name__ == "__main__":
    unittest.main()
