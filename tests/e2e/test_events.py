"""
End-to-end tests of roadshowd over real HTTP and its CLI: regions and
carriers, events (create, get, list filters, PATCH with If-Match, cancel),
bad input, the cadence report (HTTP and CLI), iCalendar feeds, restart.

Every value is asserted exactly. Run with:
    /usr/bin/python3 -m unittest discover -v -s tests/e2e -p 'test_*.py'
"""
import csv
import io
import json
import re
import unittest
import urllib.parse
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

import icalendar

from harness import E2ETestCase, start_class_server, start_server

CST = timezone(timedelta(hours=8))
NOW = "2025-02-20T12:00:00+08:00"          # ROADSHOWD_NOW of most servers
NOW_UTC_TEXT = "2025-02-20T04:00:00Z"

DISTRICT_REGIONS = [
    # slug, name, kind, annex_row, area, enterprises_and_teams, tech
    ("wanzhou-jingkaiqu", "万州经开区", "zone", 1, 2.6, 400, 300),
    ("yudong-xinqu", "渝东新区", "zone", 2, 1.5, 300, 200),
    ("baianba", "百安坝街道", "street", 3, 1.3, 200, 15),
    ("pailou", "牌楼街道", "street", 4, 0.4, 50, 15),
    ("longdu", "龙都街道", "street", 5, 0.4, 50, 15),
    ("shuanghekou", "双河口街道", "street", 6, 0.3, 50, 15),
    ("gaosuntang", "高笋塘街道", "street", 7, 0.2, 50, 15),
    ("jiuchi", "九池街道", "street", 8, 0.3, 50, 15),
    ("longju", "龙驹镇", "town", 9, 0.5, 50, 10),
]
PARTNER_REGIONS = [
    ("dazhou", "达州市"),
    ("kaizhou", "开州区"),
    ("yunyang", "云阳县"),
    ("liangjiang-xinqu", "两江新区"),
]
# 主要运营载体 per region, in the annex's order.
ANNEX_CARRIERS = {
    "wanzhou-jingkaiqu": ["平湖众创空间", "万州三峡创业孵化中心", "汇杰创客工场",
                          "万州科技创新中心", "万创智谷·众创空间"],
    "yudong-xinqu": ["猪八戒数字经济创新中心", "聚万优数创空间",
                     "腾讯云数字经济人才创新中心", "三峡启迪众创空间"],
    "baianba": ["重庆三峡学院电子系统集成众创空间", "太阳鸟众创空间",
                "重庆三峡医药高等专科学校神农益创", "三峡创客驿站",
                "平湖鱼跃众创空间"],
    "pailou": ["圣耀蚂蚁空间站", "三都创业孵化中心"],
    "longdu": ["重庆三峡职业学院绿叶众创空间", "津万榴莲创新创业中心"],
    "shuanghekou": ["三峡田缘众创空间"],
    "gaosuntang": ["E万州众创空间"],
    "jiuchi": ["重庆信息技术职业学院三创空间"],
    "longju": ["龙腾众创空间"],
}
FIXED_EVENT_FIELDS = {
    "id", "uid", "kind", "title", "description", "venue", "start", "end",
    "timezone", "status", "carrier", "region", "partner_regions", "rrule",
    "url", "sequence",
}
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


def ev_body(kind, title, start, end, **more):
    body = {"kind": kind, "title": title, "start": start, "end": end}
    body.update(more)
    return body


def q(s):
    """Percent-encode a query value (the '+' of an offset must not become
    a space)."""
    return quote(s, safe="")


# ---------------------------------------------------------------------------
# Regions and carriers
# ---------------------------------------------------------------------------

class RegionsCarriersTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls)

    def test_regions_thirteen_in_annex_order(self):
        status, headers, doc = self.srv.json("GET", "/api/v1/regions")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"],
                         "application/json; charset=utf-8")
        items = doc["items"]
        self.assertEqual(len(items), 13)
        self.assertEqual([r["slug"] for r in items],
                         [r[0] for r in DISTRICT_REGIONS] +
                         [p[0] for p in PARTNER_REGIONS])
        for item, exp in zip(items, DISTRICT_REGIONS):
            slug, name, kind, row, area, ent, tech = exp
            self.assertEqual(
                (item["slug"], item["name"], item["partner"], item["kind"],
                 item["annex_row"], item["targets"]),
                (slug, name, False, kind, row,
                 {"area_10k_m2": area, "enterprises_and_teams": ent,
                  "tech_enterprises": tech}))
        for item, (slug, name) in zip(items[9:], PARTNER_REGIONS):
            self.assertEqual((item["slug"], item["name"], item["partner"],
                              item["targets"]),
                             (slug, name, True, None))

    def test_wanzhou_jingkaiqu_targets(self):
        status, _, doc = self.srv.json("GET",
                                       "/api/v1/regions/wanzhou-jingkaiqu")
        self.assertEqual(status, 200)
        self.assertEqual(doc["targets"], {"area_10k_m2": 2.6,
                                          "enterprises_and_teams": 400,
                                          "tech_enterprises": 300})
        self.assertEqual(doc["name"], "万州经开区")
        self.assertIs(doc["partner"], False)
        self.assertEqual(doc["feed"]["url"], self.srv.base_url +
                         "/calendars/regions/wanzhou-jingkaiqu.ics")
        self.assertEqual(doc["feed"]["webcal"], "webcal://127.0.0.1:%d"
                         "/calendars/regions/wanzhou-jingkaiqu.ics"
                         % self.srv.port)

    def test_annex_totals_add_up(self):
        _, _, doc = self.srv.json("GET", "/api/v1/regions")
        totals = doc["annex_totals"]
        expected = {"area_10k_m2": 7.5, "enterprises_and_teams": 1200,
                    "tech_enterprises": 600}
        self.assertEqual(totals["printed"], expected)
        self.assertEqual(totals["sum"], expected)
        self.assertEqual(totals["printed"], totals["sum"])
        self.assertEqual(totals["mismatches"], [])

    def test_regions_partner_filter(self):
        _, _, doc = self.srv.json("GET", "/api/v1/regions?partner=true")
        self.assertEqual([r["slug"] for r in doc["items"]],
                         [p[0] for p in PARTNER_REGIONS])
        _, _, doc = self.srv.json("GET", "/api/v1/regions?partner=false")
        self.assertEqual([r["slug"] for r in doc["items"]],
                         [r[0] for r in DISTRICT_REGIONS])
        self.assertProblem(self.srv.request("GET",
                                            "/api/v1/regions?partner=yes"),
                           400, "partner")

    def test_unknown_region_404(self):
        self.assertProblem(self.srv.request("GET", "/api/v1/regions/mars"),
                           404)

    def test_carriers_twenty_two_from_annex(self):
        status, _, doc = self.srv.json("GET", "/api/v1/carriers")
        self.assertEqual(status, 200)
        items = doc["items"]
        self.assertEqual(len(items), 22)
        got = [(c["name"], c["region"]) for c in items]
        expected = [(name, region) for region, names in ANNEX_CARRIERS.items()
                    for name in names]
        self.assertEqual(sorted(got), sorted(expected))
        self.assertEqual(len({c["slug"] for c in items}), 22)
        for c in items:
            self.assertIn(c["kind"], ("maker_space", "incubator",
                                      "accelerator", "platform"), c)
            self.assertIn(c["level"], ("national", "municipal", "district",
                                       "none"), c)
        pinghu = [c for c in items if c["slug"] == "pinghu-maker-space"]
        self.assertEqual(len(pinghu), 1)
        self.assertEqual((pinghu[0]["name"], pinghu[0]["region"],
                          pinghu[0]["kind"]),
                         ("平湖众创空间", "wanzhou-jingkaiqu", "maker_space"))

    def test_carriers_by_region(self):
        for region, names in ANNEX_CARRIERS.items():
            status, _, doc = self.srv.json(
                "GET", "/api/v1/carriers?region=" + region)
            self.assertEqual(status, 200, region)
            self.assertEqual([c["name"] for c in doc["items"]], names,
                             region)
            self.assertEqual({c["region"] for c in doc["items"]}, {region})
        for partner, _ in PARTNER_REGIONS:
            _, _, doc = self.srv.json("GET",
                                      "/api/v1/carriers?region=" + partner)
            self.assertEqual(doc["items"], [], partner)
        self.assertProblem(self.srv.request("GET",
                                            "/api/v1/carriers?region=mars"),
                           400, "region")


