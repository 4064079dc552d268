// console_e2e.mjs: the organisers' console (issue 8) driven in Debian's
// Chromium through playwright-core. Started by tests/e2e/test_console.py,
// which starts roadshowd, creates the accounts and checks the feeds and the
// cadence report afterwards; this script does what a person does in the
// browser and asserts what the pages show. It prints one JSON line of
// facts for the Python side (ids, statuses) and exits non-zero on the
// first failed assertion.
//
// Environment: BASE (http://127.0.0.1:PORT), INVITE_PATH (/console/invite#
// token=...), ORG_A and CARRIER_A (the invited organiser), ORG_B, PASS_B
// and CARRIER_B (an organiser of another carrier), ADMIN_TOKEN (a bearer
// token playing "someone else" for the stale edit), ICS_FILE (a file to
// import), SHOTS (a directory for screenshots).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error('missing environment variable ' + k);
  return v;
};
const BASE = env('BASE');
const SHOTS = env('SHOTS');
const PASS_A = 'correct horse battery 7';
const facts = {};
const consoleErrors = [];
const ignoredHttpErrors = [];

function watch(page, label) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every 4xx answer to fetch() as a console error; the
    // pages expect some (401 from /api/v1/me before login, 400 field
    // errors, 412, 403, 429): those are kept apart, all else fails.
    if (/^Failed to load resource: the server responded with a status of (400|401|403|412|429)\b/.test(m.text()))
      ignoredHttpErrors.push(label + ': ' + m.text());
    else
      consoleErrors.push(label + ': ' + m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(label + ': pageerror ' + e.message));
  page.on('dialog', (d) => d.accept());
  if (process.env.DEBUG_CONSOLE) {
    page.on('request', (r) => console.error(label, r.method(), r.url()));
    page.on('console', (m) => console.error(label, m.type(), m.text()));
    page.on('pageerror', (e) => console.error(label, 'PAGEERROR', e.stack));
  }
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// On a failure, a screenshot of every open page helps to see why.
process.on('uncaughtException', async (e) => {
  console.error(e);
  try {
    let i = 0;
    for (const c of browser.contexts())
      for (const p of c.pages())
        await p.screenshot({ path: `${SHOTS}/failure-${i++}.png`, fullPage: true });
  } catch (x) { /* best effort */ }
  process.exit(1);
});
process.on('unhandledRejection', (e) => { throw e; });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--lang=zh-CN'],
  env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' }
});
// The browser runs in New York time: the pages must still mean Beijing time.
const ctxOpts = { locale: 'zh-CN', timezoneId: 'America/New_York' };
const ctxA = await browser.newContext({ ...ctxOpts, viewport: { width: 1280, height: 900 } });
const page = await ctxA.newPage();
watch(page, 'A');

// ---- invite: set the password ----
await page.goto(BASE + env('INVITE_PATH'));
await page.locator('#invite-password').fill(PASS_A);
await page.locator('#invite-password2').fill(PASS_A);
await page.locator('#invite-form button[type=submit]').click();
await page.locator('#flash').filter({ hasText: '密码已设置，请登录。' }).waitFor();
assert.equal(new URL(page.url()).pathname, '/console/');
await shot(page, 'console-login-desktop');

// ---- log in through the form ----
await page.locator('input[name=username]').fill(env('ORG_A'));
await page.locator('input[name=password]').fill(PASS_A);
await page.locator('#login-form button[type=submit]').click();
await page.locator('#event-list').waitFor({ state: 'attached' });
await page.locator('#list-msg').filter({ hasText: '没有符合条件的活动。' }).waitFor();
assert.equal(await page.locator('#who').textContent(), env('ORG_A'));

