/* The leaders' dashboard (GET /). Reads the JSON API; every value reaches
   the page through textContent or attributes, never as markup. Labels come
   from the one zh-CN / English table below. */
"use strict";

const L = {
  zh: {
    title: "万州区创新创业活动节奏看板", motto: "月月有路演，季季有活动，年年有大赛。",
    year: "年份", show: "查看", plan: "规划期 2023–2025", csv: "导出 CSV",
    lagging: "谁落后", heatmap: "节奏热力图", nextMonth: "下月活动", upcoming: "近期活动",
    heatNote: "点击任一格查看原因：活动、取消、规则与剩余天数。“补”表示含补录（事后登记）的活动。",
    when: "时间", kind: "类型", event: "活动", carrier: "载体", venue: "地点",
    subscribe: "订阅日历", subNote: "复制链接或扫码订阅；日历会自动更新，无需重复导入。",
    howTo: "各客户端订阅步骤",
    stepOutlook: "开始 → 添加日历 → 从 Internet → 粘贴 webcal:// 或 https:// 链接。网页版：添加日历 → 从 Web 订阅。",
    stepApple: "点击 webcal:// 链接即可订阅（macOS：文件 → 新建日历订阅；iPhone：设置 → 日历 → 账户 → 添加已订阅的日历）。",
    stepGoogle: "其他日历 → + → 通过网址添加 → 粘贴带 ?mark_cancelled=1 的 https:// 链接（Google 不接受 webcal://，且会隐藏取消的活动，此参数在标题前加“[已取消]”）。",
    stepThunderbird: "日历 → 新建日历 → 网络上 → 粘贴 https:// 链接（格式 iCalendar）。",
    stepWechat: "扫码或点开 https:// 链接，选择“在浏览器打开”，再用手机日历订阅。",
    close: "关闭", asof: "数据截至 ", scope: "范围", district: "全区",
    status: {met: "已达成", scheduled: "已排期", at_risk: "有风险", missed: "未达成", open: "未开始", untracked: "无记录"},
    late: "补", lateLong: "补录", tentative: "待定",
    daysLeft: n => "剩 " + n + " 天", daysLeftK: "剩余天数",
    trackingSince: d => "记录自 " + d + " 起；此前未达成的周期显示为“无记录”。",
    reportYear: (y, d) => y + " 年活动节奏报告 · 数据截至 " + d,
    reportPlan: d => "规划期 2023–2025 活动节奏 · 数据截至 " + d,
    sum: (m, t, s, g) => "达成 " + m + "/" + t + " · 连续 " + s + " · 最长缺口 " + g,
    target: t => "目标：载体 " + t.area_10k_m2 + " 万㎡ · 企业团队 " + t.enterprises_and_teams + " · 科技企业 " + t.tech_enterprises,
    level: {national: "国家级", municipal: "市级", district: "区级", none: "未认定"},
    partner: "合作地区", carriers: n => "各载体（" + n + "）", regionsHead: "区域", partnersHead: "合作地区",
    lagItem: (missed, risk) => "未达成 " + missed + " 期 · 有风险 " + risk + " 期",
    noLag: "没有落后的区域。", noRules: "该时段没有生效的节奏规则。",
    upcomingNote: (from, max) => "自 " + from + " 起六个月内，最多 " + max + " 场。",
    noUpcoming: "暂无近期活动", tentNote: "待定（TENTATIVE）活动不在此列出，登录后可见；热力图中计为“待定”，点开格子可见数量。", noNext: "下月暂无已公布的活动。", allDay: " 全天", to: " 至 ",
    cancelledPrefix: "[已取消] ",
    feedsAll: "全区", feedsKinds: "按活动类型", feedsRegions: "按区域", feedsPartners: "按合作地区", feedsCarriers: "按载体",
    allEvents: "全区所有活动", copy: "复制链接", copied: "已复制", qr: "二维码", qrAlt: "订阅二维码：",
    period: {month: "每月", quarter: "每季度", year: "每年"},
    ruleScope: {district: "全区", region: "各区域", carrier: "各载体", partner: "各合作地区"},
    ruleText: (p, min, kinds) => p + "至少 " + min + " 场（" + kinds + "）",
    held: "已举办", scheduledN: "已排期", min: "至少", ofLate: n => "（其中补录 " + n + " 场）",
    ofTent: n => "（其中待定 " + n + " 场）",
    ruleThen: "当期规则", version: "版本", since: "生效自 ", until: "，止于 ",
    events: "计入的活动", cancelled: "已取消的活动", cancelledOn: "取消于 ", cancelledOne: "（系列中取消的一次）",
    hiddenTent: n => "另有 " + n + " 场待定活动（登录后可见标题）。",
    none: "无", loadFail: "加载失败：", yearDigits: "年份须为四位数字",
    rules: {"monthly-roadshow": "月月有路演", "quarterly-event": "季季有活动", "yearly-competition": "年年有大赛"},
    untrackedWhy: "本周期早于开始记录的日期，无法判断是否达成。"
  },
  en: {
    title: "Wanzhou innovation events: cadence dashboard", motto: "A roadshow every month, an event every quarter, a competition every year.",
    year: "Year", show: "Show", plan: "Plan 2023–2025", csv: "Download CSV",
    lagging: "Who lags", heatmap: "Cadence heatmap", nextMonth: "Next month's events", upcoming: "Upcoming events",
    heatNote: "Click any cell to see why: events, cancellations, the rule and days left. \"B\" marks backfilled records.",
    when: "When", kind: "Kind", event: "Event", carrier: "Carrier", venue: "Venue",
    subscribe: "Subscribe", subNote: "Copy a link or scan the code; the calendar updates itself, no re-import needed.",
    howTo: "Steps per calendar client",
    stepOutlook: "Home → Add Calendar → From Internet → paste the webcal:// or https:// link. Outlook on the web: Add calendar → Subscribe from web.",
    stepApple: "Open the webcal:// link (macOS: File → New Calendar Subscription; iPhone: Settings → Calendar → Accounts → Add Subscribed Calendar).",
    stepGoogle: "Other calendars → + → From URL → paste the https:// link with ?mark_cancelled=1 (Google refuses webcal:// and hides cancelled events; this marks them \"[已取消]\").",
    stepThunderbird: "Calendar → New Calendar → On the Network → paste the https:// link (format iCalendar).",
    stepWechat: "Scan the code or tap the https:// link, choose \"Open in browser\", then subscribe in the phone's calendar.",
    close: "Close", asof: "Data as of ", scope: "Scope", district: "District",
    status: {met: "Met", scheduled: "Scheduled", at_risk: "At risk", missed: "Missed", open: "Not started", untracked: "No record"},
    late: "B", lateLong: "Backfilled", tentative: "Tentative",
    daysLeft: n => n + " d left", daysLeftK: "Days left",
    trackingSince: d => "Recorded since " + d + "; earlier periods that fall short show as \"No record\".",
    reportYear: (y, d) => "Cadence report " + y + " · data as of " + d,
    reportPlan: d => "Plan period 2023–2025 · data as of " + d,
    sum: (m, t, s, g) => "met " + m + "/" + t + " · streak " + s + " · longest gap " + g,
    target: t => "Targets: " + t.area_10k_m2 + "×10⁴ m² · " + t.enterprises_and_teams + " firms & teams · " + t.tech_enterprises + " tech firms",
    level: {national: "national", municipal: "municipal", district: "district", none: "not recognised"},
    partner: "partner region", carriers: n => "Carriers (" + n + ")", regionsHead: "Regions", partnersHead: "Partner regions",
    lagItem: (missed, risk) => missed + " missed · " + risk + " at risk",
    noLag: "No region lags.", noRules: "No cadence rule applies to this range.",
    upcomingNote: (from, max) => "Six months from " + from + ", at most " + max + ".",
    noUpcoming: "No upcoming events", tentNote: "Tentative events are not listed here (visible when signed in); the heatmap counts them as \"Tentative\", a cell's panel gives their number.", noNext: "No published events next month.", allDay: " all day", to: " to ",
    cancelledPrefix: "[cancelled] ",
    feedsAll: "District", feedsKinds: "By kind", feedsRegions: "By region", feedsPartners: "By partner region", feedsCarriers: "By carrier",
    allEvents: "All district events", copy: "Copy link", copied: "Copied", qr: "QR code", qrAlt: "Subscribe QR code: ",
    period: {month: "Every month", quarter: "Every quarter", year: "Every year"},
    ruleScope: {district: "district", region: "each region", carrier: "each carrier", partner: "each partner region"},
    ruleText: (p, min, kinds) => p + ", at least " + min + " (" + kinds + ")",
    held: "Held", scheduledN: "Scheduled", min: "Minimum", ofLate: n => " (" + n + " backfilled)",
    ofTent: n => " (" + n + " tentative)",
    ruleThen: "Rule in force then", version: "version", since: "from ", until: ", until ",
    events: "Counted events", cancelled: "Cancelled events", cancelledOn: "cancelled on ", cancelledOne: "(one occurrence of a series)",
    hiddenTent: n => n + " more tentative event(s) (titles for signed-in users).",
    none: "none", loadFail: "Loading failed: ", yearDigits: "the year must have four digits",
    rules: {"monthly-roadshow": "A roadshow every month", "quarterly-event": "An event every quarter", "yearly-competition": "A competition every year"},
    untrackedWhy: "This period began before recording started: whether it was met is unknown."
  }
};
const ORDER = ["met", "scheduled", "at_risk", "missed", "open", "untracked"];
const UPCOMING_DAYS = 183, UPCOMING_MAX = 20;
const params = new URLSearchParams(location.search);
const AS_OF = params.get("as_of");
const S = {lang: params.get("lang") === "en" ? "en" : "zh", plan: params.get("view") === "plan",
  meta: null, report: null, events: null, expanded: false, panel: null};

