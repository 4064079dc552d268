/*
 * app.js: the organisers' console (issue 8). Routes by path under
 * /console/, calls the JSON API with the session cookie, sends
 * X-CSRF-Token (from GET /api/v1/me) on every change and
 * Accept-Language for messages in the chosen language. User text is only
 * ever inserted with textContent. Times are Beijing time (Asia/Shanghai,
 * UTC+8 all year since 1991).
 */
'use strict';

(function () {
  const I18N = window.CONSOLE_I18N;
  const TZ = 'Asia/Shanghai';
  const TZ_OFFSET = '+08:00';
  const TZ_MS = 8 * 3600 * 1000;
  const DAY_MS = 24 * 3600 * 1000;
  const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
  const WD_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];
  const WD_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  /* Writable event fields, in the order the conflict table lists them. */
  const FIELDS = ['carrier', 'kind', 'title', 'venue', 'description', 'all_day',
    'start', 'end', 'start_date', 'end_date', 'partner_regions', 'status',
    'url', 'capacity', 'rrule'];

  const state = {
    lang: 'zh',
    me: null,          /* GET /api/v1/me */
    kinds: [],         /* GET /api/v1/kinds items */
    regions: [],       /* partner regions */
    carriers: [],      /* GET /api/v1/carriers items */
    render: null       /* re-render the current view (language switch) */
  };

  const main = document.getElementById('main');
  const flash = document.getElementById('flash');
  const loginView = document.getElementById('view-login');

  /* ---------- language ---------- */

  function t(key, vars) {
    let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.zh[key] || key;
    if (vars) {
      Object.keys(vars).forEach(function (k) {
        s = s.split('{' + k + '}').join(String(vars[k]));
      });
    }
    return s;
  }

  function applyLabels(root) {
    root.querySelectorAll('[data-i18n]').forEach(function (el) {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
    root.querySelectorAll('[data-i18n-ph]').forEach(function (el) {
      el.setAttribute('placeholder', t(el.getAttribute('data-i18n-ph')));
    });
  }

  function setLang(lang) {
    state.lang = lang === 'en' ? 'en' : 'zh';
    try { localStorage.setItem('rsd_lang', state.lang); } catch (e) { /* private mode */ }
    document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
    document.querySelectorAll('[data-lang]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === state.lang));
    });
    document.title = 'roadshowd · ' + t('brand');
    applyLabels(document);
  }

  /* ---------- small DOM helpers ---------- */

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function $(id) { return document.getElementById(id); }

  function show(node, on) { node.hidden = !on; }

  function say(msg, isError) {
    flash.textContent = msg;
    flash.className = isError ? 'flash error' : 'flash';
    show(flash, !!msg);
  }

  /* ---------- time (Asia/Shanghai wall time) ---------- */

  /* RFC 3339 instant -> "YYYY-MM-DDTHH:MM" Beijing wall time. */
  function toLocalInput(rfc) {
    const ms = Date.parse(rfc);
    if (isNaN(ms)) return '';
    return new Date(ms + TZ_MS).toISOString().slice(0, 16);
  }

  /* "YYYY-MM-DDTHH:MM" Beijing wall time -> RFC 3339 with +08:00. */
  function fromLocalInput(v) {
    return v ? v + ':00' + TZ_OFFSET : '';
  }

  function addDays(date, n) {
    const ms = Date.parse(date + 'T00:00:00Z');
    return new Date(ms + n * DAY_MS).toISOString().slice(0, 10);
  }

  /* "2026-12-20 周日 14:30" (Beijing time) from RFC 3339 or seconds. */
  function fmtInstant(rfc) {
    const ms = typeof rfc === 'number' ? rfc * 1000 : Date.parse(rfc);
    if (isNaN(ms)) return String(rfc);
    const iso = new Date(ms + TZ_MS).toISOString();
    return iso.slice(0, 10) + ' ' + weekdayName(new Date(ms + TZ_MS).getUTCDay()) + ' ' + iso.slice(11, 16);
  }

  /* "2026-12-20 周日" from a date YYYY-MM-DD. */
  function fmtDate(d) {
    const ms = Date.parse(d + 'T00:00:00Z');
    if (isNaN(ms)) return String(d);
    return d + ' ' + weekdayName(new Date(ms).getUTCDay());
  }

  function weekdayName(i) {
    return (state.lang === 'en' ? ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
      : ['周日', '周一', '周二', '周三', '周四', '周五', '周六'])[i];
  }

  function fmtWhen(ev) {
    if (ev.all_day) {
      const last = ev.end_date ? addDays(ev.end_date, -1) : ev.start_date;
      return last && last !== ev.start_date ? fmtDate(ev.start_date) + ' – ' + fmtDate(last)
        : fmtDate(ev.start_date);
    }
    /* an event without length (imported DATE-TIME without DTEND) shows
     * its start alone, not "12:30 – 12:30" */
    if (!ev.end || Date.parse(ev.end) === Date.parse(ev.start)) return fmtInstant(ev.start);
    return fmtInstant(ev.start) + ' – ' + toLocalInput(ev.end).slice(11);
  }

  /* ---------- API ---------- */

  function problemOf(body) {
    return body && typeof body === 'object' ? body : null;
  }

  /*
   * One API call. opts: {method, body (object, sent as JSON), raw (string),
   * type, headers}. Resolves to {status, ok, body, headers}; rejects only
   * on network failure. Unsafe methods send X-CSRF-Token.
   */
  async function api(path, opts) {
    opts = opts || {};
    const method = opts.method || 'GET';
    const headers = Object.assign({
      'Accept': 'application/json',
      'Accept-Language': state.lang === 'en' ? 'en' : 'zh-CN'
    }, opts.headers || {});
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    } else if (opts.raw !== undefined) {
      headers['Content-Type'] = opts.type || 'text/plain';
      body = opts.raw;
    }
    if (method !== 'GET' && method !== 'HEAD' && state.me && state.me.csrf_token)
      headers['X-CSRF-Token'] = state.me.csrf_token;
    const res = await fetch(path, {
      method: method, headers: headers, body: body, credentials: 'same-origin',
      cache: 'no-store'
    });
    let data = null;
    const ct = res.headers.get('Content-Type') || '';
    if (ct.indexOf('json') >= 0) {
      try { data = await res.json(); } catch (e) { data = null; }
    }
    if (res.status === 401 && path !== '/api/v1/me') {
      state.me = null;
      sessionHint(false);
      say(t('err_session'), true);
      navigate('/console/', true);
    }
    return { status: res.status, ok: res.ok, body: data, headers: res.headers };
  }

  /* Show each field error of a problem next to its field; the others in
   * the form's error box. Returns the number shown. */
  function showProblem(res, box, list) {
    clearErrors();
    const p = problemOf(res.body) || {};
    const errs = Array.isArray(p.errors) ? p.errors : [];
    const general = [];
    errs.forEach(function (e) {
      const slot = e && e.field ? $('err-' + e.field) : null;
      const msg = e && (e.detail || e.code) ? String(e.detail || e.code) : '';
      if (slot) {
        if (slot.textContent) slot.textContent += ' ';
        slot.textContent += msg;
        slot.hidden = false;
        const input = document.querySelector('[aria-describedby~="err-' + e.field + '"]');
        if (input) input.setAttribute('aria-invalid', 'true');
      } else {
        general.push((e && e.field ? e.field + ': ' : '') + msg);
      }
    });
    if (!errs.length) {
      general.push(res.status === 403 ? t('err_forbidden')
        : (p.detail || p.title || ('HTTP ' + res.status)));
    }
    if (box && list) {
      list.replaceChildren();
      general.forEach(function (g) { list.appendChild(el('li', {}, g)); });
      box.hidden = general.length === 0;
      if (general.length) box.scrollIntoView({ block: 'nearest' });
    } else if (general.length) {
      say(general.join(' '), true);
    }
    const first = main.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
    return errs.length + general.length;
  }

  /* A problem's messages as one line (for places without field slots). */
  function problemText(res) {
    const p = problemOf(res.body) || {};
    const errs = Array.isArray(p.errors) ? p.errors : [];
    if (!errs.length) return res.status === 403 ? t('err_forbidden') : (p.detail || p.title || ('HTTP ' + res.status));
    return errs.map(function (e) { return (e.field ? e.field + ': ' : '') + (e.detail || e.code); }).join('; ');
  }

  function clearErrors() {
    main.querySelectorAll('.field-error').forEach(function (e) {
      e.textContent = '';
      e.hidden = true;
    });
    main.querySelectorAll('[aria-invalid]').forEach(function (e) {
      e.removeAttribute('aria-invalid');
    });
    const box = $('form-errors');
    if (box) box.hidden = true;
  }

  /*
   * Whether this browser logged in and has not logged out since. The
   * session cookie is HttpOnly, and Chromium logs every 4xx answer to
   * fetch() as a console error, so a visitor who never logged in is shown
   * the log-in form without asking GET /api/v1/me (which answers 401 to
   * anonymous callers). Only a hint: a stale one costs one 401.
   */
  function sessionHint(on) {
    try {
      if (on === true) localStorage.setItem('rsd_logged_in', '1');
      else if (on === false) localStorage.removeItem('rsd_logged_in');
      return localStorage.getItem('rsd_logged_in') === '1';
    } catch (e) {
      return true;      /* no storage: ask the server */
    }
  }

  async function loadMe() {
    if (!sessionHint()) {
      state.me = null;
      return null;
    }
    try {
      const r = await api('/api/v1/me');
      state.me = r.status === 200 ? r.body : null;
      if (r.status === 401) sessionHint(false);
    } catch (e) {
      state.me = null;
    }
    return state.me;
  }

  async function loadRefs() {
    if (state.kinds.length) return;
    const rs = await Promise.all([api('/api/v1/kinds'), api('/api/v1/regions'),
      api('/api/v1/carriers')]);
    state.kinds = (rs[0].body && rs[0].body.items) || [];
    state.regions = ((rs[1].body && rs[1].body.items) || []).filter(function (r) { return r.partner; });
    state.carriers = (rs[2].body && rs[2].body.items) || [];
  }

  function role() { return state.me ? state.me.role : null; }

  function myCarriers() {
    if (!state.me) return [];
    if (role() === 'admin') return state.carriers.map(function (c) { return c.slug; });
    return state.me.carriers || [];
  }

  function canEdit(ev) {
    if (!state.me) return false;
    if (role() === 'admin') return true;
    return role() === 'organiser' && !!ev.carrier &&
      (state.me.carriers || []).indexOf(ev.carrier) >= 0;
  }

  function canWrite() {
    return role() === 'admin' || (role() === 'organiser' && myCarriers().length > 0);
  }

  function carrierName(slug) {
    const c = state.carriers.find(function (x) { return x.slug === slug; });
    return c ? c.name : slug;
  }

  function regionName(slug) {
    const r = state.regions.find(function (x) { return x.slug === slug; });
    return r ? (state.lang === 'en' && r.name_en ? r.name_en : r.name) : slug;
  }

  function kindName(slug) {
    const k = state.kinds.find(function (x) { return x.slug === slug; });
    if (!k) return slug;
    return state.lang === 'en' ? (k.name_en || k.slug) : k.name;
  }

  function fillCarrierSelect(sel, withAll) {
    sel.replaceChildren();
    if (withAll) sel.appendChild(el('option', { value: '' }, t('all')));
    myCarriers().forEach(function (slug) {
      sel.appendChild(el('option', { value: slug }, carrierName(slug)));
    });
  }

  /* What admin.js (the admin pages) uses of this file. */
  const adminApi = {
    state: state, t: t, el: el, $: $, api: api, say: say,
    showProblem: showProblem, problemText: problemText, clearErrors: clearErrors,
    navigate: navigate, markNav: markNav, applyLabels: applyLabels,
    fmtInstant: fmtInstant, fmtDate: fmtDate, toLocalInput: toLocalInput,
    fromLocalInput: fromLocalInput, kindName: kindName,
    setRender: function (fn) { state.render = fn; },
    show: function (node) {
      applyLabels(node);
      main.replaceChildren(flash, node);
      return node;
    }
  };

  /* ---------- routing ---------- */

  function navigate(path, replace) {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    route();
  }

  function mount(tplId) {
    const node = tplId === 'login' ? loginView
      : document.getElementById('tpl-' + tplId).content.firstElementChild.cloneNode(true);
    applyLabels(node);
    main.replaceChildren(flash, node);
    return node;
  }

  function markNav(which) {
    const nav = $('nav');
    nav.hidden = !state.me;
    nav.querySelectorAll('[data-nav]').forEach(function (a) {
      if (a.getAttribute('data-nav') === which) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    nav.querySelectorAll('[data-write]').forEach(function (a) {
      a.hidden = !canWrite();
    });
    /* the admin pages (admin.js): role admin only */
    nav.querySelectorAll('[data-admin]').forEach(function (a) {
      a.hidden = role() !== 'admin';
    });
    $('who').textContent = state.me && state.me.username ? state.me.username : '';
    $('logout').hidden = !(state.me && state.me.username);
  }

  async function route() {
    const path = location.pathname.replace(/\/+$/, '') || '/console';
    let m;
    say('');
    if (path === '/console/invite') {
      markNav(null);
      return viewInvite();
    }
    if (!state.me) await loadMe();
    if (!state.me) {
      markNav(null);
      return viewLogin();
    }
    await loadRefs();
    if (path === '/console/events/new') {
      markNav('new');
      return viewForm(null, new URLSearchParams(location.search).get('copy'));
    }
    if ((m = path.match(/^\/console\/events\/(\d+)\/history$/))) {
      markNav(null);
      return viewHistory(m[1]);
    }
    if ((m = path.match(/^\/console\/events\/(\d+)$/))) {
      markNav(null);
      return viewForm(m[1], null);
    }
    if (path.indexOf('/console/admin/') === 0 && window.CONSOLE_ADMIN) {
      if (role() !== 'admin') {
        markNav(null);
        mount('list').replaceChildren(el('p', { class: 'alert', role: 'alert' }, t('err_forbidden')));
        return null;
      }
      return window.CONSOLE_ADMIN.route(path, adminApi);
    }
    if (path === '/console/import') {
      markNav('import');
      return viewImport();
    }
    markNav('list');
    return viewList();
  }

  /* ---------- login ---------- */

  function viewLogin() {
    state.render = viewLogin;
    const node = mount('login');
    const msg = $('login-msg');
    const form = $('login-form');
    if (new URLSearchParams(location.search).get('login') === 'failed') {
      msg.textContent = t('login_failed');
      msg.hidden = false;
    }
    if (!form.dataset.bound) {
      form.dataset.bound = '1';
      form.addEventListener('submit', onLogin);
    }
    const u = $('login-username');
    if (u && !u.value) u.focus();
    return node;
  }

  /* Post the same form data as the native form would, so a 429 can be
   * shown on the page; without script the form posts natively. */
  async function onLogin(ev) {
    ev.preventDefault();
    const form = ev.target;
    const msg = $('login-msg');
    const data = new URLSearchParams(new FormData(form)).toString();
    let res;
    try {
      res = await fetch('/console/login', {
        method: 'POST', body: data, credentials: 'same-origin', redirect: 'follow',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
      });
    } catch (e) {
      sessionHint(true);  /* a failed log-in comes back with ?login=failed */
      form.submit();
      return;
    }
    if (res.status === 429) {
      const s = res.headers.get('Retry-After') || '60';
      msg.textContent = t('login_limited', { s: s });
      msg.hidden = false;
      return;
    }
    if (!res.ok || new URL(res.url).searchParams.get('login') === 'failed') {
      msg.textContent = t('login_failed');
      msg.hidden = false;
      $('login-password').value = '';
      $('login-password').focus();
      return;
    }
    $('login-password').value = '';
    msg.hidden = true;
    sessionHint(true);
    state.me = null;
    state.kinds = [];
    navigate('/console/', true);
  }

  async function onLogout() {
    try {
      await api('/console/logout', { method: 'POST' });
    } catch (e) { /* the page reloads anyway */ }
    state.me = null;
    sessionHint(false);
    location.assign('/console/');
  }

  /* ---------- invite ---------- */

  function viewInvite() {
    state.render = null;
    mount('invite');
    const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
    const msg = $('invite-msg');
    if (!token) {
      msg.textContent = t('invite_no_token');
      msg.hidden = false;
    }
    $('invite-form').addEventListener('submit', async function (ev) {
      ev.preventDefault();
      clearErrors();
      msg.hidden = true;
      const p1 = $('invite-password').value;
      if (p1 !== $('invite-password2').value) {
        const slot = $('err-invite-password');
        slot.textContent = t('invite_mismatch');
        slot.hidden = false;
        return;
      }
      const r = await api('/api/v1/invites/accept', {
        method: 'POST', body: { token: token || '', password: p1 }
      });
      if (r.status === 204 || r.ok) {
        history.replaceState(null, '', '/console/');
        state.me = null;
        viewLogin();
        say(t('invite_done'));
        return;
      }
      const errs = (r.body && r.body.errors) || [];
      const parts = [];
      errs.forEach(function (e) {
        if (e.field === 'password') {
          const slot = $('err-invite-password');
          slot.textContent = e.detail || e.code;
          slot.hidden = false;
          $('invite-password').setAttribute('aria-invalid', 'true');
        } else {
          parts.push(e.detail || e.code);
        }
      });
      if (parts.length || !errs.length) {
        msg.textContent = parts.join(' ') || (r.body && (r.body.detail || r.body.title)) || ('HTTP ' + r.status);
        msg.hidden = false;
      }
    });
    $('invite-password').focus();
  }

  /* ---------- 我的活动 ---------- */

  const listFilter = { when: 'upcoming', q: '', kind: '', status: '', carrier: '' };

  function viewList() {
    state.render = viewList;
    mount('list');
    const f = $('filters');
    const kindSel = $('flt-kind');
    state.kinds.forEach(function (k) {
      kindSel.appendChild(el('option', { value: k.slug }, kindName(k.slug)));
    });
    const cs = $('flt-carrier');
    fillCarrierSelect(cs, true);
    $('flt-carrier-wrap').hidden = myCarriers().length < 2;
    f.elements.when.value = listFilter.when;
    f.elements.q.value = listFilter.q;
    kindSel.value = listFilter.kind;
    $('flt-status').value = listFilter.status;
    cs.value = listFilter.carrier;
    f.addEventListener('submit', function (ev) {
      ev.preventDefault();
      readFilter(f);
      loadList();
    });
    f.querySelectorAll('input[name=when], select').forEach(function (i) {
      i.addEventListener('change', function () { readFilter(f); loadList(); });
    });
    loadList();
  }

  function readFilter(f) {
    listFilter.when = f.elements.when.value;
    listFilter.q = f.elements.q.value.trim();
    listFilter.kind = $('flt-kind').value;
    listFilter.status = $('flt-status').value;
    listFilter.carrier = $('flt-carrier').value;
  }

  async function loadList() {
    const ul = $('event-list');
    const msg = $('list-msg');
    msg.textContent = t('loading');
    const now = Date.now();
    const carriers = listFilter.carrier ? [listFilter.carrier]
      : (role() === 'admin' || role() === 'viewer' ? [''] : myCarriers());
    const items = [];
    for (const c of carriers) {
      const q = new URLSearchParams();
      if (c) q.set('carrier', c);
      if (listFilter.when === 'upcoming') {
        q.set('from', new Date(now).toISOString());
      } else {
        q.set('from', new Date(now - 366 * DAY_MS).toISOString());
        q.set('to', new Date(now).toISOString());
      }
      if (listFilter.q) q.set('q', listFilter.q);
      if (listFilter.kind) q.set('kind', listFilter.kind);
      if (listFilter.status) q.set('status', listFilter.status);
      q.set('limit', '200');
      const r = await api('/api/v1/events?' + q.toString());
      if (!r.ok) {
        showProblem(r);
        msg.textContent = '';
        return;
      }
      (r.body.items || []).forEach(function (e) { items.push(e); });
    }
    const key = function (e) { return e.all_day ? e.start_date + 'T00:00:00+08:00' : e.start; };
    items.sort(function (a, b) { return Date.parse(key(a)) - Date.parse(key(b)); });
    if (listFilter.when === 'past') items.reverse();
    ul.replaceChildren();
    items.forEach(function (e) { ul.appendChild(eventCard(e)); });
    msg.textContent = items.length ? '' : t('no_events');
  }

  function eventCard(e) {
    const li = el('li', { class: 'card', 'data-event-id': String(e.id) });
    const head = el('div', { class: 'card-head' });
    const h = el('h2', {});
    const a = el('a', { href: '/console/events/' + e.id, 'data-link': '' }, e.title);
    h.appendChild(a);
    head.appendChild(h);
    const badges = el('p', { class: 'badges' });
    badges.appendChild(el('span', { class: 'badge st-' + e.status, 'data-status': e.status }, t('st_' + e.status)));
    badges.appendChild(el('span', { class: 'badge kind' }, state.lang === 'en' ? kindName(e.kind) : (e.kind_name || kindName(e.kind))));
    if (e.rrule) {
      badges.appendChild(el('span', { class: 'badge series', title: e.rrule, 'data-series': '' }, '↻ ' + t('series')));
    }
    head.appendChild(badges);
    li.appendChild(head);
    li.appendChild(el('p', { class: 'when' }, fmtWhen(e)));
    const meta = [e.venue, e.carrier ? (e.carrier_name || carrierName(e.carrier)) : null]
      .filter(Boolean).join(' · ');
    if (meta) li.appendChild(el('p', { class: 'muted' }, meta));
    const acts = el('div', { class: 'card-actions' });
    if (canEdit(e)) {
      acts.appendChild(el('a', { href: '/console/events/' + e.id, 'data-link': '', class: 'btn', 'data-action': 'edit' }, t('edit')));
      if (e.status !== 'CANCELLED') {
        const c = el('button', { type: 'button', class: 'btn danger', 'data-action': 'cancel' }, t('cancel_event'));
        c.addEventListener('click', function () { cancelEvent(e); });
        acts.appendChild(c);
      }
      acts.appendChild(el('a', { href: '/console/events/new?copy=' + e.id, 'data-link': '', class: 'btn', 'data-action': 'duplicate' }, t('duplicate')));
      acts.appendChild(el('a', { href: '/console/events/' + e.id + '/history', 'data-link': '', class: 'btn', 'data-action': 'history' }, t('history')));
    } else {
      acts.appendChild(el('a', { href: '/console/events/' + e.id, 'data-link': '', class: 'btn' }, t('view')));
    }
    li.appendChild(acts);
    return li;
  }

  async function cancelEvent(e) {
    if (!window.confirm(t('confirm_cancel', { t: e.title }))) return;
    const r = await api('/api/v1/events/' + e.id + '/cancel', { method: 'POST' });
    if (!r.ok) {
      showProblem(r);
      return;
    }
    await loadList();
    say(t('cancelled_ok'));
  }

  /* ---------- 新建/编辑活动 ---------- */

  const formState = { id: null, etag: null, base: null, readonly: false };

  async function viewForm(id, copyId) {
    state.render = function () { viewForm(formState.id, formState.copy); };
    mount('form');
    formState.id = id;
    formState.copy = copyId;
    formState.etag = null;
    formState.base = null;
    const form = $('event-form');
    /* choices */
    const kindSel = $('f-kind');
    state.kinds.forEach(function (k) {
      kindSel.appendChild(el('option', { value: k.slug }, kindName(k.slug)));
    });
    fillCarrierSelect($('f-carrier'), false);
    $('carrier-row').hidden = myCarriers().length < 2;
    const box = $('partners');
    state.regions.forEach(function (r) {
      const idp = 'pr-' + r.slug;
      const wrap = el('span', { class: 'check' });
      wrap.appendChild(el('input', { type: 'checkbox', name: 'partner_regions', value: r.slug, id: idp }));
      wrap.appendChild(el('label', { for: idp }, state.lang === 'en' && r.name_en ? r.name_en : r.name));
      box.appendChild(wrap);
    });
    bindRecurrence();
    $('f-all-day').addEventListener('change', syncAllDay);
    form.addEventListener('submit', onSave);
    $('conflict-reload').addEventListener('click', onConflictReload);
    $('conflict-overwrite').addEventListener('click', onConflictOverwrite);

    if (id || copyId) {
      const r = await api('/api/v1/events/' + (id || copyId));
      if (!r.ok) {
        showProblem(r);
        $('event-fields').disabled = true;
        $('save').hidden = true;
        return;
      }
      fillForm(r.body);
      if (id) {
        formState.etag = r.headers.get('ETag');
        formState.base = r.body;
        $('form-title').textContent = t('form_edit');
        $('form-title').setAttribute('data-i18n', 'form_edit');
        const hl = $('form-history');
        hl.href = '/console/events/' + id + '/history';
        formState.readonly = !canEdit(r.body);
        hl.hidden = formState.readonly;
        if (r.body.rrule) loadOccurrences(r.body);
      } else {
        formState.readonly = false;
        $('form-title').textContent = t('form_copy');
      }
    } else {
      formState.readonly = !canWrite();
      const now = new Date(Date.now() + TZ_MS + 7 * DAY_MS);
      const d = now.toISOString().slice(0, 10);
      $('f-start').value = d + 'T14:00';
      $('f-end').value = d + 'T16:00';
      $('f-start-date').value = d;
      $('f-end-date').value = d;
      $('f-kind').value = 'roadshow';
    }
    if (formState.readonly) {
      $('form-title').textContent = t('form_view');
      $('form-title').setAttribute('data-i18n', 'form_view');
      $('event-fields').disabled = true;
      $('save').remove();
      $('readonly-note').hidden = false;
    }
    syncAllDay();
    updatePresetLabels();
    schedulePreview();
    form.setAttribute('data-loaded', id ? 'r' + (formState.base ? formState.base.revision : '') : 'new');
    const first = $('f-title');
    if (!formState.readonly && first) first.focus();
  }

  function fillForm(ev) {
    const form = $('event-form');
    if (ev.carrier && $('f-carrier').querySelector('option[value="' + CSS.escape(ev.carrier) + '"]'))
      $('f-carrier').value = ev.carrier;
    $('f-kind').value = ev.kind;
    $('f-title').value = ev.title || '';
    $('f-venue').value = ev.venue || '';
    $('f-description').value = ev.description || '';
    $('f-all-day').checked = !!ev.all_day;
    if (ev.all_day) {
      $('f-start-date').value = ev.start_date || '';
      $('f-end-date').value = ev.end_date ? addDays(ev.end_date, -1) : '';
      $('f-start').value = (ev.start_date || '') + 'T09:00';
      $('f-end').value = (ev.start_date || '') + 'T17:00';
    } else {
      $('f-start').value = toLocalInput(ev.start);
      $('f-end').value = toLocalInput(ev.end);
      $('f-start-date').value = $('f-start').value.slice(0, 10);
      $('f-end-date').value = $('f-end').value.slice(0, 10);
    }
    form.querySelectorAll('input[name=partner_regions]').forEach(function (c) {
      c.checked = (ev.partner_regions || []).indexOf(c.value) >= 0;
    });
    $('f-status').value = ev.status === 'TENTATIVE' ? 'TENTATIVE' : 'CONFIRMED';
    $('f-url').value = ev.url || '';
    $('f-capacity').value = ev.capacity ? String(ev.capacity) : '';
    $('r-preset').value = ev.rrule ? 'custom' : 'none';
    $('f-rrule').value = ev.rrule || '';
    syncAllDay();
    if (ev.rrule) detectPreset(ev.rrule);
    syncRecurrence();
  }

  function syncAllDay() {
    const on = $('f-all-day').checked;
    $('timed').hidden = on;
    $('dated').hidden = !on;
    schedulePreview();
  }

  /* The JSON body the form stands for (DESIGN.md field names). */
  function formBody() {
    const form = $('event-form');
    const b = {};
    if (!$('carrier-row').hidden) b.carrier = $('f-carrier').value;
    b.kind = $('f-kind').value;
    b.title = $('f-title').value;
    b.venue = $('f-venue').value.trim() || null;
    b.description = $('f-description').value.trim() || null;
    b.all_day = $('f-all-day').checked;
    if (b.all_day) {
      b.start_date = $('f-start-date').value;
      const last = $('f-end-date').value || b.start_date;
      b.end_date = last ? addDays(last, 1) : '';
    } else {
      b.start = fromLocalInput($('f-start').value);
      b.end = fromLocalInput($('f-end').value);
    }
    b.partner_regions = Array.prototype.map.call(
      form.querySelectorAll('input[name=partner_regions]:checked'), function (c) { return c.value; });
    b.status = $('f-status').value;
    b.url = $('f-url').value.trim() || null;
    const cap = $('f-capacity').value.trim();
    b.capacity = cap === '' ? null : (/^\d+$/.test(cap) ? Number(cap) : cap);
    b.rrule = currentRrule() || null;
    return b;
  }

  async function onSave(ev) {
    if (ev) ev.preventDefault();
    if (formState.readonly) return;
    clearErrors();
    $('conflict').hidden = true;
    if (octetsTooLong()) return;
    const save = $('save');
    save.disabled = true;
    save.textContent = t('saving');
    const body = formBody();
    let r;
    try {
      if (formState.id) {
        const headers = formState.etag ? { 'If-Match': formState.etag } : {};
        r = await api('/api/v1/events/' + formState.id, { method: 'PATCH', body: body, headers: headers });
      } else {
        r = await api('/api/v1/events', { method: 'POST', body: body });
      }
    } catch (e) {
      say(t('err_network'), true);
      return;
    } finally {
      save.disabled = false;
      save.textContent = t('save');
    }
    if (r.status === 412) {
      await showConflict();
      return;
    }
    if (!r.ok) {
      showProblem(r, $('form-errors'), $('form-errors-list'));
      return;
    }
    navigate('/console/events/' + r.body.id, !!formState.id);
    say(t('saved'));
  }

  /* The API counts title and venue in UTF-8 octets (a Chinese character
   * is 3): say so next to the field before sending. True when too long. */
  function octetsTooLong() {
    let bad = null;
    document.querySelectorAll('#event-form [data-max-octets]').forEach(function (i) {
      const max = Number(i.getAttribute('data-max-octets'));
      const n = new TextEncoder().encode(i.value).length;
      if (n <= max) return;
      const slot = $('err-' + i.name);
      slot.textContent = t('err_octets', { n: n, max: max });
      slot.hidden = false;
      i.setAttribute('aria-invalid', 'true');
      bad = bad || i;
    });
    if (bad) bad.focus();
    return !!bad;
  }

  /* Comparable form of one field of an event representation. */
  function fieldValue(ev, f) {
    const v = ev[f];
    if (f === 'partner_regions') return (v || []).slice().sort().join(', ');
    if (f === 'start' || f === 'end') return v ? fmtInstant(v) : '';
    if (f === 'end_date' && v) return fmtDate(addDays(v, -1));
    if (f === 'start_date' && v) return fmtDate(v);
    if (f === 'status') return v ? t('st_' + v) : '';
    if (f === 'kind') return kindName(v);
    if (f === 'carrier') return v ? carrierName(v) : '';
    if (f === 'all_day') return v ? '✓' : '✗';
    return v === null || v === undefined ? '' : String(v);
  }

  let conflictCurrent = null;

  async function showConflict() {
    const r = await api('/api/v1/events/' + formState.id);
    if (!r.ok) {
      showProblem(r, $('form-errors'), $('form-errors-list'));
      return;
    }
    conflictCurrent = { body: r.body, etag: r.headers.get('ETag') };
    const rows = $('conflict-rows');
    rows.replaceChildren();
    FIELDS.forEach(function (f) {
      const a = fieldValue(formState.base || {}, f);
      const b = fieldValue(r.body, f);
      if (a === b) return;
      const tr = el('tr', { 'data-field': f });
      tr.appendChild(el('th', { scope: 'row' }, t('f_' + f)));
      tr.appendChild(el('td', {}, a));
      tr.appendChild(el('td', {}, b));
      rows.appendChild(tr);
    });
    const box = $('conflict');
    box.hidden = false;
    box.scrollIntoView({ block: 'start' });
    $('conflict-reload').focus();
  }

  function onConflictReload() {
    if (!conflictCurrent) return;
    fillForm(conflictCurrent.body);
    formState.base = conflictCurrent.body;
    formState.etag = conflictCurrent.etag;
    $('conflict').hidden = true;
    updatePresetLabels();
    schedulePreview();
  }

  function onConflictOverwrite() {
    if (!conflictCurrent) return;
    formState.base = conflictCurrent.body;
    formState.etag = conflictCurrent.etag;
    $('conflict').hidden = true;
    onSave(null);
  }

  /* ---------- recurrence ---------- */

  function startDateValue() {
    return $('f-all-day').checked ? $('f-start-date').value : $('f-start').value.slice(0, 10);
  }

  function weekdayOf(date) {
    return new Date(Date.parse(date + 'T00:00:00Z')).getUTCDay();
  }

  function updatePresetLabels() {
    const d = startDateValue();
    const sel = $('r-preset');
    const names = state.lang === 'en' ? WD_EN : WD_ZH;
    let wd = 1, day = 1, nth = 1;
    if (d) {
      wd = weekdayOf(d);
      day = Number(d.slice(8, 10));
      nth = Math.ceil(day / 7);
    }
    sel.querySelector('option[value=weekly]').textContent = t('r_weekly', { d: names[wd] });
    sel.querySelector('option[value=monthly_nth]').textContent = nth >= 5
      ? t('r_monthly_last', { d: names[wd] }) : t('r_monthly_nth', { n: nth, d: names[wd] });
    sel.querySelector('option[value=monthly_day]').textContent = t('r_monthly_day', { n: day });
  }

  /* The RRULE the recurrence controls stand for ('' for none). */
  function currentRrule() {
    const preset = $('r-preset').value;
    if (preset === 'none') return '';
    if (preset === 'custom') return $('f-rrule').value.trim().replace(/^RRULE:/i, '');
    const d = startDateValue();
    if (!d) return '';
    const wd = WEEKDAYS[weekdayOf(d)];
    const day = Number(d.slice(8, 10));
    const nth = Math.ceil(day / 7);
    let rule;
    if (preset === 'weekly') rule = 'FREQ=WEEKLY;BYDAY=' + wd;
    else if (preset === 'monthly_nth') rule = 'FREQ=MONTHLY;BYDAY=' + (nth >= 5 ? '-1' : String(nth)) + wd;
    else rule = 'FREQ=MONTHLY;BYMONTHDAY=' + day;
    const endBy = (document.querySelector('input[name=r_end]:checked') || {}).value;
    if (endBy === 'until' && $('r-until').value) {
      const u = $('r-until').value.replace(/-/g, '');
      if ($('f-all-day').checked) rule += ';UNTIL=' + u;
      else {
        /* the end of that day in Beijing, in UTC (RFC 5545 §3.3.10) */
        const ms = Date.parse($('r-until').value + 'T23:59:59+08:00');
        rule += ';UNTIL=' + new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
      }
    } else {
      rule += ';COUNT=' + ($('r-count').value || '1');
    }
    return rule;
  }

  /* Show a stored rule as the preset that writes exactly that rule (with
   * its COUNT or date UNTIL), else as a custom rule. */
  function detectPreset(rule) {
    const count = /;COUNT=(\d+)$/.exec(rule);
    const until = /;UNTIL=(\d{4})(\d{2})(\d{2})/.exec(rule);
    if (count) {
      $('r-count').value = count[1];
      document.querySelector('input[name=r_end][value=count]').checked = true;
    } else if (until) {
      /* our timed UNTIL is 23:59:59 Beijing time = 15:59:59Z that day */
      $('r-until').value = until[1] + '-' + until[2] + '-' + until[3];
      document.querySelector('input[name=r_end][value=until]').checked = true;
    } else {
      return;
    }
    const presets = ['weekly', 'monthly_nth', 'monthly_day'];
    for (const p of presets) {
      $('r-preset').value = p;
      if (currentRrule() === rule) return;
    }
    $('r-preset').value = 'custom';
  }

  function syncRecurrence() {
    const preset = $('r-preset').value;
    $('r-ends').hidden = preset === 'none' || preset === 'custom';
    $('r-rule-row').hidden = preset === 'none';
    $('r-custom-hint').hidden = preset !== 'custom';
    const rr = $('f-rrule');
    rr.readOnly = preset !== 'custom';
    if (preset !== 'custom') rr.value = currentRrule();
    schedulePreview();
  }

  function bindRecurrence() {
    $('r-preset').addEventListener('change', syncRecurrence);
    ['r-count', 'r-until', 'f-start', 'f-start-date'].forEach(function (id) {
      $(id).addEventListener('input', function () { updatePresetLabels(); syncRecurrence(); });
    });
    document.querySelectorAll('input[name=r_end]').forEach(function (r) {
      r.addEventListener('change', syncRecurrence);
    });
    $('f-rrule').addEventListener('input', schedulePreview);
  }

  let previewTimer = null;
  let previewSeq = 0;

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(runPreview, 250);
  }

  /* The next occurrences, computed by the server with the same bounded
   * libical expansion it uses for stored series (nothing is stored). */
  async function runPreview() {
    const box = $('r-preview');
    if (!box) return;
    const rule = currentRrule();
    const list = $('r-preview-list');
    const err = $('err-rrule');
    if (!rule) {
      box.hidden = true;
      return;
    }
    const q = new URLSearchParams({ rrule: rule, count: '6' });
    if ($('f-all-day').checked) q.set('start_date', $('f-start-date').value);
    else q.set('start', fromLocalInput($('f-start').value));
    const seq = ++previewSeq;
    const r = await api('/api/v1/recurrence/preview?' + q.toString());
    if (seq !== previewSeq || !$('r-preview')) return;
    list.replaceChildren();
    if (!r.ok) {
      const e = ((r.body && r.body.errors) || [])[0];
      err.textContent = e ? (e.detail || e.code) : ('HTTP ' + r.status);
      err.hidden = false;
      box.hidden = true;
      return;
    }
    err.hidden = true;
    err.textContent = '';
    (r.body.items || []).forEach(function (s) {
      list.appendChild(el('li', {}, $('f-all-day').checked ? fmtDate(s) : fmtInstant(s)));
    });
    if (r.body.more) list.appendChild(el('li', { class: 'muted' }, t('r_more')));
    box.hidden = false;
  }

  /* ---------- one occurrence of a series ---------- */

  /* The RECURRENCE-ID of an occurrence as a path segment: UTC basic
   * format for timed series, the date for all-day ones. */
  function ridSegment(ev, rid) {
    if (ev.all_day) return rid;
    return new Date(Date.parse(rid)).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  }

  async function loadOccurrences(ev) {
    const sec = $('occurrences');
    const ul = $('occ-list');
    const first = ev.all_day ? Date.parse(ev.start_date + 'T00:00:00+08:00') : Date.parse(ev.start);
    const from = new Date(Math.max(first, Date.now() - 31 * DAY_MS) - DAY_MS);
    const to = new Date(from.getTime() + 800 * DAY_MS);
    const q = new URLSearchParams({ expand: 'true', from: from.toISOString(), to: to.toISOString(), limit: '500' });
    if (ev.carrier) q.set('carrier', ev.carrier);
    const r = await api('/api/v1/events?' + q.toString());
    if (!r.ok || !$('occ-list')) return;
    const mine = (r.body.items || []).filter(function (x) { return x.id === ev.id; });
    /* cancelled occurrences are EXDATEs: list them too, without actions */
    (ev.exdates || []).forEach(function (x) {
      const o = { recurrence_id: null, status: 'CANCELLED', title: ev.title };
      if (ev.all_day) o.start_date = x; else o.start = x;
      const ms = Date.parse(ev.all_day ? x + 'T00:00:00+08:00' : x);
      if (ms >= from.getTime() && ms < to.getTime()) mine.push(o);
    });
    const at = function (o) { return Date.parse(ev.all_day ? o.start_date + 'T00:00:00+08:00' : o.start); };
    mine.sort(function (a, b) { return at(a) - at(b); });
    mine.splice(60);
    ul.replaceChildren();
    mine.forEach(function (o) { ul.appendChild(occurrenceRow(ev, o)); });
    sec.hidden = mine.length === 0;
  }

  function occurrenceRow(ev, o) {
    const li = el('li', { class: 'occ-row', 'data-rid': o.recurrence_id || '' });
    const line = el('div', { class: 'occ-line' });
    line.appendChild(el('span', { class: 'when' }, ev.all_day ? fmtDate(o.start_date) : fmtInstant(o.start)));
    line.appendChild(el('span', { class: 'badge st-' + o.status }, t('st_' + o.status)));
    if (o.title !== ev.title) line.appendChild(el('span', {}, o.title));
    li.appendChild(line);
    if (!canEdit(ev) || !o.recurrence_id) return li;
    const acts = el('div', { class: 'card-actions' });
    const move = el('button', { type: 'button', class: 'btn', 'aria-expanded': 'false' }, t('occ_move'));
    const cancel = el('button', { type: 'button', class: 'btn danger' }, t('occ_cancel'));
    acts.appendChild(move);
    if (o.status !== 'CANCELLED') acts.appendChild(cancel);
    li.appendChild(acts);
    const path = '/api/v1/events/' + ev.id + '/occurrences/' + encodeURIComponent(ridSegment(ev, o.recurrence_id));
    cancel.addEventListener('click', async function () {
      const when = ev.all_day ? fmtDate(o.start_date) : fmtInstant(o.start);
      if (!window.confirm(t('occ_confirm_cancel', { t: when }))) return;
      const r = await api(path + '/cancel', { method: 'POST' });
      if (!r.ok) { showProblem(r); return; }
      say(t('occ_changed'));
      reloadAfterOccurrence(ev.id);
    });
    move.addEventListener('click', function () {
      const open = li.querySelector('form');
      if (open) { open.remove(); move.setAttribute('aria-expanded', 'false'); return; }
      move.setAttribute('aria-expanded', 'true');
      li.appendChild(occurrenceForm(ev, o, path, move));
    });
    return li;
  }

  function occurrenceForm(ev, o, path, opener) {
    const f = el('form', { class: 'occ-form', novalidate: '' });
    const uid = 'o' + Math.random().toString(36).slice(2, 8);
    function field(name, label, type, value) {
      const w = el('div', { class: 'row' });
      w.appendChild(el('label', { for: uid + name }, label));
      const i = el('input', { id: uid + name, name: name, type: type });
      i.value = value;
      w.appendChild(i);
      return w;
    }
    if (ev.all_day) {
      f.appendChild(field('start_date', t('f_start_date'), 'date', o.start_date));
    } else {
      f.appendChild(field('start', t('f_start'), 'datetime-local', toLocalInput(o.start)));
      f.appendChild(field('end', t('f_end'), 'datetime-local', toLocalInput(o.end)));
    }
    f.appendChild(field('title', t('f_title'), 'text', o.title || ''));
    f.appendChild(field('venue', t('f_venue'), 'text', o.venue || ''));
    const acts = el('div', { class: 'actions' });
    acts.appendChild(el('button', { type: 'submit', class: 'primary' }, t('occ_save')));
    const close = el('button', { type: 'button' }, t('occ_close'));
    close.addEventListener('click', function () { f.remove(); opener.setAttribute('aria-expanded', 'false'); opener.focus(); });
    acts.appendChild(close);
    f.appendChild(acts);
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = {};
      if (ev.all_day) {
        b.start_date = f.elements.start_date.value;
        const days = Math.round((Date.parse(o.end_date) - Date.parse(o.start_date)) / DAY_MS);
        b.end_date = addDays(b.start_date, days);
      } else {
        b.start = fromLocalInput(f.elements.start.value);
        b.end = fromLocalInput(f.elements.end.value);
      }
      if (f.elements.title.value !== (o.title || '')) b.title = f.elements.title.value;
      if (f.elements.venue.value !== (o.venue || '')) b.venue = f.elements.venue.value || null;
      const r = await api(path, { method: 'PATCH', body: b });
      if (!r.ok) { say(problemText(r), true); return; }
      say(t('occ_changed'));
      reloadAfterOccurrence(ev.id);
    });
    setTimeout(function () { const i = f.querySelector('input'); if (i) i.focus(); }, 0);
    return f;
  }

  async function reloadAfterOccurrence(id) {
    const r = await api('/api/v1/events/' + id);
    if (!r.ok) return;
    formState.etag = r.headers.get('ETag');
    formState.base = r.body;
    loadOccurrences(r.body);
  }

  /* ---------- 导入 .ics ---------- */

  function viewImport() {
    state.render = viewImport;
    mount('import');
    fillCarrierSelect($('imp-carrier'), false);
    $('imp-carrier-row').hidden = myCarriers().length < 2;
    state.kinds.forEach(function (k) {
      $('imp-kind').appendChild(el('option', { value: k.slug }, kindName(k.slug)));
    });
    let previewed = null;
    const result = $('imp-result');
    const confirmBtn = $('imp-confirm');
    $('imp-file').addEventListener('change', function () {
      previewed = null;
      confirmBtn.disabled = true;
    });
    $('imp-kind').addEventListener('change', function () {
      previewed = null;
      confirmBtn.disabled = true;
    });
    $('imp-carrier').addEventListener('change', function () {
      previewed = null;
      confirmBtn.disabled = true;
    });
    async function send(dry) {
      const file = $('imp-file').files[0];
      if (!file) {
        result.replaceChildren(el('p', { class: 'alert' }, t('import_file')));
        return null;
      }
      const text = await file.text();
      const carrier = $('imp-carrier').value || myCarriers()[0] || '';
      const q = new URLSearchParams({ carrier: carrier });
      if ($('imp-kind').value) q.set('kind', $('imp-kind').value);
      if (dry) q.set('dry_run', '1');
      const r = await api('/api/v1/events/import?' + q.toString(), {
        method: 'POST', raw: text, type: 'text/calendar; charset=utf-8'
      });
      return renderImport(r, dry) ? text : null;
    }
    $('import-form').addEventListener('submit', async function (ev) {
      ev.preventDefault();
      confirmBtn.disabled = true;
      previewed = await send(true);
      confirmBtn.disabled = !previewed;
      if (previewed) confirmBtn.focus();
    });
    confirmBtn.addEventListener('click', async function () {
      if (!previewed) return;
      confirmBtn.disabled = true;
      await send(false);
      previewed = null;
    });
  }

  /* Show an import's answer: the dry run's lists (created, updated,
   * unchanged, refused: IMPORT_DRYRUN.md), a real import's counts, or a
   * refusal. Returns true when the file may be imported as previewed. */
  function renderImport(r, dry) {
    const result = $('imp-result');
    const table = $('imp-table');
    const rows = $('imp-rows');
    rows.replaceChildren();
    table.hidden = true;
    const p = r.body || {};
    if (!r.ok) {
      const errs = Array.isArray(p.errors) && p.errors.length ? p.errors : [{ detail: p.detail || ('HTTP ' + r.status) }];
      result.replaceChildren(refusalBox(errs));
      return false;
    }
    if (!dry) {
      result.replaceChildren(el('p', { class: 'flash', 'data-import': 'done' },
        t('import_done', { c: p.created, u: p.updated, n: p.unchanged })));
      return false;
    }
    const c = p.counts || {};
    const nodes = [el('p', { class: 'note', 'data-import': 'preview' },
      t('import_counts', { c: c.created || 0, u: c.updated || 0, n: c.unchanged || 0 }))];
    ['created', 'updated', 'unchanged'].forEach(function (k) {
      (p[k] || []).forEach(function (e) {
        const action = k === 'created' ? 'create' : k === 'updated' ? 'update' : 'unchanged';
        const tr = el('tr', { 'data-action': action });
        tr.appendChild(el('td', {}, t('act_' + action)));
        tr.appendChild(el('td', {}, e.title));
        tr.appendChild(el('td', {}, /T/.test(e.start || '') ? fmtInstant(e.start) : fmtDate(e.start)));
        tr.appendChild(el('td', {}, e.series ? '↻ ' + t('series') : ''));
        rows.appendChild(tr);
      });
    });
    table.hidden = !rows.children.length;
    if ((p.refused || []).length) nodes.push(refusalBox(p.refused));
    result.replaceChildren.apply(result, nodes);
    return !(p.refused || []).length;
  }

  function refusalBox(errs) {
    const box = el('div', { class: 'alert', 'data-import': 'refused' });
    box.appendChild(el('p', {}, t('import_refused')));
    const ul = el('ul', {});
    errs.forEach(function (e) {
      let where = '';
      if (e.vevent || e.line) where = t('import_line', { v: e.vevent || '?', l: e.line || '?' });
      if (e.uid) where += (where ? ' ' : '') + 'UID ' + e.uid;
      if (e.property) where += (where ? ' ' : '') + e.property;
      ul.appendChild(el('li', {}, (where ? where + ': ' : '') + (e.detail || e.code || '')));
    });
    box.appendChild(ul);
    return box;
  }

  /* ---------- history ---------- */

  const HIDDEN_KEYS = ['revision', 'modified_utc', 'id', 'uid'];

  function historyValue(k, v) {
    if (v === null || v === undefined) return '—';
    if (/_utc$/.test(k) && typeof v === 'number') return fmtInstant(v);
    if (k === 'kind') return kindName(v);
    if (k === 'carrier') return carrierName(v);
    if (k === 'partner_regions' && Array.isArray(v)) return v.length ? v.map(regionName).join('、') : '—';
    if (k === 'overrides' && Array.isArray(v)) return v.length ? v.map(function (o) {
      return fmtInstant(o.recurrence_utc) + ' → ' + (o.status === 'CANCELLED' ? t('st_CANCELLED') : fmtInstant(o.start_utc));
    }).join('；') : '—';
    if (k === 'status') return t('st_' + v);
    if (k === 'all_day') return v ? '✓' : '✗';
    if (Array.isArray(v)) return v.length ? v.map(function (x) {
      return typeof x === 'object' ? JSON.stringify(x) : (typeof x === 'number' ? fmtInstant(x) : String(x));
    }).join(', ') : '—';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  const HISTORY_LABELS = {
    start_utc: 'f_start', end_utc: 'f_end', tzid: 'f_tzid', sequence: 'f_sequence',
    exdates: 'f_exdates', overrides: 'f_overrides', geo_lat: null, geo_lon: null
  };

  async function viewHistory(id) {
    state.render = function () { viewHistory(id); };
    mount('history');
    $('history-back').href = '/console/events/' + id;
    const ev = await api('/api/v1/events/' + id);
    if (ev.ok) $('history-event').textContent = ev.body.title;
    const r = await api('/api/v1/events/' + id + '/history');
    const ol = $('history-list');
    if (!r.ok) {
      showProblem(r);
      return;
    }
    (r.body.items || []).slice().reverse().forEach(function (h) {
      const li = el('li', { class: 'h-item', 'data-action': h.action });
      const head = el('p', { class: 'h-head' });
      head.appendChild(el('strong', {}, t('h_' + h.action) !== 'h_' + h.action ? t('h_' + h.action) : h.action));
      head.appendChild(el('span', {}, ' · ' + fmtInstant(h.at) + ' · '));
      head.appendChild(el('span', { class: 'actor' }, h.actor));
      li.appendChild(head);
      const before = h.before || {};
      const after = h.after || {};
      const keys = Object.keys(Object.assign({}, before, after)).filter(function (k) {
        return HIDDEN_KEYS.indexOf(k) < 0 && JSON.stringify(before[k]) !== JSON.stringify(after[k]) &&
          !(h.before === null && (after[k] === null || (Array.isArray(after[k]) && !after[k].length)));
      });
      const dl = el('dl', { class: 'changes' });
      keys.forEach(function (k) {
        const label = k in HISTORY_LABELS ? (HISTORY_LABELS[k] ? t(HISTORY_LABELS[k]) : k) : (I18N.zh['f_' + k] ? t('f_' + k) : k);
        dl.appendChild(el('dt', {}, label));
        const dd = el('dd', {});
        if (h.before) {
          dd.appendChild(el('del', {}, historyValue(k, before[k])));
          dd.appendChild(document.createTextNode(' → '));
        }
        dd.appendChild(el('ins', {}, historyValue(k, after[k])));
        dl.appendChild(dd);
      });
      if (!keys.length) li.appendChild(el('p', { class: 'muted' }, t('h_no_changes')));
      else li.appendChild(dl);
      ol.appendChild(li);
    });
  }

  /* ---------- start ---------- */

  document.addEventListener('click', function (ev) {
    const a = ev.target.closest && ev.target.closest('a[data-link]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.indexOf('/console') !== 0) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
    main.focus({ preventScroll: true });
  });
  window.addEventListener('popstate', route);
  document.querySelectorAll('[data-lang]').forEach(function (b) {
    b.addEventListener('click', function () {
      setLang(b.getAttribute('data-lang'));
      if (state.render) state.render();
      else applyLabels(main);
      markNav(document.querySelector('#nav [aria-current]') ?
        document.querySelector('#nav [aria-current]').getAttribute('data-nav') : null);
    });
  });
  $('logout').addEventListener('click', onLogout);

  let saved = 'zh';
  try { saved = localStorage.getItem('rsd_lang') || 'zh'; } catch (e) { /* private mode */ }
  setLang(saved);
  route();
}());
