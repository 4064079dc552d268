// console_admin_e2e.mjs: the admins' console pages (issue 9) driven in
// Debian's Chromium through playwright-core. Started by
// tests/e2e/test_console_admin.py, which starts roadshowd with an admin
// account and checks the API afterwards; this script does what the admin
// does in the browser (a carrier in 龙驹镇, its level, the audit trail, an
// invited organiser, a token with an expiry, revoked) and asserts what the
// pages show. It prints one JSON line of facts and exits non-zero on the
// first failed assertion.
//
// Environment: BASE, ADMIN_USER, ADMIN_PASS (an admin account), ADMIN_TOKEN
// (a bearer token for setting up an event), SHOTS (screenshots), NOW (the
// server's clock, also the browser's).
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error('missing environment variable ' + k);
  return v;
};
const BASE = env('BASE');
const SHOTS = env('SHOTS');
const NOW = env('NOW');
const ORG_PASS = 'longju organiser pass 5';
const facts = {};
const consoleErrors = [];
// Chromium logs every 4xx answer to fetch() as a console error; the pages
// expect exactly the refusals this script provokes. Each is recorded as
// "STATUS METHOD PATH" and the Python side compares the whole list.
const expectedHttp = [];

function watch(page, label) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const st = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
    if (st) expectedHttp.push(st[1] + ' ' + new URL(m.location().url).pathname);
    else consoleErrors.push(label + ': ' + m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(label + ': pageerror ' + e.message));
  page.on('dialog', (d) => d.accept());
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

let browser;
process.on('uncaughtException', async (e) => {
  console.error(e);
  try {
    let i = 0;
    for (const c of browser.contexts())
      for (const p of c.pages())
        await p.screenshot({ path: `${SHOTS}/admin-failure-${i++}.png`, fullPage: true });
  } catch (x) { /* best effort */ }
  process.exit(1);
});
process.on('unhandledRejection', (e) => { throw e; });

browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--lang=zh-CN'],
  env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' }
});
async function newContext(opts) {
  const c = await browser.newContext({ locale: 'zh-CN', timezoneId: 'America/New_York', ...opts });
  await c.clock.setFixedTime(new Date(NOW));
  return c;
}

async function login(page, user, pass) {
  await page.goto(BASE + '/console/');
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill(pass);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#who').filter({ hasText: user }).waitFor();
}

// Every label comes from the tables: no raw key such as "af_name" shows.
async function noRawKeys(page, where) {
  const raw = await page.evaluate(() => {
    const out = [];
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode())
      if (/^\s*[a-z]{1,3}_[a-z_]+\s*$/.test(n.nodeValue) && !n.parentElement.closest('[hidden], .mono, .actor'))
        out.push(n.nodeValue.trim());
    return out;
  });
  assert.deepEqual(raw, [], 'untranslated labels on ' + where);
}

