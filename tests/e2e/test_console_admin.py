"""
The admins' console pages (issue 9) in a real browser: Debian's Chromium
driven by playwright-core (tests/js/console_admin_e2e.mjs). This test
starts roadshowd with an admin account (CLI, password on standard input),
runs the browser script, and checks over the API, with exact values, what
the admin did in the pages: the carrier added in 龙驹镇 and its feed, its
level change in the carrier and the audit trail, the refused retire date
that changed nothing, the invited organiser, and the token created with an
expiry and then revoked (401 at once).

Screenshots go to $ROADSHOWD_SCREENSHOTS (docs/screenshots to refresh the
README's), else to the server's temporary directory.
"""
import json
import os
import subprocess
import unittest

from harness import E2ETestCase, REPO_ROOT, start_server
from test_console import JS_DIR, _tools_missing

SCRIPT = os.path.join(JS_DIR, "console_admin_e2e.mjs")
NOW = "2026-12-01T12:00:00+08:00"     # the server's and the browser's clock
ADMIN_USER = "kejiju-admin"
ADMIN_PASS = "a long admin passphrase 3"

CARRIER = {
    "slug": "longju-hub",
    "name": "龙驹镇科技孵化器",
    "name_en": "Longju Tech Incubator",
    "kind": "incubator",
    "level": "municipal",
    "recognised_on": "2025-11-03",
    "region": "longju",
    "address": "万州区龙驹镇龙驹大道 8 号",
    "geo": {"lat": 30.625, "lon": 108.5},
    "website": "https://longju-hub.example.cn/",
    "contact": "龙驹镇经发办 023-5888 0000",
    "retired_from": None,
}


