"""
End-to-end tests of roadshowd's places and events over real HTTP: regions
and carriers, events (create, get, list filters, PATCH with If-Match,
cancel), bad input (4xx problem+json, nothing stored), restart.
Series (first occurrence, exceptions, list window): test_events_series.py;
the cadence report: test_cadence.py; feeds: test_feeds*.py.

Every value is asserted exactly. Run with:
    /usr/bin/python3 -m unittest discover -v -s tests/e2e -p 'test_*.py'
"""
import json
import unittest
import urllib.parse
from datetime import datetime, timedelta, timezone

from harness import E2ETestCase, start_class_server, start_server
from helpers import ev_body, parse_feed, q, vevents

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
        self.srv = start_server(self, now=NOW)
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
        cls.srv = start_class_server(cls, now=NOW)
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