// ---- post a roadshow through the form; first a field error ----
await page.locator('#nav a[data-nav=new]').click();
await page.locator('select[name=kind]').waitFor();
await page.locator('select[name=kind]').selectOption({ label: '项目路演' });
await page.locator('input[name=title]').fill('平湖众创空间一月项目路演');
await page.locator('input[name=venue]').fill('平湖众创空间 3 楼路演厅');
await page.locator('textarea[name=description]').fill('<b>不是 HTML</b> 六个项目');
await page.locator('input[name=start]').fill('2027-01-20T14:30');
await page.locator('input[name=end]').fill('2027-01-20T13:00');
await page.locator('input[name=partner_regions][value=dazhou]').check();
await page.locator('select[name=status]').selectOption('CONFIRMED');
await page.locator('input[name=url]').fill('https://example.org/roadshow/2027-01');
await page.locator('input[name=capacity]').fill('80');
let [resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.request().method() === 'POST'),
  page.locator('#event-form button[type=submit]').click()
]);
assert.equal(resp.status(), 400);
const problem = await resp.json();
const endErr = problem.errors.find((e) => e.code === 'end_before_start');
assert.ok(endErr, 'an end_before_start error: ' + JSON.stringify(problem));
assert.match(endErr.detail, /[\u4e00-\u9fff]/, 'Chinese detail');
const slot = page.locator('#err-' + endErr.field);
await slot.waitFor();
assert.equal(await slot.textContent(), endErr.detail);
assert.equal(await page.locator('#f-' + endErr.field).getAttribute('aria-invalid'), 'true');
facts.field_error = { field: endErr.field, code: endErr.code, text: endErr.detail };
await shot(page, 'console-field-error-desktop');

await page.locator('input[name=end]').fill('2027-01-20T16:30');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.request().method() === 'POST'),
  page.locator('#event-form button[type=submit]').click()
]);
assert.equal(resp.status(), 201);
const created = await resp.json();
facts.event_id = created.id;
assert.equal(created.start, '2027-01-20T14:30:00+08:00');
assert.equal(created.kind, 'roadshow');
await page.waitForURL(new RegExp('/console/events/' + created.id + '$'));
await page.locator('#flash').filter({ hasText: '已保存。' }).waitFor();
assert.equal(await page.locator('input[name=start]').inputValue(), '2027-01-20T14:30');
await shot(page, 'console-form-desktop');

// ---- edit it (If-Match) ----
await page.locator('input[name=title]').fill('平湖众创空间一月项目路演（第二场）');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/events/' + created.id) && r.request().method() === 'PATCH'),
  page.locator('#event-form button[type=submit]').click()
]);
assert.equal(resp.status(), 200);
assert.equal(resp.request().headers()['if-match'], '"r' + created.revision + '"');
await page.locator('#flash').filter({ hasText: '已保存。' }).waitFor();
facts.sequence_after_edit = (await resp.json()).sequence;

// ---- a stale edit: someone else saves meanwhile ----
const other = await fetch(BASE + '/api/v1/events/' + created.id, {
  method: 'PATCH',
  headers: { Authorization: 'Bearer ' + env('ADMIN_TOKEN'), 'Content-Type': 'application/json' },
  body: JSON.stringify({ title: '区科技局改的标题' })
});
assert.equal(other.status, 200);
await page.locator('input[name=venue]').fill('改到 5 楼');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/events/' + created.id) && r.request().method() === 'PATCH'),
  page.locator('#event-form button[type=submit]').click()
]);
assert.equal(resp.status(), 412);
await page.locator('#conflict').waitFor();
const row = page.locator('#conflict-rows tr[data-field=title] td');
assert.equal(await row.nth(0).textContent(), '平湖众创空间一月项目路演（第二场）');
assert.equal(await row.nth(1).textContent(), '区科技局改的标题');
assert.equal(await page.locator('#conflict-rows tr').count(), 1, 'only the title differs');
await shot(page, 'console-conflict-desktop');
let now = await (await fetch(BASE + '/api/v1/events/' + created.id)).json();
assert.equal(now.title, '区科技局改的标题');
assert.equal(now.venue, '平湖众创空间 3 楼路演厅', 'the stale edit was not saved');
await page.locator('#conflict-reload').click();
assert.equal(await page.locator('input[name=title]').inputValue(), '区科技局改的标题');
assert.equal(await page.locator('#conflict').isHidden(), true);