# ---------------------------------------------------------------------------
# Events: create, read, list, patch, cancel
# ---------------------------------------------------------------------------

def stored_event(testcase, srv, admin, event_id):
    status, _, doc = srv.json("GET", "/api/v1/events?limit=500",
                              token=admin)
    testcase.assertEqual(status, 200, doc)
    found = [i for i in doc["items"] if i["id"] == event_id]
    testcase.assertEqual(len(found), 1, "event %d not listed" % event_id)
    return found[0]


class EventsTest(E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, env={"ROADSHOWD_NOW": NOW})
        self.org = self.srv.token("organiser", "pinghu-maker-space")
        self.admin = self.srv.token("admin")

    def create(self, body, token=None):
        status, headers, doc = self.srv.json(
            "POST", "/api/v1/events", body=body, token=token or self.admin)
        self.assertEqual(status, 201, doc)
        return doc

    def stored(self, event_id):
        """The stored event as the list shows it (admin token). Used
        instead of GET /api/v1/events/{id} where reading back is not what
        the test is about."""
        return stored_event(self, self.srv, self.admin, event_id)

    def test_create_and_get_exact(self):
        body = ev_body("roadshow", "平湖众创空间三月项目路演",
                       "2025-03-01T00:30:00+08:00",
                       "2025-03-01T02:30:00+08:00",
                       venue="万州经开区平湖路1号", partner_regions=["dazhou"])
        status, headers, created = self.srv.json(
            "POST", "/api/v1/events", body=body, token=self.org)
        self.assertEqual(status, 201, created)
        self.assertEqual(headers["etag"], '"r1"')
        self.assertEqual(headers["content-type"],
                         "application/json; charset=utf-8")
        expected = {
            "kind": "roadshow", "kind_name": "项目路演",
            "title": "平湖众创空间三月项目路演", "description": None,
            "venue": "万州经开区平湖路1号", "all_day": False,
            "start": "2025-03-01T00:30:00+08:00",
            "end": "2025-03-01T02:30:00+08:00",
            "timezone": "Asia/Shanghai", "status": "CONFIRMED",
            "carrier": "pinghu-maker-space", "carrier_name": "平湖众创空间",
            "region": "wanzhou-jingkaiqu", "partner_regions": ["dazhou"],
            "rrule": None, "url": None, "capacity": None,
            "sequence": 0, "revision": 1,
            "created": NOW_UTC_TEXT, "updated": NOW_UTC_TEXT,
        }
        self.assertTrue(FIXED_EVENT_FIELDS <= set(created),
                        FIXED_EVENT_FIELDS - set(created))
        self.assertEqual({k: created.get(k) for k in expected}, expected)
        self.assertIsInstance(created["id"], int)
        self.assertGreater(created["id"], 0)
        self.assertIsInstance(created["uid"], str)
        self.assertRegex(created["uid"], r"^\S+$")
        self.assertEqual(self.stored(created["id"]), created)

        status, headers, got = self.srv.json(
            "GET", "/api/v1/events/%d" % created["id"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["etag"], '"r1"')
        self.assertEqual(got, created)

        # The instant: 2025-03-01 00:30 in Shanghai is 2025-02-28 16:30 UTC.
        start = datetime.fromisoformat(got["start"])
        self.assertEqual(start.astimezone(timezone.utc),
                         datetime(2025, 2, 28, 16, 30, tzinfo=timezone.utc))

    def test_get_event_by_id_keeps_server_alive(self):
        e = self.create(ev_body("salon", "沙龙", "2025-03-10T19:00:00+08:00",
                                "2025-03-10T21:00:00+08:00",
                                carrier="pinghu-maker-space"))
        for n, who in enumerate(("anonymous", "admin", "organiser",
                                 "anonymous") * 2):
            token = {"admin": self.admin, "organiser": self.org}.get(who)
            try:
                status, headers, got = self.srv.json(
                    "GET", "/api/v1/events/%d" % e["id"], token=token)
            except OSError as exc:
                self.fail("GET number %d (%s) of a CONFIRMED event: %r;"
                          " the server died" % (n + 1, who, exc))
            self.assertEqual((status, headers.get("etag"), got),
                             (200, '"r1"', e), who)
        status, _, _ = self.srv.request("GET", "/healthz")
        self.assertEqual(status, 200)

    def test_get_unknown_event_404(self):
        self.assertProblem(self.srv.request("GET", "/api/v1/events/999"), 404)
        self.assertProblem(self.srv.request("GET", "/api/v1/events/abc"), 404)

    def test_tentative_hidden_without_token(self):
        e = self.create(ev_body("forum", "暂定论坛", "2025-04-05T14:00:00+08:00",
                                "2025-04-05T16:00:00+08:00",
                                status="TENTATIVE",
                                carrier="pinghu-maker-space"))
        self.assertEqual(e["status"], "TENTATIVE")
        self.assertProblem(self.srv.request("GET", "/api/v1/events/%d"
                                            % e["id"]), 404)
        status, _, doc = self.srv.json("GET", "/api/v1/events/%d" % e["id"],
                                       token=self.org)
        self.assertEqual((status, doc["status"]), (200, "TENTATIVE"))
        _, _, doc = self.srv.json("GET", "/api/v1/events")
        self.assertEqual(doc["items"], [])
        _, _, doc = self.srv.json("GET", "/api/v1/events", token=self.admin)
        self.assertEqual([i["id"] for i in doc["items"]], [e["id"]])

    def make_list_fixture(self):
        """Five events, created in start order (ids 1..5)."""
        a = self.create(ev_body("roadshow", "平湖路演",
                                "2025-03-01T00:30:00+08:00",
                                "2025-03-01T02:30:00+08:00",
                                partner_regions=["dazhou"]), token=self.org)
        b = self.create(ev_body("salon", "渝东创业沙龙",
                                "2025-03-10T19:00:00+08:00",
                                "2025-03-10T21:00:00+08:00",
                                carrier="sanxia-tusstar",
                                partner_regions=["kaizhou"]))
        c = self.create(ev_body("forum", "暂定主题论坛",
                                "2025-04-05T14:00:00+08:00",
                                "2025-04-05T17:00:00+08:00",
                                carrier="pinghu-maker-space",
                                status="TENTATIVE"))
        d = self.create(ev_body("roadshow", "龙驹镇路演",
                                "2025-05-20T09:00:00+08:00",
                                "2025-05-20T11:00:00+08:00",
                                carrier="longteng-maker-space"))
        status, _, d = self.srv.json("POST", "/api/v1/events/%d/cancel"
                                     % d["id"], token=self.admin)
        self.assertEqual(status, 200)
        e = self.create(ev_body("competition", "“高新杯”众创大赛",
                                "2025-09-01T09:00:00+08:00",
                                "2025-09-01T18:00:00+08:00",
                                partner_regions=["dazhou",
                                                 "liangjiang-xinqu"]))
        ids = [x["id"] for x in (a, b, c, d, e)]
        self.assertEqual(ids, [1, 2, 3, 4, 5])
        self.assertIsNone(e["carrier"])
        self.assertIsNone(e["region"])
        return ids

    def list_ids(self, query, token="admin"):
        tok = self.admin if token == "admin" else token
        status, _, doc = self.srv.json("GET", "/api/v1/events" + query,
                                       token=tok)
        self.assertEqual(status, 200, doc)
        return [i["id"] for i in doc["items"]]

    def test_list_filters_exact_ids(self):
        self.make_list_fixture()
        cases = [
            ("", [1, 2, 3, 4, 5]),
            ("?kind=roadshow", [1, 4]),
            ("?kind=salon", [2]),
            ("?kind=seminar", []),
            ("?region=wanzhou-jingkaiqu", [1, 3]),
            ("?region=yudong-xinqu", [2]),
            ("?region=longju", [4]),
            ("?region=pailou", []),
            ("?carrier=pinghu-maker-space", [1, 3]),
            ("?carrier=sanxia-tusstar", [2]),
            ("?carrier=-", [5]),
            ("?partner=dazhou", [1, 5]),
            ("?partner=kaizhou", [2]),
            ("?partner=liangjiang-xinqu", [5]),
            ("?partner=yunyang", []),
            ("?status=CONFIRMED", [1, 2, 5]),
            ("?status=TENTATIVE", [3]),
            ("?status=CANCELLED", [4]),
            ("?kind=roadshow&status=CONFIRMED", [1]),
            ("?region=wanzhou-jingkaiqu&kind=forum", [3]),
            ("?from=%s&to=%s" % (q("2025-03-05T00:00:00+08:00"),
                                 q("2025-05-01T00:00:00+08:00")), [2, 3]),
            # the window is half-open: events ending after from ...
            ("?from=%s" % q("2025-03-01T02:30:00+08:00"), [2, 3, 4, 5]),
            ("?from=%s" % q("2025-03-01T02:29:59+08:00"), [1, 2, 3, 4, 5]),
            # ... and starting before to
            ("?to=%s" % q("2025-03-01T00:30:00+08:00"), []),
            ("?to=%s" % q("2025-03-01T00:30:01+08:00"), [1]),
            # the same instant written in UTC
            ("?from=%s&to=%s" % (q("2025-02-28T16:00:00Z"),
                                 q("2025-02-28T17:00:00Z")), [1]),
            ("?q=%s" % q("路演"), [1, 4]),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                self.assertEqual(self.list_ids(query), expected)
        # Without a token TENTATIVE events are left out.
        self.assertEqual(self.list_ids("", token=None), [1, 2, 4, 5])
        self.assertEqual(self.list_ids("?region=wanzhou-jingkaiqu",
                                       token=None), [1])

    def test_list_bad_filters(self):
        for query, field in [("?kind=party", "kind"),
                             ("?region=mars", "region"),
                             ("?region=dazhou", "region"),
                             ("?partner=wanzhou-jingkaiqu", "partner"),
                             ("?carrier=nobody", "carrier"),
                             ("?status=DONE", "status"),
                             ("?from=yesterday", "from"),
                             ("?from=%s&to=%s" % (
                                 q("2025-03-02T00:00:00+08:00"),
                                 q("2025-03-01T00:00:00+08:00")), "to"),
                             ("?limit=0", "limit"),
                             ("?cursor=x", "cursor")]:
            with self.subTest(query=query):
                self.assertProblem(self.srv.request(
                    "GET", "/api/v1/events" + query), 400, field)

    def test_list_pagination(self):
        """Pages follow start order; the cursor is opaque and is followed
        as given."""
        self.make_list_fixture()
        _, _, full = self.srv.json("GET", "/api/v1/events", token=self.admin)
        order = [i["id"] for i in full["items"]]
        self.assertEqual(len(order), 5)
        pages, cursor = [], None
        while True:
            path = "/api/v1/events?limit=2"
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor)
            status, _, doc = self.srv.json("GET", path, token=self.admin)
            self.assertEqual(status, 200)
            pages.append([i["id"] for i in doc["items"]])
            cursor = doc["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(pages, [order[0:2], order[2:4], order[4:5]])
        starts = [i.get("start") or i.get("start_date")
                  for i in full["items"]]
        self.assertEqual(starts, sorted(starts))

    def test_patch_if_match_sequence_revision(self):
        e = self.create(ev_body("roadshow", "平湖路演",
                                "2025-03-01T00:30:00+08:00",
                                "2025-03-01T02:30:00+08:00",
                                venue="一号厅"), token=self.org)
        path = "/api/v1/events/%d" % e["id"]
        self.assertEqual(e["revision"], 1)      # ETag "r1" (POST answer)

        status, headers, p1 = self.srv.json(
            "PATCH", path, body={"venue": "二号厅"}, token=self.org,
            headers={"If-Match": '"r1"'})
        self.assertEqual(status, 200, p1)
        self.assertEqual(headers["etag"], '"r2"')
        self.assertEqual((p1["venue"], p1["sequence"], p1["revision"]),
                         ("二号厅", 1, 2))
        unchanged = {k: e[k] for k in e
                     if k not in ("venue", "sequence", "revision",
                                  "updated")}
        self.assertEqual({k: p1[k] for k in unchanged}, unchanged)
        self.assertGreater(p1["revision"], e["revision"])

        # Stale If-Match: 412, nothing changes.
        self.assertProblem(self.srv.request(
            "PATCH", path, body={"venue": "三号厅"}, token=self.org,
            headers={"If-Match": '"r1"'}), 412)
        self.assertEqual(self.stored(e["id"]), p1)

        # Moving the start keeps the duration, and bumps SEQUENCE.
        status, headers, p2 = self.srv.json(
            "PATCH", path, body={"start": "2025-03-02T09:00:00+08:00"},
            token=self.org, headers={"If-Match": '"r2"'})
        self.assertEqual(status, 200, p2)
        self.assertEqual((p2["start"], p2["end"], p2["sequence"],
                          p2["revision"], headers["etag"]),
                         ("2025-03-02T09:00:00+08:00",
                          "2025-03-02T11:00:00+08:00", 2, 3, '"r3"'))

        # Cancel: CANCELLED, SEQUENCE bump.
        status, headers, c = self.srv.json(
            "POST", path + "/cancel", token=self.org,
            headers={"If-Match": '"r3"'})
        self.assertEqual(status, 200, c)
        self.assertEqual((c["status"], c["sequence"], c["revision"],
                          headers["etag"]), ("CANCELLED", 3, 4, '"r4"'))
        self.assertEqual(self.stored(e["id"]), c)
        # Cancelling again changes nothing.
        status, _, again = self.srv.json("POST", path + "/cancel",
                                         token=self.org)
        self.assertEqual((status, again), (200, c))
        # Stale If-Match on cancel: 412.
        self.assertProblem(self.srv.request(
            "POST", path + "/cancel", token=self.org,
            headers={"If-Match": '"r3"'}), 412)

    def test_patch_without_if_match_and_malformed_if_match(self):
        e = self.create(ev_body("salon", "沙龙", "2025-03-10T19:00:00+08:00",
                                "2025-03-10T21:00:00+08:00",
                                carrier="pinghu-maker-space"))
        path = "/api/v1/events/%d" % e["id"]
        self.assertProblem(self.srv.request(
            "PATCH", path, body={"venue": "X"}, token=self.admin,
            headers={"If-Match": "r1"}), 400)
        self.assertEqual(self.stored(e["id"]), e)
        status, headers, p = self.srv.json("PATCH", path,
                                           body={"venue": "X"},
                                           token=self.admin)
        self.assertEqual((status, p["venue"], p["sequence"], p["revision"],
                          headers["etag"]), (200, "X", 1, 2, '"r2"'))

    def test_organiser_may_not_move_event_to_other_carrier(self):
        e = self.create(ev_body("roadshow", "平湖路演",
                                "2025-03-01T00:30:00+08:00",
                                "2025-03-01T02:30:00+08:00"), token=self.org)
        self.assertEqual(e["carrier"], "pinghu-maker-space")
        self.assertProblem(self.srv.request(
            "PATCH", "/api/v1/events/%d" % e["id"],
            body={"carrier": "sanxia-tusstar"}, token=self.org), 403,
            "carrier")
        self.assertEqual(self.stored(e["id"]), e)


# ---------------------------------------------------------------------------
# Bad input: 4xx problem+json, nothing stored
# ---------------------------------------------------------------------------

class BadInputTest(E2ETestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, env={"ROADSHOWD_NOW": NOW})
        cls.admin = cls.srv.token("admin")
        cls.org = cls.srv.token("organiser", "pinghu-maker-space")
        status, _, cls.other = cls.srv.json(
            "POST", "/api/v1/events", token=cls.admin,
            body=ev_body("salon", "渝东沙龙", "2025-03-10T19:00:00+08:00",
                         "2025-03-10T21:00:00+08:00",
                         carrier="sanxia-tusstar"))
        assert status == 201, cls.other

    def good(self, **more):
        body = ev_body("roadshow", "路演", "2025-03-01T00:30:00+08:00",
                       "2025-03-01T02:30:00+08:00")
        body.update(more)
        return body

    def state(self):
        status, _, doc = self.srv.json("GET", "/api/v1/events",
                                       token=self.admin)
        self.assertEqual(status, 200)
        _, _, metrics = self.srv.request("GET", "/metrics")
        changes = [line for line in metrics.decode().splitlines()
                   if line.startswith("roadshowd_event_changes_total ")]
        return doc["items"], changes

    def assertRejected(self, resp_fn, status, field=None):
        before = self.state()
        doc = self.assertProblem(resp_fn(), status, field)
        self.assertEqual(self.state(), before, "a bad request changed data")
        return doc

    def post(self, body=None, token="org", raw=None, headers=None):
        tok = {"org": self.org, "admin": self.admin}.get(token, token)
        return lambda: self.srv.request("POST", "/api/v1/events", body=body,
                                        raw=raw, token=tok, headers=headers)

    def test_malformed_json(self):
        self.assertRejected(self.post(
            raw=b'{"kind": "roadshow", "title": ',
            headers={"Content-Type": "application/json"}), 400, "body")

    def test_body_not_an_object(self):
        self.assertRejected(self.post(raw=b'["roadshow"]', headers={
            "Content-Type": "application/json"}), 400, "body")

    def test_empty_body(self):
        self.assertRejected(self.post(raw=b'', headers={
            "Content-Type": "application/json"}), 400, "body")

    def test_unknown_kind(self):
        self.assertRejected(self.post(self.good(kind="party")), 400, "kind")

    def test_end_before_start(self):
        self.assertRejected(self.post(self.good(
            end="2025-03-01T00:00:00+08:00")), 400, "end")
        self.assertRejected(self.post(self.good(
            end="2025-03-01T00:30:00+08:00")), 400, "end")

    def test_bad_start(self):
        self.assertRejected(self.post(self.good(
            start="2025-03-01 00:30")), 400, "start")
        self.assertRejected(self.post(self.good(
            start="2025-03-01T00:30:00")), 400, "start")

    def test_unknown_carrier(self):
        self.assertRejected(self.post(self.good(carrier="no-such-carrier"),
                                      token="admin"), 400, "carrier")

    def test_unknown_partner_region(self):
        self.assertRejected(self.post(self.good(
            partner_regions=["wanzhou-jingkaiqu"])), 400, "partner_regions")
        self.assertRejected(self.post(self.good(
            partner_regions=["dazhou", "dazhou"])), 400, "partner_regions")

    def test_unknown_field(self):
        self.assertRejected(self.post(self.good(colour="red")), 400,
                            "colour")

    def test_read_only_field(self):
        self.assertRejected(self.post(self.good(sequence=7)), 400,
                            "sequence")

    def test_missing_required(self):
        body = self.good()
        del body["title"]
        self.assertRejected(self.post(body), 400, "title")
        self.assertRejected(self.post(self.good(title="   ")), 400, "title")

    def test_control_characters_in_title(self):
        self.assertRejected(self.post(self.good(title="路演\r\nX-EVIL:1")),
                            400, "title")

    def test_duplicate_json_keys(self):
        self.assertRejected(self.post(
            raw='{"kind":"roadshow","kind":"salon","title":"路演",'
                '"start":"2025-03-01T00:30:00+08:00",'
                '"end":"2025-03-01T02:30:00+08:00"}'.encode(),
            headers={"Content-Type": "application/json"}), 400, "body")

    def test_unsupported_media_type(self):
        self.assertRejected(self.post(
            raw=json.dumps(self.good()).encode(),
            headers={"Content-Type": "text/plain"}), 415)

    def test_missing_token(self):
        before = self.state()
        resp = self.srv.request("POST", "/api/v1/events", body=self.good())
        self.assertProblem(resp, 401)
        self.assertTrue(resp[1].get("www-authenticate", "")
                        .startswith("Bearer"), resp[1])
        self.assertEqual(self.state(), before)

    def test_invalid_token(self):
        for tok in ("rsd_" + "0" * 64, "not-a-token", "rsd_" + "0" * 63):
            with self.subTest(token=tok):
                before = self.state()
                resp = self.srv.request("POST", "/api/v1/events",
                                        body=self.good(), token=tok)
                self.assertProblem(resp, 401)
                self.assertTrue(resp[1].get("www-authenticate", "")
                                .startswith("Bearer"), resp[1])
                self.assertEqual(self.state(), before)
        before = self.state()
        resp = self.srv.request("POST", "/api/v1/events", body=self.good(),
                                headers={"Authorization": "Basic YTpi"})
        self.assertProblem(resp, 401)
        self.assertEqual(self.state(), before)

    def test_patch_cancel_without_token(self):
        path = "/api/v1/events/%d" % self.other["id"]
        for method, p in (("PATCH", path), ("POST", path + "/cancel"),
                          ("DELETE", path)):
            with self.subTest(method=method):
                before = self.state()
                resp = self.srv.request(method, p, body={"venue": "X"})
                self.assertProblem(resp, 401)
                self.assertTrue(resp[1].get("www-authenticate", "")
                                .startswith("Bearer"))
                self.assertEqual(self.state(), before)

    def test_organiser_posts_for_other_carrier(self):
        self.assertRejected(self.post(self.good(carrier="sanxia-tusstar")),
                            403, "carrier")
        self.assertRejected(self.post(self.good(carrier=None)), 403,
                            "carrier")

    def test_organiser_patches_other_carriers_event(self):
        path = "/api/v1/events/%d" % self.other["id"]
        self.assertRejected(lambda: self.srv.request(
            "PATCH", path, body={"venue": "平湖"}, token=self.org), 403,
            "carrier")
        self.assertRejected(lambda: self.srv.request(
            "POST", path + "/cancel", token=self.org), 403, "carrier")
        self.assertRejected(lambda: self.srv.request(
            "DELETE", path, token=self.org), 403)

    def test_patch_validation(self):
        path = "/api/v1/events/%d" % self.other["id"]
        self.assertRejected(lambda: self.srv.request(
            "PATCH", path, body={"end": "2025-03-10T18:00:00+08:00"},
            token=self.admin), 400, "end")
        self.assertRejected(lambda: self.srv.request(
            "PATCH", path, body={"id": 99}, token=self.admin), 400, "id")
        self.assertRejected(lambda: self.srv.request(
            "PATCH", path, body={"status": "DONE"}, token=self.admin), 400,
            "status")

    def test_body_too_large_content_length(self):
        body = b'{"title":"' + b"a" * (1024 * 1024) + b'"}'
        head = ("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Authorization: Bearer %s\r\n"
                "Content-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n" % (self.org, len(body))).encode()
        self.assertRejected(lambda: self.srv.raw_exchange(head, body), 413,
                            "body")

    def test_body_too_large_chunked(self):
        chunk = b"a" * 65536
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk)
                        for _ in range(17)) + b"0\r\n\r\n"
        head = ("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Authorization: Bearer %s\r\n"
                "Content-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n" % self.org).encode()
        self.assertRejected(lambda: self.srv.raw_exchange(head, body), 413,
                            "body")

    def test_body_of_exactly_one_mebibyte_is_read(self):
        # 1048576 octets is allowed: the answer is about the content.
        prefix = b'{"kind":"party","title":"x","start":"2025-03-01T00:30:00' \
                 b'+08:00","end":"2025-03-01T02:30:00+08:00"'
        body = prefix + b" " * (1024 * 1024 - len(prefix) - 1) + b"}"
        self.assertEqual(len(body), 1024 * 1024)
        self.assertRejected(lambda: self.srv.request(
            "POST", "/api/v1/events", raw=body, token=self.org,
            headers={"Content-Type": "application/json"}), 400, "kind")

    def test_ambiguous_framing(self):
        body = json.dumps(self.good()).encode()
        head = ("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Authorization: Bearer %s\r\n"
                "Content-Type: application/json\r\n"
                "Content-Length: %d\r\nContent-Length: %d\r\n\r\n"
                % (self.org, len(body), len(body))).encode()
        before = self.state()
        status, _, _ = self.srv.raw_exchange(head, body)
        self.assertEqual(status, 400)
        self.assertEqual(self.state(), before)

    def test_cadence_wrong_year(self):
        for query in ("year=0", "year=abc", "year=1969", "year=10000",
                      "year=2025x", ""):
            with self.subTest(query=query):
                self.assertRejected(lambda: self.srv.request(
                    "GET", "/api/v1/cadence?" + query), 400, "year")
        self.assertRejected(lambda: self.srv.request(
            "GET", "/api/v1/cadence?year=2025&as_of=2025-04-15"), 400,
            "as_of")
        self.assertRejected(lambda: self.srv.request(
            "GET", "/api/v1/cadence?year=2025&format=xml"), 400, "format")
        self.assertRejected(lambda: self.srv.request(
            "GET", "/api/v1/cadence?year=2025&rule=weekly"), 400, "rule")

    def test_unknown_route_404(self):
        self.assertProblem(self.srv.request("GET", "/api/v1/nothing"), 404)
        self.assertProblem(self.srv.request("GET", "/api/v1/events/1/x"),
                           404)

    def test_wrong_method_405_with_allow(self):
        resp = self.srv.request("DELETE", "/api/v1/kinds")
        self.assertProblem(resp, 405)
        # RFC 9110 15.5.6: a 405 response MUST carry Allow.
        self.assertEqual(resp[1].get("allow"), "GET, HEAD")


