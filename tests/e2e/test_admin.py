"""Admin data (issue 9): carriers, regions and targets, API tokens, the
audit trail and event history, against the real binary.

The server's test clock stands at 2025-03-15 12:00 +08:00; token expiry
is crossed by moving it on (srv.set_now).
"""
import json
import unittest

import test_dashboard
from harness import E2ETestCase, start_server

NOW = "2025-03-15T12:00:00+08:00"
NOW_UTC = "2025-03-15T04:00:00Z"

NEW_CARRIER = {
    "slug": "longju-hub",
    "name": "龙驹镇科技孵化器",
    "name_en": "Longju Tech Incubator",
    "kind": "incubator",
    "level": "district",
    "recognised_on": "2024-11-20",
    "region": "longju",
    "address": "万州区龙驹镇龙驹大道 8 号",
    "geo": {"lat": 30.625, "lon": 108.5},
    "website": "https://longju-hub.example.cn/",
    "contact": "龙驹镇经发办 023-5888 0000",
}


def without_feed(doc):
    return {k: v for k, v in doc.items() if k != "feed"}


class AdminCase(E2ETestCase):
    def setUp(self):
        self.srv = start_server(self, now=NOW)
        self.admin = self.srv.token("admin")                  # token 1
        self.org = self.srv.token("organiser", "pinghu-maker-space")  # 2

    def get(self, path, token=None):
        status, _, doc = self.srv.json("GET", path, token=token)
        self.assertEqual(status, 200, doc)
        return doc

    def call(self, method, path, body=None, token=None):
        return self.srv.json(method, path, body=body, token=token)

    def audit(self, query=""):
        return self.get("/api/v1/audit" + query, token=self.admin)["items"]

    def event(self, token, **fields):
        body = {"kind": "roadshow", "title": "项目路演",
                "start": "2025-03-05T14:00:00+08:00",
                "end": "2025-03-05T16:00:00+08:00"}
        body.update(fields)
        status, _, doc = self.call("POST", "/api/v1/events", body, token)
        self.assertEqual(status, 201, doc)
        return doc

    def state(self):
        """Everything an admin write could change."""
        return {
            "carriers": self.get("/api/v1/carriers"),
            "regions": self.get("/api/v1/regions"),
            "rules": self.get("/api/v1/rules"),
            "subscriptions": self.get("/api/v1/subscriptions",
                                      token=self.admin),
            "tokens": self.get("/api/v1/tokens", token=self.admin),
            "audit": self.get("/api/v1/audit", token=self.admin),
        }


