// Load one page in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core), wait until its body says data-state=ready (or error),
// and print what the Python tests assert, as one JSON document:
// {state, cells: [{rule, scope, period, status}], links: [href...],
//  console: [errors]}.
//
//   node dom_probe.mjs URL
import { chromium } from "playwright-core";

const [url] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const out = { console: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on("pageerror", (e) => out.console.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") out.console.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector("body[data-state=ready], body[data-state=error]");
  out.state = await page.evaluate(() => document.body.dataset.state);
  out.cells = await page.$$eval("td[data-period]", (tds) => tds.map((td) => ({
    rule: td.dataset.rule, scope: td.dataset.scope,
    period: td.dataset.period, status: td.dataset.status })));
  out.links = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