async function api(path, opts = {}) {
  const r = await fetch(BASE + path, {
    method: opts.method || 'GET',
    headers: { Authorization: 'Bearer ' + (opts.token || env('ADMIN_TOKEN')), 'Content-Type': 'application/json' },
    body: opts.body ? JSON.stringify(opts.body) : undefined
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

const ctx = await newContext({ viewport: { width: 1280, height: 900 } });
const page = await ctx.newPage();
watch(page, 'admin');

// ---- a visit before logging in: the form, and no request that fails ----
await page.goto(BASE + '/console/');
await page.locator('#login-form').waitFor();
assert.equal(await page.locator('#nav').isHidden(), true);

// ---- log in: the admin navigation is there ----
await login(page, env('ADMIN_USER'), env('ADMIN_PASS'));
const adminNav = page.locator('#nav a[data-admin]');
assert.equal(await adminNav.count(), 6);
for (let i = 0; i < 6; i++) assert.equal(await adminNav.nth(i).isVisible(), true);
assert.deepEqual(await adminNav.allTextContents(),
  ['载体管理', '区域与目标', '账号与令牌', '节奏规则', '私有订阅', '操作记录']);

// ---- 载体管理: the list, filtered by region ----
await page.locator('#nav a[data-nav=carriers]').click();
await page.locator('#carrier-list li').first().waitFor();
const all = (await api('/api/v1/carriers')).body.items;
assert.equal(await page.locator('#carrier-list li').count(), all.filter((c) => !c.retired_from).length);
await page.locator('#cf-region').selectOption('longju');
const longju = all.filter((c) => c.region === 'longju' && !c.retired_from).map((c) => c.slug);
await page.locator('#c-msg').filter({ hasText: `共 ${longju.length} 个载体` }).waitFor();
assert.deepEqual(await page.locator('#carrier-list li').evaluateAll((l) => l.map((x) => x.dataset.carrier)), longju);
facts.longju_before = longju;

// ---- a new carrier in 龙驹镇 through the form; first a taken slug ----
await page.locator('#c-new').click();
await page.locator('#carrier-form').waitFor();
const f = page.locator('#carrier-form');
await f.locator('input[name=slug]').fill('pinghu-maker-space');
await f.locator('input[name=name]').fill('龙驹镇科技孵化器');
await f.locator('input[name=name_en]').fill('Longju Tech Incubator');
await f.locator('select[name=kind]').selectOption({ label: '孵化器' });
await f.locator('select[name=region]').selectOption({ label: '龙驹镇' });
await f.locator('select[name=level]').selectOption({ label: '区级' });
await f.locator('input[name=recognised_on]').fill('2024-11-20');
await f.locator('input[name=address]').fill('万州区龙驹镇龙驹大道 8 号');
await f.locator('input[name=geo_lat]').fill('30.625');
await f.locator('input[name=geo_lon]').fill('108.5');
await f.locator('input[name=website]').fill('https://longju-hub.example.cn/');
await f.locator('input[name=contact]').fill('龙驹镇经发办 023-5888 0000');
let [resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/carriers') && r.request().method() === 'POST'),
  f.locator('button[type=submit]').click()
]);
assert.equal(resp.status(), 409);
await page.locator('#err-slug').filter({ hasText: '该标识已被使用' }).waitFor();
assert.equal(await page.locator('#a-slug').getAttribute('aria-invalid'), 'true');
facts.slug_error = await page.locator('#err-slug').textContent();
await f.locator('input[name=slug]').fill('longju-hub');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/carriers') && r.request().method() === 'POST'),
  f.locator('button[type=submit]').click()
]);
assert.equal(resp.status(), 201);
assert.equal(resp.request().headers()['x-csrf-token'].length, 64);
await page.waitForURL(/\/console\/admin\/carriers\/longju-hub$/);
await page.locator('#carrier-form[data-slug=longju-hub]').waitFor();
await page.locator('#flash').filter({ hasText: '载体已保存。' }).waitFor();
assert.equal(await page.locator('#a-slug').getAttribute('readonly'), '');
assert.equal(await page.locator('#a-geo_lat').inputValue(), '30.625');
assert.equal(await page.locator('#c-feed').textContent(), BASE + '/calendars/carriers/longju-hub.ics');
await shot(page, 'console-admin-carrier-desktop');
await noRawKeys(page, 'carrier form');

// ---- it shows in the list of 龙驹镇 ----
await page.locator('#nav a[data-nav=carriers]').click();
await page.locator('#cf-region').selectOption('longju');
await page.locator('#carrier-list li[data-carrier=longju-hub]').waitFor();
facts.longju_after = await page.locator('#carrier-list li').evaluateAll((l) => l.map((x) => x.dataset.carrier));
assert.equal(await page.locator('#carrier-list li[data-carrier=longju-hub] [data-level]').textContent(), '区级');
await shot(page, 'console-admin-carriers-desktop');

// ---- the level changes: 区级 -> 市级 ----
await page.locator('#carrier-list li[data-carrier=longju-hub] h2 a').click();
await page.locator('#carrier-form[data-slug=longju-hub]').waitFor();
await f.locator('select[name=level]').selectOption('municipal');
await f.locator('input[name=recognised_on]').fill('2025-11-03');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/carriers/longju-hub') && r.request().method() === 'PATCH'),
  f.locator('button[type=submit]').click()
]);
assert.equal(resp.status(), 200);
assert.equal((await resp.json()).level, 'municipal');
await page.locator('#flash').filter({ hasText: '载体已保存。' }).waitFor();

// ---- a retire date before its last event is refused next to the field ----
const ev = await api('/api/v1/events', { method: 'POST', body: {
  kind: 'roadshow', title: '龙驹镇首场路演', carrier: 'longju-hub',
  start: '2027-01-15T14:00:00+08:00', end: '2027-01-15T16:00:00+08:00' } });