function t(k) { return L[S.lang][k]; }
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
async function getJSON(u) {
  const r = await fetch(u, {credentials: "same-origin"});
  if (!r.ok) throw new Error(u + ": HTTP " + r.status);
  return r.json();
}
/* "2025-03-01T00:30:00+08:00" -> "2025-03-01 00:30"; another offset is named. */
function fmtTime(s) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(s || "");
  if (!m) return s || "";
  return m[1] + " " + m[2] + (m[3] === "+08:00" ? "" : " (UTC" + (m[3] === "Z" ? "" : m[3]) + ")");
}
function fmtWhen(e) {
  if (e.all_day) {
    let s = e.start_date + t("allDay");
    if (e.end_date) {
      const last = new Date(Date.parse(e.end_date + "T00:00:00Z") - 86400e3).toISOString().slice(0, 10);
      if (last > e.start_date) s = e.start_date + t("to") + last;
    }
    return s;
  }
  const a = fmtTime(e.start), b = fmtTime(e.end);
  if (b && a.slice(0, 10) === b.slice(0, 10) && a.length === 16 && b.length === 16) return a + "–" + b.slice(11);
  return b ? a + t("to") + b : a;
}
function startMs(e) { return Date.parse(e.all_day ? e.start_date + "T00:00:00+08:00" : e.start); }