class CarrierTest(AdminCase):
    def test_new_carrier_in_longju_has_feed_lists_and_cadence(self):
        status, _, doc = self.call("POST", "/api/v1/carriers", NEW_CARRIER,
                                   self.admin)
        self.assertEqual(status, 201, doc)
        expected = dict(NEW_CARRIER, retired_from=None)
        self.assertEqual(without_feed(doc), expected)
        base = self.srv.base_url
        self.assertEqual(doc["feed"], {
            "url": base + "/calendars/carriers/longju-hub.ics",
            "webcal": "webcal://127.0.0.1:%d/calendars/carriers/"
                      "longju-hub.ics" % self.srv.port})

        # lists: all carriers, the region's carriers, the carrier itself
        slugs = [c["slug"] for c in self.get("/api/v1/carriers")["items"]]
        self.assertEqual(len(slugs), 23)
        self.assertIn("longju-hub", slugs)
        self.assertEqual(
            [c["slug"] for c in
             self.get("/api/v1/carriers?region=longju")["items"]],
            ["longteng-maker-space", "longju-hub"])
        self.assertEqual(without_feed(self.get("/api/v1/carriers/"
                                               "longju-hub")), expected)

        # its organiser (token made through the API) posts; the feed has it
        status, _, tok = self.call("POST", "/api/v1/tokens", {
            "role": "organiser", "carrier": "longju-hub",
            "label": "龙驹 孵化器"}, self.admin)
        self.assertEqual(status, 201, tok)
        ev = self.event(tok["token"], title="龙驹三月路演")
        self.assertEqual((ev["carrier"], ev["region"]),
                         ("longju-hub", "longju"))
        status, hdrs, body = self.srv.request(
            "GET", "/calendars/carriers/longju-hub.ics")
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"],
                         "text/calendar; charset=utf-8")
        text = body.decode("utf-8")
        self.assertIn("\r\nUID:%s\r\n" % ev["uid"], text)
        self.assertIn("\r\nSUMMARY:龙驹三月路演\r\n", text)

        # cadence by=carrier: its own row, met in March, open in April;
        # the months before the admin added it (2025-03-15) are untracked,
        # not missed, while the annex's carriers are judged all year
        rep = self.get("/api/v1/cadence?year=2025&by=carrier"
                       "&rule=monthly-roadshow")
        rows = {p["period"]: (p["status"], p["held"], p["scheduled"])
                for p in rep["periods"] if p["scope"] == "carrier:longju-hub"}
        self.assertEqual(len(rows), 12)
        self.assertEqual(rows["2025-03"], ("met", 1, 0))
        self.assertEqual(rows["2025-02"], ("untracked", 0, 0))
        self.assertEqual(rows["2025-04"], ("open", 0, 0))
        annex = {p["period"]: p["status"] for p in rep["periods"]
                 if p["scope"] == "carrier:longteng-maker-space"}
        self.assertEqual(annex["2025-02"], "missed")
        scopes = [p["scope"] for p in rep["periods"] if p["period"] ==
                  "2025-03"]
        self.assertEqual(len(scopes), 23)
        self.assertEqual(scopes[-1], "carrier:longju-hub")

        # the audit row: who, what, before/after
        rows = self.audit("?object_type=carrier")
        self.assertEqual(len(rows), 1)
        self.assertEqual({k: rows[0][k] for k in (
            "at", "actor", "object_type", "object_id", "action", "before",
            "after")}, {"at": NOW_UTC, "actor": "admin:token-1",
                        "object_type": "carrier", "object_id": "longju-hub",
                        "action": "create", "before": None,
                        "after": expected})

    def test_rename_keeps_feed_url(self):
        ev = self.event(self.org)
        status, _, doc = self.call("PATCH",
                                   "/api/v1/carriers/pinghu-maker-space",
                                   {"name": "平湖创新工场",
                                    "name_en": "Pinghu Innovation Works"},
                                   self.admin)
        self.assertEqual(status, 200, doc)
        self.assertEqual((doc["slug"], doc["name"]),
                         ("pinghu-maker-space", "平湖创新工场"))
        self.assertTrue(doc["feed"]["url"].endswith(
            "/calendars/carriers/pinghu-maker-space.ics"))
        status, _, body = self.srv.request(
            "GET", "/calendars/carriers/pinghu-maker-space.ics")
        self.assertEqual(status, 200)
        text = body.decode("utf-8")
        self.assertIn("\r\nUID:%s\r\n" % ev["uid"], text)
        self.assertIn("ORGANIZER;CN=平湖创新工场:", text)
        self.assertEqual(self.get("/api/v1/events/%d" % ev["id"],
                                  token=self.admin)["carrier_name"],
                         "平湖创新工场")

    def test_level_change_shows_in_carrier_and_audit(self):
        before = without_feed(self.get("/api/v1/carriers/"
                                       "pinghu-maker-space"))
        self.assertEqual(before["level"], "none")
        status, _, doc = self.call("PATCH",
                                   "/api/v1/carriers/pinghu-maker-space",
                                   {"level": "municipal",
                                    "recognised_on": "2025-03-10"},
                                   self.admin)
        self.assertEqual(status, 200, doc)
        after = dict(before, level="municipal", recognised_on="2025-03-10")
        self.assertEqual(without_feed(doc), after)
        self.assertEqual(without_feed(self.get(
            "/api/v1/carriers/pinghu-maker-space")), after)
        self.assertEqual(
            [c["level"] for c in self.get("/api/v1/carriers")["items"]
             if c["slug"] == "pinghu-maker-space"], ["municipal"])
        rows = self.audit("?object_type=carrier&object_id="
                          "pinghu-maker-space")
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["action"], rows[0]["actor"]),
                         ("update", "admin:token-1"))
        self.assertEqual(rows[0]["before"], before)
        self.assertEqual(rows[0]["after"], after)
        self.assertEqual((rows[0]["before"]["level"],
                          rows[0]["after"]["level"]), ("none", "municipal"))

        # the same values again: no change, no audit row
        status, _, doc = self.call("PATCH",
                                   "/api/v1/carriers/pinghu-maker-space",
                                   {"level": "municipal"}, self.admin)
        self.assertEqual((status, without_feed(doc)), (200, after))
        self.assertEqual(len(self.audit("?object_type=carrier")), 1)
        status, _, doc = self.call("PATCH", "/api/v1/regions/longju",
                                   {"target_year": 2025}, self.admin)
        self.assertEqual((status, doc["target_year"]), (200, 2025))
        self.assertEqual(self.audit("?object_type=region"), [])
        # back to none: the recognition date goes with it
        status, _, doc = self.call("PATCH",
                                   "/api/v1/carriers/pinghu-maker-space",
                                   {"level": "none"}, self.admin)
        self.assertEqual((status, doc["level"], doc["recognised_on"]),
                         (200, "none", None))

    def test_retired_carrier_keeps_feed_and_report_refuses_new(self):
        ev = self.event(self.org)                 # 2025-03-05, held
        other = self.event(self.admin, carrier=None, title="全区路演",
                           start="2025-04-02T14:00:00+08:00",
                           end="2025-04-02T16:00:00+08:00")
        before = self.state()
        # a retire date on or before the last event changes nothing
        for day in ("2025-03-05", "2025-01-01"):
            resp = self.srv.request("PATCH",
                                    "/api/v1/carriers/pinghu-maker-space",
                                    body={"retired_from": day},
                                    token=self.admin)
            doc = self.assertProblem(resp, 409, "retired_from")
            self.assertIn("event %d on 2025-03-05" % ev["id"],
                          doc["errors"][0]["detail"])
        self.assertEqual(self.state(), before)

        status, _, doc = self.call("PATCH",
                                   "/api/v1/carriers/pinghu-maker-space",
                                   {"retired_from": "2025-03-06"},
                                   self.admin)
        self.assertEqual((status, doc["retired_from"]), (200, "2025-03-06"))
        rows = self.audit("?object_id=pinghu-maker-space")
        self.assertEqual((rows[0]["action"], rows[0]["before"]
                          ["retired_from"], rows[0]["after"]
                          ["retired_from"]), ("retire", None, "2025-03-06"))

        # the feed and the past report rows stay
        status, _, body = self.srv.request(
            "GET", "/calendars/carriers/pinghu-maker-space.ics")
        self.assertEqual(status, 200)
        self.assertIn("\r\nUID:%s\r\n" % ev["uid"], body.decode("utf-8"))
        self.assertIn("pinghu-maker-space", [
            c["slug"] for c in self.get("/api/v1/carriers")["items"]])
        rep = self.get("/api/v1/cadence?year=2025&by=carrier"
                       "&rule=monthly-roadshow")
        rows = [(p["period"], p["status"], p["held"]) for p in
                rep["periods"] if p["scope"] == "carrier:pinghu-maker-space"]
        # judged up to its retirement only: no "missed" months after it
        self.assertEqual(rows, [("2025-01", "missed", 0),
                                ("2025-02", "missed", 0),
                                ("2025-03", "met", 1)])
        self.assertEqual(len([p for p in rep["periods"] if p["period"] ==
                              "2025-04"]), 21)

        # no new event from the retire date on, by anyone, nor a move in
        n_events = len(self.get("/api/v1/events", token=self.admin)
                       ["items"])
        for token in (self.org, self.admin):
            resp = self.srv.request("POST", "/api/v1/events", body={
                "kind": "salon", "title": "退役后", "carrier":
                "pinghu-maker-space", "start": "2025-03-06T10:00:00+08:00"},
                token=token)
            doc = self.assertProblem(resp, 409, "carrier")
            self.assertIn("retired from 2025-03-06",
                          doc["errors"][0]["detail"])
        self.assertProblem(self.srv.request(
            "PATCH", "/api/v1/events/%d" % ev["id"],
            body={"start": "2025-03-20T14:00:00+08:00"}, token=self.org),
            409, "carrier")
        self.assertProblem(self.srv.request(
            "PATCH", "/api/v1/events/%d" % other["id"],
            body={"carrier": "pinghu-maker-space"}, token=self.admin),
            409, "carrier")
        self.assertProblem(self.srv.request(
            "POST", "/api/v1/events", body={
                "kind": "training", "title": "系列", "carrier":
                "pinghu-maker-space", "start": "2025-03-01T10:00:00+08:00",
                "rrule": "FREQ=WEEKLY;COUNT=3"}, token=self.org),
            409, "carrier")
        ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
               "BEGIN:VEVENT\r\nUID:late@example.cn\r\n"
               "DTSTAMP:20250301T000000Z\r\nDTSTART:20250401T020000Z\r\n"
               "SUMMARY:导入\r\nCATEGORIES:roadshow\r\nEND:VEVENT\r\n"
               "END:VCALENDAR\r\n").encode()
        self.assertProblem(self.srv.request(
            "POST", "/api/v1/events/import?carrier=pinghu-maker-space",
            raw=ics, token=self.org,
            headers={"Content-Type": "text/calendar"}), 409, "carrier")
        self.assertEqual(len(self.get("/api/v1/events", token=self.admin)
                             ["items"]), n_events)
        self.assertEqual(self.get("/api/v1/events/%d" % ev["id"],
                                  token=self.admin)["start"],
                         "2025-03-05T14:00:00+08:00")
        # what it held can still be edited in place, and cancelled
        status, _, doc = self.call("PATCH", "/api/v1/events/%d" % ev["id"],
                                   {"venue": "平湖 1 楼"}, self.org)
        self.assertEqual((status, doc["venue"]), (200, "平湖 1 楼"))