assert.equal(ev.status, 201);
facts.event_id = ev.body.id;
await page.reload();
await page.locator('#retire-form').waitFor();
await page.locator('#retire-form input[name=retired_from]').fill('2027-01-10');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/carriers/longju-hub') && r.request().method() === 'PATCH'),
  page.locator('#retire-form button[type=submit]').click()
]);
assert.equal(resp.status(), 409);
const retireErr = page.locator('#err-retired_from');
await retireErr.filter({ hasText: '停用日期须晚于该载体最后一场活动的日期' }).waitFor();
facts.retire_error = await retireErr.textContent();
assert.equal(await page.locator('#a-retired_from').getAttribute('aria-invalid'), 'true');
await shot(page, 'console-admin-retire-refused-desktop');

// ---- 操作记录: the level change, before and after ----
await page.locator('#nav a[data-nav=audit]').click();
await page.locator('#audit-list li').first().waitFor();
await page.locator('#au-type').selectOption('carrier');
await page.locator('#au-object_id').fill('longju-hub');
await page.locator('#audit-filters button[type=submit]').click();
await page.locator('#au-msg').filter({ hasText: '已显示全部记录。' }).waitFor();
const rows = page.locator('#audit-list li');
facts.audit_rows = await rows.evaluateAll((l) => l.map((x) => [x.dataset.action, x.dataset.object]));
const top = rows.first();
facts.audit_level = [await top.locator('dd[data-key=level] del').textContent(),
  await top.locator('dd[data-key=level] ins').textContent()];
facts.audit_recognised = [await top.locator('dd[data-key=recognised_on] del').textContent(),
  await top.locator('dd[data-key=recognised_on] ins').textContent()];
facts.audit_actor = await top.locator('.actor').textContent();
await shot(page, 'console-admin-audit-desktop');
await noRawKeys(page, 'audit');

// ---- 账号与令牌: invite an organiser of the new carrier ----
await page.locator('#nav a[data-nav=accounts]').click();
await page.locator('#account-list li').first().waitFor();
await page.locator('#ac-new').click();
const inv = page.locator('#invite-form-admin');
await inv.locator('input[name=username]').fill('longju-staff');
await inv.locator('select[name=role]').selectOption('organiser');
await inv.locator('input[name=carriers][value=longju-hub]').check();
await inv.locator('button[type=submit]').click();
const inviteBox = page.locator('[data-invite=longju-staff] input');
await inviteBox.waitFor();
const inviteUrl = await inviteBox.inputValue();
assert.match(inviteUrl, /^http:\/\/127\.0\.0\.1:\d+\/console\/invite#token=[0-9a-f]{64}$/);
await page.locator('#account-list li[data-account=longju-staff]').waitFor();
assert.equal(await page.locator('#account-list li[data-account=longju-staff] [data-role]').textContent(), '组织者');

// ---- a token with an expiry: the secret once, with a copy button ----
await page.locator('#tk-new').click();
const tf = page.locator('#token-form');
await tf.locator('select[name=role]').selectOption('organiser');
await tf.locator('select[name=carrier]').selectOption('longju-hub');
await tf.locator('input[name=label]').fill('龙驹 张三');
await tf.locator('input[name=expires]').fill('2027-06-30T23:59');
await tf.locator('button[type=submit]').click();
const secret = page.locator('#tk-slot [data-token-id] input');
await secret.waitFor();
const token = await secret.inputValue();
const tokenId = await page.locator('#tk-slot [data-token-id]').getAttribute('data-token-id');
facts.token_id = Number(tokenId);
facts.token = token;
await page.locator('#token-list li[data-token="' + tokenId + '"] [data-state=live]').waitFor();
assert.equal((await api('/api/v1/me', { token })).status, 200, 'the new token works');
await shot(page, 'console-admin-accounts-desktop');
await page.reload();
await page.locator('#token-list li[data-token="' + tokenId + '"]').waitFor();
assert.equal(await page.locator('#tk-slot input').count(), 0, 'the secret is shown once');
assert.equal((await page.content()).indexOf(token), -1, 'the list shows no secret');

// ---- revoke it: the next request with it gets 401 ----
await page.locator('#token-list li[data-token="' + tokenId + '"] [data-action=revoke]').click();
await page.locator('#token-list li[data-token="' + tokenId + '"] [data-state=revoked]').waitFor();
await page.locator('#flash').filter({ hasText: '令牌已撤销。' }).waitFor();
facts.token_status_after_revoke = (await api('/api/v1/me', { token })).status;

// ---- English switch on an admin page ----
await page.locator('[data-lang=en]').click();
await page.locator('h1').filter({ hasText: 'Accounts and tokens' }).waitFor();
await page.locator('#ac-new').click();
await page.locator('#tk-new').click();
await noRawKeys(page, 'accounts (English)');
assert.equal(await page.locator('#nav a[data-nav=audit]').textContent(), 'Audit');
await page.locator('[data-lang=zh]').click();
await page.locator('h1').filter({ hasText: '账号与令牌' }).waitFor();

// ---- 区域与目标: a changed target beside the annex's printed plan ----
await page.locator('#nav a[data-nav=regions]').click();
const lj = page.locator('#region-list li[data-region=longju]');
await lj.locator('[data-action=edit]').click();
const rf = page.locator('#region-form');
assert.equal(await rf.locator('#a-targets-area_10k_m2-hint').textContent(), '原计划：0.5');
await rf.locator('input[name="targets.area_10k_m2"]').fill('1.2');
await rf.locator('input[name=target_year]').fill('2026');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/regions/longju') && r.request().method() === 'PATCH'),
  rf.locator('button[type=submit]').click()
]);
assert.equal(resp.status(), 200);
await page.locator('#flash').filter({ hasText: '区域已保存。' }).waitFor();
facts.longju_area_row = await page.locator('#region-list li[data-region=longju] tr[data-target=area_10k_m2] td')
  .evaluateAll((l) => l.map((x) => x.textContent));