/* ---- names ---- */
function scopeName(s) {
  if (s === "district") return t("district");
  const m = S.meta && S.meta.byScope[s];
  if (!m) return s;
  return S.lang === "en" && m.name_en ? m.name_en : m.name;
}
function kindName(k) {
  const m = S.meta && S.meta.kinds[k];
  if (!m) return k;
  return S.lang === "en" && m.name_en ? m.name_en : m.name;
}
function ruleName(id) {
  const r = S.report && S.report.rulesById[id];
  if (S.lang === "en") return L.en.rules[id] || id;
  return (r && r.name) || L.zh.rules[id] || id;
}
function ruleText(r) {
  if (!r) return "";
  const kinds = (Array.isArray(r.kinds) ? r.kinds : String(r.kinds || "").split(",")).filter(Boolean).map(kindName).join(S.lang === "en" ? ", " : "、");
  return t("ruleText")((t("period")[r.period] || r.period), r.min, kinds);
}

/* ---- loading ---- */
async function getMeta() {
  const [kinds, regions, carriers] = await Promise.all(["/api/v1/kinds", "/api/v1/regions", "/api/v1/carriers"].map(getJSON));
  const byScope = {}, kindMap = {};
  for (const k of kinds.items) kindMap[k.slug] = k;
  for (const r of regions.items) byScope[(r.partner ? "partner:" : "region:") + r.slug] = r;
  for (const c of carriers.items) byScope["carrier:" + c.slug] = c;
  return {kinds: kindMap, kindList: kinds.items, regions: regions.items, carriers: carriers.items, byScope};
}
function rangeQuery() {
  const y = document.getElementById("year").value.trim();
  let q = S.plan ? "from=2023-01&to=2026-01" : "year=" + encodeURIComponent(y);
  if (AS_OF) q += "&as_of=" + encodeURIComponent(AS_OF);
  return q;
}
async function getReport() {
  const rep = await getJSON("/api/v1/cadence?by=all&events=false&" + rangeQuery());
  rep.rulesById = {};
  for (const r of rep.rules || []) rep.rulesById[r.id] = r;
  return rep;
}
async function getUpcoming(asOf) {
  const ok = !!asOf && !isNaN(Date.parse(asOf));
  const fromMs = ok ? Date.parse(asOf) : Date.now();
  const iso = ms => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
  const from = ok ? asOf : iso(fromMs), to = iso(fromMs + UPCOMING_DAYS * 86400e3);
  const evs = await getJSON("/api/v1/events?expand=true&from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to));
  return {from, items: evs.items};
}

/* ---- the heatmap ---- */
function groupRows(rep) {
  const rules = [], byRule = {};
  for (const p of rep.periods) {
    let g = byRule[p.rule];
    if (!g) { g = byRule[p.rule] = {rule: p.rule, periods: [], scopes: [], rows: {}}; rules.push(g); }
    if (!g.rows[p.scope]) { g.rows[p.scope] = {}; g.scopes.push(p.scope); }
    if (!g.periods.some(x => x.period === p.period)) g.periods.push({period: p.period, start: p.start, end: p.end});
    g.rows[p.scope][p.period] = p;
  }
  return rules;
}
/* met/total, current streak of met periods, longest run of missed ones */
function rowSummary(cells) {
  let met = 0, streak = 0, gap = 0, longest = 0;
  for (const c of cells) {
    if (!c) continue;
    if (c.status === "met") { met++; streak++; gap = 0; }
    else if (c.status === "missed") { streak = 0; gap++; longest = Math.max(longest, gap); }
    else if (c.status === "untracked") { streak = 0; gap = 0; }
  }
  return {met, total: cells.filter(Boolean).length, streak, longest};
}
function isNow(p, asOfMs) { return Date.parse(p.start) <= asOfMs && asOfMs < Date.parse(p.end); }
function daysLeft(c, asOfMs) {
  if (c.days_left !== undefined) return c.days_left;
  return Math.ceil((Date.parse(c.end) - asOfMs) / 86400e3);
}
function scopeHead(scope, cells) {
  const th = el("th", undefined, "scope");
  th.scope = "row";
  th.appendChild(el("span", scopeName(scope), "name"));
  const m = S.meta && S.meta.byScope[scope];
  if (m && m.targets) th.appendChild(el("span", t("target")(m.targets), "meta target"));
  if (m && m.level) th.appendChild(el("span", t("level")[m.level] || m.level, "meta level level-" + m.level));
  if (scope.startsWith("partner:")) th.appendChild(el("span", t("partner"), "meta"));
  const s = rowSummary(cells);
  const sum = el("span", t("sum")(s.met, s.total, s.streak, s.longest), "meta sum");
  sum.dataset.met = s.met; sum.dataset.total = s.total; sum.dataset.streak = s.streak; sum.dataset.gap = s.longest;
  th.appendChild(sum);
  return th;
}
function cell(c, rule, scope, asOfMs) {
  const td = el("td");
  if (!c) return td;
  td.className = "cell " + c.status;
  td.dataset.rule = rule; td.dataset.scope = scope; td.dataset.period = c.period; td.dataset.status = c.status;
  td.tabIndex = 0;
  td.setAttribute("role", "button");
  td.appendChild(el("span", t("status")[c.status] || c.status, "st"));
  const running = isNow(c, asOfMs);
  if (running && (c.status === "at_risk" || c.status === "scheduled")) td.appendChild(el("span", t("daysLeft")(daysLeft(c, asOfMs)), "left"));
  if (c.held_late > 0) {
    const b = el("span", t("late"), "badge late");
    b.title = t("lateLong") + " " + c.held_late;
    td.appendChild(b);
    td.dataset.late = String(c.held_late);
    /* green only because of backfilled records */
    if (c.status === "met" && c.held - c.held_late < c.min) td.classList.add("rests");
  }
  if (c.tentative > 0) { td.appendChild(el("span", t("tentative"), "badge tent")); td.dataset.tentative = String(c.tentative); }
  if (running) td.classList.add("now");
  td.title = (t("status")[c.status] || c.status) + " · " + t("held") + " " + c.held + " · " + t("scheduledN") + " " + c.scheduled + " · " + t("min") + " " + c.min;
  return td;
}
function renderHeatmap() {
  const root = document.getElementById("heatmap");
  root.replaceChildren();
  const rep = S.report;
  if (!rep) return;
  const asOfMs = Date.parse(rep.as_of);
  const groups = groupRows(rep);
  for (const g of groups) {
    const box = el("div", undefined, "rule");
    box.dataset.rule = g.rule;
    box.appendChild(el("h3", ruleName(g.rule) + " · " + g.rule));
    box.appendChild(el("p", ruleText(rep.rulesById[g.rule]), "note"));
    const table = el("table", undefined, "heat");
    table.dataset.rule = g.rule;
    const lastP = g.periods[g.periods.length - 1];
    if (lastP && Date.parse(lastP.end) <= asOfMs) table.dataset.past = "1";
    const thead = el("thead"), head = el("tr");
    head.appendChild(el("th", t("scope"), "corner"));
    for (const p of g.periods) {
      const th = el("th", p.period);
      th.scope = "col";
      if (isNow(p, asOfMs)) th.className = "now";
      head.appendChild(th);
    }
    thead.appendChild(head);
    table.appendChild(thead);
    const main = el("tbody"), carriers = el("tbody", undefined, "carriers");
    const carrierScopes = g.scopes.filter(s => s.startsWith("carrier:"));
    for (const s of g.scopes) {
      const cells = g.periods.map(p => g.rows[s][p.period]);
      const tr = el("tr");
      tr.dataset.scope = s;
      tr.className = s.split(":")[0];
      tr.appendChild(scopeHead(s, cells));
      for (const c of cells) tr.appendChild(cell(c, g.rule, s, asOfMs));
      (s.startsWith("carrier:") ? carriers : main).appendChild(tr);
    }
    table.appendChild(main);
    if (carrierScopes.length) {
      const tb = el("tbody", undefined, "toggle"), tr = el("tr"), th = el("th");
      th.colSpan = 1;
      const b = el("button", (S.expanded ? "▾ " : "▸ ") + t("carriers")(carrierScopes.length), "expand");
      b.type = "button";
      b.setAttribute("aria-expanded", String(S.expanded));
      b.dataset.expand = "carriers";
      th.appendChild(b);
      tr.appendChild(th);
      const fill = el("td");
      fill.colSpan = g.periods.length;
      tr.appendChild(fill);
      tb.appendChild(tr);
      table.appendChild(tb);
      carriers.hidden = !S.expanded;
      table.appendChild(carriers);
    }
    const wrap = el("div", undefined, "scroll heatwrap");
    wrap.appendChild(table);
    box.appendChild(wrap);
    root.appendChild(box);
  }
  if (!groups.length) root.appendChild(el("p", t("noRules"), "note"));
  scrollToNow();
}
/* Keep today's period in view inside each heatmap (not the page); when
   today lies after the range shown, its latest periods. */
function scrollToNow() {
  for (const wrap of document.querySelectorAll(".heatwrap")) {
    const now = wrap.querySelector("thead th.now"), corner = wrap.querySelector("th.corner");
    if (wrap.scrollWidth <= wrap.clientWidth) continue;
    if (!now) {
      if (wrap.querySelector("table.heat").dataset.past === "1") wrap.scrollLeft = wrap.scrollWidth;
      continue;
    }
    if (now.offsetLeft + now.offsetWidth <= wrap.clientWidth) { wrap.scrollLeft = 0; continue; }
    const target = now.offsetLeft - (corner ? corner.offsetWidth : 0) - 8;
    wrap.scrollLeft = Math.max(0, target);
  }
}

/* ---- who lags ---- */
function renderLagging() {
  const ul = document.getElementById("lagging");
  ul.replaceChildren();
  if (!S.report) return;
  const by = {};
  for (const p of S.report.periods) {
    if (!(p.scope.startsWith("region:") || p.scope.startsWith("partner:"))) continue;
    const x = by[p.scope] || (by[p.scope] = {missed: 0, at_risk: 0});
    if (p.status === "missed") x.missed++;
    if (p.status === "at_risk") x.at_risk++;
  }
  const lag = Object.keys(by).filter(s => by[s].missed + by[s].at_risk > 0)
    .sort((a, b) => by[b].missed - by[a].missed || by[b].at_risk - by[a].at_risk).slice(0, 8);
  for (const s of lag) {
    const li = el("li");
    li.dataset.scope = s;
    li.appendChild(el("strong", scopeName(s)));
    li.appendChild(el("span", " " + t("lagItem")(by[s].missed, by[s].at_risk)));
    ul.appendChild(li);
  }
  if (!lag.length) ul.appendChild(el("li", t("noLag"), "note"));
}

/* ---- the panel: why a cell has its colour ---- */
async function openPanel(d) {
  S.panel = d;
  const panel = document.getElementById("panel"), body = document.getElementById("panel-body");
  document.getElementById("panel-title").textContent = scopeName(d.scope) + " · " + d.period;
  body.replaceChildren();
  panel.hidden = false;
  panel.dataset.state = "loading";
  let q = "/api/v1/cadence/cell?rule=" + encodeURIComponent(d.rule) + "&scope=" + encodeURIComponent(d.scope) + "&period=" + encodeURIComponent(d.period);
  if (AS_OF) q += "&as_of=" + encodeURIComponent(AS_OF);
  try {
    const c = await getJSON(q);
    if (S.panel !== d) return;
    renderPanel(c);
    panel.dataset.state = "ready";
  } catch (e) {
    body.replaceChildren(el("p", t("loadFail") + (e.message || e), "error"));
    panel.dataset.state = "error";
  }
  document.getElementById("panel-close").focus();
}
function eventItem(e, extra) {
  const li = el("li");
  li.dataset.eventId = String(e.id);
  li.dataset.status = e.status;
  const a = el("a", e.title);
  a.href = e.link;
  li.appendChild(el("span", fmtTime(e.start) + " ", "when"));
  li.appendChild(a);
  li.appendChild(el("span", " · " + kindName(e.kind) + (e.carrier_name ? " · " + e.carrier_name : ""), "muted"));
  if (e.url && /^https?:\/\//i.test(e.url)) {   /* the event's own page; no other scheme */
    const w = el("a", " ↗", "ext");
    w.href = e.url;
    w.rel = "noopener noreferrer";
    w.title = e.url;
    li.appendChild(w);
  }
  if (e.status === "TENTATIVE") li.appendChild(el("span", t("tentative"), "badge tent"));
  if (e.recorded_late) li.appendChild(el("span", t("lateLong"), "badge late"));
  if (extra) li.appendChild(el("span", " " + extra, "muted"));
  return li;
}
function renderPanel(c) {
  const body = document.getElementById("panel-body");
  body.replaceChildren();
  const panel = document.getElementById("panel");
  panel.dataset.rule = c.rule; panel.dataset.scope = c.scope; panel.dataset.period = c.period; panel.dataset.status = c.status;
  const st = el("p", undefined, "panel-status");
  st.appendChild(el("span", t("status")[c.status] || c.status, "pill " + c.status));
  st.appendChild(el("span", " " + ruleName(c.rule)));
  body.appendChild(st);
  if (c.status === "untracked") body.appendChild(el("p", t("untrackedWhy"), "note"));
  const dl = el("dl", undefined, "counts");
  const add = (k, v) => { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); };
  add(t("held"), c.held + (c.held_late ? t("ofLate")(c.held_late) : ""));
  add(t("scheduledN"), c.scheduled + (c.tentative ? t("ofTent")(c.tentative) : ""));
  add(t("min"), String(c.min));
  if (c.days_left !== null && c.days_left !== undefined) add(t("daysLeftK"), String(c.days_left));
  body.appendChild(dl);
  const r = c.rule_version;
  if (r) {
    body.appendChild(el("h3", t("ruleThen")));
    let txt = ruleText(r) + " · " + (t("ruleScope")[r.scope] || r.scope) + " · " + t("version") + " " + r.version;
    if (r.active_from) txt += " · " + t("since") + r.active_from;
    if (r.active_to) txt += t("until") + r.active_to;
    body.appendChild(el("p", txt, "rule-then"));
  }
  body.appendChild(el("h3", t("events")));
  const ul = el("ul", undefined, "panel-events");
  for (const e of c.events) ul.appendChild(eventItem(e));
  if (!c.events.length) ul.appendChild(el("li", t("none"), "muted"));
  body.appendChild(ul);
  if (c.tentative_hidden) { const p = el("p", t("hiddenTent")(c.tentative_hidden), "note tent-hidden"); p.dataset.count = String(c.tentative_hidden); body.appendChild(p); }
  if (c.cancelled.length) {
    body.appendChild(el("h3", t("cancelled")));
    const cu = el("ul", undefined, "panel-cancelled");
    for (const e of c.cancelled) cu.appendChild(eventItem(e, e.cancelled ? t("cancelledOn") + fmtTime(e.cancelled).slice(0, 10) : t("cancelledOne")));
    body.appendChild(cu);
  }
}
function closePanel() {
  S.panel = null;
  document.getElementById("panel").hidden = true;
}