# ---------------------------------------------------------------------------
# Cadence: HTTP report with as_of, and the CLI
# ---------------------------------------------------------------------------

class CadenceTest(E2ETestCase):
    """One database with a year of events; every test only reads it."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, env={"ROADSHOWD_NOW": NOW})
        cls.admin = cls.srv.token("admin")
        cls.ids = {}

        def add(name, kind, start, end, **more):
            status, _, doc = cls.srv.json(
                "POST", "/api/v1/events", token=cls.admin,
                body=ev_body(kind, name, start, end,
                             carrier=more.pop("carrier",
                                              "pinghu-maker-space"),
                             **more))
            assert status == 201, doc
            cls.ids[name] = doc["id"]
            return doc

        # Belongs to March in Shanghai though it is 28 February in UTC.
        add("march-roadshow", "roadshow", "2025-03-01T00:30:00+08:00",
            "2025-03-01T02:30:00+08:00")
        may = add("may-roadshow-cancelled", "roadshow",
                  "2025-05-10T14:00:00+08:00", "2025-05-10T16:00:00+08:00")
        status, _, _ = cls.srv.json("POST", "/api/v1/events/%d/cancel"
                                    % may["id"], token=cls.admin)
        assert status == 200
        add("august-roadshow", "roadshow", "2025-08-15T09:00:00+08:00",
            "2025-08-15T11:00:00+08:00")
        add("october-roadshow-tentative", "roadshow",
            "2025-10-10T09:00:00+08:00", "2025-10-10T11:00:00+08:00",
            status="TENTATIVE")
        add("february-salon", "salon", "2025-02-14T19:00:00+08:00",
            "2025-02-14T21:00:00+08:00")
        add("q1-last-second-seminar", "seminar", "2025-03-31T23:59:59+08:00",
            "2025-04-01T01:00:00+08:00", carrier="sanxia-tusstar")
        add("july-training", "training", "2025-07-20T09:00:00+08:00",
            "2025-07-20T17:00:00+08:00", carrier=None)
        add("november-competition", "competition",
            "2025-11-20T09:00:00+08:00", "2025-11-20T18:00:00+08:00",
            partner_regions=["dazhou"])
        # Year boundaries in Shanghai time.
        add("2024-new-years-eve-roadshow", "roadshow",
            "2024-12-31T23:30:00+08:00", "2025-01-01T00:30:00+08:00")
        add("2026-new-year-roadshow", "roadshow",
            "2026-01-01T00:15:00+08:00", "2026-01-01T01:15:00+08:00")

    def report(self, year, as_of, fmt=None, token=None):
        """The report as the admin sees it (TENTATIVE events listed), like
        the CLI, which reads the database directly."""
        path = "/api/v1/cadence?year=%d&as_of=%s" % (year, q(as_of))
        if fmt:
            path += "&format=" + fmt
        status, headers, payload = self.srv.request(
            "GET", path, token=token or self.admin)
        self.assertEqual(status, 200, payload[:300])
        if fmt == "csv":
            return headers, payload.decode("utf-8")
        self.assertEqual(headers["content-type"],
                         "application/json; charset=utf-8")
        return json.loads(payload)

    @staticmethod
    def rows(doc):
        return [(p["rule"], p["scope"], p["period"], p["status"], p["held"],
                 p["scheduled"]) for p in doc["periods"]]

    @staticmethod
    def expected(months, quarters, year_row, year=2025):
        out = []
        for i, (st, held, sched) in enumerate(months):
            out.append(("monthly-roadshow", "district",
                        "%d-%02d" % (year, i + 1), st, held, sched))
        for i, (st, held, sched) in enumerate(quarters):
            out.append(("quarterly-event", "district", "%d-Q%d"
                        % (year, i + 1), st, held, sched))
        out.append(("yearly-competition", "district", str(year)) +
                   tuple(year_row))
        return out

    def test_as_of_mid_april(self):
        doc = self.report(2025, "2025-04-15T00:00:00+08:00")
        self.assertEqual((doc["year"], doc["as_of"], doc["timezone"]),
                         (2025, "2025-04-15T00:00:00+08:00",
                          "Asia/Shanghai"))
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0),      # 01
                    ("missed", 0, 0),      # 02: 03-01 00:30 +08 is March
                    ("met", 1, 0),         # 03
                    ("at_risk", 0, 0),     # 04: begun, nothing
                    ("open", 0, 0),        # 05: the cancelled one counts not
                    ("open", 0, 0),        # 06
                    ("open", 0, 0),        # 07
                    ("scheduled", 0, 1),   # 08: a CONFIRMED roadshow ahead
                    ("open", 0, 0),        # 09
                    ("scheduled", 0, 1),   # 10: TENTATIVE, still ahead
                    ("open", 0, 0),        # 11
                    ("open", 0, 0)],       # 12: 2026-01-01 00:15 is 2026
            quarters=[("met", 2, 0), ("at_risk", 0, 0),
                      ("scheduled", 0, 1), ("open", 0, 0)],
            year_row=("scheduled", 0, 1)))
        self.assertEqual(doc["summary"], {"met": 2, "scheduled": 4,
                                          "at_risk": 2, "missed": 2,
                                          "open": 7, "untracked": 0})
        by_period = {(p["rule"], p["period"]): p for p in doc["periods"]}
        march = by_period[("monthly-roadshow", "2025-03")]
        self.assertEqual((march["start"], march["end"], march["min"]),
                         ("2025-03-01T00:00:00+08:00",
                          "2025-04-01T00:00:00+08:00", 1))
        self.assertEqual(march["events"], [{
            "id": self.ids["march-roadshow"], "title": "march-roadshow",
            "start": "2025-03-01T00:30:00+08:00", "status": "CONFIRMED",
            "recorded_late": False}])
        self.assertEqual(by_period[("monthly-roadshow", "2025-04")]
                         ["days_left"], 16)
        self.assertEqual(by_period[("quarterly-event", "2025-Q2")]
                         ["days_left"], 77)
        self.assertNotIn("days_left",
                         by_period[("yearly-competition", "2025")])
        self.assertEqual([r["id"] for r in doc["rules"]],
                         ["monthly-roadshow", "quarterly-event",
                          "yearly-competition"])

    def test_default_as_of_is_the_clock(self):
        # ROADSHOWD_NOW is 2025-02-20T12:00:00+08:00.
        status, _, doc = self.srv.json("GET", "/api/v1/cadence?year=2025",
                                       token=self.admin)
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["as_of"], NOW)
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual((by[("monthly-roadshow", "2025-01")],
                          by[("monthly-roadshow", "2025-02")],
                          by[("monthly-roadshow", "2025-03")],
                          by[("quarterly-event", "2025-Q1")]),
                         (("missed", 0, 0), ("at_risk", 0, 0),
                          ("scheduled", 0, 1), ("met", 1, 1)))
        rc, out, err = self.cadence_cli("--year", "2025", "--format",
                                        "json")
        self.assertEqual(rc, 1, err)
        self.assertEqual(json.loads(out), doc)

    def test_cancelled_never_counts(self):
        doc = self.report(2025, "2025-06-15T00:00:00+08:00")
        by = {(r[0], r[2]): r for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-05")],
                         ("monthly-roadshow", "district", "2025-05",
                          "missed", 0, 0))
        self.assertEqual(by[("monthly-roadshow", "2025-06")],
                         ("monthly-roadshow", "district", "2025-06",
                          "at_risk", 0, 0))
        may = [p for p in doc["periods"] if p["period"] == "2025-05"][0]
        self.assertEqual(may["events"], [])

    def test_event_start_equal_to_as_of_is_scheduled(self):
        # Held means started *before* as_of.
        doc = self.report(2025, "2025-03-01T00:30:00+08:00")
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-03")],
                         ("scheduled", 0, 1))
        self.assertEqual(by[("monthly-roadshow", "2025-02")],
                         ("missed", 0, 0))
        doc = self.report(2025, "2025-03-01T00:30:01+08:00")
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-03")], ("met", 1, 0))
        # as_of in UTC, same instant.
        doc = self.report(2025, "2025-02-28T16:30:01Z")
        by = {(r[0], r[2]): r[3:] for r in self.rows(doc)}
        self.assertEqual(by[("monthly-roadshow", "2025-03")], ("met", 1, 0))

    def test_as_of_start_of_november(self):
        doc = self.report(2025, "2025-11-01T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0), ("missed", 0, 0), ("met", 1, 0),
                    ("missed", 0, 0), ("missed", 0, 0), ("missed", 0, 0),
                    ("missed", 0, 0), ("met", 1, 0), ("missed", 0, 0),
                    # a TENTATIVE event whose start passed counts neither
                    ("missed", 0, 0),
                    ("at_risk", 0, 0), ("open", 0, 0)],
            quarters=[("met", 2, 0), ("missed", 0, 0), ("met", 1, 0),
                      ("at_risk", 0, 0)],
            year_row=("scheduled", 0, 1)))
        by_period = {(p["rule"], p["period"]): p for p in doc["periods"]}
        self.assertEqual(by_period[("monthly-roadshow", "2025-11")]
                         ["days_left"], 30)
        self.assertEqual(by_period[("quarterly-event", "2025-Q4")]
                         ["days_left"], 61)

    def test_year_over(self):
        doc = self.report(2025, "2026-01-15T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0)] * 2 + [("met", 1, 0)] +
                   [("missed", 0, 0)] * 4 + [("met", 1, 0)] +
                   [("missed", 0, 0)] * 4,
            quarters=[("met", 2, 0), ("missed", 0, 0), ("met", 1, 0),
                      ("missed", 0, 0)],
            year_row=("met", 1, 0)))

    def test_other_years(self):
        doc = self.report(2024, "2025-04-15T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("missed", 0, 0)] * 11 + [("met", 1, 0)],
            quarters=[("missed", 0, 0)] * 4,
            year_row=("missed", 0, 0), year=2024))
        doc = self.report(2026, "2025-04-15T00:00:00+08:00")
        self.assertEqual(self.rows(doc), self.expected(
            months=[("scheduled", 0, 1)] + [("open", 0, 0)] * 11,
            quarters=[("open", 0, 0)] * 4,
            year_row=("open", 0, 0), year=2026))

    def test_csv_over_http(self):
        headers, text = self.report(2025, "2025-04-15T00:00:00+08:00", "csv")
        self.assertEqual(headers["content-type"].split(";")[0], "text/csv")
        lines = text.split("\r\n")
        self.assertEqual(lines[0], "rule,scope,period,start,end,status,held,"
                         "scheduled,min,days_left")
        self.assertEqual(lines[-1], "")
        doc = self.report(2025, "2025-04-15T00:00:00+08:00")
        self.assertEqual(self.csv_rows(text), self.json_as_csv_rows(doc))

    @staticmethod
    def csv_rows(text):
        return list(csv.reader(io.StringIO(text, newline="")))[1:]

    @staticmethod
    def json_as_csv_rows(doc):
        return [[p["rule"], p["scope"], p["period"], p["start"], p["end"],
                 p["status"], str(p["held"]), str(p["scheduled"]),
                 str(p["min"]), str(p.get("days_left", ""))]
                for p in doc["periods"]]

    # ---- CLI (the server keeps running: WAL lets the CLI read) ----

    def cadence_cli(self, *args):
        return self.srv.cli("cadence", "--db", self.srv.db_path, *args)

    def test_cli_json_matches_http(self):
        for year, as_of in ((2025, "2025-04-15T00:00:00+08:00"),
                            (2025, "2025-06-15T00:00:00+08:00"),
                            (2025, "2026-01-15T00:00:00+08:00"),
                            (2026, "2025-04-15T00:00:00+08:00")):
            with self.subTest(year=year, as_of=as_of):
                rc, out, err = self.cadence_cli("--year", str(year),
                                                "--as-of", as_of,
                                                "--format", "json")
                http_doc = self.report(year, as_of)
                cli_doc = json.loads(out)
                self.assertEqual(cli_doc["periods"], http_doc["periods"])
                self.assertEqual(cli_doc, http_doc)
                missed = http_doc["summary"]["missed"]
                self.assertEqual(rc, 1 if missed else 0, err)

    def test_cli_exit_codes(self):
        rc, _, err = self.cadence_cli("--year", "2025", "--as-of",
                                      "2025-04-15T00:00:00+08:00")
        self.assertEqual(rc, 1, err)
        # every period open: nothing missed
        rc, out, err = self.cadence_cli("--year", "2030", "--as-of",
                                        "2025-04-15T00:00:00+08:00",
                                        "--format", "json")
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertEqual({p["status"] for p in doc["periods"]}, {"open"})
        self.assertEqual(len(doc["periods"]), 17)
        # 2026: one month scheduled, the rest open
        rc, _, err = self.cadence_cli("--year", "2026", "--as-of",
                                      "2025-04-15T00:00:00+08:00")
        self.assertEqual(rc, 0, err)
        # bad arguments: 2
        db = self.srv.db_path
        for args in (["cadence", "--db", db, "--year", "0"],
                     ["cadence", "--db", db, "--year", "abc"],
                     ["cadence", "--db", db],
                     ["cadence", "--db", db, "--year", "2025", "--format",
                      "xml"],
                     ["cadence", "--year", "2025"],
                     ["cadence", "--db", db, "--year", "2025", "--as-of",
                      "2025-04-15"],
                     ["cadence", "--db", db, "--year", "2025", "--rule",
                      "weekly"],
                     ["cadence", "--db", db, "--year", "2025", "--bogus"],
                     ["cadence", "--db", self.srv.db_path + ".missing",
                      "--year", "2025"]):
            with self.subTest(args=args):
                rc, out, err = self.srv.cli(*args)
                self.assertEqual(rc, 2, (out, err))
                self.assertNotEqual(err.strip(), "")

    def test_cli_csv(self):
        as_of = "2025-04-15T00:00:00+08:00"
        rc, out, err = self.cadence_cli("--year", "2025", "--as-of", as_of,
                                        "--format", "csv")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out.split("\r\n")[0],
                         "rule,scope,period,start,end,status,held,scheduled,"
                         "min,days_left")
        doc = self.report(2025, as_of)
        self.assertEqual(self.csv_rows(out), self.json_as_csv_rows(doc))
        _, http_csv = self.report(2025, as_of, "csv")
        self.assertEqual(out, http_csv)

    def test_cli_text(self):
        rc, out, err = self.cadence_cli("--year", "2025", "--as-of",
                                        "2025-04-15T00:00:00+08:00")
        self.assertEqual(rc, 1, err)
        lines = out.splitlines()
        self.assertEqual(lines[-1], "missed: 2")
        self.assertEqual(len([line for line in lines
                              if line.startswith("monthly-roadshow")]), 12)


class CadenceSeriesTest(E2ETestCase):
    def test_occurrences_count_one_by_one(self):
        self.srv = start_server(self, env={"ROADSHOWD_NOW": NOW})
        admin = self.srv.token("admin")
        status, _, e = self.srv.json(
            "POST", "/api/v1/events", token=admin,
            body=ev_body("roadshow", "月度路演", "2025-06-05T10:00:00+08:00",
                         "2025-06-05T12:00:00+08:00",
                         rrule="FREQ=MONTHLY;COUNT=3",
                         carrier="pinghu-maker-space"))
        self.assertEqual((status, e.get("rrule")),
                         (201, "FREQ=MONTHLY;COUNT=3"))
        status, _, doc = self.srv.json(
            "GET", "/api/v1/cadence?year=2025&rule=monthly-roadshow&as_of="
            + q("2025-07-10T00:00:00+08:00"))
        self.assertEqual(status, 200, doc)
        rows = {p["period"]: (p["status"], p["held"], p["scheduled"])
                for p in doc["periods"]}
        self.assertEqual(len(rows), 12)
        self.assertEqual((rows["2025-05"], rows["2025-06"], rows["2025-07"],
                          rows["2025-08"], rows["2025-09"]),
                         (("missed", 0, 0), ("met", 1, 0), ("met", 1, 0),
                          ("scheduled", 0, 1), ("open", 0, 0)))
        self.assertEqual({p["rule"] for p in doc["periods"]},
                         {"monthly-roadshow"})


# ---------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------

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


class FeedTest(E2ETestCase):
    """Events posted once; the tests only read the feeds."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start_class_server(cls, env={"ROADSHOWD_NOW": NOW})
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
        self.srv = start_server(self, env={"ROADSHOWD_NOW": NOW})
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
        self.srv = start_server(self, env={"ROADSHOWD_NOW": NOW})
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
# Restart
# ---------------------------------------------------------------------------