// ---- 节奏规则: a new rule, then retired from the next period ----
await page.locator('#nav a[data-nav=rules]').click();
await page.locator('#ru-new').click();
const uf = page.locator('#rule-form');
await uf.locator('input[name=id]').fill('quarterly-roadshow-by-region');
await uf.locator('input[name=name]').fill('各区域季季有路演');
await uf.locator('input[name=kinds][value=roadshow]').check();
await uf.locator('select[name=period]').selectOption('quarter');
await uf.locator('select[name=scope]').selectOption('region');
await uf.locator('button[type=submit]').click();
const ruleCard = page.locator('#rule-list li[data-rule=quarterly-roadshow-by-region]');
await ruleCard.waitFor();
await ruleCard.locator('[data-action=delete]').click();
await ruleCard.locator('form button[type=submit]').click();
await page.locator('#flash').filter({ hasText: '规则已停用。' }).waitFor();

// ---- 私有订阅: the secret URL once; it serves the carrier's events ----
await page.locator('#nav a[data-nav=subscriptions]').click();
await page.locator('#su-new').click();
const sf = page.locator('#subscription-form');
await sf.locator('input[name=label]').fill('区科技局 张三');
await sf.locator('select[name=carrier]').selectOption('longju-hub');
await sf.locator('button[type=submit]').click();
const subUrl = await page.locator('#su-slot [data-subscription-id] input').inputValue();
assert.match(subUrl, /\/calendars\/private\/[A-Za-z0-9_]+\.ics$/);
const feedText = await (await fetch(subUrl)).text();
facts.private_feed_has_event = feedText.indexOf('SUMMARY:龙驹镇首场路演') >= 0;
await shot(page, 'console-admin-subscription-desktop');
facts.subscription_id = Number(await page.locator('#su-slot [data-subscription-id]').getAttribute('data-subscription-id'));
await page.locator('#subscription-list li[data-subscription="' + facts.subscription_id + '"] [data-action=revoke]').click();
await page.locator('#flash').filter({ hasText: '订阅已撤销。' }).waitFor();
facts.private_feed_after_revoke = (await fetch(subUrl)).status;

// ---- the other admin pages render ----
for (const [nav, sel] of [['regions', '#region-list li[data-region=longju] table.targets'],
  ['rules', '#rule-list li[data-rule=monthly-roadshow]'], ['subscriptions', '#subscription-list']]) {
  await page.locator('#nav a[data-nav=' + nav + ']').click();
  await page.locator(sel).waitFor({ state: 'attached' });
  if (nav !== 'subscriptions') await shot(page, 'console-admin-' + nav + '-desktop');
  await noRawKeys(page, nav);
}

