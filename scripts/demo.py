#!/usr/bin/env python3
"""Fill a demo database for roadshowd through its HTTP API, then serve it.

    scripts/demo.py [--binary build/roadshowd] [--db data/demo.db]
                    [--bind 127.0.0.1] [--port 8080] [--reset]

First run (the database file does not exist yet): start `roadshowd serve`,
which creates and seeds the database; create organiser tokens for a dozen
annex carriers and one admin token with `roadshowd token create`; then post a
sample of events the way organisers do (JSON, Authorization: Bearer), from
January of last year to about three months ahead of today (Asia/Shanghai).
The sample is laid out around today's date so that this year's cadence
report shows every status today's date allows: met, missed, at_risk,
scheduled and open.

Every run then keeps serving that database in the foreground and prints the
dashboard and feed URLs and example commands. Ctrl-C (SIGINT) or SIGTERM is
forwarded to the server, which is waited for.

Tokens go to <db name without .db>-tokens.txt beside the database
(data/demo-tokens.txt for data/demo.db), mode 0600. data/roadshowd.db, the
database of `make run`, is never touched. When ROADSHOWD_NOW (RFC 3339) is
set, it fixes the clock of the server and of this script alike.

Python 3 standard library only.
"""

import argparse
import collections
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DB = os.path.join(REPO, "data", "roadshowd.db")

try:
    from zoneinfo import ZoneInfo

    TZ = ZoneInfo("Asia/Shanghai")
except Exception:  # no tzdata: Shanghai has been UTC+8 without DST since 1991
    TZ = dt.timezone(dt.timedelta(hours=8), "CST")

STATUSES = ("met", "scheduled", "at_risk", "missed", "open")
PARTNERS = ("dazhou", "kaizhou", "yunyang", "liangjiang-xinqu")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