class RegionTest(AdminCase):
    def test_targets_change_keeps_annex_plan(self):
        before = self.get("/api/v1/regions")
        longju = [r for r in before["items"] if r["slug"] == "longju"][0]
        annex = {"area_10k_m2": 0.5, "enterprises_and_teams": 50,
                 "tech_enterprises": 10}
        self.assertEqual((longju["targets"], longju["annex_targets"],
                          longju["target_year"]), (annex, annex, 2025))
        status, _, doc = self.call("PATCH", "/api/v1/regions/longju", {
            "targets": {"area_10k_m2": 1.2, "tech_enterprises": 15},
            "target_year": 2026}, self.admin)
        self.assertEqual(status, 200, doc)
        new = {"area_10k_m2": 1.2, "enterprises_and_teams": 50,
               "tech_enterprises": 15}
        self.assertEqual((doc["targets"], doc["annex_targets"],
                          doc["target_year"]), (new, annex, 2026))
        after = self.get("/api/v1/regions")
        # the annex's printed totals are the plan, not the change
        self.assertEqual(after["annex_totals"], before["annex_totals"])
        rows = self.audit("?object_type=region")
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["object_id"], rows[0]["action"],
                          rows[0]["before"]["targets"],
                          rows[0]["after"]["targets"],
                          rows[0]["after"]["annex_targets"]),
                         ("longju", "update", annex, new, annex))

    def test_new_region_and_partner(self):
        status, _, doc = self.call("POST", "/api/v1/regions", {
            "slug": "wuqiao", "name": "五桥街道",
            "name_en": "Wuqiao Subdistrict", "kind": "street",
            "targets": {"area_10k_m2": 2, "enterprises_and_teams": 40,
                        "tech_enterprises": 8},
            "target_year": 2025}, self.admin)
        self.assertEqual(status, 201, doc)
        self.assertEqual(without_feed(doc), {
            "slug": "wuqiao", "name": "五桥街道",
            "name_en": "Wuqiao Subdistrict", "kind": "street",
            "partner": False, "targets": {
                "area_10k_m2": 2.0, "enterprises_and_teams": 40,
                "tech_enterprises": 8}, "target_year": 2025,
            "annex_targets": None})
        status, _, doc = self.call("POST", "/api/v1/regions", {
            "slug": "wulong", "name": "武隆区", "name_en": "Wulong District",
            "kind": "partner"}, self.admin)
        self.assertEqual((status, doc["partner"], doc["targets"]),
                         (201, True, None))
        self.assertTrue(doc["feed"]["url"].endswith(
            "/calendars/partners/wulong.ics"))
        items = self.get("/api/v1/regions")["items"]
        self.assertEqual([r["slug"] for r in items][8:10],
                         ["longju", "wuqiao"])
        self.assertEqual(items[-1]["slug"], "wulong")
        for path in ("/calendars/regions/wuqiao.ics",
                     "/calendars/partners/wulong.ics"):
            self.assertEqual(self.srv.request("GET", path)[0], 200, path)
        # a carrier in the new region; an event with the new partner
        c = dict(NEW_CARRIER, slug="wuqiao-space", region="wuqiao")
        self.assertEqual(self.call("POST", "/api/v1/carriers", c,
                                   self.admin)[0], 201)
        ev = self.event(self.admin, carrier="wuqiao-space",
                        partner_regions=["wulong"])
        self.assertEqual((ev["region"], ev["partner_regions"]),
                         ("wuqiao", ["wulong"]))
        self.assertEqual([r["action"] for r in self.audit(
            "?object_type=region")], ["create", "create"])