/* ---- upcoming, next month ---- */
function renderUpcoming() {
  const tb = document.querySelector("#upcoming tbody");
  tb.replaceChildren();
  if (!S.events) return;
  document.getElementById("upcoming-note").textContent = t("upcomingNote")(fmtTime(S.events.from), UPCOMING_MAX) +
    (S.report && S.report.public_view ? " " + t("tentNote") : "");
  for (const e of S.events.items.slice(0, UPCOMING_MAX)) {
    const tr = el("tr");
    const cancelled = e.status === "CANCELLED";
    if (cancelled) tr.className = "cancelled";
    tr.appendChild(el("td", fmtWhen(e), "when"));
    tr.appendChild(el("td", S.lang === "en" ? kindName(e.kind) : (e.kind_name || e.kind), "kind"));
    tr.appendChild(el("td", (cancelled ? t("cancelledPrefix") : "") + e.title, "title"));
    tr.appendChild(el("td", e.carrier_name || t("district")));
    tr.appendChild(el("td", e.venue || ""));
    tb.appendChild(tr);
  }
  if (!S.events.items.length) {
    const tr = el("tr"), td = el("td", t("noUpcoming"), "empty");
    td.colSpan = 5; tr.appendChild(td); tb.appendChild(tr);
  }
}
function renderNextMonth() {
  const ul = document.getElementById("nextmonth");
  ul.replaceChildren();
  if (!S.events || !S.report) return;
  const m = /^(\d{4})-(\d{2})/.exec(S.report.as_of);
  if (!m) return;
  let y = +m[1], mo = +m[2] + 1;
  if (mo > 12) { mo = 1; y++; }
  const key = y + "-" + String(mo).padStart(2, "0");
  const items = S.events.items.filter(e => (e.all_day ? e.start_date : e.start).slice(0, 7) === key && e.status !== "CANCELLED");
  for (const e of items) {
    const li = el("li");
    li.appendChild(el("span", fmtWhen(e) + " ", "when"));
    li.appendChild(el("span", e.title));
    li.appendChild(el("span", " · " + (e.carrier_name || t("district")), "muted"));
    ul.appendChild(li);
  }
  if (!items.length) ul.appendChild(el("li", t("noNext"), "muted"));
}