class RestartTest(E2ETestCase):
    def test_restart_keeps_data_and_seeds_once(self):
        # Real clock, an event in 2025: widen the default feed window
        # (180 days back, issue 10).
        self.srv = start_server(self, extra_args=["--feed-days", "36500"])
        admin = self.srv.token("admin")
        status, _, e = self.srv.json(
            "POST", "/api/v1/events", token=admin,
            body=ev_body("roadshow", "重启前的路演", "2025-03-01T00:30:00+08:00",
                         "2025-03-01T02:30:00+08:00",
                         carrier="pinghu-maker-space",
                         partner_regions=["yunyang"]))
        self.assertEqual(status, 201)
        _, _, feed1 = self.srv.request("GET", "/calendar.ics")
        self.assertEqual(self.srv.stop(), 0)

        self.srv.start()
        self.assertEqual(stored_event(self, self.srv, admin, e["id"]), e)
        _, _, regions = self.srv.json("GET", "/api/v1/regions")
        self.assertEqual(len(regions["items"]), 13)
        self.assertEqual(regions["annex_totals"]["mismatches"], [])
        _, _, carriers = self.srv.json("GET", "/api/v1/carriers")
        self.assertEqual(len(carriers["items"]), 22)
        _, _, rep = self.srv.json(
            "GET", "/api/v1/cadence?year=2025&as_of=%s"
            % q("2025-04-15T00:00:00+08:00"))
        self.assertEqual([p["period"] for p in rep["periods"]
                          if p["rule"] == "monthly-roadshow"
                          and p["status"] == "met"], ["2025-03"])
        self.assertEqual(len(rep["rules"]), 3)
        # the old token still works
        status, _, p = self.srv.json("PATCH", "/api/v1/events/%d" % e["id"],
                                     token=admin, body={"venue": "新场地"})
        self.assertEqual((status, p["sequence"], p["revision"]), (200, 1, 2))
        _, _, feed2 = self.srv.request("GET", "/calendar.ics")
        ve = vevents(parse_feed(self, feed2))
        self.assertEqual(list(ve), [e["uid"]])


if __name__ == "__main__":
    unittest.main()