class PermissionTest(AdminCase):
    WRITES = [
        ("POST", "/api/v1/carriers", NEW_CARRIER),
        ("PATCH", "/api/v1/carriers/pinghu-maker-space",
         {"level": "national"}),
        ("POST", "/api/v1/regions", {"slug": "wuqiao", "name": "五桥街道",
                                     "kind": "street"}),
        ("PATCH", "/api/v1/regions/longju", {"target_year": 2026}),
        ("GET", "/api/v1/tokens", None),
        ("POST", "/api/v1/tokens", {"role": "admin"}),
        ("DELETE", "/api/v1/tokens/1", None),
        ("POST", "/api/v1/tokens/1/revoke", None),
        ("GET", "/api/v1/audit", None),
        ("POST", "/api/v1/rules", {"id": "x", "name": "x",
                                   "kinds": ["roadshow"],
                                   "period": "month"}),
        ("PATCH", "/api/v1/rules/monthly-roadshow", {"min": 2}),
        ("DELETE", "/api/v1/rules/monthly-roadshow", None),
        ("POST", "/api/v1/subscriptions", {"label": "x"}),
        ("DELETE", "/api/v1/subscriptions/1", None),
    ]

    def test_organiser_gets_403_and_nothing_changes(self):
        self.assertEqual(self.call("POST", "/api/v1/subscriptions",
                                   {"label": "王科长"}, self.admin)[0], 201)
        before = self.state()
        for method, path, body in self.WRITES:
            with self.subTest(method=method, path=path):
                self.assertProblem(self.srv.request(method, path, body=body,
                                                    token=self.org), 403)
                resp = self.srv.request(method, path, body=body)
                self.assertProblem(resp, 401)
                self.assertEqual(resp[1]["www-authenticate"],
                                 'Bearer realm="roadshowd"')
        self.assertEqual(self.state(), before)
        # the organiser's token still works for its own events
        self.event(self.org)


