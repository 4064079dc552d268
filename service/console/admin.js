/*
 * admin.js: the admins' pages of the console (issue 9) under
 * /console/admin/: 载体管理 and 区域与目标 and 操作记录 here, 账号与令牌, 节奏规则
 * and 私有订阅 in admin_access.js (which registers them in `pages`). app.js
 * routes /console/admin/* here for role admin only (the API answers 403 to
 * anybody else anyway) and lends its helpers (api with the CSRF token, el,
 * t, showProblem ...). Labels: admin_i18n.js. User text only through
 * textContent.
 */
'use strict';

(function () {

  const CARRIER_KINDS = ['maker_space', 'incubator', 'accelerator', 'platform'];
  const LEVELS = ['national', 'municipal', 'district', 'none'];
  const REGION_KINDS = ['zone', 'street', 'town', 'partner'];
  const TARGETS = [['area_10k_m2', 'af_area'], ['enterprises_and_teams', 'af_ent'],
    ['tech_enterprises', 'af_tech']];
  const OBJECT_TYPES = ['carrier', 'region', 'rule', 'account', 'token', 'subscription'];

  let A = null;         /* app.js helpers, see adminApi there */
  const pages = {};     /* admin_access.js's pages, by name */
  let regions = [];     /* GET /api/v1/regions items (all) */
  let carriers = [];    /* GET /api/v1/carriers items */

  function t(k, v) { return A.t(k, v); }
  function el(tag, attrs, text) { return A.el(tag, attrs, text); }
  function $(id) { return A.$(id); }

  async function loadData() {
    const rs = await Promise.all([A.api('/api/v1/regions'), A.api('/api/v1/carriers')]);
    regions = (rs[0].body && rs[0].body.items) || [];
    carriers = (rs[1].body && rs[1].body.items) || [];
    A.state.carriers = carriers;
  }

  function nameOf(x) {
    if (!x) return '';
    return A.state.lang === 'en' && x.name_en ? x.name_en : x.name;
  }
  function regionName(slug) {
    return nameOf(regions.find(function (r) { return r.slug === slug; })) || slug;
  }
  function carrierName(slug) {
    return nameOf(carriers.find(function (c) { return c.slug === slug; })) || slug;
  }

  /* ---------- form building ---------- */

  /*
   * A labelled control with its error slot: the slot's id is err-<field>
   * (the problem's `field`), so app.js's showProblem puts the API's
   * message right under it. opts: {type, value, options: [[value,
   * label]], hint, attrs, id}.
   */
  function field(name, label, opts) {
    opts = opts || {};
    const id = opts.id || 'a-' + name.replace(/\./g, '-');
    const w = el('div', { class: 'row' });
    w.appendChild(el('label', { for: id }, label));
    let input;
    if (opts.options) {
      input = el('select', { id: id, name: name });
      opts.options.forEach(function (o) { input.appendChild(el('option', { value: o[0] }, o[1])); });
    } else {
      input = el('input', Object.assign({ id: id, name: name, type: opts.type || 'text' }, opts.attrs || {}));
    }
    const described = ['err-' + name];
    if (opts.hint) {
      w.appendChild(el('p', { class: 'muted small', id: id + '-hint' }, opts.hint));
      described.push(id + '-hint');
    }
    input.setAttribute('aria-describedby', described.join(' '));
    if (opts.value !== undefined && opts.value !== null) input.value = String(opts.value);
    w.insertBefore(input, opts.hint ? w.lastChild : null);
    w.appendChild(el('p', { class: 'field-error', id: 'err-' + name, hidden: '' }));
    return w;
  }

  function errorBox() {
    const box = el('div', { class: 'alert', role: 'alert', id: 'form-errors', hidden: '' });
    box.appendChild(el('p', {}, t('err_general')));
    box.appendChild(el('ul', { id: 'form-errors-list' }));
    return box;
  }

  function showErrors(r) {
    return A.showProblem(r, $('form-errors'), $('form-errors-list'));
  }

  function buttons(saveLabel, onClose) {
    const acts = el('div', { class: 'actions' });
    acts.appendChild(el('button', { type: 'submit', class: 'primary' }, saveLabel || t('save')));
    if (onClose) {
      const c = el('button', { type: 'button' }, t('close'));
      c.addEventListener('click', onClose);
      acts.appendChild(c);
    }
    return acts;
  }

  function val(form, name) {
    const i = form.elements[name];
    return i ? i.value.trim() : '';
  }

  /* A number field as a JSON number when it reads as one, else the text
   * (the API then names the field). */
  function num(s) {
    return s !== '' && isFinite(Number(s)) ? Number(s) : s;
  }

  /* A one-time secret with a copy button. */
  function secretBox(label, value, attrs) {
    const box = el('div', Object.assign({ class: 'note secret', role: 'status' }, attrs || {}));
    const id = 'secret-' + Math.random().toString(36).slice(2, 8);
    box.appendChild(el('label', { for: id }, label));
    const line = el('div', { class: 'copyline' });
    const input = el('input', { id: id, readonly: '', spellcheck: 'false' });
    input.value = value;
    line.appendChild(input);
    const b = el('button', { type: 'button' }, t('ac_copy'));
    b.addEventListener('click', async function () {
      input.select();
      try {
        await navigator.clipboard.writeText(value);
      } catch (e) {
        document.execCommand('copy');
      }
      b.textContent = t('ac_copied');
    });
    line.appendChild(b);
    box.appendChild(line);
    return box;
  }

  function page(titleKey, nav) {
    A.markNav(nav);
    const sec = el('section', { class: 'view admin', id: 'view-' + nav });
    sec.appendChild(el('h1', { 'data-i18n': titleKey }, t(titleKey)));
    return sec;
  }

  function badge(text, cls, attrs) {
    return el('span', Object.assign({ class: 'badge ' + (cls || '') }, attrs || {}), text);
  }

  /* ---------- routing ---------- */

  async function route(path, app) {
    A = app;
    let m;
    await loadData();
    if (path === '/console/admin/carriers/new') return carrierForm(null);
    if ((m = path.match(/^\/console\/admin\/carriers\/([a-z0-9-]+)$/))) return carrierForm(m[1]);
    if (path === '/console/admin/regions') return viewRegions();
    if (path === '/console/admin/accounts') return pages.accounts();
    if (path === '/console/admin/rules') return pages.rules();
    if (path === '/console/admin/subscriptions') return pages.subscriptions();
    if (path === '/console/admin/audit') return viewAudit();
    return viewCarriers();
  }

  /* ---------- 载体管理 ---------- */

  const cFilter = { q: '', region: '', kind: '', level: '', retired: 'active' };

  function districtRegions() {
    return regions.filter(function (r) { return !r.partner; });
  }

  function viewCarriers() {
    A.setRender(function () { A.navigate(location.pathname, true); });
    const sec = page('c_title', 'carriers');
    const top = el('p', {});
    top.appendChild(el('a', { href: '/console/admin/carriers/new', 'data-link': '', class: 'btn', id: 'c-new' }, '＋ ' + t('c_new')));
    sec.appendChild(top);
    const f = el('form', { class: 'filters', role: 'search', id: 'c-filters' });
    const q = el('div', { class: 'filter' });
    q.appendChild(el('label', { for: 'cf-q' }, t('search')));
    q.appendChild(el('input', { id: 'cf-q', name: 'q', type: 'search' }));
    f.appendChild(q);
    function sel(name, label, opts) {
      const w = el('div', { class: 'filter' });
      w.appendChild(el('label', { for: 'cf-' + name }, label));
      const s = el('select', { id: 'cf-' + name, name: name });
      opts.forEach(function (o) { s.appendChild(el('option', { value: o[0] }, o[1])); });
      w.appendChild(s);
      f.appendChild(w);
    }
    sel('region', t('af_region'), [['', t('all')]].concat(districtRegions().map(function (r) { return [r.slug, nameOf(r)]; })));
    sel('kind', t('af_kind'), [['', t('all')]].concat(CARRIER_KINDS.map(function (k) { return [k, t('ck_' + k)]; })));
    sel('level', t('af_level'), [['', t('all')]].concat(LEVELS.map(function (k) { return [k, t('lv_' + k)]; })));
    sel('retired', t('c_retired_filter'), [['', t('all')], ['active', t('c_active')], ['retired', t('c_retired')]]);
    f.appendChild(el('button', { type: 'submit' }, t('apply')));
    sec.appendChild(f);
    const msg = el('p', { class: 'muted', id: 'c-msg', role: 'status' });
    sec.appendChild(msg);
    const ul = el('ul', { class: 'cards', id: 'carrier-list' });
    sec.appendChild(ul);
    A.show(sec);
    Object.keys(cFilter).forEach(function (k) { f.elements[k].value = cFilter[k]; });
    function apply() {
      Object.keys(cFilter).forEach(function (k) { cFilter[k] = f.elements[k].value.trim(); });
      const needle = cFilter.q.toLowerCase();
      const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
      const list = carriers.filter(function (c) {
        if (cFilter.region && c.region !== cFilter.region) return false;
        if (cFilter.kind && c.kind !== cFilter.kind) return false;
        if (cFilter.level && c.level !== cFilter.level) return false;
        /* retired: from a date that has come (Beijing time) */
        const gone = !!c.retired_from && c.retired_from <= today;
        if (cFilter.retired === 'active' && gone) return false;
        if (cFilter.retired === 'retired' && !gone) return false;
        return !needle || [c.slug, c.name, c.name_en || '', c.address || ''].some(function (s) {
          return s.toLowerCase().indexOf(needle) >= 0;
        });
      });
      ul.replaceChildren();
      list.forEach(function (c) { ul.appendChild(carrierCard(c)); });
      msg.textContent = list.length ? t('c_count', { n: list.length }) : t('c_none');
    }
    f.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
    f.querySelectorAll('select').forEach(function (s) { s.addEventListener('change', apply); });
    apply();
  }

  function carrierCard(c) {
    const li = el('li', { class: 'card', 'data-carrier': c.slug });
    const head = el('div', { class: 'card-head' });
    const h = el('h2', {});
    h.appendChild(el('a', { href: '/console/admin/carriers/' + c.slug, 'data-link': '' }, nameOf(c)));
    head.appendChild(h);
    const b = el('p', { class: 'badges' });
    b.appendChild(badge(t('ck_' + c.kind), 'kind'));
    b.appendChild(badge(t('lv_' + c.level), 'level lv-' + c.level, { 'data-level': c.level }));
    if (c.retired_from) b.appendChild(badge(t('c_retired_from', { d: c.retired_from }), 'retired', { 'data-retired': c.retired_from }));
    head.appendChild(b);
    li.appendChild(head);
    li.appendChild(el('p', { class: 'muted' }, [regionName(c.region), c.slug].join(' · ')));
    return li;
  }

  function carrierForm(slug) {
    const c = slug ? carriers.find(function (x) { return x.slug === slug; }) : null;
    A.setRender(function () { carrierForm(slug); });
    const sec = page(slug ? 'c_edit' : 'c_new', 'carriers');
    if (slug && !c) {
      sec.appendChild(el('p', { class: 'alert' }, t('c_none')));
      A.show(sec);
      return;
    }
    if (c) sec.appendChild(el('p', { class: 'lead' }, nameOf(c)));
    sec.appendChild(errorBox());
    const f = el('form', { id: 'carrier-form', novalidate: '', 'data-slug': slug || '' });
    const v = c || {};
    const slugRow = field('slug', t('af_slug'), { value: v.slug, hint: t('af_slug_hint'),
      attrs: { autocapitalize: 'none', spellcheck: 'false', maxlength: '64' } });
    if (c) slugRow.querySelector('input').readOnly = true;
    f.appendChild(slugRow);
    const pair1 = el('div', { class: 'pair' });
    pair1.appendChild(field('name', t('af_name'), { value: v.name, attrs: { maxlength: '200' } }));
    pair1.appendChild(field('name_en', t('af_name_en'), { value: v.name_en, attrs: { maxlength: '200', lang: 'en' } }));
    f.appendChild(pair1);
    const pair2 = el('div', { class: 'pair' });
    pair2.appendChild(field('kind', t('af_kind'), { value: v.kind || 'incubator',
      options: CARRIER_KINDS.map(function (k) { return [k, t('ck_' + k)]; }) }));
    pair2.appendChild(field('region', t('af_region'), { value: v.region,
      options: districtRegions().map(function (r) { return [r.slug, nameOf(r)]; }) }));
    f.appendChild(pair2);
    const pair3 = el('div', { class: 'pair' });
    pair3.appendChild(field('level', t('af_level'), { value: v.level || 'none',
      options: LEVELS.map(function (k) { return [k, t('lv_' + k)]; }) }));
    pair3.appendChild(field('recognised_on', t('af_recognised_on'), { type: 'date', value: v.recognised_on }));
    f.appendChild(pair3);
    f.appendChild(field('address', t('af_address'), { value: v.address, attrs: { maxlength: '500' } }));
    const geo = el('fieldset', { class: 'row geo' });
    geo.appendChild(el('legend', {}, t('af_geo')));
    const gp = el('div', { class: 'pair' });
    gp.appendChild(field('geo_lat', t('af_lat'), { type: 'text', value: v.geo ? v.geo.lat : '', attrs: { inputmode: 'decimal' } }));
    gp.appendChild(field('geo_lon', t('af_lon'), { type: 'text', value: v.geo ? v.geo.lon : '', attrs: { inputmode: 'decimal' } }));
    geo.appendChild(gp);
    geo.appendChild(el('p', { class: 'field-error', id: 'err-geo', hidden: '' }));
    gp.querySelectorAll('input').forEach(function (i) { i.setAttribute('aria-describedby', 'err-geo'); });
    f.appendChild(geo);
    const pair4 = el('div', { class: 'pair' });
    pair4.appendChild(field('website', t('af_website'), { type: 'url', value: v.website, attrs: { placeholder: 'https://' } }));
    pair4.appendChild(field('contact', t('af_contact'), { value: v.contact, attrs: { maxlength: '200' } }));
    f.appendChild(pair4);
    f.appendChild(buttons());
    sec.appendChild(f);
    if (c) {
      const feed = el('p', { class: 'muted small' });
      feed.appendChild(document.createTextNode(t('c_feed') + '：'));
      feed.appendChild(el('a', { href: c.feed.url, id: 'c-feed' }, c.feed.url));
      sec.appendChild(feed);
      sec.appendChild(retireForm(c));
    }
    A.show(sec);
    const level = f.elements.level;
    function syncLevel() { f.elements.recognised_on.disabled = level.value === 'none'; }
    level.addEventListener('change', syncLevel);
    syncLevel();
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = {
        name: val(f, 'name'), name_en: val(f, 'name_en') || null, kind: f.elements.kind.value,
        region: f.elements.region.value, level: level.value,
        address: val(f, 'address') || null, website: val(f, 'website') || null,
        contact: val(f, 'contact') || null
      };
      if (level.value !== 'none') b.recognised_on = val(f, 'recognised_on') || null;
      const lat = val(f, 'geo_lat'), lon = val(f, 'geo_lon');
      b.geo = lat === '' && lon === '' ? null : { lat: num(lat), lon: num(lon) };
      let r;
      if (c) {
        r = await A.api('/api/v1/carriers/' + c.slug, { method: 'PATCH', body: b });
      } else {
        b.slug = val(f, 'slug');
        Object.keys(b).forEach(function (k) { if (b[k] === null) delete b[k]; });
        r = await A.api('/api/v1/carriers', { method: 'POST', body: b });
      }
      if (!r.ok) { showErrors(r); return; }
      A.state.kinds = [];     /* the event pages reload their carriers */
      A.navigate('/console/admin/carriers/' + r.body.slug, !!c);
      A.say(t('c_saved'));
    });
    if (!c) f.elements.slug.focus();
  }

  function retireForm(c) {
    const box = el('section', { class: 'retire', id: 'retire' });
    box.appendChild(el('h2', {}, t('c_retire_title')));
    box.appendChild(el('p', { class: 'muted small' }, t('c_retire_hint')));
    const f = el('form', { id: 'retire-form', novalidate: '' });
    f.appendChild(field('retired_from', t('af_retired_from'), { type: 'date', value: c.retired_from }));
    const acts = el('div', { class: 'actions' });
    acts.appendChild(el('button', { type: 'submit', class: 'danger' }, t('c_retire')));
    f.appendChild(acts);
    box.appendChild(f);
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      A.clearErrors();
      const d = val(f, 'retired_from');
      if (d && !window.confirm(t('c_confirm_retire', { n: nameOf(c), d: d }))) return;
      const r = await A.api('/api/v1/carriers/' + c.slug, { method: 'PATCH', body: { retired_from: d || null } });
      if (!r.ok) { A.showProblem(r); return; }
      A.state.kinds = [];
      A.navigate('/console/admin/carriers/' + c.slug, true);
      A.say(t('c_retired_ok'));
    });
    return box;
  }

  /* ---------- 区域与目标 ---------- */

  function fmtNum(x) {
    return x === null || x === undefined ? '—' : String(x);
  }

  function viewRegions() {
    A.setRender(viewRegions);
    const sec = page('r_title', 'regions');
    const newBtn = el('button', { type: 'button', id: 'r-new', 'aria-expanded': 'false' }, '＋ ' + t('r_new'));
    const top = el('p', {});
    top.appendChild(newBtn);
    sec.appendChild(top);
    const slot = el('div', { id: 'r-form-slot' });
    sec.appendChild(slot);
    sec.appendChild(el('h2', {}, t('r_district')));
    const ul = el('ul', { class: 'cards', id: 'region-list' });
    districtRegions().forEach(function (r) { ul.appendChild(regionCard(r)); });
    sec.appendChild(ul);
    sec.appendChild(el('h2', { class: 'sub' }, t('r_partners')));
    const pl = el('ul', { class: 'cards', id: 'partner-list' });
    regions.filter(function (r) { return r.partner; }).forEach(function (r) { pl.appendChild(regionCard(r)); });
    sec.appendChild(pl);
    A.show(sec);
    newBtn.addEventListener('click', function () {
      closeForms();
      newBtn.setAttribute('aria-expanded', 'true');
      slot.appendChild(regionForm(null, function () { slot.replaceChildren(); newBtn.setAttribute('aria-expanded', 'false'); newBtn.focus(); }));
      slot.querySelector('input').focus();
    });
  }

  /* One admin form open at a time: the error slots' ids must be unique. */
  function closeForms() {
    document.querySelectorAll('#main form.inline-form').forEach(function (f) { f.remove(); });
    document.querySelectorAll('#main [aria-expanded="true"]').forEach(function (b) { b.setAttribute('aria-expanded', 'false'); });
  }

  function regionCard(r) {
    const li = el('li', { class: 'card', 'data-region': r.slug });
    const head = el('div', { class: 'card-head' });
    head.appendChild(el('h2', {}, nameOf(r)));
    const b = el('p', { class: 'badges' });
    b.appendChild(badge(t('rk_' + r.kind), 'kind'));
    if (r.target_year) b.appendChild(badge(t('r_year', { y: r.target_year }), ''));
    head.appendChild(b);
    li.appendChild(head);
    li.appendChild(el('p', { class: 'muted small' }, r.slug + (r.name_en && A.state.lang !== 'en' ? ' · ' + r.name_en : '')));
    if (!r.partner) li.appendChild(targetsTable(r));
    const acts = el('div', { class: 'card-actions' });
    const edit = el('button', { type: 'button', class: 'btn', 'aria-expanded': 'false', 'data-action': 'edit' }, r.partner ? t('ac_edit') : t('r_edit'));
    acts.appendChild(edit);
    li.appendChild(acts);
    edit.addEventListener('click', function () {
      const open = li.querySelector('form');
      closeForms();
      if (open) return;
      edit.setAttribute('aria-expanded', 'true');
      li.appendChild(regionForm(r, function () { closeForms(); edit.focus(); }));
      li.querySelector('form input').focus();
    });
    return li;
  }

  /* Targets now beside the annex's printed plan (changed ones marked). */
  function targetsTable(r) {
    const wrap = el('div', { class: 'scroll' });
    const tb = el('table', { class: 'targets' });
    const head = el('tr', {});
    head.appendChild(el('th', { scope: 'col' }, ''));
    head.appendChild(el('th', { scope: 'col' }, t('r_now')));
    head.appendChild(el('th', { scope: 'col' }, t('r_annex')));
    const thead = el('thead', {});
    thead.appendChild(head);
    tb.appendChild(thead);
    const body = el('tbody', {});
    const now = r.targets || {};
    const annex = r.annex_targets;
    TARGETS.forEach(function (k) {
      const tr = el('tr', { 'data-target': k[0] });
      tr.appendChild(el('th', { scope: 'row' }, t(k[1])));
      const changed = annex && now[k[0]] !== annex[k[0]];
      const td = el('td', { class: changed ? 'changed' : '' }, r.targets ? fmtNum(now[k[0]]) : t('r_no_targets'));
      if (changed) td.appendChild(badge(t('r_changed'), 'series'));
      tr.appendChild(td);
      tr.appendChild(el('td', { class: 'annex' }, annex ? fmtNum(annex[k[0]]) : '—'));
      body.appendChild(tr);
    });
    tb.appendChild(body);
    wrap.appendChild(tb);
    return wrap;
  }

  function regionForm(r, onClose) {
    const f = el('form', { class: 'inline-form', novalidate: '', id: 'region-form' });
    f.appendChild(errorBox());
    const v = r || { kind: 'street', targets: null };
    if (!r) f.appendChild(field('slug', t('af_slug'), { hint: t('af_slug_hint'), attrs: { autocapitalize: 'none', spellcheck: 'false', maxlength: '64' } }));
    const p1 = el('div', { class: 'pair' });
    p1.appendChild(field('name', t('af_name'), { value: v.name, attrs: { maxlength: '200' } }));
    p1.appendChild(field('name_en', t('af_name_en'), { value: v.name_en, attrs: { maxlength: '200', lang: 'en' } }));
    f.appendChild(p1);
    const kinds = r ? REGION_KINDS.filter(function (k) { return (k === 'partner') === !!r.partner; }) : REGION_KINDS;
    f.appendChild(field('kind', t('af_kind'), { value: v.kind, options: kinds.map(function (k) { return [k, t('rk_' + k)]; }) }));
    const tg = el('fieldset', { class: 'row targets-set' });
    tg.appendChild(el('legend', {}, t('r_now')));
    tg.appendChild(field('target_year', t('af_target_year'), { type: 'number', value: v.target_year, attrs: { min: '2000', max: '2100', inputmode: 'numeric' } }));
    TARGETS.forEach(function (k) {
      const annex = r && r.annex_targets ? r.annex_targets[k[0]] : null;
      const row = field('targets.' + k[0], t(k[1]), {
        type: 'number', value: v.targets ? v.targets[k[0]] : '',
        attrs: { min: '0', step: k[0] === 'area_10k_m2' ? 'any' : '1', inputmode: k[0] === 'area_10k_m2' ? 'decimal' : 'numeric' },
        hint: annex !== null ? t('r_annex_short', { v: annex }) : null
      });
      tg.appendChild(row);
    });
    tg.appendChild(el('p', { class: 'field-error', id: 'err-targets', hidden: '' }));
    f.appendChild(tg);
    f.appendChild(buttons(null, onClose));
    function syncKind() { tg.hidden = f.elements.kind.value === 'partner'; }
    f.elements.kind.addEventListener('change', syncKind);
    syncKind();
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = { name: val(f, 'name'), kind: f.elements.kind.value };
      if (val(f, 'name_en')) b.name_en = val(f, 'name_en');
      if (b.kind !== 'partner') {
        const tv = {};
        let any = false;
        TARGETS.forEach(function (k) {
          const s = val(f, 'targets.' + k[0]);
          if (s !== '') { tv[k[0]] = num(s); any = true; }
        });
        if (any) b.targets = tv;
        else if (r && r.targets) b.targets = null;
        const y = val(f, 'target_year');
        if (y !== '') b.target_year = num(y);
        else if (r && r.target_year) b.target_year = null;
      }
      let res;
      if (r) {
        res = await A.api('/api/v1/regions/' + r.slug, { method: 'PATCH', body: b });
      } else {
        b.slug = val(f, 'slug');
        res = await A.api('/api/v1/regions', { method: 'POST', body: b });
      }
      if (!res.ok) { showErrors(res); return; }
      A.state.kinds = [];
      await loadData();
      viewRegions();
      A.say(t('r_saved'));
      const card = document.querySelector('[data-region="' + CSS.escape(res.body.slug) + '"]');
      if (card) card.scrollIntoView({ block: 'nearest' });
    });
    return f;
  }

  /* ---------- 操作记录 ---------- */

  const auFilter = { object_type: '', object_id: '', actor: '' };
  const AUDIT_PAGE = 50;

  function viewAudit() {
    A.setRender(viewAudit);
    const sec = page('au_title', 'audit');
    const f = el('form', { class: 'filters', role: 'search', id: 'audit-filters' });
    const w1 = el('div', { class: 'filter' });
    w1.appendChild(el('label', { for: 'au-type' }, t('au_type')));
    const s = el('select', { id: 'au-type', name: 'object_type' });
    s.appendChild(el('option', { value: '' }, t('all')));
    OBJECT_TYPES.forEach(function (o) { s.appendChild(el('option', { value: o }, t('ot_' + o))); });
    w1.appendChild(s);
    f.appendChild(w1);
    [['object_id', 'au_object'], ['actor', 'au_actor']].forEach(function (x) {
      const w = el('div', { class: 'filter' });
      w.appendChild(el('label', { for: 'au-' + x[0] }, t(x[1])));
      w.appendChild(el('input', { id: 'au-' + x[0], name: x[0], type: 'search', autocapitalize: 'none', spellcheck: 'false' }));
      f.appendChild(w);
    });
    f.appendChild(el('button', { type: 'submit' }, t('apply')));
    sec.appendChild(f);
    const ol = el('ol', { class: 'history', id: 'audit-list' });
    sec.appendChild(ol);
    const msg = el('p', { class: 'muted', id: 'au-msg', role: 'status' });
    sec.appendChild(msg);
    const more = el('button', { type: 'button', id: 'au-more', hidden: '' }, t('au_more'));
    sec.appendChild(more);
    A.show(sec);
    Object.keys(auFilter).forEach(function (k) { f.elements[k].value = auFilter[k]; });
    let cursor = null;
    let seq = 0;        /* only the latest request's answer is shown */
    async function load(reset) {
      const mine = ++seq;
      if (reset) { ol.replaceChildren(); cursor = null; }
      const q = new URLSearchParams({ limit: String(AUDIT_PAGE) });
      Object.keys(auFilter).forEach(function (k) { if (auFilter[k]) q.set(k, auFilter[k]); });
      if (cursor) q.set('cursor', cursor);
      msg.textContent = t('loading');
      const r = await A.api('/api/v1/audit?' + q.toString());
      if (mine !== seq) return;
      if (!r.ok) { msg.textContent = ''; A.showProblem(r); return; }
      (r.body.items || []).forEach(function (row) { ol.appendChild(auditRow(row)); });
      cursor = r.body.next_cursor;
      more.hidden = !cursor;
      msg.textContent = ol.children.length ? (cursor ? '' : t('au_end')) : t('au_none');
    }
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      Object.keys(auFilter).forEach(function (k) { auFilter[k] = f.elements[k].value.trim(); });
      load(true);
    });
    s.addEventListener('change', function () { auFilter.object_type = s.value; load(true); });
    more.addEventListener('click', function () { load(false); });
    load(true);
  }

  const AUDIT_LABELS = {
    slug: 'au_slug', kind: 'af_kind', name: 'af_name', targets: 'r_now', name_en: 'af_name_en', level: 'af_level',
    recognised_on: 'af_recognised_on', region: 'af_region', address: 'af_address', geo: 'af_geo',
    website: 'af_website', contact: 'af_contact', retired_from: 'af_retired_from',
    target_year: 'af_target_year', role: 'ac_role', carriers: 'ac_carriers', carrier: 'tk_carrier',
    disabled: 'ac_is_disabled', label: 'tk_label', expires: 'tk_expires', revoked: 'tk_revoked',
    kinds: 'ru_kinds', period: 'ru_period', min: 'ru_min', scope: 'ru_scope', username: 'af_username',
    id: 'au_id', created: 'au_created', password_set: 'au_password_set', fetch_count: 'au_fetch_count',
    filters: 'au_filters', last_login: 'au_last_login', last_fetch: 'au_last_fetch'
  };
  /* A private feed's filters: which label and which name each has. */
  const FILTER_LABELS = { region: 'af_region', carrier: 'tk_carrier', kind: 'ru_kinds', partner: 'au_partner' };
  const AUDIT_ORDER = ['name', 'name_en', 'slug', 'kind', 'level', 'recognised_on', 'region',
    'address', 'geo', 'website', 'contact', 'retired_from', 'targets', 'target_year'];

  function auditValue(k, v) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'boolean') return v ? t('yes') : t('no');
    if (k === 'level' && typeof v === 'string') return t('lv_' + v);
    if (k === 'kind' && typeof v === 'string' && CARRIER_KINDS.indexOf(v) >= 0) return t('ck_' + v);
    if (k === 'region' && typeof v === 'string') return regionName(v);
    if (k === 'kind' && typeof v === 'string' && REGION_KINDS.indexOf(v) >= 0) return t('rk_' + v);
    if (k === 'role' && typeof v === 'string') return t('role_' + v);
    if (k === 'period' && typeof v === 'string') return t('pe_' + v);
    if (k === 'scope' && typeof v === 'string') return t('sc_' + v);
    if (k === 'kinds' && Array.isArray(v)) return v.map(A.kindName).join('、');
    if (k === 'carrier' && typeof v === 'string') return carrierName(v);
    if (k === 'carriers' && Array.isArray(v)) return v.length ? v.map(carrierName).join('、') : '—';
    if ((k === 'targets' || k === 'annex_targets') && typeof v === 'object') {
      return TARGETS.map(function (x) { return t(x[1]) + ' ' + fmtNum(v[x[0]]); }).join('；');
    }
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z$/.test(v)) return A.fmtInstant(v);
    if (k === 'filters' && typeof v === 'object' && !Array.isArray(v)) {
      const parts = Object.keys(v).filter(function (x) { return v[x] !== null && v[x] !== ''; })
        .map(function (x) {
          const val = x === 'region' || x === 'partner' ? regionName(v[x]) : x === 'carrier' ? carrierName(v[x])
            : x === 'kind' ? String(v[x]).split(',').map(A.kindName).join('、') : String(v[x]);
          return (FILTER_LABELS[x] ? t(FILTER_LABELS[x]) : x) + '：' + val;
        });
      return parts.length ? parts.join('；') : '—';
    }
    if (Array.isArray(v)) return v.length ? v.map(function (x) { return typeof x === 'object' ? JSON.stringify(x) : String(x); }).join('、') : '—';
    if (typeof v === 'object') {
      return Object.keys(v).map(function (x) { return x + ': ' + (v[x] === null ? '—' : typeof v[x] === 'object' ? JSON.stringify(v[x]) : v[x]); }).join(', ');
    }
    return String(v);
  }

  function auditRow(row) {
    const li = el('li', { class: 'h-item', 'data-audit': String(row.id), 'data-action': row.action,
      'data-object': row.object_type + ':' + row.object_id });
    const head = el('p', { class: 'h-head' });
    const act = t('aa_' + row.action) !== 'aa_' + row.action ? t('aa_' + row.action) : row.action;
    const ot = t('ot_' + row.object_type) !== 'ot_' + row.object_type ? t('ot_' + row.object_type) : row.object_type;
    head.appendChild(el('strong', {}, act + ' ' + ot));
    head.appendChild(el('span', { class: 'mono' }, ' ' + row.object_id));
    head.appendChild(el('span', {}, ' · ' + A.fmtInstant(row.at) + ' · '));
    head.appendChild(el('span', { class: 'actor' }, row.actor));
    li.appendChild(head);
    const before = row.before && typeof row.before === 'object' ? row.before : {};
    const after = row.after && typeof row.after === 'object' ? row.after : {};
    const rank = function (k) { const i = AUDIT_ORDER.indexOf(k); return i < 0 ? AUDIT_ORDER.length : i; };
    const keys = Object.keys(Object.assign({}, before, after)).sort(function (a, b) {
      return rank(a) - rank(b);
    }).filter(function (k) {
      if (k === 'feed' || k === 'versions') return false;
      if (JSON.stringify(before[k]) === JSON.stringify(after[k])) return false;
      return !(row.before === null && (after[k] === null || (Array.isArray(after[k]) && !after[k].length)));
    });
    const dl = el('dl', { class: 'changes' });
    keys.forEach(function (k) {
      dl.appendChild(el('dt', { 'data-key': k }, AUDIT_LABELS[k] ? t(AUDIT_LABELS[k]) : k));
      const dd = el('dd', { 'data-key': k });
      if (row.before) {
        dd.appendChild(el('del', {}, auditValue(k, before[k])));
        dd.appendChild(document.createTextNode(' → '));
      }
      dd.appendChild(el('ins', {}, auditValue(k, after[k])));
      dl.appendChild(dd);
    });
    if (keys.length) li.appendChild(dl);
    return li;
  }

  /* What admin_access.js uses of this file. */
  const lib = {
    app: function () { return A; },
    regions: function () { return regions; },
    carriers: function () { return carriers; },
    t: t, el: el, $: $, field: field, errorBox: errorBox, showErrors: showErrors,
    buttons: buttons, val: val, num: num, secretBox: secretBox, page: page,
    badge: badge, closeForms: closeForms, nameOf: nameOf, regionName: regionName,
    carrierName: carrierName, districtRegions: districtRegions
  };

  window.CONSOLE_ADMIN = { route: route, lib: lib, pages: pages };
}());