/* ---- subscribe ---- */
function qrImg(feed, label) {
  const img = el("img", undefined, "qr");
  const path = feed.url.replace(/^https?:\/\/[^/]+/, "");
  img.src = "/qr.svg?path=" + encodeURIComponent(path);
  img.alt = t("qrAlt") + label;
  img.width = 148; img.height = 148;
  img.dataset.qr = feed.url;
  return img;
}
function copyButton(url) {
  const b = el("button", t("copy"), "copy");
  b.type = "button";
  b.dataset.copy = url;
  return b;
}
function feedItem(ul, name, feed) {
  const li = el("li");
  const a = el("a", name, "webcal");
  a.href = feed.webcal;
  li.appendChild(a);
  const h = el("a", feed.url.startsWith("https:") ? "https" : "http", "ics");
  h.href = feed.url; h.title = feed.url;
  li.appendChild(h);
  li.appendChild(copyButton(feed.url));
  const q = el("button", t("qr"), "show-qr");
  q.type = "button";
  q.dataset.feed = feed.url;
  q.dataset.webcal = feed.webcal;
  q.dataset.name = name;
  li.appendChild(q);
  ul.appendChild(li);
}
function feedGroup(root, title, items) {
  if (!items.length) return;
  root.appendChild(el("h3", title));
  const ul = el("ul", undefined, "feeds");
  for (const [name, feed] of items) feedItem(ul, name, feed);
  root.appendChild(ul);
}
function districtFeed() {
  return {webcal: "webcal://" + location.host + "/calendar.ics", url: location.origin + "/calendar.ics"};
}
function renderFeeds() {
  const root = document.getElementById("feeds");
  root.replaceChildren();
  const meta = S.meta;
  if (!meta) return;
  const all = districtFeed();
  const main = document.getElementById("qr-main");
  main.replaceChildren();
  const fig = el("figure");
  fig.appendChild(qrImg(all, t("allEvents")));
  const cap = el("figcaption");
  const code = el("code", all.url, "url");
  cap.appendChild(el("strong", t("allEvents")));
  cap.appendChild(el("br"));
  cap.appendChild(code);
  cap.appendChild(el("br"));
  cap.appendChild(copyButton(all.url));
  const w = el("a", "webcal://", "webcal-main");
  w.href = all.webcal;
  cap.appendChild(w);
  const g = el("a", "Google (mark_cancelled=1)", "google");
  g.href = all.url + "?mark_cancelled=1";
  cap.appendChild(g);
  fig.appendChild(cap);
  main.appendChild(fig);
  const nm = r => S.lang === "en" && r.name_en ? r.name_en : r.name;
  feedGroup(root, t("feedsAll"), [[t("allEvents"), all]]);
  feedGroup(root, t("feedsKinds"), meta.kindList.map(k => [nm(k), k.feed]));
  feedGroup(root, t("feedsRegions"), meta.regions.filter(r => !r.partner).map(r => [nm(r), r.feed]));
  feedGroup(root, t("feedsPartners"), meta.regions.filter(r => r.partner).map(r => [nm(r), r.feed]));
  feedGroup(root, t("feedsCarriers"), meta.carriers.map(c => [c.name, c.feed]));
}
function copy(btn) {
  const url = btn.dataset.copy;
  const done = () => { btn.textContent = t("copied"); btn.classList.add("done"); };
  const fallback = () => {
    const i = el("input", undefined, "copy-field");
    i.value = url; i.readOnly = true;
    btn.after(i);
    i.select();
    done();
  };
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, fallback);
  else fallback();
}
function toggleQr(btn) {
  const li = btn.closest("li");
  const old = li.querySelector("img.qr");
  if (old) { old.remove(); return; }
  li.appendChild(qrImg({url: btn.dataset.feed, webcal: btn.dataset.webcal}, btn.dataset.name));
}

