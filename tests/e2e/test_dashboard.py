"""
End-to-end: the leaders' dashboard (GET /: service/dashboard.{html,css,js})
in a real browser. Debian's headless Chromium is driven by playwright-core
(tests/js/dashboard.mjs), which prints what it saw as JSON; this file seeds
the year, runs the driver once and checks the values exactly.

The seeded year: the database is created at 2025-01-05 10:00 +08:00 (the
server's clock then), so recording (tracking_since, by default the
database's creation) starts on 2025-01-05. The organisers post the year's
plan that day; the test clock then moves on to 2025-04-15 12:00 +08:00
(no restart), when a February salon is backfilled (补录).

Checked: exact statuses of known cells for the district, a region, a
partner region and a carrier; the cell panel lists the right events (held,
tentative as a count for anonymous readers, cancelled with the date of
cancelling, backfilled marked 补录) and the rule; the subscribe panel's QR
code decodes with zbarimg to the feed URL; no page scroll at 390 px with
today's month in view inside the heatmap; page.pdf() gives one A4 page with
the heatmap; English after the switch; no console errors; no inline script.
Screenshots go to docs/screenshots/ when ROADSHOWD_SCREENSHOTS=1.

Needs /usr/bin/chromium, node with tests/js/node_modules (npm ci) and
zbarimg; skipped when one is absent. Run (from tests/e2e):
    /usr/bin/python3 -m unittest -v test_dashboard
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from urllib.parse import quote

from harness import (E2ETestCase, REPO_ROOT, Server, start_class_server,
                     start_server)

CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node")
ZBARIMG = shutil.which("zbarimg")
JS_DIR = os.path.join(REPO_ROOT, "tests", "js")
DRIVER = os.path.join(JS_DIR, "dashboard.mjs")
HAVE_PLAYWRIGHT = os.path.isdir(os.path.join(JS_DIR, "node_modules",
                                             "playwright-core"))
DRIVER_TIMEOUT_S = 150

CREATED = "2025-01-05T10:00:00+08:00"        # the clock at first: the plan
NOW = "2025-04-15T12:00:00+08:00"            # then: 补录 and the page
PINGHU = "pinghu-maker-space"                # 平湖众创空间, wanzhou-jingkaiqu
TAIYANGNIAO = "taiyangniao-maker-space"      # 太阳鸟众创空间, baianba

ESCAPE_TITLE = "<b>创新</b> & 投资论坛"    # must show as text, not markup

# (name, token, body, cancel afterwards), posted at CREATED
PLAN = [
    ("feb", "pinghu", {"kind": "roadshow", "title": "二月项目路演：智能制造专场",
                       "start": "2025-02-18T14:00:00+08:00",
                       "end": "2025-02-18T16:00:00+08:00"}, False),
    ("mar", "pinghu", {"kind": "roadshow", "title": "三月项目路演",
                       "start": "2025-03-12T14:00:00+08:00",
                       "end": "2025-03-12T16:00:00+08:00"}, True),
    ("may", "pinghu", {"kind": "roadshow", "title": "五月项目路演：数字经济专场",
                       "venue": "三峡创客驿站",
                       "url": "https://example.org/roadshow-may",
                       "start": "2025-05-20T14:00:00+08:00",
                       "end": "2025-05-20T16:30:00+08:00",
                       "partner_regions": ["dazhou"]}, False),
    ("jun", "taiyangniao", {"kind": "roadshow", "title": "六月路演（待定）",
                            "status": "TENTATIVE",
                            "start": "2025-06-10T14:00:00+08:00",
                            "end": "2025-06-10T16:00:00+08:00"}, False),
    ("jul", "taiyangniao", {"kind": "forum", "title": ESCAPE_TITLE,
                            "start": "2025-07-08T09:30:00+08:00",
                            "end": "2025-07-08T11:30:00+08:00"}, False),
    ("sep", "admin", {"kind": "competition", "title": "2025 万州区创新创业大赛",
                      "venue": "万州区会展中心",
                      "start": "2025-09-10T09:00:00+08:00",
                      "end": "2025-09-10T17:00:00+08:00"}, False),
]
# a series with one occurrence cancelled (EXDATE), posted at CREATED
SERIES = {"kind": "exhibition", "title": "四季度成果展（系列）",
          "start": "2025-10-20T09:00:00+08:00",
          "end": "2025-10-20T17:00:00+08:00",
          "rrule": "FREQ=MONTHLY;COUNT=3"}
SERIES_CANCELLED = "2025-11-20T09:00:00+08:00"
# posted at NOW, after its quarter ended: 补录
BACKFILL = ("salon", "taiyangniao", {
    "kind": "salon", "title": "二月创业沙龙（补录）",
    "start": "2025-02-20T14:00:00+08:00",
    "end": "2025-02-20T16:00:00+08:00"})

MONTHS = ["2025-%02d" % m for m in range(1, 13)]
QUARTERS = ["2025-Q%d" % k for k in range(1, 5)]
OPEN6 = ["open"] * 6

# Statuses as of NOW; recording began 2025-01-05, so January (begun
# before it) is untracked where it falls short; February on is judged.
EXPECTED = {
    ("monthly-roadshow", "district"):
        ["untracked", "met", "missed", "at_risk", "scheduled", "scheduled"]
        + OPEN6,
    ("monthly-roadshow", "region:wanzhou-jingkaiqu"):
        ["untracked", "met", "missed", "at_risk", "scheduled", "open"]
        + OPEN6,
    ("monthly-roadshow", "carrier:" + PINGHU):
        ["untracked", "met", "missed", "at_risk", "scheduled", "open"]
        + OPEN6,
    ("monthly-roadshow", "region:baianba"):
        ["untracked", "missed", "missed", "at_risk", "open", "scheduled"]
        + OPEN6,
    ("monthly-roadshow", "partner:dazhou"):
        ["untracked", "missed", "missed", "at_risk", "scheduled", "open"]
        + OPEN6,
    ("quarterly-event", "district"):
        ["met", "at_risk", "scheduled", "scheduled"],
    ("quarterly-event", "region:baianba"):
        ["met", "at_risk", "scheduled", "open"],
    ("quarterly-event", "region:wanzhou-jingkaiqu"):
        ["untracked", "at_risk", "open", "scheduled"],
    ("yearly-competition", "district"): ["scheduled"],
    ("yearly-competition", "carrier:" + PINGHU): ["at_risk"],
}
LABEL = {"met": "已达成", "scheduled": "已排期", "at_risk": "有风险",
         "missed": "未达成", "open": "未开始", "untracked": "无记录"}
LABEL_EN = {"met": "Met", "scheduled": "Scheduled", "at_risk": "At risk",
            "missed": "Missed", "open": "Not started",
            "untracked": "No record"}

CLICKS = [
    ["monthly-roadshow", "district", "2025-03"],
    ["quarterly-event", "district", "2025-Q1"],
    ["monthly-roadshow", "district", "2025-06"],
    ["monthly-roadshow", "partner:dazhou", "2025-05"],
    ["monthly-roadshow", "district", "2025-04"],
    ["quarterly-event", "district", "2025-Q4"],
]


def have_tools():
    return (os.access(CHROMIUM, os.X_OK) and NODE and ZBARIMG
            and HAVE_PLAYWRIGHT)


@unittest.skipUnless(have_tools(), "needs %s, node, zbarimg and"
                     " tests/js/node_modules (npm ci)" % CHROMIUM)
class DashboardTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        # "" leaves tracking_since at its default: the database's creation
        cls.srv = srv = start_class_server(
            cls, now=CREATED, env={"ROADSHOWD_TRACKING_SINCE": ""})
        tokens = {"pinghu": srv.token("organiser", PINGHU),
                  "taiyangniao": srv.token("organiser", TAIYANGNIAO),
                  "admin": srv.token("admin")}
        cls.ids = {}

        def post(name, who, body):
            status, _, doc = srv.json("POST", "/api/v1/events", body=body,
                                      token=tokens[who])
            if status != 201:
                raise AssertionError("POST %s: %d %r" % (name, status, doc))
            cls.ids[name] = doc["id"]
            return doc

        for name, who, body, cancel in PLAN:
            post(name, who, body)
            if cancel:
                status, _, doc = srv.json(
                    "POST", "/api/v1/events/%d/cancel" % cls.ids[name],
                    token=tokens[who])
                if status != 200:
                    raise AssertionError("cancel %s: %d" % (name, status))
        post("series", "pinghu", SERIES)
        status, _, doc = srv.json(
            "POST", "/api/v1/events/%d/occurrences/%s/cancel"
            % (cls.ids["series"], quote(SERIES_CANCELLED, safe="")),
            token=tokens["pinghu"])
        if status != 200:
            raise AssertionError("cancel occurrence: %d %r" % (status, doc))
        srv.set_now(NOW)
        cls.backfilled = post(*BACKFILL)
        cls.admin = tokens["admin"]
        cls.api = {name: srv.json("GET", "/api/v1/" + name)[2]["items"]
                   for name in ("kinds", "regions", "carriers")}
        cls.report = srv.json("GET", "/api/v1/cadence?year=2025&by=all")[2]
        cls.out_dir = tempfile.mkdtemp(prefix="roadshowd-dash-")
        if not os.environ.get("ROADSHOWD_DASH_KEEP"):
            cls.addClassCleanup(shutil.rmtree, cls.out_dir, True)
        cls.url = srv.base_url + "/?year=2025"
        proc = subprocess.run(
            [NODE, DRIVER, cls.url, cls.out_dir, json.dumps(CLICKS)],
            cwd=JS_DIR, capture_output=True, timeout=DRIVER_TIMEOUT_S)
        if proc.returncode != 0:
            raise AssertionError("driver failed (%d):\n%s"
                                 % (proc.returncode,
                                    proc.stderr.decode()[-3000:]))
        cls.seen = json.loads(proc.stdout.decode("utf-8"))
        if cls.seen.get("error"):
            raise AssertionError("driver: %s\nconsole: %r" % (
                cls.seen["error"], cls.seen.get("console")))
        if os.environ.get("ROADSHOWD_SCREENSHOTS"):
            dest = os.path.join(REPO_ROOT, "docs", "screenshots")
            os.makedirs(dest, exist_ok=True)
            for f in ("dashboard-desktop.png", "dashboard-phone.png",
                      "dashboard-print.png", "dashboard-panel.png",
                      "dashboard-phone-panel.png"):
                shutil.copy(os.path.join(cls.out_dir, f), dest)

    def cells(self, rule, scope, key="cells"):
        return [c for c in self.seen[key]
                if c["rule"] == rule and c["scope"] == scope]

    # ---- the page loads, cleanly ----

    def test_loaded_without_console_errors(self):
        for view in ("desktop", "phone", "print"):
            self.assertEqual(self.seen[view], {"state": "ready", "err": ""})
        self.assertEqual(self.seen["console"], [])
        self.assertEqual(self.seen["requests_failed"], [])
        self.assertEqual(self.seen["lang"], "zh-CN")
        self.assertEqual(self.seen["h1"], "万州区创新创业活动节奏看板")
        self.assertEqual(self.seen["asof"], "数据截至 2025-04-15 12:00")
        self.assertEqual(self.seen["tracking"],
                         "记录自 2025-01-05 起；此前未达成的周期显示为“无记录”。")
        self.assertEqual(self.seen["headings"],
                         ["2025 年活动节奏报告 · 数据截至 2025-04-15", "谁落后",
                          "节奏热力图", "下月活动", "近期活动", "订阅日历"])

    def test_no_inline_script_or_style_and_csp(self):
        self.assertEqual(self.seen["inline_scripts"], 0)
        self.assertEqual(self.seen["style_attrs"], 0)
        status, headers, body = self.srv.request("GET", "/")
        self.assertEqual(status, 200)
        html = body.decode("utf-8")
        self.assertTrue(headers["content-security-policy"].startswith(
            "default-src 'self'; script-src 'self'; style-src 'self';"))
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertNotRegex(html, r"<script>|<style|style=|onclick=")
        for path, ctype in (("/dashboard.js", "text/javascript"),
                            ("/dashboard.css", "text/css"),
                            ("/favicon.svg", "image/svg+xml"),
                            ("/favicon.ico", "image/svg+xml")):
            status, headers, body = self.srv.request("GET", path)
            self.assertEqual((status, headers["content-type"].split(";")[0]),
                             (200, ctype), path)
            self.assertTrue(headers.get("etag"), path)

    # ---- who lags, by default: rows per scope for every rule ----

    def test_rows_per_scope_without_extra_rules(self):
        self.assertEqual(self.seen["rules"], ["monthly-roadshow",
                                              "quarterly-event",
                                              "yearly-competition"])
        regions = [r for r in self.api["regions"] if not r["partner"]]
        partners = [r for r in self.api["regions"] if r["partner"]]
        scopes = (["district"] + ["region:" + r["slug"] for r in regions]
                  + ["partner:" + r["slug"] for r in partners]
                  + ["carrier:" + c["slug"] for c in self.api["carriers"]])
        self.assertEqual(len(scopes), 1 + 9 + 4 + 22)
        for heads in self.seen["row_heads"]:
            self.assertEqual([h["scope"] for h in heads], scopes)
        heads = {h["scope"]: h for h in self.seen["row_heads"][0]}
        self.assertEqual(heads["district"]["name"], "全区")
        jk = heads["region:wanzhou-jingkaiqu"]
        self.assertEqual(jk["name"], "万州经开区")
        self.assertEqual(jk["meta"], [
            "目标：载体 2.6 万㎡ · 企业团队 400 · 科技企业 300",
            "达成 1/12 · 连续 0 · 最长缺口 1"])
        self.assertEqual(heads["partner:dazhou"]["meta"],
                         ["合作地区", "达成 0/12 · 连续 0 · 最长缺口 2"])
        levels = {c["slug"]: c["level"] for c in self.api["carriers"]}
        zh = {"national": "国家级", "municipal": "市级", "district": "区级",
              "none": "未认定"}
        for c in self.api["carriers"]:
            self.assertEqual(heads["carrier:" + c["slug"]]["meta"][0],
                             zh[levels[c["slug"]]], c["slug"])
        # carrier rows are folded until expanded
        hidden = [c for c in self.seen["cells"]
                  if c["scope"].startswith("carrier:")]
        self.assertEqual(len(hidden), 22 * (12 + 4 + 1))
        self.assertFalse(any(c["visible"] for c in hidden))
        self.assertEqual(self.seen["carriers_visible"], 22)

    def test_exact_statuses_district_region_partner_carrier(self):
        for (rule, scope), statuses in EXPECTED.items():
            periods = (MONTHS if rule == "monthly-roadshow" else
                       QUARTERS if rule == "quarterly-event" else ["2025"])
            with self.subTest(rule=rule, scope=scope):
                got = self.cells(rule, scope)
                self.assertEqual([(c["period"], c["status"], c["text"])
                                  for c in got],
                                 [(p, s, LABEL[s])
                                  for p, s in zip(periods, statuses)])
                api = [p["status"] for p in self.report["periods"]
                       if p["rule"] == rule and p["scope"] == scope]
                self.assertEqual(api, statuses)

    def test_days_left_visible_not_only_on_hover(self):
        apr = self.cells("monthly-roadshow", "district")[3]
        self.assertEqual((apr["status"], apr["left"]), ("at_risk", "剩 16 天"))
        q2 = self.cells("quarterly-event", "district")[1]
        self.assertEqual(q2["left"], "剩 77 天")
        self.assertEqual(self.seen["phone_layout"]["atRiskLeft"], "剩 16 天")

    def test_untracked_is_grey(self):
        jan = self.cells("monthly-roadshow", "district")[0]
        self.assertEqual((jan["status"], jan["text"], jan["background"]),
                         ("untracked", "无记录", "rgb(158, 158, 158)"))
        feb = self.cells("monthly-roadshow", "region:baianba")[1]
        self.assertEqual((feb["status"], feb["background"]),
                         ("missed", "rgb(198, 40, 40)"))

    # ---- honest colours: 补录 ----

    def test_backfilled_is_flagged(self):
        q1 = self.cells("quarterly-event", "district")[0]
        self.assertEqual((q1["status"], q1["late"], q1["badges"]),
                         ("met", "1", ["补"]))
        # green only because of the backfilled salon
        self.assertIs(q1["rests"], True)
        feb = self.cells("monthly-roadshow", "district")[1]
        self.assertEqual((feb["status"], feb["late"], feb["badges"],
                          feb["rests"]), ("met", None, [], False))
        # the API: recorded_late on the event, held_late in the report
        self.assertIs(self.backfilled["recorded_late"], True)
        status, _, doc = self.srv.json(
            "GET", "/api/v1/events/%d" % self.ids["feb"])
        self.assertIs(doc["recorded_late"], False)
        row = [p for p in self.report["periods"]
               if (p["rule"], p["scope"], p["period"]) ==
               ("quarterly-event", "district", "2025-Q1")][0]
        self.assertEqual((row["held"], row["held_late"]), (1, 1))
        self.assertEqual(row["events"], [{
            "id": self.ids["salon"], "title": "二月创业沙龙（补录）",
            "start": "2025-02-20T14:00:00+08:00", "status": "CONFIRMED",
            "recorded_late": True}])

    # ---- why: the cell panel ----

    def test_panel_missed_month_lists_cancelled(self):
        p = self.seen["panels"][0]
        self.assertEqual((p["title"], p["status"]), ("全区 · 2025-03", "missed"))
        self.assertEqual(p["counts"], [["已举办", "0"], ["已排期", "0"],
                                       ["至少", "1"]])
        self.assertEqual(p["events"], [])
        self.assertEqual(p["cancelled"], [{
            "id": self.ids["mar"], "title": "三月项目路演",
            "text": "2025-03-12 14:00 三月项目路演 · 项目路演 · 平湖众创空间"
                    " 取消于 2025-01-05"}])
        self.assertEqual(p["rule_then"],
                         "每月至少 1 场（项目路演） · 全区 · 版本 1")

    def test_panel_backfilled_quarter(self):
        p = self.seen["panels"][1]
        self.assertEqual((p["title"], p["status"]), ("全区 · 2025-Q1", "met"))
        self.assertEqual(p["counts"][0], ["已举办", "1（其中补录 1 场）"])
        self.assertEqual(p["events"], [{
            "id": self.ids["salon"], "status": "CONFIRMED",
            "title": "二月创业沙龙（补录）",
            "href": "/api/v1/events/%d" % self.ids["salon"], "ext": None,
            "badges": ["补录"]}])

    def test_panel_tentative_is_a_count_for_anonymous(self):
        p = self.seen["panels"][2]
        self.assertEqual((p["title"], p["status"]),
                         ("全区 · 2025-06", "scheduled"))
        self.assertEqual(p["counts"][1], ["已排期", "1（其中待定 1 场）"])
        self.assertEqual(p["events"], [])
        self.assertEqual(p["tentative_hidden"],
                         "另有 1 场待定活动（登录后可见标题）。")
        # with a token the same cell names the tentative event
        q = ("/api/v1/cadence/cell?rule=monthly-roadshow&scope=district"
             "&period=2025-06")
        _, _, anon = self.srv.json("GET", q)
        _, _, admin = self.srv.json("GET", q, token=self.admin)
        self.assertEqual((anon["tentative"], anon["tentative_hidden"],
                          anon["events"]), (1, 1, []))
        self.assertEqual(([e["title"] for e in admin["events"]],
                          admin["tentative_hidden"]), (["六月路演（待定）"], 0))

    def test_panel_partner_scope_and_days_left(self):
        p = self.seen["panels"][3]
        self.assertEqual((p["title"], p["status"]),
                         ("达州市 · 2025-05", "scheduled"))
        self.assertEqual([(e["id"], e["title"], e["href"], e["ext"])
                          for e in p["events"]],
                         [(self.ids["may"], "五月项目路演：数字经济专场",
                           "/api/v1/events/%d" % self.ids["may"],
                           "https://example.org/roadshow-may")])
        p = self.seen["panels"][4]
        self.assertEqual(p["counts"], [["已举办", "0"], ["已排期", "0"],
                                       ["至少", "1"], ["剩余天数", "16"]])

    def test_panel_series_with_a_cancelled_occurrence(self):
        p = self.seen["panels"][5]
        self.assertEqual((p["title"], p["status"]),
                         ("全区 · 2025-Q4", "scheduled"))
        self.assertEqual(p["counts"][1], ["已排期", "2"])
        sid = self.ids["series"]
        self.assertEqual([(e["id"], e["title"]) for e in p["events"]],
                         [(sid, "四季度成果展（系列）")] * 2)
        self.assertEqual(p["cancelled"], [{
            "id": sid, "title": "四季度成果展（系列）",
            "text": "2025-11-20 09:00 四季度成果展（系列） · 成果展览 · 平湖众创空间"
                    " （系列中取消的一次）"}])
        _, _, cell = self.srv.json(
            "GET", "/api/v1/cadence/cell?rule=quarterly-event&scope=district"
            "&period=2025-Q4")
        self.assertEqual([(e["start"], e["cancelled"], e["occurrence"])
                          for e in cell["cancelled"]],
                         [(SERIES_CANCELLED, None, True)])
        self.assertEqual([e["start"] for e in cell["events"]],
                         ["2025-10-20T09:00:00+08:00",
                          "2025-12-20T09:00:00+08:00"])

    def test_cell_endpoint_rejects_bad_queries(self):
        for query, field in (("rule=monthly-roadshow&scope=x&period=2025-03",
                              "scope"),
                             ("rule=monthly-roadshow&scope=district"
                              "&period=2025-13", "period"),
                             ("scope=district&period=2025-03", "rule"),
                             ("rule=nope&scope=district&period=2025-03",
                              "rule")):
            self.assertProblem(self.srv.request(
                "GET", "/api/v1/cadence/cell?" + query), 400, field)
        self.assertProblem(self.srv.request(
            "GET", "/api/v1/cadence/cell?rule=monthly-roadshow"
            "&scope=region:nowhere&period=2025-03"), 404)

    def test_upcoming_and_tentative_consistent(self):
        # anonymous: the tentative June roadshow is not listed, but said
        self.assertEqual(self.seen["upcoming"], [
            ["2025-05-20 14:00–16:30", "项目路演", "五月项目路演：数字经济专场",
             "平湖众创空间", "三峡创客驿站"],
            ["2025-07-08 09:30–11:30", "主题论坛", ESCAPE_TITLE,
             "太阳鸟众创空间", ""],
            ["2025-09-10 09:00–17:00", "大赛", "2025 万州区创新创业大赛",
             "全区", "万州区会展中心"]])
        self.assertEqual(self.seen["upcoming_note"],
                         "自 2025-04-15 12:00 起六个月内，最多 20 场。"
                         " 待定（TENTATIVE）活动不在此列出，登录后可见；"
                         "热力图中计为“待定”，点开格子可见数量。")
        jun = self.cells("monthly-roadshow", "district")[5]
        self.assertEqual((jun["status"], jun["tentative"], jun["badges"]),
                         ("scheduled", "1", ["待定"]))
        self.assertEqual(self.seen["next_month"],
                         ["2025-05-20 14:00–16:30 五月项目路演：数字经济专场"
                          " · 平湖众创空间"])
        self.assertIs(self.report["public_view"], True)
        _, _, doc = self.srv.json("GET", "/api/v1/cadence?year=2025",
                                  token=self.admin)
        self.assertIs(doc["public_view"], False)

    # ---- subscribe ----

    def test_qr_code_decodes_to_the_feed_url(self):
        feed = self.srv.base_url + "/calendar.ics"
        self.assertEqual(self.seen["qr"]["data"], feed)
        self.assertEqual(self.seen["qr"]["natural"][1], True)
        for png, want in (("qr.png", feed),
                          ("qr-carrier.png", self.api["carriers"][-1]
                           ["feed"]["url"])):
            out = subprocess.run([ZBARIMG, "--raw", "-q",
                                  os.path.join(self.out_dir, png)],
                                 capture_output=True, timeout=30)
            self.assertEqual((out.returncode, out.stdout.decode().strip()),
                             (0, want), png)
        self.assertEqual(self.seen["qr_carrier"],
                         self.api["carriers"][-1]["feed"]["url"])
        status, headers, body = self.srv.request(
            "GET", "/qr.svg?path=" + quote("/calendars/kinds/roadshow.ics"))
        self.assertEqual((status, headers["content-type"]),
                         (200, "image/svg+xml"))
        self.assertTrue(body.startswith(b'<svg xmlns="http://www.w3.org/2000/'
                                        b'svg" viewBox="0 0 '))
        for bad in ("https://evil.example/", "/api/v1/events",
                    "/calendars/kinds/../x.ics", "/calendar.ics?x=1"):
            self.assertProblem(self.srv.request(
                "GET", "/qr.svg?path=" + quote(bad, safe="")), 400, "path")

    def test_subscribe_links_copy_and_steps(self):
        host = "127.0.0.1:%d" % self.srv.port
        district = [r for r in self.api["regions"] if not r["partner"]]
        partners = [r for r in self.api["regions"] if r["partner"]]
        expected = ["webcal://%s/calendar.ics" % host] + [
            x["feed"]["webcal"] for x in self.api["kinds"] + district
            + partners + self.api["carriers"]]
        self.assertEqual(self.seen["feed_links"], expected)
        self.assertEqual(self.seen["ics_links"],
                         [u.replace("webcal://", "http://", 1)
                          for u in expected])
        self.assertEqual(self.seen["copy_buttons"], len(expected) + 1)
        self.assertEqual(self.seen["steps"], ["Outlook", "Apple 日历",
                                              "Google 日历", "Thunderbird",
                                              "微信 / 钉钉"])
        self.assertEqual(self.seen["google"], "http://%s/calendar.ics"
                         "?mark_cancelled=1" % host)

    # ---- phone, print, English ----

    def test_phone_has_no_page_scroll_and_today_in_view(self):
        lay = self.seen["phone_layout"]
        self.assertEqual((lay["innerWidth"], lay["scrollWidth"],
                          lay["bodyScrollWidth"]), (390, 390, 390))
        self.assertTrue(lay["heatScrolls"])
        self.assertGreater(lay["heatScrollLeft"], 0)
        self.assertEqual((lay["nowPeriod"], lay["nowInView"]),
                         ("2025-04", True))
        self.assertEqual(self.seen["phone_panel"],
                         {"width": 390, "period": "2025-04",
                          "scrollWidth": 390})

    def test_print_is_one_a4_page_with_the_heatmap(self):
        with open(os.path.join(self.out_dir, "dashboard.pdf"), "rb") as f:
            pdf = f.read()
        self.assertEqual(pdf[:5], b"%PDF-")
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        self.assertEqual(pages, 1)
        boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]",
                               pdf))
        self.assertEqual({(round(float(w)), round(float(h)))
                          for w, h in boxes}, {(595, 842)})    # A4 in pt
        self.assertEqual(self.seen["print_layout"], {
            "heatmaps": 3, "subscribe": False,
            "title": "2025 年活动节奏报告 · 数据截至 2025-04-15"})

    def test_english_after_the_switch(self):
        en = self.seen["en"]
        self.assertEqual(en["lang"], "en")
        self.assertEqual(en["h1"], "Wanzhou innovation events: cadence dashboard")
        self.assertEqual(en["headings"], [
            "Cadence report 2025 · data as of 2025-04-15", "Who lags",
            "Cadence heatmap", "Next month's events", "Upcoming events",
            "Subscribe"])
        self.assertEqual(en["legend"], [LABEL_EN[s] for s in (
            "met", "scheduled", "at_risk", "missed", "open", "untracked")])
        self.assertEqual(en["csv"], "/api/v1/cadence?format=csv&lang=en"
                         "&by=all&year=2025")
        self.assertEqual(en["url"], "?year=2025&lang=en")
        got = [(c["status"], c["text"]) for c in self.seen["en_cells"]
               if (c["rule"], c["scope"]) == ("monthly-roadshow", "district")]
        self.assertEqual(got, [(s, LABEL_EN[s]) for s in
                               EXPECTED[("monthly-roadshow", "district")]])
        self.assertEqual(self.seen["zh_again"], "万州区创新创业活动节奏看板")

    def test_plan_period_and_any_year(self):
        plan = self.seen["plan"]
        self.assertEqual(plan["title"],
                         "规划期 2023–2025 活动节奏 · 数据截至 2025-04-15")
        self.assertEqual(plan["months"],
                         ["%d-%02d" % (y, m) for y in (2023, 2024, 2025)
                          for m in range(1, 13)])
        self.assertEqual(plan["url"], "?year=2025&view=plan")
        self.assertEqual(plan["csv"], "/api/v1/cadence?format=csv&lang=zh"
                         "&by=all&from=2023-01&to=2026-01")
        cells = self.seen["plan_cells"]
        self.assertEqual(len(cells), 36 + 12 + 3)
        monthly = [st for rule, _, st in cells if rule == "monthly-roadshow"]
        self.assertEqual(monthly, ["untracked"] * 24 + EXPECTED[(
            "monthly-roadshow", "district")])
        self.assertEqual([c for c in cells if c[0] == "yearly-competition"],
                         [["yearly-competition", "2023", "untracked"],
                          ["yearly-competition", "2024", "untracked"],
                          ["yearly-competition", "2025", "scheduled"]])
        self.assertEqual(self.seen["year2024"],
                         [["monthly-roadshow", m.replace("2025", "2024"),
                           "untracked"] for m in MONTHS]
                         + [["quarterly-event", q.replace("2025", "2024"),
                             "untracked"] for q in QUARTERS]
                         + [["yearly-competition", "2024", "untracked"]])

    # ---- CSV for Excel ----

    def test_csv_chinese_with_bom(self):
        self.assertEqual(self.seen["csv"], "/api/v1/cadence?format=csv&lang=zh"
                         "&by=all&year=2025")
        status, headers, body = self.srv.request("GET", self.seen["csv"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"].split(";")[0], "text/csv")
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        lines = body[3:].decode("utf-8").split("\r\n")
        self.assertEqual(lines[0], "规则,规则名称,范围,范围名称,周期,开始,结束,"
                         "状态,已举办,其中补录,已排期,其中待定,至少,剩余天数")
        self.assertEqual(lines[1], "monthly-roadshow,月月有路演,district,全区,"
                         "2025-01,2025-01-01,2025-01-31,无记录,0,0,0,0,1,")
        self.assertIn("quarterly-event,季季有活动,district,全区,2025-Q1,"
                      "2025-01-01,2025-03-31,已达成,1,1,0,0,1,", lines)
        self.assertIn("monthly-roadshow,月月有路演,partner:dazhou,达州市,"
                      "2025-04,2025-04-01,2025-04-30,有风险,0,0,0,0,1,16",
                      lines)
        self.assertEqual(len(lines), 1 + 36 * 17 + 1)
        # the English CSV stays as it was for scripts
        status, _, body = self.srv.request(
            "GET", "/api/v1/cadence?format=csv&year=2025")
        self.assertEqual(body.decode().split("\r\n")[0],
                         "rule,scope,period,start,end,status,held,"
                         "scheduled,min,days_left")
        self.assertProblem(self.srv.request(
            "GET", "/api/v1/cadence?format=csv&year=2025&lang=fr"), 400,
            "lang")


class TrackingSinceTest(E2ETestCase):
    """serve --tracking-since, ROADSHOWD_TRACKING_SINCE, the database's
    creation as the default, and the CLI's --tracking-since."""

    def district(self, doc, rule="monthly-roadshow"):
        return [p["status"] for p in doc["periods"]
                if p["rule"] == rule and p["scope"] == "district"]

    def test_flag_env_default_and_cli(self):
        srv = Server(now=NOW,
                     extra_args=["--tracking-since", "2025-03-01"])
        self.addCleanup(srv.cleanup)
        srv.start()
        _, _, doc = srv.json("GET", "/api/v1/cadence?year=2025")
        self.assertEqual(doc["tracking_since"], "2025-03-01")
        self.assertEqual(self.district(doc)[:4],
                         ["untracked", "untracked", "missed", "at_risk"])
        self.assertEqual(doc["summary"]["untracked"], 3)   # Jan, Feb, Q1
        srv.stop()
        srv.extra_args = []
        srv.extra_env["ROADSHOWD_TRACKING_SINCE"] = "2025-02-01"
        srv.start()
        _, _, doc = srv.json("GET", "/api/v1/cadence?year=2025")
        self.assertEqual(doc["tracking_since"], "2025-02-01")
        self.assertEqual(self.district(doc)[:3],
                         ["untracked", "missed", "missed"])
        # the default: the database's creation, stored at its first
        # start by the server's clock (NOW)
        srv.stop()
        srv.extra_env["ROADSHOWD_TRACKING_SINCE"] = ""
        srv.start()
        _, _, doc = srv.json("GET", "/api/v1/cadence?year=2025")
        self.assertEqual(doc["tracking_since"], "2025-04-15")
        self.assertEqual(self.district(doc)[:5], ["untracked"] * 3 +
                         ["at_risk", "open"])
        rc, out, err = srv.cli("cadence", "--db", srv.db_path, "--year",
                               "2025", "--format", "json",
                               "--tracking-since", "2025-03-01")
        self.assertEqual(rc, 1, err)                     # March missed
        self.assertEqual(json.loads(out)["tracking_since"], "2025-03-01")
        rc, out, err = srv.cli("cadence", "--db", srv.db_path, "--year",
                               "2025", "--format", "json",
                               env={"ROADSHOWD_TRACKING_SINCE": ""})
        self.assertEqual((rc, json.loads(out)["tracking_since"]),
                         (0, "2025-04-15"))
        rc, out, err = srv.cli("cadence", "--db", srv.db_path, "--year",
                               "2025", "--tracking-since", "March")
        self.assertEqual((rc, err.strip()), (2, "roadshowd: --tracking-since"
                                             " must be a date YYYY-MM-DD"))
        srv.stop()
        rc, out, err = srv.cli("serve", "--db", srv.db_path, "--port", "0",
                               "--tracking-since", "2025-02-30")
        self.assertEqual((rc, err.strip()), (2, "roadshowd: --tracking-since"
                                             " must be a date YYYY-MM-DD"))

    def test_recorded_late_in_events_api(self):
        srv = start_server(self, now=NOW)
        admin = srv.token("admin")
        body = {"kind": "roadshow", "title": "补录：一月路演",
                "start": "2025-01-20T14:00:00+08:00"}
        status, _, late = srv.json("POST", "/api/v1/events", body=body,
                                   token=admin)
        self.assertEqual((status, late["recorded_late"]), (201, True))
        body = dict(body, title="四月路演", start="2025-04-20T14:00:00+08:00")
        _, _, ok = srv.json("POST", "/api/v1/events", body=body, token=admin)
        self.assertIs(ok["recorded_late"], False)
        # moving it into an ended month makes it late; the list agrees
        status, _, moved = srv.json(
            "PATCH", "/api/v1/events/%d" % ok["id"],
            body={"start": "2025-03-20T14:00:00+08:00"}, token=admin)
        self.assertEqual((status, moved["recorded_late"]), (200, True))
        _, _, lst = srv.json(
            "GET", "/api/v1/events?expand=true&from=2025-01-01T00:00:00%2B08:00"
            "&to=2025-12-31T00:00:00%2B08:00")
        self.assertEqual([(e["title"], e["recorded_late"])
                          for e in lst["items"]],
                         [("补录：一月路演", True), ("四月路演", True)])
        # a PUT of the representation with recorded_late is accepted
        status, _, put = srv.json("PUT", "/api/v1/events/%d" % late["id"],
                                  body={k: v for k, v in late.items()},
                                  token=admin)
        self.assertEqual(status, 200, put)


if __name__ == "__main__":
    unittest.main()