// ---- history ----
await page.locator('#form-history').click();
await page.locator('#history-list li').first().waitFor();
assert.equal(await page.locator('#history-list li').count(), 3);
assert.equal(await page.locator('#history-list li').first().getAttribute('data-action'), 'update');
assert.match(await page.locator('#history-list li').first().textContent(), /区科技局改的标题/);
await shot(page, 'console-history-desktop');

// ---- my events: duplicate, then cancel the copy ----
await page.locator('#nav a[data-nav=list]').click();
const card = page.locator(`li.card[data-event-id="${created.id}"]`);
await card.waitFor();
assert.equal(await card.locator('h2').textContent(), '区科技局改的标题');
assert.equal(await card.locator('[data-status]').textContent(), '确认');
await card.locator('[data-action=duplicate]').click();
await page.locator('#form-title').filter({ hasText: '复制为新活动' }).waitFor();
assert.equal(await page.locator('input[name=title]').inputValue(), '区科技局改的标题');
await page.locator('input[name=start]').fill('2027-02-17T14:30');
await page.locator('input[name=end]').fill('2027-02-17T16:30');
await page.locator('input[name=title]').fill('二月项目路演');
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.request().method() === 'POST'),
  page.locator('#event-form button[type=submit]').click()
]);
assert.equal(resp.status(), 201);
const copy = await resp.json();
facts.copy_id = copy.id;
assert.deepEqual(copy.partner_regions, ['dazhou']);
await page.locator('#nav a[data-nav=list]').click();
const copyCard = page.locator(`li.card[data-event-id="${copy.id}"]`);
await copyCard.waitFor();
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/cancel')),
  copyCard.locator('[data-action=cancel]').click()
]);
assert.equal(resp.status(), 200);
await page.locator(`li.card[data-event-id="${copy.id}"] [data-status=CANCELLED]`).waitFor();

// ---- a series from a preset, with its preview; then one occurrence ----
await page.locator('#nav a[data-nav=new]').click();
await page.locator('input[name=title]').fill('周二创业沙龙');
await page.locator('select[name=kind]').selectOption({ label: '创业沙龙' });
await page.locator('input[name=start]').fill('2027-03-02T19:00');
await page.locator('input[name=end]').fill('2027-03-02T21:00');
await page.locator('#r-preset').selectOption('weekly');
await page.locator('#r-count').fill('4');
await page.locator('#r-count').dispatchEvent('input');
await page.locator('#r-preview-list li').nth(3).waitFor();
assert.equal(await page.locator('input[name=rrule]').inputValue(), 'FREQ=WEEKLY;BYDAY=TU;COUNT=4');
assert.deepEqual(await page.locator('#r-preview-list li').allTextContents(),
  ['2027-03-02 周二 19:00', '2027-03-09 周二 19:00', '2027-03-16 周二 19:00', '2027-03-23 周二 19:00']);
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.request().method() === 'POST'),
  page.locator('#event-form button[type=submit]').click()
]);
assert.equal(resp.status(), 201);
const series = await resp.json();
facts.series_id = series.id;
await page.locator('#occ-list li').nth(3).waitFor();
await shot(page, 'console-series-desktop');
const second = page.locator('#occ-list li').nth(1);
await second.locator('button', { hasText: '取消这一次' }).click();
await page.locator('#occ-list li').nth(1).locator('.badge.st-CANCELLED').waitFor();
const third = page.locator('#occ-list li').nth(2);
await third.locator('button', { hasText: '改期/修改' }).click();
await third.locator('input[name=start]').fill('2027-03-17T19:00');
await third.locator('input[name=end]').fill('2027-03-17T21:00');
await third.locator('button[type=submit]').click();
await page.locator('#occ-list li').nth(2).locator('.when').filter({ hasText: '2027-03-17 周三 19:00' }).waitFor();
now = await (await fetch(BASE + '/api/v1/events/' + series.id, { headers: { Authorization: 'Bearer ' + env('ADMIN_TOKEN') } })).json();
assert.deepEqual(now.exdates.length + now.overrides.length >= 1, true);
facts.series_overrides = now.overrides.map((o) => [o.recurrence_id, o.start, o.status || null]);