/* ---- labels, language, legend ---- */
function renderStatic() {
  document.documentElement.lang = S.lang === "en" ? "en" : "zh-CN";
  document.title = t("title");
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === S.lang));
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  for (const s of ORDER) { const sp = el("span", t("status")[s], s); sp.dataset.legend = s; legend.appendChild(sp); }
  legend.appendChild(el("span", t("late") + " = " + t("lateLong"), "badge late"));
  document.getElementById("plan").setAttribute("aria-pressed", String(S.plan));
  const rep = S.report;
  document.getElementById("asof").textContent = rep ? t("asof") + fmtTime(rep.as_of) : "";
  document.getElementById("tracking").textContent = rep && rep.tracking_since ? t("trackingSince")(rep.tracking_since) : "";
  const y = document.getElementById("year").value.trim();
  document.getElementById("report-title").textContent = rep ? (S.plan ? t("reportPlan")(fmtTime(rep.as_of).slice(0, 10)) : t("reportYear")(y, fmtTime(rep.as_of).slice(0, 10))) : "";
  let csv = "/api/v1/cadence?format=csv&lang=" + (S.lang === "en" ? "en" : "zh") + "&by=all&" + rangeQuery();
  document.getElementById("csv").href = csv;
}
function renderAll() {
  renderStatic();
  renderLagging();
  renderHeatmap();
  renderNextMonth();
  renderUpcoming();
  renderFeeds();
  if (S.panel && !document.getElementById("panel").hidden) openPanel(S.panel);
}
function setUrl() {
  const p = new URLSearchParams(location.search);
  p.set("year", document.getElementById("year").value.trim());
  if (S.plan) p.set("view", "plan"); else p.delete("view");
  if (S.lang === "en") p.set("lang", "en"); else p.delete("lang");
  history.replaceState(null, "", "?" + p.toString());
}

