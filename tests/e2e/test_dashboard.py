"""
End-to-end: the leaders' dashboard (GET /, service/dashboard.html) rendered
by a real browser. A server whose clock is 2025-04-15T12:00:00+08:00 gets a
few 2025 events from two organisers and an admin, and a cadence rule by
region; headless Chromium then loads http://127.0.0.1:PORT/?year=2025, runs
the page's script against the live API, and dumps the resulting DOM, which
is parsed with html.parser and checked value by value: language, heatmap
(one table per rule, period headers, every cell's status), upcoming events
(counted from the server's clock, cancelled ones marked, titles escaped),
and a webcal:// subscribe link for every feed. A second load passes
?as_of= through to the report; a third takes a 1280x2000 screenshot.

Needs Debian's chromium (/usr/bin/chromium); skipped when it is absent.
Run with (from tests/e2e):
    /usr/bin/python3 -m unittest -v test_dashboard
Set ROADSHOWD_DASHBOARD_PNG=/some/file.png to keep the screenshot.
"""
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import unittest
from html.parser import HTMLParser
from urllib.parse import quote

from harness import E2ETestCase, start_class_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_TIMEOUT_S = 40
VIRTUAL_TIME_BUDGET_MS = 10000

NOW = "2025-04-15T12:00:00+08:00"            # ROADSHOWD_NOW of the server
LATER = "2025-08-15T12:00:00+08:00"          # the ?as_of= of the second load

PINGHU = "pinghu-maker-space"                # 平湖众创空间, wanzhou-jingkaiqu
TAIYANGNIAO = "taiyangniao-maker-space"      # 太阳鸟众创空间, baianba

MONTHS = ["2025-%02d" % m for m in range(1, 13)]
QUARTERS = ["2025-Q%d" % k for k in range(1, 5)]
LABEL = {"met": "已达成", "scheduled": "已排期", "at_risk": "有风险",
         "missed": "未达成", "open": "未开始"}

ESCAPE_TITLE = "<b>创新</b> & 投资论坛"    # must show as text, not markup
ESCAPE_VENUE = "百安坝会议室 <i>A</i> 厅"

# (token name, body, cancel afterwards)
EVENTS = [
    ("pinghu", {"kind": "roadshow", "title": "一月项目路演：智能制造专场",
                "venue": "平湖众创空间 2 楼路演厅",
                "start": "2025-01-15T14:00:00+08:00",
                "end": "2025-01-15T16:00:00+08:00"}, False),
    ("taiyangniao", {"kind": "salon", "title": "二月创业沙龙",
                     "start": "2025-02-20T14:00:00+08:00",
                     "end": "2025-02-20T16:00:00+08:00"}, False),
    ("pinghu", {"kind": "roadshow", "title": "三月项目路演",
                "start": "2025-03-12T14:00:00+08:00",
                "end": "2025-03-12T16:00:00+08:00"}, True),
    ("pinghu", {"kind": "roadshow", "title": "五月项目路演：数字经济专场",
                "venue": "三峡创客驿站",
                "start": "2025-05-20T14:00:00+08:00",
                "end": "2025-05-20T16:30:00+08:00",
                "partner_regions": ["dazhou"]}, False),
    ("pinghu", {"kind": "training", "title": "六月创业培训",
                "start": "2025-06-12T14:00:00+08:00",
                "end": "2025-06-12T16:00:00+08:00"}, True),
    ("taiyangniao", {"kind": "forum", "title": ESCAPE_TITLE,
                     "venue": ESCAPE_VENUE,
                     "start": "2025-07-08T09:30:00+08:00",
                     "end": "2025-07-08T11:30:00+08:00"}, False),
    ("admin", {"kind": "competition", "title": "2025 万州区创新创业大赛",
               "venue": "万州区会展中心",
               "start": "2025-09-10T09:00:00+08:00",
               "end": "2025-09-10T17:00:00+08:00"}, False),
    ("pinghu", {"kind": "roadshow", "title": "十一月项目路演",
                "start": "2025-11-05T14:00:00+08:00",
                "end": "2025-11-05T16:00:00+08:00"}, False),
]