class DemoError(Exception):
    """A problem that ends the demo with a message (no traceback)."""


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived while the sample was being posted."""


# ---------------------------------------------------------------------------
# The sample. Carriers and venues are annex carriers (GET /api/v1/carriers).

VENUES = {
    "pinghu-maker-space": "平湖众创空间 一楼路演厅",
    "sanxia-incubation-center": "万州三峡创业孵化中心 多功能厅",
    "zbj-digital-economy-center": "猪八戒数字经济创新中心 路演中心",
    "ctgu-electronics-maker-space": "重庆三峡学院 电子系统集成众创空间 路演室",
    "shengyao-ant-station": "圣耀蚂蚁空间站 共享会议厅",
    "longteng-maker-space": "龙驹镇 龙腾众创空间 会议室",
    "shennong-yichuang": "重庆三峡医药高等专科学校 神农益创空间",
    "tencent-cloud-talent-center": "腾讯云数字经济人才创新中心 报告厅",
    "jinwan-liulian-center": "津万榴莲创新创业中心 路演厅",
    "wanzhou-innovation-center": "万州科技创新中心 报告厅",
    "lvye-maker-space": "重庆三峡职业学院 绿叶众创空间",
    "tianyuan-maker-space": "三峡田缘众创空间 活动室",
}
ORGANISERS = list(VENUES)

# Monthly roadshows rotate over these hosts: (carrier, theme, focus).
ROADSHOW_ROTATION = [
    ("pinghu-maker-space", "智能制造专场", "智能装备、汽车零部件和工业软件"),
    ("zbj-digital-economy-center", "数字经济专场", "数字营销、电商服务和企业数字化"),
    ("ctgu-electronics-maker-space", "电子信息专场",
     "嵌入式系统、物联网终端和集成电路应用"),
    ("sanxia-incubation-center", "科技金融对接专场", "成长期科技型企业的股权和债权融资"),
    ("shengyao-ant-station", "青年创业专场", "青年和返乡人员的首次创业项目"),
    ("longteng-maker-space", "乡村振兴专场", "特色农业、农产品加工和乡村文旅"),
    ("shennong-yichuang", "生物医药与大健康专场", "中药材、医疗器械和健康服务"),
    ("tencent-cloud-talent-center", "人工智能与云计算专场",
     "行业大模型应用、SaaS 和云原生"),
    ("jinwan-liulian-center", "消费品与特色食品专场", "特色食品、预制菜和新消费品牌"),
    ("wanzhou-innovation-center", "绿色低碳与新材料专场", "新能源、节能环保和新材料"),
    ("lvye-maker-space", "大学生创新创业专场", "在校生和毕业五年内大学生的创业项目"),
]

# Roadshows co-hosted with partner regions, by calendar month.
COHOSTED_ROADSHOWS = {
    6: ("sanxia-incubation-center", "“万达开”联合专场",
        ["dazhou", "kaizhou", "yunyang"],
        "万达开川渝统筹发展示范区联合路演：万州、达州、开州、云阳四地孵化载体"
        "各推荐优质项目同台路演，四地投资机构联合评审，推动项目跨区域落地和"
        "产业链协作。"),
    9: ("zbj-digital-economy-center", "两江新区协同专场", ["liangjiang-xinqu"],
        "与两江新区孵化载体联合举办，面向数字经济和智能网联领域项目，两江新区"
        "投资机构和龙头企业到场，推动两地项目、资本和应用场景对接。"),
}

# The quarter-rule events (salon, forum, training, seminar, exhibition), by
# calendar month: kind, carrier, title, (nth, weekday), start, hours,
# partner regions, capacity, description. hours None: a two-day all-day event.
EXTRAS = {
    1: ("training", "wanzhou-innovation-center",
        "高新技术企业认定与科技型企业评价申报培训", (3, TUE), (9, 30), 3, [],
        120, "解读高新技术企业认定、科技型企业评价和研发费用加计扣除政策，现场辅导"
        "申报材料准备，区科技局业务科室到场答疑。"),
    2: ("salon", "longteng-maker-space", "新春返乡创业沙龙", (4, THU),
        (14, 30), 2.5, [], 60, "春节后面向返乡青年和新农人的创业交流：特色农业、"
        "农村电商和乡村民宿创业者分享经验，合作银行介绍创业担保贷款。"),
    3: ("forum", "sanxia-incubation-center",
        "“万达开”川渝统筹发展示范区创新创业协同论坛", (-1, FRI), (9, 0), 4,
        ["dazhou", "kaizhou"], 200, "万达开川渝统筹发展示范区孵化载体协同论坛："
        "交流载体运营和项目孵化经验，商议年度联合路演、联合大赛和资源共享安排。"),
    4: ("salon", "zbj-digital-economy-center", "知识产权保护与质押融资沙龙",
        (4, THU), (14, 30), 2, [], 60, "专利代理机构讲解专利布局，合作银行介绍"
        "知识产权质押贷款产品，在孵企业分享融资经验。"),
    5: ("seminar", "ctgu-electronics-maker-space", "电子信息与智能制造学术研讨会",
        (4, FRI), (9, 0), 3.5, [], 80, "重庆三峡学院相关学科教师与企业技术负责人"
        "研讨嵌入式系统、工业物联网和智能制造中的共性技术问题，推动校企联合攻关"
        "和成果转化。"),
    6: ("forum", "wanzhou-innovation-center", "两江新区—万州科技成果转化对接论坛",
        (4, TUE), (9, 30), 3, ["liangjiang-xinqu"], 150, "两江新区研发机构发布"
        "可转化成果，万州孵化载体和企业现场对接，探讨中试熟化和产业化合作。"),
    7: ("training", "lvye-maker-space", "大学生创业训练营（暑期班）", (2, MON),
        (9, 0), 8, [], 80, "商业计划书撰写、路演技巧与财务基础，结营时模拟路演，"
        "优秀项目推荐参加“高新杯”众创大赛。"),
    8: ("salon", "tianyuan-maker-space", "万州—云阳文旅融合创业沙龙", (3, FRI),
        (14, 30), 2.5, ["yunyang"], 50, "与云阳县创业者共同探讨三峡库区文旅融合"
        "创业：民宿、研学和文创产品的经营经验分享与资源对接。"),
    9: ("seminar", "shennong-yichuang", "中医药大健康产业创新研讨会", (4, THU),
        (9, 30), 3, [], 80, "围绕中药材种植加工、中医药健康服务和医疗器械研发，"
        "院校专家与企业研讨创新方向和成果转化路径。"),
    10: ("salon", "tencent-cloud-talent-center", "跨境电商与产品出海沙龙",
         (4, THU), (14, 30), 2, [], 60, "平台招商经理和出海企业分享选品、独立站"
         "运营和跨境支付合规经验。"),
    11: ("exhibition", "wanzhou-innovation-center", "万州区创新创业成果展",
         (3, FRI), None, None, list(PARTNERS), 2000, "年度成果展：集中展示全区"
         "孵化载体在孵企业的新产品、新技术和“高新杯”获奖项目，设“万达开”及"
         "两江新区合作展区。两天全天开放，免费参观。"),
    12: ("seminar", "tencent-cloud-talent-center", "数字经济与产业数字化转型研讨会",
         (3, FRI), (9, 30), 3, [], 100, "企业数字化转型案例、工业互联网平台应用"
         "和数据要素流通，研讨孵化服务的数字化改进。"),
}

SERIES = ("training", "sanxia-incubation-center", "创业者成长训练营（月度课程）",
          "FREQ=MONTHLY;BYDAY=2TH;COUNT=6", 40,
          "每月第二个周四下午，共 6 期：商业模式设计、股权架构与融资、财税合规、"
          "知识产权布局、市场营销和团队管理。面向在孵企业创始人和核心团队，"
          "每期限 40 人。")


def month_index(y, m):
    return y * 12 + m - 1


def ym(mi):
    return mi // 12, mi % 12 + 1


def nth_weekday(y, m, nth, weekday):
    """The nth (1..5, or -1 for the last) weekday (0 Monday) of a month."""
    if nth > 0:
        first = dt.date(y, m, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7
                                    + 7 * (nth - 1))
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def at(day, hm):
    return dt.datetime(day.year, day.month, day.day, hm[0], hm[1], tzinfo=TZ)


def rfc3339(t):
    return t.isoformat(timespec="seconds")


class Planned:
    """One event to post: who posts it (carrier slug or "admin"), the JSON
    body, and whether it is cancelled afterwards."""

    def __init__(self, who, start, body, cancel=False, note=""):
        self.who = who
        self.start = start          # aware datetime (all-day: local midnight)
        self.body = body
        self.cancel = cancel
        self.note = note


def timed(kind, carrier, title, start, hours, description, venue=None,
          partners=(), capacity=None, status="CONFIRMED"):
    body = {
        "kind": kind, "title": title, "description": description,
        "venue": venue or VENUES.get(carrier), "timezone": "Asia/Shanghai",
        "start": rfc3339(start),
        "end": rfc3339(start + dt.timedelta(hours=hours)),
        "status": status, "partner_regions": list(partners),
    }
    if carrier:
        body["carrier"] = carrier
    if capacity:
        body["capacity"] = capacity
    return body


def build_plan(now):
    """The sample around `now` (aware, Asia/Shanghai): a list of Planned in
    start order, and a dict describing the deliberate gaps."""
    y, m = now.year, now.month
    q = (m - 1) // 3 + 1
    cur = month_index(y, m)
    first, last = month_index(y - 1, 1), cur + 3
    months_left = 12 - m

    # Deliberate gaps.
    if m >= 3:
        cancelled_month = month_index(y, 2)      # Spring Festival: cancelled
    elif m == 2:
        cancelled_month = month_index(y, 1)
    else:
        cancelled_month = month_index(y - 1, 2)
    silent_month = month_index(y - 1, 8)         # summer: nothing planned
    gap_quarter = (y, 1) if q >= 2 else (y - 1, 3)   # only cancelled events
    # Future: one month with nothing (open), the others scheduled, the last
    # one only TENTATIVE. In November only December is left to be open.
    empty_future = cur + 1 if months_left == 1 else cur + 2
    tentative_month = cur + 3

    plan = []
    for mi in range(first, last + 1):
        yy, mm = ym(mi)
        # -- the monthly roadshow
        if mi not in (cur, silent_month, empty_future):
            carrier, theme, focus = ROADSHOW_ROTATION[(mi - first)
                                                      % len(ROADSHOW_ROTATION)]
            partners, desc = [], None
            if mm in COHOSTED_ROADSHOWS:
                carrier, theme, partners, desc = COHOSTED_ROADSHOWS[mm]
            n = 6 + mi % 3
            desc = (desc or "月月有路演：本期由%s承办，聚焦%s。" % (
                VENUES[carrier].split(" ")[0], focus)) + (
                "%d 个在孵项目各做 8 分钟路演、7 分钟答辩，邀请投资机构、合作银行"
                "和产业专家现场点评，会后安排一对一融资对接。报名请联系承办载体。"
                % n)
            status, note = "CONFIRMED", ""
            if mi == tentative_month:
                status, note = "TENTATIVE", "tentative"
                desc += "（日期待定，以承办载体通知为准。）"
            start = at(nth_weekday(yy, mm, 3, WED), (14, 30))
            plan.append(Planned(carrier, start, timed(
                "roadshow", carrier, "%d年%d月项目路演·%s" % (yy, mm, theme),
                start, 3, desc, partners=partners, capacity=120,
                status=status), cancel=(mi == cancelled_month),
                note="cancelled" if mi == cancelled_month else note))
        # -- the quarter-rule event of the month
        kind, carrier, title, (nth, wd), hm, hours, partners, cap, desc = \
            EXTRAS[mm]
        day = nth_weekday(yy, mm, nth, wd)
        in_gap = (yy, (mm - 1) // 3 + 1) == gap_quarter
        if hours is None:       # two-day all-day exhibition, end exclusive
            body = {
                "kind": kind, "title": "%d年%s" % (yy, title),
                "description": desc, "venue": VENUES[carrier],
                "timezone": "Asia/Shanghai", "all_day": True,
                "start_date": day.isoformat(),
                "end_date": (day + dt.timedelta(days=2)).isoformat(),
                "carrier": carrier, "partner_regions": partners,
                "capacity": cap, "status": "CONFIRMED",
            }
            start = at(day, (0, 0))
        else:
            start = at(day, hm)
            body = timed(kind, carrier, title, start, hours, desc,
                         partners=partners, capacity=cap)
        plan.append(Planned(carrier, start, body, cancel=in_gap,
                            note="cancelled" if in_gap else ""))

    # A held salon earlier this month, so something of this year is held
    # even in January.
    start = max(at((now - dt.timedelta(days=2)).date(), (14, 0)),
                at(dt.date(y, m, 1), (9, 0)))
    if start < now and start.month == m:
        carrier = "shengyao-ant-station"
        plan.append(Planned(carrier, start, timed(
            "salon", carrier, "创业者下午茶·%d月创业沙龙" % m, start, 2,
            "每月一期的小型创业沙龙：在孵团队围坐交流近期经营难题，邀请一位创业导师"
            "现场答疑。", capacity=30)))

    # The monthly training series: six occurrences from two months ago,
    # kept out of the quarter whose events are all cancelled.
    series_from = cur - 2
    if gap_quarter == (y, 1):
        series_from = max(series_from, month_index(y, 4))
    sy, sm = ym(series_from)
    start = at(nth_weekday(sy, sm, 2, THU), (14, 0))
    kind, carrier, title, rrule, cap, desc = SERIES
    body = timed(kind, carrier, title, start, 3, desc, capacity=cap)
    body["rrule"] = rrule
    plan.append(Planned(carrier, start, body, note="series"))

    # 高新杯: one competition a year, hosted by the district (no carrier).
    for yy in (y - 1, y):
        start = at(nth_weekday(yy, 10, 3, FRI), (9, 0))
        if yy == y and start < now and months_left < 2:
            # Nothing else could be "scheduled" this year: hold the final
            # later this year instead.
            days_left = (dt.date(y, 12, 31) - now.date()).days
            if days_left >= 1:
                start = at(now.date() + dt.timedelta(
                    days=max(1, days_left // 2)), (9, 0))
            else:
                later = (now + dt.timedelta(hours=1)).replace(
                    minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
                if later.date() == now.date():
                    start = later
        plan.append(Planned("admin", start, timed(
            "competition", None, "%d年万州区“高新杯”众创大赛总决赛" % yy, start,
            8.5, "年年有大赛：区科技局主办，各孵化载体推荐项目，经初赛、复赛进入"
            "总决赛。决赛分初创组和成长组，现场路演、专家评审并颁奖，获奖项目优先"
            "入驻孵化载体并对接投资机构。", venue=VENUES["wanzhou-innovation-center"],
            capacity=300)))

    plan.sort(key=lambda p: p.start)
    # What this year's report can show at `now`: missed needs an ended month,
    # open a month still to come, met a held event, scheduled a coming one.
    this_year = [p for p in plan if p.start.year == y and not p.cancel]
    possible = {"at_risk"}
    if m >= 2:
        possible.add("missed")
    if m <= 11:
        possible.add("open")
    if any(p.start < now and p.body["status"] == "CONFIRMED"
           for p in this_year):
        possible.add("met")
    if any(p.start >= now for p in this_year):
        possible.add("scheduled")
    gaps = {
        "cancelled_month": "%04d-%02d" % ym(cancelled_month),
        "silent_month": "%04d-%02d" % ym(silent_month),
        "gap_quarter": "%04d-Q%d" % gap_quarter,
        "empty_future": "%04d-%02d" % ym(empty_future),
        "tentative_month": "%04d-%02d" % ym(tentative_month),
        "series_from": "%04d-%02d" % (sy, sm),
        "possible": possible,
    }
    return plan, gaps


# ---------------------------------------------------------------------------
# HTTP

class Api:
    def __init__(self, base):
        self.base = base
        # Never send localhost requests through an http_proxy from the env.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}))

    def call(self, method, path, body=None, token=None, headers=None,
             context=""):
        data = None
        hdrs = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        if token:
            hdrs["Authorization"] = "Bearer " + token
        hdrs.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method, headers=hdrs)
        try:
            with self.opener.open(req, timeout=30) as resp:
                raw, status, rh = resp.read(), resp.status, resp.headers
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                shown = json.dumps(json.loads(raw), ensure_ascii=False,
                                   indent=2)
            except ValueError:
                shown = raw.decode("utf-8", "replace") or "(empty body)"
            msg = ("roadshowd answered %d %s to %s %s%s\n"
                   "Content-Type: %s\n%s") % (
                e.code, e.reason, method, path,
                " (%s)" % context if context else "",
                e.headers.get("Content-Type"), shown)
            if body is not None:
                msg += "\nrequest body:\n" + json.dumps(
                    body, ensure_ascii=False, indent=2)
            raise DemoError(msg) from None
        except (urllib.error.URLError, OSError) as e:
            raise DemoError("%s %s: cannot reach roadshowd at %s: %s" % (
                method, path, self.base, getattr(e, "reason", e))) from None
        if not 200 <= status < 300:
            raise DemoError("roadshowd answered %d to %s %s" % (
                status, method, path))
        ctype = rh.get("Content-Type", "")
        return rh, (json.loads(raw) if raw and "json" in ctype else raw)

    def get(self, path):
        return self.call("GET", path)[1]


# ---------------------------------------------------------------------------
# The server process

class Server:
    """roadshowd serve as a child. Its stderr (the access log) is held back
    while the sample is posted and passed through once serving."""

    def __init__(self, binary, db, bind, port, extra_args=()):
        self.lock = threading.Lock()
        self.tail = collections.deque(maxlen=40)
        self.live = False
        self.port = None
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            [binary, "serve", "--db", db, "--bind", bind, "--port", str(port)]
            + list(extra_args),
            stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace")
            mt = re.search(r"roadshowd: serving .* on .*:(\d+)/\s*$", line)
            if mt and self.port is None:
                self.port = int(mt.group(1))
                self.ready.set()
            with self.lock:
                if self.live:
                    sys.stderr.write(line)
                    sys.stderr.flush()
                else:
                    self.tail.append(line)
        self.ready.set()

    def go_live(self):
        with self.lock:
            self.live = True

    def output(self):
        with self.lock:
            return "".join(self.tail).rstrip() or "(no output)"

    def stop(self, sig=signal.SIGTERM, sent=False, timeout=15):
        """Send sig (unless it was just forwarded: sent) and wait for the
        server to exit. roadshowd waits for signals in pause() in its main
        thread, so a signal the kernel hands to one of its worker threads
        sets its stop flag without waking it: the same signal is repeated
        every 2 s. After timeout seconds the server is killed."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if not sent:
                try:
                    self.proc.send_signal(sig)
                except OSError:
                    pass
            sent = False
            try:
                self.proc.wait(timeout=max(0.1, min(
                    2, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    print("roadshowd demo: roadshowd did not stop within "
                          "%ds; killing it" % timeout, file=sys.stderr)
                    self.proc.kill()
                    self.proc.wait()
        self.thread.join(timeout=2)
        return self.proc.returncode


def connect_host(bind):
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(bind, bind)
    return "[%s]" % host if ":" in host else host


def wait_ready(server, api_for_port, check, timeout=20):
    deadline = time.monotonic() + timeout
    while not server.ready.wait(0.2) and time.monotonic() < deadline:
        check()
    check()
    if server.port is None:
        raise DemoError("roadshowd serve did not start (exit status %s):\n%s"
                        % (server.proc.returncode, server.output()))
    api = api_for_port(server.port)
    while time.monotonic() < deadline:
        check()
        if server.proc.poll() is not None:
            raise DemoError("roadshowd serve exited with status %s:\n%s" % (
                server.proc.returncode, server.output()))
        try:
            if api.get("/healthz").get("status") == "ok":
                return api
        except DemoError:
            pass
        time.sleep(0.1)
    raise DemoError("roadshowd did not answer /healthz within %ds:\n%s" % (
        timeout, server.output()))


# ---------------------------------------------------------------------------
# First run: tokens and the sample

def create_token(binary, db, role, carrier=None):
    cmd = [binary, "token", "create", "--db", db, "--role", role,
           "--label", "demo.py %s" % (carrier or role)]
    if carrier:
        cmd += ["--carrier", carrier]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True)
    lines = [ln.strip() for ln in r.stdout.splitlines() if ln.strip()]
    if r.returncode != 0 or not lines:
        raise DemoError("%s failed (exit status %d):\n%s" % (
            " ".join(cmd), r.returncode, (r.stderr + r.stdout).strip()))
    return lines[-1]


def write_tokens(path, db, tokens, now):
    lines = ["# roadshowd demo tokens for %s, created %s" % (db, rfc3339(now)),
             "# Use: curl -H \"Authorization: Bearer $TOKEN\" ...",
             "# role       carrier                         token"]
    for who, token in tokens.items():
        role = "admin" if who == "admin" else "organiser"
        lines.append("%-11s %-31s %s" % (role, "-" if who == "admin" else who,
                                         token))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write("\n".join(lines) + "\n")


def populate(api, binary, db, now, check):
    carriers = {c["slug"]: c for c in api.get("/api/v1/carriers")["items"]}
    regions = {r["slug"]: r for r in api.get("/api/v1/regions")["items"]}
    missing = [s for s in ORGANISERS if s not in carriers]
    missing += [s for s in PARTNERS
                if s not in regions or not regions[s].get("partner")]
    if missing:
        raise DemoError("the seeded database lacks carriers or partner "
                        "regions this demo uses: %s" % ", ".join(missing))
    print("roadshowd demo: %d carriers and %d regions seeded; creating tokens"
          % (len(carriers), len(regions)))
    tokens = {"admin": create_token(binary, db, "admin")}
    for slug in ORGANISERS:
        check()
        tokens[slug] = create_token(binary, db, "organiser", slug)

    plan, gaps = build_plan(now)
    print("roadshowd demo: posting %d events as %d organisers and the admin "
          "(today is %s in Asia/Shanghai)" % (len(plan), len(ORGANISERS),
                                               now.date().isoformat()))
    n_cancelled = 0
    for p in plan:
        check()
        who = "admin" if p.who == "admin" else "organiser of " + p.who
        ctx = "posting %r as %s" % (p.body["title"], who)
        rh, ev = api.call("POST", "/api/v1/events", p.body,
                          token=tokens[p.who], context=ctx)
        if p.cancel:
            etag = rh.get("ETag")
            api.call("POST", "/api/v1/events/%d/cancel" % ev["id"],
                     token=tokens[p.who],
                     headers={"If-Match": etag} if etag else None,
                     context="cancelling event %d as %s" % (ev["id"], who))
            n_cancelled += 1
        when = (ev.get("start_date") + " (all day)" if ev.get("all_day")
                else ev["start"][:16].replace("T", " "))
        print("  #%-3d %-22s %-11s %-30s %s%s" % (
            ev["id"], when, ev["kind"], ev.get("carrier") or "(district)",
            ev["title"], "  [%s]" % p.note if p.note else ""))
    print("roadshowd demo: %d events posted, %d cancelled; gaps: %s "
          "cancelled, %s silent, %s only cancelled events, %s left open" % (
              len(plan), n_cancelled, gaps["cancelled_month"],
              gaps["silent_month"], gaps["gap_quarter"], gaps["empty_future"]))
    return tokens, gaps


# ---------------------------------------------------------------------------
# Reports and the banner

def cadence_summary(api, year):
    rep = api.get("/api/v1/cadence?year=%d" % year)
    counts = collections.Counter(p["status"] for p in rep["periods"])
    lines = ["Cadence %d (as of %s): %s" % (year, rep.get("as_of"), "  ".join(
        "%s %d" % (s, counts.get(s, 0)) for s in STATUSES))]
    by_rule = collections.OrderedDict()
    for p in rep["periods"]:
        if p["scope"] == "district":
            by_rule.setdefault(p["rule"], []).append(p)
    for rule, rows in by_rule.items():
        lines.append("  %-19s %s" % (rule, " ".join(
            "%s:%s" % (r["period"][5:] or r["period"], r["status"])
            for r in rows)))
    return rep, counts, "\n".join(lines)


def banner(base, db, tokens_path, rep, fresh, now, binary):
    webcal = "webcal://" + base.split("://", 1)[1]
    y = now.year
    lines = [
        "",
        "roadshowd demo is serving %s%s" % (
            db, " (sample posted just now)" if fresh else ""),
        "",
        "  Dashboard (zh-CN)   %s/" % base,
        "  Cadence report      %s/api/v1/cadence?year=%d   (add &format=csv)"
        % (base, y),
        "  Feeds (subscribe once in Outlook, Google, Apple or Thunderbird):",
    ]
    for label, path in (("whole district", "/calendar.ics"),
                        ("roadshows only", "/calendars/kinds/roadshow.ics"),
                        ("one carrier",
                         "/calendars/carriers/pinghu-maker-space.ics"),
                        ("one region",
                         "/calendars/regions/wanzhou-jingkaiqu.ics"),
                        ("partner region", "/calendars/partners/dazhou.ics")):
        lines.append("    %-16s %s%s" % (label, base, path))
        lines.append("    %-16s %s%s" % ("", webcal, path))
    if os.path.exists(tokens_path):
        lines.append("  Tokens (mode 0600)  %s" % tokens_path)
    else:
        lines.append("  Tokens              none saved at %s (an earlier "
                     "first run was interrupted? use --reset);\n"
                     "                      create one with: %s token create "
                     "--db %s --role admin" % (tokens_path, binary, db))

    # Suggest a roadshow that fills this year's gap: the at_risk month, or an
    # open one, or next month.
    target = None
    for status in ("at_risk", "open"):
        for p in rep["periods"]:
            if (p["rule"] == "monthly-roadshow" and p["scope"] == "district"
                    and p["status"] == status):
                target = (p["period"], status)
                break
        if target:
            break
    day = now.date() + dt.timedelta(days=1)
    if target:
        ty, tm = map(int, target[0].split("-"))
        if (ty, tm) != (day.year, day.month):
            day = nth_weekday(ty, tm, 3, WED)
    start = at(day, (14, 30))
    if start <= now:
        start = at(now.date() + dt.timedelta(days=1), (14, 30))
        day = start.date()
    body = json.dumps({
        "kind": "roadshow", "title": "%d月项目路演·智能制造专场" % day.month,
        "start": rfc3339(start),
        "end": rfc3339(start + dt.timedelta(hours=3)),
        "venue": VENUES["pinghu-maker-space"]}, ensure_ascii=False)
    q = urllib.parse.quote
    lines += [
        "",
        "Try:",
        "  curl -s '%s/api/v1/cadence?year=%d&format=csv'" % (base, y),
        "  curl -s '%s/api/v1/events?kind=roadshow&from=%s'" % (
            base, q(rfc3339(at(dt.date(y, 1, 1), (0, 0))))),
        "  curl -s '%s/api/v1/events?q=%s'" % (base, q("路演")),
        "  curl -s %s/calendar.ics | head -40" % base,
        "  TOKEN=$(awk '$2 == \"pinghu-maker-space\" {print $3}' %s)"
        % tokens_path,
        "  curl -s -X POST %s/api/v1/events"
        " -H \"Authorization: Bearer $TOKEN\" \\\n"
        "       -H 'Content-Type: application/json' -d '%s'" % (base, body),
    ]
    if target:
        lines.append("      # a roadshow in %s, which is %s now" % target)
    lines += [
        "  curl -s -X POST %s/api/v1/events/ID/cancel -H \"Authorization: "
        "Bearer $TOKEN\"" % base,
        "  %s cadence --db %s --year %d" % (binary, db, y),
        "",
        "Ctrl-C stops the server.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Fill a roadshowd demo database through the API (first "
                    "run) and serve it.")
    ap.add_argument("--binary", default=os.path.join(REPO, "build",
                                                     "roadshowd"))
    ap.add_argument("--db", default=os.path.join(REPO, "data", "demo.db"))
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--reset", action="store_true",
                    help="delete the demo database (and its tokens) first")
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535:
        ap.error("--port must be 0 to 65535")
    return args


def same_file(a, b):
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def clock():
    fixed = os.environ.get("ROADSHOWD_NOW")
    if fixed:
        try:
            t = dt.datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            raise DemoError("ROADSHOWD_NOW must be RFC 3339, e.g. "
                            "2025-06-30T12:00:00+08:00") from None
        if t.tzinfo is None:
            raise DemoError("ROADSHOWD_NOW needs an offset")
        return t.astimezone(TZ)
    return dt.datetime.now(TZ)


def db_files(db):
    return [db + s for s in ("", "-wal", "-shm", "-journal")]


def main(argv):
    args = parse_args(argv)
    db = os.path.abspath(args.db)
    guarded = [DEFAULT_DB] + ([os.environ["ROADSHOWD_DB"]]
                              if os.environ.get("ROADSHOWD_DB") else [])
    for g in guarded:
        if same_file(db, g) or os.path.realpath(db) in (
                os.path.realpath(g + s) for s in ("-wal", "-shm")):
            raise DemoError("refusing to use %s: that is the service's own "
                            "database (make run); pick another --db, e.g. "
                            "data/demo.db" % args.db)
    binary = os.path.abspath(args.binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        raise DemoError("%s is not an executable; build it with make"
                        % args.binary)
    base_name = os.path.basename(db)
    stem = base_name[:-3] if base_name.endswith(".db") else base_name
    tokens_path = os.path.join(os.path.dirname(db), stem + "-tokens.txt")
    now = clock()

    if args.reset:
        for f in db_files(db) + [tokens_path]:
            if os.path.lexists(f):
                os.unlink(f)
                print("roadshowd demo: removed %s" % f)
    fresh = not os.path.exists(db)
    os.makedirs(os.path.dirname(db), exist_ok=True)

    # SIGINT and SIGTERM are forwarded to the server and noted; the work
    # in progress stops at its next step (never in the middle of starting
    # a child process, which could leave it running unwaited).
    state = {"server": None, "sig": None}

    def on_signal(signum, frame):
        srv = state["server"]
        if srv and srv.proc.poll() is None:
            try:
                srv.proc.send_signal(signum)
            except OSError:
                pass
        if state["sig"] is None:
            state["sig"] = signum

    def check():
        if state["sig"] is not None:
            raise Interrupted(state["sig"])

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    host = connect_host(args.bind)
    try:
        # The sample stands for a district recording since 1 January, so
        # this year's gaps show as missed (its past events, posted now,
        # are marked 补录 on the dashboard).
        tracking = ([] if os.environ.get("ROADSHOWD_TRACKING_SINCE") else
                    ["--tracking-since", "%04d-01-01" % now.year])
        server = Server(binary, db, args.bind, args.port, tracking)
        state["server"] = server
        api = wait_ready(server, lambda port: Api("http://%s:%d" % (
            host, port)), check)
        if fresh:
            tokens, gaps = populate(api, binary, db, now, check)
            check()
            write_tokens(tokens_path, db, tokens, now)
        rep, counts, summary = cadence_summary(api, now.year)
        check()
    except (DemoError, Interrupted) as e:
        srv = state["server"]
        if state["sig"] is not None:    # a failure caused by stopping
            e = Interrupted(state["sig"])
        if srv:
            srv.stop(state["sig"] or signal.SIGTERM,
                     sent=state["sig"] is not None)
        if fresh:
            for f in db_files(db) + [tokens_path]:
                if os.path.lexists(f):
                    os.unlink(f)
            note = "\nroadshowd demo: removed the partly filled %s" % db
        else:
            note = ""
        rc = srv.proc.returncode if srv else None
        if (not isinstance(e, Interrupted) and rc not in (None, 0)
                and srv.output() not in str(e)):
            note = ("\nroadshowd exited with status %d; its last output:"
                    "\n%s%s" % (rc, srv.output(), note))
        if isinstance(e, Interrupted):
            print("roadshowd demo: interrupted%s" % note, file=sys.stderr)
            return 130 if e.args[0] == signal.SIGINT else 143
        raise DemoError("%s%s" % (e, note)) from None

    base = "http://%s:%d" % (host, server.port)
    print(banner(base, db, tokens_path, rep, fresh, now, args.binary))
    print(summary)
    if fresh:
        seen = {s for s in STATUSES if counts.get(s)}
        lacking = gaps["possible"] - seen
        why = {"missed": "no period of %d has ended yet",
               "open": "no period of %d is still to come",
               "met": "nothing of %d can have been held yet",
               "scheduled": "too little of %d is left to schedule in"}
        for s in STATUSES:
            if s not in gaps["possible"]:
                print("  (no %s: %s)" % (s, why[s] % now.year))
        if lacking:
            print("roadshowd demo: WARNING: this year's report lacks %s, "
                  "which today's date allows" % ", ".join(sorted(lacking)),
                  file=sys.stderr)
    sys.stdout.flush()
    server.go_live()

    while state["sig"] is None and server.proc.poll() is None:
        try:
            server.proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
    rc = server.stop(state["sig"], sent=True)
    if state["sig"] is not None and rc == 0:
        return 0
    if state["sig"] is None:
        try:
            how = "was killed by " + signal.Signals(-rc).name
        except ValueError:
            how = "exited with status %d" % rc
        print("roadshowd demo: roadshowd %s; the last lines it wrote are "
              "above" % how, file=sys.stderr)
    return rc if rc > 0 else (128 - rc if rc < 0 else 0)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except DemoError as e:
        print("roadshowd demo: error: %s" % e, file=sys.stderr)
        sys.exit(1)