class HistoryTest(AdminCase):
    def test_create_update_cancel_delete(self):
        ev = self.event(self.org, title="三月路演")
        path = "/api/v1/events/%d" % ev["id"]
        self.assertEqual(self.call("PATCH", path, {"title": "三月项目路演"},
                                   self.org)[0], 200)
        self.assertEqual(self.call("POST", path + "/cancel", None,
                                   self.org)[0], 200)
        self.assertEqual(self.srv.request("DELETE", path,
                                          token=self.admin)[0], 204)
        for token in (self.admin, self.org):
            rows = self.get(path + "/history", token=token)["items"]
            self.assertEqual([(r["action"], r["actor"], r["at"],
                               r["event_id"], r["uid"]) for r in rows], [
                ("create", "organiser:pinghu-maker-space:token-2", NOW_UTC,
                 ev["id"], ev["uid"]),
                ("update", "organiser:pinghu-maker-space:token-2", NOW_UTC,
                 ev["id"], ev["uid"]),
                ("update", "organiser:pinghu-maker-space:token-2", NOW_UTC,
                 ev["id"], ev["uid"]),
                ("delete", "admin:token-1", NOW_UTC, ev["id"], ev["uid"])])
            self.assertIsNone(rows[0]["before"])
            self.assertEqual((rows[0]["after"]["title"],
                              rows[0]["after"]["status"],
                              rows[0]["after"]["revision"]),
                             ("三月路演", "CONFIRMED", 1))
            self.assertEqual((rows[1]["before"]["title"],
                              rows[1]["after"]["title"],
                              rows[1]["after"]["sequence"]),
                             ("三月路演", "三月项目路演", 1))
            self.assertEqual((rows[2]["before"]["status"],
                              rows[2]["after"]["status"],
                              rows[2]["after"]["sequence"]),
                             ("CONFIRMED", "CANCELLED", 2))
            self.assertEqual((rows[3]["before"]["status"],
                              rows[3]["before"]["title"], rows[3]["after"]),
                             ("CANCELLED", "三月项目路演", None))
            self.assertEqual(rows[0]["after"]["carrier"],
                             "pinghu-maker-space")

    def test_who_may_read(self):
        ev = self.event(self.org)
        path = "/api/v1/events/%d/history" % ev["id"]
        other = self.srv.token("organiser", "longteng-maker-space")
        self.assertProblem(self.srv.request("GET", path, token=other), 403)
        self.assertProblem(self.srv.request("GET", path), 401)
        self.assertProblem(self.srv.request(
            "GET", "/api/v1/events/999/history", token=self.admin), 404)
        self.assertProblem(self.srv.request(
            "GET", "/api/v1/events/x/history", token=self.admin), 404)
        self.assertEqual(len(self.get(path, token=self.org)["items"]), 1)
        # another carrier's TENTATIVE event is not even seen: 404, as its
        # GET answers, not a 403 that tells it exists
        tent = self.event(self.org, status="TENTATIVE")
        for p in ("/api/v1/events/%d" % tent["id"],
                  "/api/v1/events/%d/history" % tent["id"]):
            self.assertProblem(self.srv.request("GET", p, token=other),
                               404)
        self.assertEqual(len(self.get("/api/v1/events/%d/history"
                                      % tent["id"], token=self.org)
                             ["items"]), 1)