// ---- import: the preview stores nothing until confirmed ----
await page.locator('#nav a[data-nav=import]').click();
await page.locator('#imp-file').setInputFiles({
  name: 'maker-space.ics', mimeType: 'text/calendar', buffer: readFileSync(env('ICS_FILE'))
});
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().includes('/api/v1/events/import')),
  page.locator('#imp-preview').click()
]);
assert.equal(resp.status(), 200);
assert.match(resp.url(), /dry_run=1/);
await page.locator('[data-import=preview]').waitFor();
assert.equal(await page.locator('[data-import=preview]').textContent(), '将新建 2 个，更新 0 个，0 个不变。');
assert.equal(await page.locator('#imp-rows tr[data-action=create]').count(), 2);
await shot(page, 'console-import-desktop');
let stored = await (await fetch(BASE + '/api/v1/events?q=' + encodeURIComponent('导入测试'))).json();
assert.equal(stored.items.length, 0, 'the preview stored nothing');
facts.stored_after_preview = stored.items.length;
[resp] = await Promise.all([
  page.waitForResponse((r) => r.url().includes('/api/v1/events/import')),
  page.locator('#imp-confirm').click()
]);
assert.equal(resp.status(), 200);
assert.doesNotMatch(resp.url(), /dry_run/);
await page.locator('[data-import=done]').waitFor();
assert.equal(await page.locator('[data-import=done]').textContent(), '已导入：新建 2 个，更新 0 个，0 个不变。');
stored = await (await fetch(BASE + '/api/v1/events?q=' + encodeURIComponent('导入测试'))).json();
facts.stored_after_confirm = stored.items.length;

// ---- cross-origin: the session cookie alone changes nothing ----
const me = await (await page.request.get(BASE + '/api/v1/me')).json();
assert.equal(me.username, env('ORG_A'));
assert.deepEqual(me.carriers, [env('CARRIER_A')]);
const forged = { kind: 'roadshow', title: '跨站伪造', start: '2027-04-01T10:00:00+08:00', end: '2027-04-01T11:00:00+08:00' };
let r = await page.request.post(BASE + '/api/v1/events', {
  data: forged, headers: { Origin: 'http://evil.example', 'X-CSRF-Token': me.csrf_token }
});
facts.cross_origin_status = r.status();
r = await page.request.post(BASE + '/api/v1/events', {
  data: forged, headers: { Origin: BASE }
});
facts.no_csrf_status = r.status();
stored = await (await fetch(BASE + '/api/v1/events?q=' + encodeURIComponent('跨站伪造'))).json();
facts.forged_stored = stored.items.length;