// ---- console leftovers: a zero-length event shows its start alone ----
// (imported: a DATE-TIME DTSTART without DTEND has no length, RFC 5545)
const imp = await fetch(BASE + '/api/v1/events/import?carrier=longju-hub', {
  method: 'POST',
  headers: { Authorization: 'Bearer ' + env('ADMIN_TOKEN'), 'Content-Type': 'text/calendar' },
  body: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n' +
    'UID:noon-salon@longju.example.cn\r\nDTSTAMP:20261201T000000Z\r\n' +
    'DTSTART;TZID=Asia/Shanghai:20270120T123000\r\nSUMMARY:龙驹镇午间沙龙\r\n' +
    'CATEGORIES:salon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
});
assert.equal(imp.status, 200);
const point = { body: await (await fetch(BASE + '/api/v1/events/' + (await imp.json()).ids[0], {
  headers: { Authorization: 'Bearer ' + env('ADMIN_TOKEN') } })).json() };
assert.equal(point.body.end, point.body.start);
await page.locator('#nav a[data-nav=list]').click();
const pc = page.locator(`li.card[data-event-id="${point.body.id}"] .when`);
await pc.waitFor();
facts.zero_length_when = await pc.textContent();
// ... and the title is counted in UTF-8 octets as the API counts it
await page.locator('#nav a[data-nav=new]').click();
await page.locator('input[name=title]').fill('路'.repeat(334));
let posted = 0;
page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/events')) posted++; });
await page.locator('#event-form button[type=submit]').click();
await page.locator('#err-title').filter({ hasText: '1002 字节' }).waitFor();
facts.title_octets_error = await page.locator('#err-title').textContent();
facts.title_maxlength = await page.locator('input[name=title]').getAttribute('maxlength');
facts.posted_too_long = posted;

// ---- 390 px: the carrier and account pages ----
const phone = await newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
const pp = await phone.newPage();
watch(pp, 'phone');
await login(pp, env('ADMIN_USER'), env('ADMIN_PASS'));
await pp.goto(BASE + '/console/admin/carriers');
await pp.locator('#carrier-list li[data-carrier=longju-hub]').waitFor();
assert.ok(await pp.evaluate(() => document.documentElement.scrollWidth <= 390), 'carriers fit 390 px');
await shot(pp, 'console-admin-carriers-phone');
await pp.goto(BASE + '/console/admin/carriers/longju-hub');
await pp.locator('#carrier-form').waitFor();
assert.ok(await pp.evaluate(() => document.documentElement.scrollWidth <= 390), 'the carrier form fits 390 px');
await shot(pp, 'console-admin-carrier-phone');
await pp.goto(BASE + '/console/admin/accounts');
await pp.locator('#token-list li').first().waitFor();
await pp.locator('#ac-new').click();
await pp.locator('#invite-form-admin').waitFor();
assert.ok(await pp.evaluate(() => document.documentElement.scrollWidth <= 390), 'accounts fit 390 px');
await shot(pp, 'console-admin-accounts-phone');
await pp.goto(BASE + '/console/admin/regions');
await pp.locator('#region-list li[data-region=longju]').waitFor();
await pp.locator('#region-list li[data-region=longju] [data-action=edit]').click();
await pp.locator('#region-form').waitFor();
assert.ok(await pp.evaluate(() => document.documentElement.scrollWidth <= 390), 'regions fit 390 px');
await shot(pp, 'console-admin-regions-phone');
await phone.close();

// ---- the invited organiser: no admin navigation ----
const octx = await newContext({ viewport: { width: 1280, height: 900 } });
const op = await octx.newPage();
watch(op, 'organiser');
await op.goto(inviteUrl);
await op.locator('#invite-password').fill(ORG_PASS);
await op.locator('#invite-password2').fill(ORG_PASS);
await op.locator('#invite-form button[type=submit]').click();
await op.locator('#flash').filter({ hasText: '密码已设置，请登录。' }).waitFor();
await login(op, 'longju-staff', ORG_PASS);
await op.locator(`li.card[data-event-id="${facts.event_id}"]`).waitFor();
facts.organiser_admin_links_visible = await op.locator('#nav a[data-admin]').evaluateAll((l) => l.filter((a) => !a.hidden).length);
await op.goto(BASE + '/console/admin/carriers');
await op.locator('#main .alert').filter({ hasText: '您无权进行此操作。' }).waitFor();
facts.organiser_admin_links_on_admin_path = await op.locator('#nav a[data-admin]').evaluateAll((l) => l.filter((a) => !a.hidden).length);
await octx.close();

await ctx.close();
await browser.close();
facts.console_errors = consoleErrors;
facts.http_refusals = expectedHttp;
console.log(JSON.stringify(facts));