# The admin's extra rule: a roadshow every quarter in every region.
REGION_RULE = {"id": "region-roadshow", "name": "各区域季季有路演",
               "kinds": ["roadshow"], "period": "quarter", "min": 1,
               "scope": "region", "active_from": "2025-01-01"}

RULE_IDS = ["monthly-roadshow", "quarterly-event", "yearly-competition",
            "region-roadshow"]
RULE_TITLES = ["月月有路演 · monthly-roadshow", "季季有活动 · quarterly-event",
               "年年有大赛 · yearly-competition",
               "各区域季季有路演 · region-roadshow"]

# District statuses as of NOW (2025-04-15 12:00 +08).
AT_NOW = {
    "monthly-roadshow": [
        "met",          # 01: held on 01-15
        "missed",       # 02: nothing, ended
        "missed",       # 03: the only roadshow cancelled
        "at_risk",      # 04: running, nothing held or scheduled
        "scheduled",    # 05
        "open", "open", "open", "open", "open",
        "scheduled",    # 11
        "open"],
    "quarterly-event": ["met",        # salon 02-20
                        "at_risk",    # the June training is cancelled
                        "scheduled",  # forum 07-08
                        "open"],
    "yearly-competition": ["scheduled"],
}
# ... and as of LATER (2025-08-15 12:00 +08), passed as ?as_of=.
AT_LATER = {
    "monthly-roadshow": ["met", "missed", "missed", "missed", "met",
                         "missed", "missed", "at_risk", "open", "open",
                         "scheduled", "open"],
    "quarterly-event": ["met", "missed", "met", "open"],
    "yearly-competition": ["scheduled"],
}
# region-roadshow as of NOW: pinghu's region has Q1 held, Q2 and Q4 ahead.
REGION_AT_NOW_PINGHU = ["met", "scheduled", "open", "scheduled"]
REGION_AT_NOW_OTHER = ["missed", "at_risk", "open", "open"]

# Upcoming rows (time, kind, title, carrier, venue): the six months from
# the report's as_of; the 11-05 roadshow lies beyond 2025-10-15.
UPCOMING_AT_NOW = [
    ("2025-05-20 14:00–16:30", "项目路演", "五月项目路演：数字经济专场",
     "平湖众创空间", "三峡创客驿站"),
    ("2025-06-12 14:00–16:00", "创业培训", "[已取消] 六月创业培训",
     "平湖众创空间", ""),
    ("2025-07-08 09:30–11:30", "主题论坛", ESCAPE_TITLE,
     "太阳鸟众创空间", ESCAPE_VENUE),
    ("2025-09-10 09:00–17:00", "大赛", "2025 万州区创新创业大赛",
     "全区", "万州区会展中心"),
]
UPCOMING_AT_LATER = [
    ("2025-09-10 09:00–17:00", "大赛", "2025 万州区创新创业大赛",
     "全区", "万州区会展中心"),
    ("2025-11-05 14:00–16:00", "项目路演", "十一月项目路演",
     "平湖众创空间", ""),
]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


# ---- a small DOM over html.parser ----

class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    def __repr__(self):
        return "<%s %r>" % (self.tag, self.attrs)

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        return "".join(c if isinstance(c, str) else c.text()
                       for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        out = []
        for n in self.iter():
            if tag is not None and n.tag != tag:
                continue
            if cls is not None and cls not in n.classes:
                continue
            if any(n.attrs.get(k.replace("_", "-")) != v
                   for k, v in attrs.items()):
                continue
            out.append(n)
        return out

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def children_named(self, tag):
        return [c for c in self.children
                if isinstance(c, Node) and c.tag == tag]


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text):
    b = TreeBuilder()
    b.feed(text)
    b.close()
    return b.root


# ---- headless Chromium ----

