// Drive the leaders' dashboard in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core) and report what a leader
// would see, as one JSON document on standard output; the Python test
// (tests/e2e/test_dashboard.py) asserts the values.
//
//   node dashboard.mjs BASE_URL OUT_DIR CLICKS_JSON
//
// BASE_URL: the page, e.g. http://127.0.0.1:PORT/?year=2025
// OUT_DIR:  where screenshots, the QR code's PNG and the PDF are written
// CLICKS_JSON: [[rule, scope, period], ...] cells to open in the panel
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const [base, outDir, clicksJson] = process.argv.slice(2);
const clicks = JSON.parse(clicksJson || "[]");
const out = { console: [], requests_failed: [] };

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});

function watch(page, tag) {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning")
      out.console.push(`${tag}: ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => out.console.push(`${tag}: pageerror: ${e.message}`));
  page.on("requestfailed", (r) => out.requests_failed.push(`${tag}: ${r.url()}`));
  page.on("response", (r) => {
    if (r.status() >= 400) out.requests_failed.push(`${tag}: ${r.status()} ${r.url()}`);
  });
}

async function ready(page) {
  await page.waitForSelector("body[data-state=ready], body[data-state=error]");
  return page.evaluate(() => ({
    state: document.body.dataset.state,
    err: document.getElementById("err").textContent,
  }));
}

const cellsOf = (page) => page.$$eval("td[data-period]", (tds) => tds.map((td) => ({
  rule: td.dataset.rule, scope: td.dataset.scope, period: td.dataset.period,
  status: td.dataset.status, text: td.querySelector(".st").textContent,
  late: td.dataset.late || null, tentative: td.dataset.tentative || null,
  rests: td.classList.contains("rests"),
  badges: [...td.querySelectorAll(".badge")].map((b) => b.textContent),
  left: td.querySelector(".left") ? td.querySelector(".left").textContent : null,
  visible: td.offsetParent !== null,
  background: getComputedStyle(td).backgroundColor,
})));

try {
  // ---- desktop ----
  const desk = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  watch(desk, "desktop");
  await desk.goto(base);
  out.desktop = await ready(desk);
  out.lang = await desk.evaluate(() => document.documentElement.lang);
  out.h1 = await desk.textContent("h1");
  out.headings = await desk.$$eval("main h2", (hs) => hs.map((h) => h.textContent));
  out.csv = await desk.getAttribute("#csv", "href");
  out.asof = await desk.textContent("#asof");
  out.tracking = await desk.textContent("#tracking");
  out.rules = await desk.$$eval("table.heat", (ts) => ts.map((t) => t.dataset.rule));
  out.row_heads = await desk.$$eval("table.heat", (ts) => ts.map((t) =>
    [...t.querySelectorAll("tr[data-scope]")].map((tr) => ({
      scope: tr.dataset.scope,
      name: tr.querySelector("th .name").textContent,
      meta: [...tr.querySelectorAll("th .meta")].map((m) => m.textContent),
    }))));
  out.lagging = await desk.$$eval("#lagging li", (ls) => ls.map((l) => l.textContent));
  out.upcoming_note = await desk.textContent("#upcoming-note");
  out.upcoming = await desk.$$eval("#upcoming tbody tr", (trs) => trs.map((tr) =>
    [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  out.next_month = await desk.$$eval("#nextmonth li", (ls) => ls.map((l) => l.textContent));
  out.cells = await cellsOf(desk);
  out.inline_scripts = await desk.$$eval("script", (ss) => ss.filter((s) => !s.src).length);
  out.style_attrs = await desk.$$eval("[style]", (ss) => ss.length);
  await desk.screenshot({ path: join(outDir, "dashboard-desktop.png"), fullPage: false });
  // carriers expand
  await desk.click("table.heat[data-rule=monthly-roadshow] button[data-expand]");
  out.carriers_visible = await desk.$$eval(
    "table.heat[data-rule=monthly-roadshow] tr.carrier", (trs) => trs.filter((t) => t.offsetParent !== null).length);
  // the panel
  out.panels = [];
  for (const [rule, scope, period] of clicks) {
    await desk.click(`td[data-rule="${rule}"][data-scope="${scope}"][data-period="${period}"]`);
    await desk.waitForSelector(`#panel[data-state=ready][data-rule="${rule}"][data-scope="${scope}"][data-period="${period}"]`);
    out.panels.push(await desk.evaluate(() => ({
      title: document.getElementById("panel-title").textContent,
      status: document.getElementById("panel").dataset.status,
      counts: [...document.querySelectorAll("#panel dl.counts dt")].map((d) => [d.textContent, d.nextElementSibling.textContent]),
      rule_then: (document.querySelector("#panel .rule-then") || {}).textContent || null,
      events: [...document.querySelectorAll("#panel ul.panel-events li[data-event-id]")].map((li) => ({
        id: +li.dataset.eventId, status: li.dataset.status, title: li.querySelector("a").textContent,
        href: li.querySelector("a").getAttribute("href"),
        ext: li.querySelector("a.ext") ? li.querySelector("a.ext").getAttribute("href") : null,
        badges: [...li.querySelectorAll(".badge")].map((b) => b.textContent),
      })),
      cancelled: [...document.querySelectorAll("#panel ul.panel-cancelled li")].map((li) => ({
        id: +li.dataset.eventId, title: li.querySelector("a").textContent,
        text: li.textContent,
      })),
      tentative_hidden: (document.querySelector("#panel .tent-hidden") || {}).textContent || null,
    })));
    if (out.panels.length === 2)
      await desk.screenshot({ path: join(outDir, "dashboard-panel.png") });
  }
  await desk.click("#panel-close");
  // the subscribe panel's QR code, rendered by the browser, as a PNG
  const qr = await desk.$("#qr-main img[data-qr]");
  out.qr = {
    data: await qr.getAttribute("data-qr"),
    natural: await qr.evaluate((i) => [i.naturalWidth, i.complete]),
  };
  await qr.screenshot({ path: join(outDir, "qr.png") });
  out.feed_links = await desk.$$eval("#feeds a.webcal", (as) => as.map((a) => a.getAttribute("href")));
  out.ics_links = await desk.$$eval("#feeds a.ics", (as) => as.map((a) => a.getAttribute("href")));
  out.copy_buttons = await desk.$$eval("#subscribe button[data-copy]", (bs) => bs.length);
  out.steps = await desk.$$eval("dl.steps dt", (ds) => ds.map((d) => d.textContent));
  out.google = await desk.getAttribute("#qr-main a.google", "href");
  // a carrier feed's QR code on demand
  await desk.click("#feeds ul:last-of-type li:last-child button.show-qr");
  out.qr_carrier = await desk.getAttribute("#feeds ul:last-of-type li:last-child img[data-qr]", "data-qr");
  await desk.$eval("#feeds ul:last-of-type li:last-child img[data-qr]", (i) => i.decode());
  await (await desk.$("#feeds ul:last-of-type li:last-child img[data-qr]")).screenshot({ path: join(outDir, "qr-carrier.png") });
  // English
  await desk.click("[data-lang=en]");
  out.en = await desk.evaluate(() => ({
    lang: document.documentElement.lang,
    h1: document.querySelector("h1").textContent,
    headings: [...document.querySelectorAll("main h2")].map((h) => h.textContent),
    legend: [...document.querySelectorAll("#legend span[data-legend]")].map((s) => s.textContent),
    csv: document.getElementById("csv").getAttribute("href"),
    url: location.search,
  }));
  out.en_cells = await cellsOf(desk);
  await desk.evaluate(() => window.scrollTo(0, 0));
  await desk.screenshot({ path: join(outDir, "dashboard-en.png") });
  await desk.click("[data-lang=zh]");
  out.zh_again = await desk.textContent("h1");
  // the plan period 2023-2025, then any year
  await desk.click("#plan");
  await ready(desk);
  out.plan = await desk.evaluate(() => ({
    title: document.getElementById("report-title").textContent,
    months: [...document.querySelectorAll("table.heat[data-rule=monthly-roadshow] thead th")].slice(1).map((th) => th.textContent),
    url: location.search,
    csv: document.getElementById("csv").getAttribute("href"),
  }));
  out.plan_cells = (await cellsOf(desk)).filter((c) => c.scope === "district").map((c) => [c.rule, c.period, c.status]);
  await desk.fill("#year", "2024");
  await desk.click("#go");
  await desk.waitForFunction(() => document.getElementById("report-title").textContent.startsWith("2024"));
  await ready(desk);
  out.year2024 = (await cellsOf(desk)).filter((c) => c.scope === "district").map((c) => [c.rule, c.period, c.status]);
  await desk.close();

  // ---- phone (390 px) ----
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  watch(phone, "phone");
  await phone.goto(base);
  out.phone = await ready(phone);
  out.phone_layout = await phone.evaluate(() => {
    const wrap = document.querySelector(".rule[data-rule=monthly-roadshow] .heatwrap");
    const now = wrap.querySelector("thead th.now");
    const w = wrap.getBoundingClientRect(), n = now.getBoundingClientRect();
    return {
      scrollWidth: document.documentElement.scrollWidth,
      bodyScrollWidth: document.body.scrollWidth,
      innerWidth: window.innerWidth,
      heatScrolls: wrap.scrollWidth > wrap.clientWidth,
      heatScrollLeft: wrap.scrollLeft,
      nowPeriod: now.textContent,
      nowInView: n.left >= w.left && n.right <= w.right,
      atRiskLeft: (document.querySelector("td.now .left") || {}).textContent || null,
    };
  });
  await phone.screenshot({ path: join(outDir, "dashboard-phone.png") });
  // a tap opens the panel on the phone too
  await phone.tap('td[data-rule="monthly-roadshow"][data-scope="district"].now');
  await phone.waitForSelector("#panel[data-state=ready]");
  out.phone_panel = await phone.evaluate(() => {
    const r = document.getElementById("panel").getBoundingClientRect();
    return { width: r.width, period: document.getElementById("panel").dataset.period,
      scrollWidth: document.documentElement.scrollWidth };
  });
  await phone.screenshot({ path: join(outDir, "dashboard-phone-panel.png") });
  await phone.close();

  // ---- print: one A4 page ----
  const pr = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  watch(pr, "print");
  await pr.goto(base);
  out.print = await ready(pr);
  await pr.emulateMedia({ media: "print" });
  out.print_layout = await pr.evaluate(() => ({
    heatmaps: [...document.querySelectorAll("table.heat")].filter((t) => t.offsetParent !== null).length,
    subscribe: document.getElementById("subscribe").offsetParent !== null,
    title: document.getElementById("report-title").textContent,
  }));
  const pdf = await pr.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
  writeFileSync(join(outDir, "dashboard.pdf"), pdf);
  await pr.setViewportSize({ width: 794, height: 1123 });   // A4 at 96 dpi
  await pr.screenshot({ path: join(outDir, "dashboard-print.png"), fullPage: true });
  await pr.close();
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