// ---- the same pages at phone width ----
const phone = await browser.newContext({
  ...ctxOpts, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  storageState: await ctxA.storageState()
});
const pp = await phone.newPage();
watch(pp, 'phone');
await pp.goto(BASE + '/console/');
await pp.locator(`li.card[data-event-id="${created.id}"]`).waitFor();
assert.ok(await pp.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling at 390 px');
await shot(pp, 'console-list-phone');
await pp.goto(BASE + '/console/events/' + series.id);
await pp.locator('#occ-list li').nth(3).waitFor();
assert.ok(await pp.evaluate(() => document.documentElement.scrollWidth <= 390), 'form fits 390 px');
await shot(pp, 'console-form-phone');
await pp.locator('[data-lang=en]').click();
await pp.locator('#form-title').filter({ hasText: 'Edit event' }).waitFor();
assert.equal(await pp.locator('label[for=f-start]').textContent(), 'Starts');
await pp.locator('[data-lang=zh]').click();
await pp.locator('#form-title').filter({ hasText: '编辑活动' }).waitFor();
await pp.goto(BASE + '/console/');
await shot(pp, 'console-list-phone');
await page.goto(BASE + '/console/');
await page.locator(`li.card[data-event-id="${created.id}"]`).waitFor();
await shot(page, 'console-list-desktop');
await phone.close();

// ---- keyboard: log out and in again without the mouse ----
await page.locator('#logout').focus();
await page.keyboard.press('Enter');
await page.locator('input[name=username]').waitFor();
await page.locator('input[name=username]').focus();
await page.keyboard.type(env('ORG_A'));
await page.keyboard.press('Tab');
await page.keyboard.type(PASS_A);
await page.keyboard.press('Enter');
await page.locator('#event-list li.card').first().waitFor();

// ---- an organiser of another carrier ----
const ctxB = await browser.newContext({ ...ctxOpts, viewport: { width: 1280, height: 900 } });
const pb = await ctxB.newPage();
watch(pb, 'B');
await pb.goto(BASE + '/console/');
await pb.locator('input[name=username]').fill(env('ORG_B'));
await pb.locator('input[name=password]').fill(env('PASS_B'));
await pb.locator('#login-form button[type=submit]').click();
await pb.locator('#list-msg').filter({ hasText: '没有符合条件的活动。' }).waitFor();
assert.equal(await pb.locator(`li.card[data-event-id="${created.id}"]`).count(), 0);
await pb.goto(BASE + '/console/events/' + created.id);
await pb.locator('#readonly-note').waitFor();
assert.equal(await pb.locator('#event-form button[type=submit]').count(), 0, 'no save button');
assert.equal(await pb.locator('#event-fields').evaluate((f) => f.disabled), true);
assert.equal(await pb.locator('input[name=title]').isDisabled(), true);
assert.equal(await pb.locator('#form-history').isHidden(), true);
await pb.goto(BASE + '/console/events/' + series.id);
await pb.locator('#occ-list li').first().waitFor();
assert.equal(await pb.locator('#occ-list button').count(), 0, 'no occurrence controls');
const forgedB = await pb.evaluate(async (id) => {
  const me = await (await fetch('/api/v1/me')).json();
  const r = await fetch('/api/v1/events/' + id, {
    method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
    body: JSON.stringify({ title: '别人的活动' })
  });
  const c = await fetch('/api/v1/events/' + id + '/cancel', {
    method: 'POST', headers: { 'X-CSRF-Token': me.csrf_token }
  });
  return [r.status, c.status];
}, created.id);
facts.other_carrier_statuses = forgedB;
now = await (await fetch(BASE + '/api/v1/events/' + created.id)).json();
assert.equal(now.title, '区科技局改的标题');
assert.equal(now.status, 'CONFIRMED');
await ctxB.close();

// ---- the 11th wrong password in a minute gets 429 ----
const ctxC = await browser.newContext({ ...ctxOpts, viewport: { width: 1280, height: 900 } });
const pc = await ctxC.newPage();
watch(pc, 'C');
await pc.goto(BASE + '/console/');
const statuses = [];
for (let i = 1; i <= 11; i++) {
  await pc.locator('input[name=username]').fill(env('ORG_B'));
  await pc.locator('input[name=password]').fill('wrong password ' + i);
  const [lr] = await Promise.all([
    pc.waitForResponse((x) => x.url().endsWith('/console/login') && x.request().method() === 'POST'),
    pc.locator('#login-form button[type=submit]').click()
  ]);
  statuses.push(lr.status());
  const expected = i <= 10 ? '登录失败：用户名或密码不正确。'
    : '尝试次数过多，请在 ' + lr.headers()['retry-after'] + ' 秒后再试。';
  await pc.locator('#login-msg').filter({ hasText: expected }).waitFor();
}
facts.login_statuses = statuses;
facts.retry_after_present = statuses[10] === 429;
await shot(pc, 'console-login-429-desktop');
await ctxC.close();

await ctxA.close();
await browser.close();
facts.console_errors = consoleErrors;
facts.ignored_http_errors = ignoredHttpErrors.length;
console.log(JSON.stringify(facts));