async function load() {
  const year = document.getElementById("year").value.trim();
  const errs = [];
  const fail = e => errs.push(e.message || String(e));
  document.body.dataset.state = "loading";
  document.getElementById("err").textContent = "";
  S.report = null;
  try { if (!S.meta) S.meta = await getMeta(); } catch (e) { fail(e); }
  try {
    if (!S.plan && !/^\d{4}$/.test(year)) throw new Error(t("yearDigits"));
    S.report = await getReport();
  } catch (e) { fail(e); }
  try { S.events = await getUpcoming(S.report ? S.report.as_of : AS_OF); } catch (e) { fail(e); }
  try { renderAll(); } catch (e) { fail(e); }
  if (errs.length) document.getElementById("err").textContent = t("loadFail") + errs.join("; ");
  document.body.dataset.state = errs.length ? "error" : "ready";
}

function init() {
  document.getElementById("year").value = params.get("year") || (AS_OF && /^\d{4}/.test(AS_OF) ? AS_OF.slice(0, 4) : String(new Date().getFullYear()));
  document.getElementById("yearform").addEventListener("submit", ev => {
    ev.preventDefault(); S.plan = false; setUrl(); load();
  });
  document.getElementById("plan").addEventListener("click", () => { S.plan = !S.plan; setUrl(); load(); });
  for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => {
    S.lang = b.dataset.lang === "en" ? "en" : "zh"; setUrl(); renderAll();
  });
  document.getElementById("panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", ev => { if (ev.key === "Escape") closePanel(); });
  document.addEventListener("click", ev => {
    const target = ev.target instanceof Element ? ev.target : null;
    if (!target) return;
    const td = target.closest("td[data-period]");
    if (td) { openPanel({rule: td.dataset.rule, scope: td.dataset.scope, period: td.dataset.period}); return; }
    const ex = target.closest("button[data-expand]");
    if (ex) { S.expanded = !S.expanded; renderHeatmap(); return; }
    const cp = target.closest("button[data-copy]");
    if (cp) { copy(cp); return; }
    const qb = target.closest("button.show-qr");
    if (qb) toggleQr(qb);
  });
  document.addEventListener("keydown", ev => {
    const target = ev.target instanceof Element ? ev.target : null;
    if (target && target.matches("td[data-period]") && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      openPanel({rule: target.dataset.rule, scope: target.dataset.scope, period: target.dataset.period});
    }
  });
  renderStatic();
  load();
}
init();