def run_chromium(url, extra_args, timeout=CHROMIUM_TIMEOUT_S):
    """Run headless Chromium once on url with a fresh profile (and HOME) in
    a temporary directory, removed afterwards. Returns (stdout bytes,
    stderr text). Chromium runs in its own process group, which is killed
    on timeout and swept after exit."""
    tmp = tempfile.mkdtemp(prefix="roadshowd-chromium-")
    try:
        profile = os.path.join(tmp, "profile")
        home = os.path.join(tmp, "home")
        os.mkdir(profile)
        os.mkdir(home)
        env = dict(os.environ, HOME=home,
                   XDG_CONFIG_HOME=os.path.join(home, ".config"),
                   XDG_CACHE_HOME=os.path.join(home, ".cache"))
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-proxy-server",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=%d" % VIRTUAL_TIME_BUDGET_MS]
        args += list(extra_args) + [url]
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            out, err = proc.communicate()
            raise AssertionError("chromium did not finish within %d s:\n%s"
                                 % (timeout, _tail(err)))
        finally:
            _kill_group(proc.pid)        # helpers left behind, if any
        err = err.decode("utf-8", "replace")
        if proc.returncode != 0:
            raise AssertionError("chromium exited with %d:\n%s"
                                 % (proc.returncode, _tail(err)))
        return out, err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _tail(err, lines=20):
    if isinstance(err, bytes):
        err = err.decode("utf-8", "replace")
    return "".join("  | %s\n" % line for line in err.splitlines()[-lines:])


def dump_dom(url):
    out, err = run_chromium(url, ["--dump-dom"])
    return parse_html(out.decode("utf-8")), out.decode("utf-8"), err


@unittest.skipUnless(os.access(CHROMIUM, os.X_OK),
                     "%s is absent: install Debian's chromium"
                     " (apt-get install chromium) to test the dashboard"
                     % CHROMIUM)