class TokenTest(AdminCase):
    def use(self, token):
        return self.srv.request("GET", "/api/v1/audit?limit=1",
                                token=token)[0]

    def test_expiry_takes_effect_at_once(self):
        status, _, api = self.call("POST", "/api/v1/tokens", {
            "role": "admin", "label": "临时", "expires":
            "2025-03-15T13:00:00+08:00"}, self.admin)
        self.assertEqual(status, 201, api)
        self.assertRegex(api["token"], r"^rsd_[0-9a-f]{64}$")
        self.assertEqual({k: v for k, v in api.items() if k != "token"}, {
            "id": 3, "role": "admin", "carrier": None, "label": "临时",
            "created": NOW_UTC, "expires": "2025-03-15T05:00:00Z",
            "revoked": None, "live": True})
        rc, out, err = self.srv.cli(
            "token", "create", "--db", self.srv.db_path, "--role",
            "organiser", "--carrier", "pinghu-maker-space", "--expires",
            "2025-03-15T12:30:00+08:00")
        self.assertEqual(rc, 0, err)
        cli = out.strip().splitlines()[-1]
        rc, out, err = self.srv.cli("token", "list", "--db",
                                    self.srv.db_path)
        self.assertEqual([line.split()[5] for line in out.splitlines()],
                         ["EXPIRES", "-", "-", "2025-03-15T05:00:00Z",
                          "2025-03-15T04:30:00Z"])
        self.assertEqual(self.use(api["token"]), 200)
        self.assertEqual(self.srv.request("POST", "/api/v1/events", body={
            "kind": "salon", "title": "沙龙",
            "start": "2025-03-20T14:00:00+08:00"}, token=cli)[0], 201)
        listed = self.get("/api/v1/tokens", token=self.admin)["items"]
        self.assertNotIn(api["token"], json.dumps(listed))
        self.assertNotIn("token", listed[2])
        self.assertEqual([(t["id"], t["expires"], t["live"])
                          for t in listed],
                         [(1, None, True), (2, None, True),
                          (3, "2025-03-15T05:00:00Z", True),
                          (4, "2025-03-15T04:30:00Z", True)])

        # half past twelve: the CLI token is over, the API one not yet
        self.srv.set_now("2025-03-15T12:30:00+08:00")
        status, hdrs, _ = self.srv.request("POST", "/api/v1/events", body={
            "kind": "salon", "title": "沙龙",
            "start": "2025-03-21T14:00:00+08:00"}, token=cli)
        self.assertEqual(status, 401)
        self.assertEqual(hdrs["www-authenticate"], 'Bearer realm="roadshowd"')
        self.assertEqual(self.use(api["token"]), 200)
        # one o'clock (the expiry itself): the API token is over too
        self.srv.set_now("2025-03-15T13:00:00+08:00")
        self.assertEqual(self.use(api["token"]), 401)
        self.assertEqual(self.use(self.admin), 200)
        self.assertEqual([t["live"] for t in self.get(
            "/api/v1/tokens", token=self.admin)["items"]],
            [True, True, False, False])

        rows = self.audit("?object_type=token")
        self.assertEqual([(r["object_id"], r["actor"], r["action"])
                          for r in rows],
                         [("4", "cli", "create"),
                          ("3", "admin:token-1", "create"),
                          ("2", "cli", "create"), ("1", "cli", "create")])
        self.assertEqual(rows[1]["after"], {
            "id": 3, "role": "admin", "carrier": None, "label": "临时",
            "created": NOW_UTC, "expires": "2025-03-15T05:00:00Z",
            "revoked": None})
        for bad in ("2025-03-15T11:00:00+08:00", "tomorrow"):
            rc, _, err = self.srv.cli("token", "create", "--db",
                                      self.srv.db_path, "--role", "admin",
                                      "--expires", bad)
            self.assertEqual(rc, 2, err)
            self.assertIn("--expires", err)

    def test_revocation_takes_effect_at_once(self):
        status, _, t = self.call("POST", "/api/v1/tokens", {
            "role": "organiser", "carrier": "pinghu-maker-space"},
            self.admin)
        self.assertEqual(status, 201, t)
        self.assertEqual(self.srv.request("POST", "/api/v1/events", body={
            "kind": "salon", "title": "沙龙",
            "start": "2025-03-20T14:00:00+08:00"}, token=t["token"])[0], 201)
        status, _, doc = self.call("POST", "/api/v1/tokens/%d/revoke"
                                   % t["id"], None, self.admin)
        self.assertEqual((status, doc["revoked"], doc["live"]),
                         (200, NOW_UTC, False))
        self.assertEqual(self.srv.request("POST", "/api/v1/events", body={
            "kind": "salon", "title": "沙龙",
            "start": "2025-03-21T14:00:00+08:00"}, token=t["token"])[0], 401)
        self.assertProblem(self.srv.request(
            "DELETE", "/api/v1/tokens/%d" % t["id"], token=self.admin), 409)
        self.assertProblem(self.srv.request(
            "DELETE", "/api/v1/tokens/99", token=self.admin), 404)
        # DELETE revokes too (204), an admin may revoke its own token
        spare = self.srv.token("admin")
        status, _, _ = self.srv.request("DELETE", "/api/v1/tokens/2",
                                        token=spare)
        self.assertEqual(status, 204)
        self.assertEqual(self.use(self.org), 401)
        rows = self.audit("?object_type=token&actor=admin:token-4")
        self.assertEqual([(r["object_id"], r["action"],
                           r["before"]["revoked"], r["after"]["revoked"])
                          for r in rows], [("2", "revoke", None, NOW_UTC)])
        rows = self.audit("?object_type=token&object_id=%d" % t["id"])
        self.assertEqual([r["action"] for r in rows], ["revoke", "create"])


class AuditTest(AdminCase):
    def test_rules_and_subscriptions_record_the_real_actor(self):
        second = self.srv.token("admin")          # token 3
        status, _, rule = self.call("POST", "/api/v1/rules", {
            "id": "quarterly-roadshow-by-region", "name": "各区域季季有路演",
            "kinds": ["roadshow"], "period": "quarter", "min": 1,
            "scope": "region"}, second)
        self.assertEqual(status, 201, rule)
        self.assertEqual(rule["versions"][0]["actor"], "admin:token-3")
        status, _, changed = self.call(
            "PATCH", "/api/v1/rules/quarterly-roadshow-by-region",
            {"min": 2}, self.admin)
        self.assertEqual(status, 200, changed)
        self.assertEqual(self.call(
            "DELETE", "/api/v1/rules/monthly-roadshow", None,
            self.admin)[0], 200)
        status, _, sub = self.call("POST", "/api/v1/subscriptions",
                                   {"label": "区科技局 王科长"}, second)
        self.assertEqual(status, 201, sub)
        self.assertEqual(self.srv.request(
            "DELETE", "/api/v1/subscriptions/%d" % sub["id"],
            token=self.admin)[0], 204)

        rows = self.audit("?object_type=rule")
        self.assertEqual([(r["object_id"], r["action"], r["actor"])
                          for r in rows], [
            ("monthly-roadshow", "retire", "admin:token-1"),
            ("quarterly-roadshow-by-region", "update", "admin:token-1"),
            ("quarterly-roadshow-by-region", "create", "admin:token-3")])
        self.assertEqual((rows[1]["before"]["min"], rows[1]["after"]["min"]),
                         (1, 2))
        self.assertEqual(rows[2]["after"]["versions"][0]["actor"],
                         "admin:token-3")
        self.assertEqual((rows[0]["before"]["active_to"],
                          rows[0]["after"]["active_to"]),
                         (None, "2025-04-01"))
        rows = self.audit("?object_type=subscription")
        self.assertEqual([(r["action"], r["actor"]) for r in rows],
                         [("revoke", "admin:token-1"),
                          ("create", "admin:token-3")])
        self.assertEqual(rows[1]["after"]["label"], "区科技局 王科长")
        self.assertNotIn("/calendars/private/", json.dumps(rows))
        self.assertEqual((rows[0]["before"]["revoked"],
                          rows[0]["after"]["revoked"]), (None, NOW_UTC))
        self.assertEqual(len(self.audit("?actor=admin:token-3")), 2)

    def test_paging(self):
        for level in ("district", "municipal", "national", "none", "district"):
            self.assertEqual(self.call(
                "PATCH", "/api/v1/carriers/pinghu-maker-space",
                {"level": level}, self.admin)[0], 200)
        seen, cursor = [], None
        for _ in range(4):
            q = "?object_type=carrier&limit=2" + (
                "&cursor=" + cursor if cursor else "")
            doc = self.get("/api/v1/audit" + q, token=self.admin)
            seen += [r["after"]["level"] for r in doc["items"]]
            cursor = doc["next_cursor"]
            if cursor is None:
                break
        self.assertIsNone(cursor)
        self.assertEqual(seen, ["district", "none", "national", "municipal",
                                "district"])
        for q in ("limit=0", "limit=501", "limit=x", "cursor=-1",
                  "cursor=abc"):
            self.assertProblem(self.srv.request(
                "GET", "/api/v1/audit?" + q, token=self.admin), 400,
                q.split("=")[0])