class ConsoleAdminBrowserTest(E2ETestCase):

    def setUp(self):
        missing = _tools_missing()
        if missing:
            self.fail(missing)  # make check installs them: never skip
        self.srv = start_server(self, env={"ROADSHOWD_NOW": NOW})
        self.admin_token = self.srv.token("admin")               # token 1
        p = subprocess.run(
            [self.srv.binary, "user", "create", "--db", self.srv.db_path,
             "--username", ADMIN_USER, "--role", "admin",
             "--password-stdin"],
            input=(ADMIN_PASS + "\n").encode(), capture_output=True,
            timeout=60, env=self.srv.environ())
        self.assertEqual(p.returncode, 0, p.stderr.decode())

    def get(self, path, token=None):
        status, _, doc = self.srv.json("GET", path, token=token)
        self.assertEqual(status, 200, doc)
        return doc

    def test_admin_pages_in_chromium(self):
        srv = self.srv
        shots = os.environ.get("ROADSHOWD_SCREENSHOTS") or \
            os.path.join(srv.tmpdir, "screenshots")
        if not os.path.isabs(shots):
            shots = os.path.join(REPO_ROOT, shots)
        os.makedirs(shots, exist_ok=True)
        env = dict(os.environ, BASE=srv.base_url, ADMIN_USER=ADMIN_USER,
                   ADMIN_PASS=ADMIN_PASS, ADMIN_TOKEN=self.admin_token,
                   SHOTS=shots, NOW=NOW)
        run = subprocess.run(["node", SCRIPT], cwd=JS_DIR, env=env,
                             capture_output=True, timeout=240)
        out = run.stdout.decode("utf-8", "replace")
        err = run.stderr.decode("utf-8", "replace")
        self.assertEqual(run.returncode, 0, "browser script failed:\n%s\n%s"
                         % (out[-3000:], err[-6000:]))
        facts = json.loads(out.strip().splitlines()[-1])

        # No console error and no uncaught exception on any page; the only
        # failed requests are the refusals the script provoked (a logged-
        # out visit asks nothing: no 401 from /api/v1/me).
        self.assertEqual(facts["console_errors"], [])
        self.assertEqual(facts["http_refusals"], [
            "409 /api/v1/carriers",                 # the taken slug
            "409 /api/v1/carriers/longju-hub",      # retire before the event
        ])

        # The carrier added through the form, with the level it was changed
        # to, and nothing from the refused retirement.
        doc = self.get("/api/v1/carriers/longju-hub")
        feed = doc.pop("feed")
        self.assertEqual(doc, CARRIER)
        self.assertEqual(feed["url"], srv.base_url +
                         "/calendars/carriers/longju-hub.ics")
        self.assertEqual(facts["longju_after"],
                         facts["longju_before"] + ["longju-hub"])
        self.assertIn("longju-hub", [c["slug"] for c in self.get(
            "/api/v1/carriers?region=longju")["items"]])
        status, headers, body = srv.request(
            "GET", "/calendars/carriers/longju-hub.ics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/calendar"))
        text = body.decode("utf-8")
        self.assertTrue(text.startswith("BEGIN:VCALENDAR\r\n"))
        self.assertIn("\r\nSUMMARY:龙驹镇首场路演\r\n", text)
        self.assertTrue(text.endswith("END:VCALENDAR\r\n"))

        # ... and in the cadence report by carrier, its roadshow scheduled.
        rep = self.get("/api/v1/cadence?year=2027&by=carrier&rule="
                       "monthly-roadshow&as_of=2026-12-01T12:00:00%2B08:00")
        jan = [(p["status"], p["held"], p["scheduled"]) for p in
               rep["periods"] if p["scope"] == "carrier:longju-hub" and
               p["period"] == "2027-01"]
        self.assertEqual(jan, [("scheduled", 0, 1)])

        # The field errors were the API's, in Chinese, by their fields.
        self.assertEqual(facts["slug_error"],
                         "该标识已被使用（标识不会重复使用）")
        self.assertEqual(facts["retire_error"],
                         "停用日期须晚于该载体最后一场活动的日期（must be"
                         " after the carrier's last event (event %d on"
                         " 2027-01-15)）" % facts["event_id"])

        # The audit trail the page showed: create then update, newest
        # first, the level 区级 -> 市级 by the admin's session; the API's
        # rows say the same.
        self.assertEqual(facts["audit_rows"], [
            ["update", "carrier:longju-hub"],
            ["create", "carrier:longju-hub"]])
        self.assertEqual(facts["audit_level"], ["区级", "市级"])
        self.assertEqual(facts["audit_recognised"],
                         ["2024-11-20", "2025-11-03"])
        rows = self.get("/api/v1/audit?object_type=carrier&object_id="
                        "longju-hub", token=self.admin_token)["items"]
        self.assertEqual([(r["action"], r["actor"]) for r in rows],
                         [("update", facts["audit_actor"]),
                          ("create", facts["audit_actor"])])
        self.assertEqual(facts["audit_actor"], "user:" + ADMIN_USER)
        self.assertEqual((rows[0]["before"]["level"],
                          rows[0]["after"]["level"]),
                         ("district", "municipal"))

        # The target changed through 区域与目标; the annex's plan stays.
        self.assertEqual(facts["longju_area_row"], ["1.2已调整", "0.5"])
        region = self.get("/api/v1/regions/longju")
        self.assertEqual((region["targets"], region["annex_targets"],
                          region["target_year"]),
                         ({"area_10k_m2": 1.2, "enterprises_and_teams": 50,
                           "tech_enterprises": 10},
                          {"area_10k_m2": 0.5, "enterprises_and_teams": 50,
                           "tech_enterprises": 10}, 2026))

        # The rule made in 节奏规则, retired from the next quarter.
        rule = self.get("/api/v1/rules/quarterly-roadshow-by-region")
        self.assertEqual((rule["name"], rule["kinds"], rule["period"],
                          rule["min"], rule["scope"], rule["active_from"],
                          rule["active_to"]),
                         ("各区域季季有路演", ["roadshow"], "quarter", 1,
                          "region", "2026-10-01", "2027-01-01"))

        # The private feed: it served the carrier's event, then was revoked.
        self.assertTrue(facts["private_feed_has_event"])
        self.assertEqual(facts["private_feed_after_revoke"], 404)
        subs = {s["id"]: s for s in self.get(
            "/api/v1/subscriptions", token=self.admin_token)["items"]}
        sub = subs[facts["subscription_id"]]
        self.assertEqual((sub["label"], sub["filters"]["carrier"],
                          sub["fetch_count"], sub["revoked"]),
                         ("区科技局 张三", "longju-hub", 1,
                          "2026-12-01T04:00:00Z"))

        # Console leftovers: a zero-length event shows its start alone; a
        # title over the API's 1000 octets is refused by the field before
        # any request (334 Chinese characters are 1002 octets).
        self.assertEqual(facts["zero_length_when"], "2027-01-20 周三 12:30")
        self.assertEqual(facts["title_octets_error"],
                         "过长：1002 字节，最多 1000 字节（一个汉字占 3 字节）。")
        self.assertEqual(facts["title_maxlength"], "1000")
        self.assertEqual(facts["posted_too_long"], 0)

        # The invited organiser, who set a password and saw no admin page.
        accounts = {a["username"]: a for a in self.get(
            "/api/v1/accounts", token=self.admin_token)["items"]}
        staff = accounts["longju-staff"]
        self.assertEqual((staff["role"], staff["carriers"],
                          staff["disabled"], staff["password_set"]),
                         ("organiser", ["longju-hub"], False, True))
        self.assertEqual(facts["organiser_admin_links_visible"], 0)
        self.assertEqual(facts["organiser_admin_links_on_admin_path"], 0)

        # The token: organiser of longju-hub, expiry 2027-06-30 23:59
        # Beijing time, revoked; it gets 401 at once, over the API too.
        tokens = {t["id"]: t for t in self.get(
            "/api/v1/tokens", token=self.admin_token)["items"]}
        tok = tokens[facts["token_id"]]
        self.assertEqual((tok["role"], tok["carrier"], tok["label"],
                          tok["expires"], tok["live"]),
                         ("organiser", "longju-hub", "龙驹 张三",
                          "2027-06-30T15:59:00Z", False))
        self.assertEqual(tok["revoked"], "2026-12-01T04:00:00Z")
        self.assertNotIn("token", tok)
        self.assertEqual(facts["token_status_after_revoke"], 401)
        status, _, _ = srv.json("GET", "/api/v1/me", token=facts["token"])
        self.assertEqual(status, 401)
        n_events = len(self.get("/api/v1/events?carrier=longju-hub",
                                token=self.admin_token)["items"])
        status, _, _ = srv.json("POST", "/api/v1/events", body={
            "kind": "salon", "title": "撤销后", "carrier": "longju-hub",
            "start": "2027-02-01T10:00:00+08:00"}, token=facts["token"])
        self.assertEqual(status, 401)
        self.assertEqual(len(self.get("/api/v1/events?carrier=longju-hub",
                                      token=self.admin_token)["items"]),
                         n_events)
        self.assertEqual(n_events, 2)    # the roadshow and the salon


if __name__ == "__main__":
    unittest.main()