class DashboardTest(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = srv = start_class_server(cls, env={"ROADSHOWD_NOW": NOW})
        tokens = {"pinghu": srv.token("organiser", PINGHU),
                  "taiyangniao": srv.token("organiser", TAIYANGNIAO),
                  "admin": srv.token("admin")}
        for who, body, cancel in EVENTS:
            status, _, doc = srv.json("POST", "/api/v1/events", body=body,
                                      token=tokens[who])
            if status != 201:
                raise AssertionError("POST %s: %d %r"
                                     % (body["title"], status, doc))
            if cancel:
                status, _, doc = srv.json(
                    "POST", "/api/v1/events/%d/cancel" % doc["id"],
                    token=tokens[who])
                if status != 200:
                    raise AssertionError("cancel %s: %d %r"
                                         % (body["title"], status, doc))
        status, _, doc = srv.json("POST", "/api/v1/rules", body=REGION_RULE,
                                  token=tokens["admin"])
        if status != 201:
            raise AssertionError("POST rule: %d %r" % (status, doc))
        cls.api = {name: srv.json("GET", "/api/v1/" + name)[2]["items"]
                   for name in ("kinds", "regions", "carriers")}
        cls.report_now = srv.json("GET", "/api/v1/cadence?year=2025")[2]
        cls.report_later = srv.json(
            "GET", "/api/v1/cadence?year=2025&as_of=" + quote(LATER))[2]
        cls.url = srv.base_url + "/?year=2025"
        cls.doc, cls.html, cls.chromium_err = dump_dom(cls.url)

    # ---- helpers ----

    def loaded(self, doc, err):
        body = doc.find("body")
        self.assertIsNotNone(body)
        message = doc.find(id="err")
        self.assertEqual(body.get("data-state"), "ready",
                         "page not loaded: %r\n%s"
                         % (message.text() if message else None,
                            _tail(err)))
        self.assertEqual(message.text(), "")

    def heat_tables(self, doc):
        return doc.find(id="heatmap").find_all("table", cls="heat")

    def grid(self, table):
        """(header texts, [(scope, scope text, [(text, class, status,
        period)])])"""
        rows = table.find_all("tr")
        head = [th.text() for th in rows[0].children_named("th")]
        body = []
        for tr in rows[1:]:
            ths = tr.children_named("th")
            self.assertEqual(len(ths), 1)
            cells = [(td.text(), td.get("class"), td.get("data-status"),
                      td.get("data-period"))
                     for td in tr.children_named("td")]
            body.append((tr.get("data-scope"), ths[0].text(), cells))
        return head, body

    def expected_cells(self, periods, statuses):
        return [(LABEL[s], s, s, p) for p, s in zip(periods, statuses)]

    def district_tables(self, doc, expected):
        tables = self.heat_tables(doc)
        self.assertEqual([t.get("data-rule") for t in tables], RULE_IDS)
        for table, (rule, periods) in zip(tables, (
                ("monthly-roadshow", MONTHS),
                ("quarterly-event", QUARTERS),
                ("yearly-competition", ["2025"]))):
            with self.subTest(rule=rule):
                head, body = self.grid(table)
                self.assertEqual(head, ["范围"] + periods)
                self.assertEqual(body, [("district", "全区",
                                         self.expected_cells(
                                             periods, expected[rule]))])

    def upcoming_rows(self, doc):
        tbody = doc.find(id="upcoming").find("tbody")
        return [tuple(td.text() for td in tr.children_named("td"))
                for tr in tbody.children_named("tr")]

    def api_statuses(self, report, rule, scope="district"):
        return [p["status"] for p in report["periods"]
                if p["rule"] == rule and p["scope"] == scope]

    # ---- the page at the server's clock ----

    def test_page_is_zh_cn_and_loaded(self):
        html = self.doc.find("html")
        self.assertEqual(html.get("lang"), "zh-CN")
        self.assertEqual(self.doc.find("title").text(),
                         "万州区创新创业活动节奏看板")
        self.assertEqual(self.doc.find("h1").text(),
                         "万州区创新创业活动节奏看板")
        self.loaded(self.doc, self.chromium_err)
        self.assertEqual(self.doc.find(id="asof").text(),
                         "数据截至 2025-04-15 12:00")
        self.assertEqual(self.doc.find(id="csv").get("href"),
                         "/api/v1/cadence?format=csv&year=2025")
        self.assertEqual(
            [h.text() for h in self.doc.find("main").find_all("h2")],
            ["节奏热力图", "近期活动", "订阅日历"])

    def test_heatmap_district_rules(self):
        self.district_tables(self.doc, AT_NOW)
        # the page shows what the API reports
        for rule in AT_NOW:
            self.assertEqual(self.api_statuses(self.report_now, rule),
                             AT_NOW[rule])
        # named checks the leaders read first
        monthly = self.heat_tables(self.doc)[0]
        jan = monthly.find("td", data_period="2025-01")
        feb = monthly.find("td", data_period="2025-02")
        self.assertEqual((jan.get("data-status"), jan.text()),
                         ("met", "已达成"))
        self.assertEqual((feb.get("data-status"), feb.text()),
                         ("missed", "未达成"))
        apr = monthly.find("td", data_period="2025-04")
        self.assertEqual(apr.get("title"),
                         "有风险 · 已举办 0 · 已排期 0 · 至少 1 · 剩余 16 天")
        self.assertEqual(
            [h.text() for h in
             self.doc.find(id="heatmap").find_all("h3")], RULE_TITLES)

    def test_heatmap_rule_by_region(self):
        tables = self.heat_tables(self.doc)
        self.assertEqual([t.get("data-rule") for t in tables], RULE_IDS)
        table = tables[3]
        head, body = self.grid(table)
        self.assertEqual(head, ["范围"] + QUARTERS)
        regions = [r for r in self.api["regions"] if not r["partner"]]
        self.assertEqual(len(regions), 9)
        expected = []
        for r in regions:
            statuses = (REGION_AT_NOW_PINGHU
                        if r["slug"] == "wanzhou-jingkaiqu"
                        else REGION_AT_NOW_OTHER)
            expected.append(("region:" + r["slug"], r["name"],
                             self.expected_cells(QUARTERS, statuses)))
        self.assertEqual(body, expected)
        self.assertEqual(body[0][1], "万州经开区")

    def test_upcoming_events(self):
        self.assertEqual(self.upcoming_rows(self.doc), UPCOMING_AT_NOW)
        tbody = self.doc.find(id="upcoming").find("tbody")
        self.assertEqual([tr.get("class") for tr in
                          tbody.children_named("tr")],
                         [None, "cancelled", None, None])
        self.assertEqual(self.doc.find(id="upcoming-note").text(),
                         "自 2025-04-15 12:00 起六个月内，最多 20 场。")

    def test_data_is_text_not_markup(self):
        # the forum's title and venue carry '<b>', '&' and '<i>'
        self.assertEqual(self.doc.find("body").find_all("b"), [])
        self.assertEqual(self.doc.find("body").find_all("i"), [])
        self.assertEqual(self.html.count(
            "&lt;b&gt;创新&lt;/b&gt; &amp; 投资论坛"), 1,
            "the forum's title is not shown once as escaped text")
        self.assertNotIn("<b>创新</b>", self.html)

    def test_subscribe_links(self):
        feeds = self.doc.find(id="feeds")
        port = self.srv.port
        host = "127.0.0.1:%d" % port
        expected = ["webcal://%s/calendar.ics" % host]
        expected += ["webcal://%s/calendars/kinds/%s.ics" % (host, k["slug"])
                     for k in self.api["kinds"]]
        district = [r for r in self.api["regions"] if not r["partner"]]
        partners = [r for r in self.api["regions"] if r["partner"]]
        expected += ["webcal://%s/calendars/regions/%s.ics"
                     % (host, r["slug"]) for r in district]
        expected += ["webcal://%s/calendars/partners/%s.ics"
                     % (host, r["slug"]) for r in partners]
        expected += ["webcal://%s/calendars/carriers/%s.ics"
                     % (host, c["slug"]) for c in self.api["carriers"]]
        self.assertEqual((len(self.api["kinds"]), len(district),
                          len(partners), len(self.api["carriers"])),
                         (7, 9, 4, 22))
        webcal = feeds.find_all("a", cls="webcal")
        self.assertEqual([a.get("href") for a in webcal], expected)
        # the feed fields of the API agree
        self.assertEqual(
            expected[1:],
            [x["feed"]["webcal"] for x in
             self.api["kinds"] + district + partners + self.api["carriers"]])
        # the link names: the feeds' Chinese names
        self.assertEqual(
            [a.text() for a in webcal],
            ["全区所有活动"] + [x["name"] for x in
                               self.api["kinds"] + district + partners
                               + self.api["carriers"]])
        self.assertEqual(webcal[1].text(), "项目路演")
        self.assertEqual(webcal[-1].text(), "龙腾众创空间")
        # each has its http(s) twin
        ics = feeds.find_all("a", cls="ics")
        self.assertEqual([a.get("href") for a in ics],
                         [u.replace("webcal://", "http://", 1)
                          for u in expected])
        self.assertEqual(
            [h.text() for h in feeds.find_all("h3")],
            ["全区", "按活动类型", "按区域", "按合作地区", "按载体"])

    # ---- ?as_of= is passed through ----

    def test_as_of_passthrough(self):
        doc, _, err = dump_dom(self.url + "&as_of=" + quote(LATER))
        self.loaded(doc, err)
        self.assertEqual(doc.find(id="asof").text(),
                         "数据截至 2025-08-15 12:00")
        self.assertEqual(doc.find(id="csv").get("href"),
                         "/api/v1/cadence?format=csv&year=2025&as_of="
                         + quote(LATER, safe=""))
        self.district_tables(doc, AT_LATER)
        for rule in AT_LATER:
            self.assertEqual(self.api_statuses(self.report_later, rule),
                             AT_LATER[rule])
        self.assertEqual(self.upcoming_rows(doc), UPCOMING_AT_LATER)

    # ---- the screenshot ----

    def test_screenshot(self):
        tmp = tempfile.mkdtemp(prefix="roadshowd-shot-")
        self.addCleanup(shutil.rmtree, tmp, True)
        png = os.path.join(tmp, "dash.png")
        run_chromium(self.url, ["--screenshot=" + png,
                                "--window-size=1280,2000"])
        self.assertTrue(os.path.isfile(png), "no screenshot written")
        with open(png, "rb") as f:
            data = f.read()
        keep = os.environ.get("ROADSHOWD_DASHBOARD_PNG")
        if keep:
            with open(keep, "wb") as f:
                f.write(data)
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(data[12:16], b"IHDR")
        self.assertEqual(struct.unpack(">II", data[16:24]), (1280, 2000))
        # a blank 1280x2000 page compresses to a few KB; the rendered
        # heatmap, tables and 43 links take far more
        self.assertGreater(len(data), 40000)


if __name__ == "__main__":
    unittest.main()