class BadInputTest(AdminCase):
    def carrier(self, **changes):
        body = dict(NEW_CARRIER)
        for k, v in changes.items():
            if v is KeyError:
                body.pop(k)
            else:
                body[k] = v
        return body

    def test_bad_input_names_the_field_and_stores_nothing(self):
        ev = self.event(self.org)
        cases = [
            ("POST", "/api/v1/carriers", self.carrier(region="nowhere"),
             400, "region"),
            ("POST", "/api/v1/carriers", self.carrier(region="dazhou"),
             400, "region"),
            ("POST", "/api/v1/carriers",
             self.carrier(slug="pinghu-maker-space"), 409, "slug"),
            ("POST", "/api/v1/carriers", self.carrier(level="provincial"),
             400, "level"),
            ("POST", "/api/v1/carriers", self.carrier(slug="龙驹-hub"),
             400, "slug"),
            ("POST", "/api/v1/carriers", self.carrier(slug="Longju"),
             400, "slug"),
            ("POST", "/api/v1/carriers", self.carrier(slug="-x"), 400,
             "slug"),
            ("POST", "/api/v1/carriers", self.carrier(slug="x" * 65), 400,
             "slug"),
            ("POST", "/api/v1/carriers", self.carrier(slug=KeyError), 400,
             "slug"),
            ("POST", "/api/v1/carriers", self.carrier(name=KeyError), 400,
             "name"),
            ("POST", "/api/v1/carriers", self.carrier(name="a\nb"), 400,
             "name"),
            ("POST", "/api/v1/carriers", self.carrier(kind="park"), 400,
             "kind"),
            ("POST", "/api/v1/carriers", self.carrier(website="ftp://x.cn"),
             400, "website"),
            ("POST", "/api/v1/carriers", self.carrier(website="https://"),
             400, "website"),
            ("POST", "/api/v1/carriers", self.carrier(website="http:///x"),
             400, "website"),
            ("POST", "/api/v1/carriers", self.carrier(geo={"lat": 91,
                                                           "lon": 0}),
             400, "geo"),
            ("POST", "/api/v1/carriers",
             self.carrier(recognised_on="2024-02-30"), 400, "recognised_on"),
            ("POST", "/api/v1/carriers",
             self.carrier(level="none"), 400, "recognised_on"),
            ("POST", "/api/v1/carriers", self.carrier(owner="x"), 400,
             "owner"),
            ("PATCH", "/api/v1/carriers/pinghu-maker-space",
             {"slug": "pinghu"}, 400, "slug"),
            ("PATCH", "/api/v1/carriers/pinghu-maker-space",
             {"level": "provincial"}, 400, "level"),
            ("PATCH", "/api/v1/carriers/pinghu-maker-space",
             {"region": "nowhere"}, 400, "region"),
            ("PATCH", "/api/v1/carriers/pinghu-maker-space",
             {"retired_from": "2025-03-01"}, 409, "retired_from"),
            ("PATCH", "/api/v1/carriers/pinghu-maker-space",
             {"retired_from": "soon"}, 400, "retired_from"),
            ("POST", "/api/v1/regions", {"slug": "longju", "name": "龙驹镇",
                                         "kind": "town"}, 409, "slug"),
            ("POST", "/api/v1/regions", {"slug": "wuqiao", "name": "五桥",
                                         "kind": "village"}, 400, "kind"),
            ("POST", "/api/v1/regions", {"slug": "五桥", "name": "五桥",
                                         "kind": "street"}, 400, "slug"),
            ("POST", "/api/v1/regions", {
                "slug": "wuqiao", "name": "五桥", "kind": "street",
                "targets": {"area_10k_m2": 1}, "target_year": 2025},
             400, "targets"),
            ("POST", "/api/v1/regions", {
                "slug": "wuqiao", "name": "五桥", "kind": "street",
                "targets": {"area_10k_m2": -1, "enterprises_and_teams": 1,
                            "tech_enterprises": 1}, "target_year": 2025},
             400, "targets.area_10k_m2"),
            ("POST", "/api/v1/regions", {
                "slug": "wuqiao", "name": "五桥", "kind": "street",
                "targets": {"area_10k_m2": 1, "enterprises_and_teams": 1,
                            "tech_enterprises": 1}}, 400, "target_year"),
            ("POST", "/api/v1/regions", {
                "slug": "wulong", "name": "武隆", "kind": "partner",
                "targets": {"area_10k_m2": 1, "enterprises_and_teams": 1,
                            "tech_enterprises": 1}, "target_year": 2025},
             400, "targets"),
            ("PATCH", "/api/v1/regions/longju", {"kind": "partner"}, 400,
             "kind"),
            ("PATCH", "/api/v1/regions/longju", {"target_year": 1999}, 400,
             "target_year"),
            ("PATCH", "/api/v1/regions/longju",
             {"targets": {"tech_enterprises": 1.5}}, 400,
             "targets.tech_enterprises"),
            ("PATCH", "/api/v1/regions/dazhou", {"slug": "dz"}, 400, "slug"),
            ("POST", "/api/v1/tokens", {"role": "boss"}, 400, "role"),
            ("POST", "/api/v1/tokens", {"role": "organiser"}, 400,
             "carrier"),
            ("POST", "/api/v1/tokens", {"role": "organiser",
                                        "carrier": "nowhere"}, 400,
             "carrier"),
            ("POST", "/api/v1/tokens", {"role": "admin", "expires":
                                        "2025-03-15T11:59:59+08:00"}, 400,
             "expires"),
            ("POST", "/api/v1/tokens", {"role": "admin", "secret": "x"},
             400, "secret"),
        ]
        before = self.state()
        for method, path, body, status, field in cases:
            with self.subTest(method=method, path=path, body=body):
                doc = self.assertProblem(self.srv.request(
                    method, path, body=body, token=self.admin), status,
                    field)
                self.assertTrue(doc["detail"].startswith(field + ": "),
                                doc["detail"])
        for raw in (b"{", b"[]", b'{"slug": "a", "slug": "b"}'):
            self.assertProblem(self.srv.request(
                "POST", "/api/v1/carriers", raw=raw, token=self.admin,
                headers={"Content-Type": "application/json"}), 400, "body")
        self.assertEqual(self.state(), before)
        self.assertEqual(self.get("/api/v1/events/%d" % ev["id"],
                                  token=self.admin)["revision"], 1)
        for field, value in (("recognised_on", "2024-02-30"),
                             ("retired_from", "soon"),
                             ("retired_from", "1969-12-31")):
            doc = self.assertProblem(self.srv.request(
                "PATCH", "/api/v1/carriers/pinghu-maker-space",
                body={field: value}, token=self.admin), 400, field)
            self.assertEqual(doc["errors"][0]["code"], "bad_date", value)
        self.assertEqual(self.state(), before)
        self.assertProblem(self.srv.request(
            "PATCH", "/api/v1/carriers/nowhere", body={"level": "none"},
            token=self.admin), 404)
        self.assertProblem(self.srv.request(
            "PATCH", "/api/v1/regions/nowhere", body={"name": "x"},
            token=self.admin), 404)


class DashboardCarrierTest(AdminCase):
    """The dashboard (headless Chromium, as in test_dashboard) shows a new
    carrier's heatmap row and its subscribe link."""

    def test_new_carrier_on_dashboard(self):
        import json
        import os
        import subprocess
        if not os.access(test_dashboard.CHROMIUM, os.X_OK) or \
                not test_dashboard.HAVE_PLAYWRIGHT:
            self.skipTest("needs %s and tests/js/node_modules (npm ci)"
                          % test_dashboard.CHROMIUM)
        self.assertEqual(self.call("POST", "/api/v1/carriers", NEW_CARRIER,
                                   self.admin)[0], 201)
        status, _, tok = self.call("POST", "/api/v1/tokens", {
            "role": "organiser", "carrier": "longju-hub"}, self.admin)
        self.event(tok["token"])
        proc = subprocess.run(
            [test_dashboard.NODE,
             os.path.join(test_dashboard.JS_DIR, "dom_probe.mjs"),
             self.srv.base_url + "/?year=2025"],
            cwd=test_dashboard.JS_DIR, capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode()[-2000:])
        seen = json.loads(proc.stdout.decode("utf-8"))
        self.assertEqual((seen["state"], seen["console"]), ("ready", []))
        # The built-in monthly roadshow rule judges the new carrier on its
        # own row, with no rule written for it: March 2025 is met.
        cells = {(c["rule"], c["period"]): c["status"]
                 for c in seen["cells"] if c["scope"] == "carrier:longju-hub"}
        self.assertEqual(cells[("monthly-roadshow", "2025-03")], "met")
        self.assertIn("webcal://127.0.0.1:%d/calendars/carriers/"
                      "longju-hub.ics" % self.srv.port, seen["links"])

if __name__ == "__main__":
    unittest.main()
