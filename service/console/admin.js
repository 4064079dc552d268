/*
 * admin.js: the admins' pages of the console (issue 9): 载体管理, 区域与目标,
 * 账号与令牌, 节奏规则, 私有订阅, 操作记录 under /console/admin/. app.js routes
 * /console/admin/* here for role admin only (the API answers 403 to
 * anybody else anyway) and lends its helpers (api with the CSRF token,
 * el, t, showProblem ...). Labels: the ADMIN table below, merged into the
 * console's zh-CN/English table. User text only through textContent.
 */
'use strict';

(function () {
  const L = {
    zh: {
      nav_carriers: '载体管理', nav_regions: '区域与目标', nav_accounts: '账号与令牌',
      nav_rules: '节奏规则', nav_subscriptions: '私有订阅', nav_audit: '操作记录',
      c_title: '载体管理', c_new: '新建载体', c_edit: '编辑载体', c_none: '没有符合条件的载体。',
      c_count: '共 {n} 个载体', c_retired_filter: '停用', c_active: '在用', c_retired: '已停用',
      c_retired_from: '{d} 起停用', c_feed: '订阅地址', c_saved: '载体已保存。',
      af_slug: '标识（英文，创建后不可修改）', af_slug_hint: '小写字母、数字和连字符，如 longju-hub；订阅地址使用它，改名不会影响订阅。',
      af_name: '名称', af_name_en: '英文名称', af_kind: '类型', af_level: '认定级别',
      af_recognised_on: '认定日期', af_region: '所在区域', af_address: '地址',
      af_geo: '坐标', af_lat: '纬度', af_lon: '经度', af_website: '网站', af_contact: '联系方式',
      af_retired_from: '停用日期', c_retire_title: '停用载体',
      c_retire_hint: '停用后，载体的已有活动、订阅和节奏记录都保留，但从该日起不能再有新活动。日期须晚于它的最后一场活动。',
      c_retire: '停用', c_retired_ok: '载体已停用。', c_confirm_retire: '确定从 {d} 起停用“{n}”吗？',
      ck_maker_space: '众创空间', ck_incubator: '孵化器', ck_accelerator: '加速器', ck_platform: '平台/园区',
      lv_national: '国家级', lv_municipal: '市级', lv_district: '区级', lv_none: '未认定',
      r_title: '区域与目标', r_new: '新建区域', r_partners: '合作地区', r_district: '本区区域',
      rk_zone: '园区', rk_street: '街道', rk_town: '镇', rk_partner: '合作地区',
      af_target_year: '目标年份', af_area: '载体面积（万平方米）', af_ent: '聚集企业和团队（家）',
      af_tech: '孵化科技型企业（家）', r_now: '当前目标', r_annex: '附件原计划',
      r_annex_short: '原计划：{v}', r_changed: '已调整', r_saved: '区域已保存。', r_edit: '编辑目标',
      r_no_targets: '无目标', r_year: '{y} 年目标',
      ac_title: '账号与令牌', ac_accounts: '账号', ac_invite: '邀请新账号', ac_invite_btn: '创建并生成邀请链接',
      ac_invite_link: '邀请链接（只显示这一次，7 天内有效）：', ac_copy: '复制', ac_copied: '已复制。',
      ac_role: '角色', role_admin: '管理员', role_organiser: '组织者', role_viewer: '只读',
      ac_carriers: '所属载体', ac_disabled: '停用此账号', ac_is_disabled: '已停用', ac_no_password: '未设置密码',
      ac_last_login: '最近登录：{t}', ac_never: '从未登录', ac_edit: '修改', ac_reinvite: '重新生成邀请链接',
      ac_saved: '账号已保存。', af_username: '用户名',
      tk_title: 'API 令牌', tk_new: '新建令牌', tk_label: '备注', tk_expires: '到期时间（北京时间，可不填）',
      tk_carrier: '载体（组织者令牌）', tk_create: '创建令牌',
      tk_secret: '令牌（只显示这一次，请立即复制保存）：', tk_revoke: '撤销', tk_live: '有效',
      tk_expired: '已过期', tk_revoked: '已撤销', tk_confirm_revoke: '确定撤销令牌 #{id} 吗？使用它的脚本将立即失效。',
      tk_revoked_ok: '令牌已撤销。', tk_expires_at: '到期：{t}', tk_no_expiry: '不过期', tk_created: '创建：{t}',
      ru_title: '节奏规则', ru_new: '新建规则', ru_id: '编号（英文，创建后不可修改）', ru_name: '名称',
      ru_kinds: '计入的活动类型', ru_period: '周期', ru_min: '每周期至少（场）', ru_scope: '范围',
      ru_active_from: '生效日期（可不填：本周期起）', ru_effective_from: '修改生效日期（可不填：本周期起）',
      ru_effective_to: '停用日期（可不填：下个周期起）', ru_delete: '停用规则', ru_retired: '已停用', ru_retired_from: '{d} 起停用',
      ru_confirm_delete: '确定停用规则“{n}”吗？已结束的周期仍按它评判。', ru_saved: '规则已保存。',
      ru_deleted: '规则已停用。', ru_versions: '{n} 个版本', ru_live_from: '自 {d} 起',
      pe_month: '每月', pe_quarter: '每季度', pe_year: '每年',
      sc_district: '全区', sc_region: '每个区域', sc_carrier: '每个载体', sc_partner: '每个合作地区',
      su_title: '私有订阅', su_new: '新建私有订阅', su_label: '订阅者（如：区科技局 张三）',
      su_hint: '私有订阅含“待定”活动，地址即密钥：只发给需要的人。',
      su_kind: '只含此类型', su_region: '只含此区域', su_carrier: '只含此载体', su_partner: '只含此合作地区',
      su_any: '（不限）', su_create: '创建订阅', su_url: '订阅地址（只显示这一次）：',
      su_webcal: '在日历应用中打开', su_delete: '撤销', su_revoked: '已撤销',
      su_confirm_delete: '确定撤销“{n}”的订阅吗？该地址将立即失效。', su_deleted: '订阅已撤销。',
      su_fetched: '最近拉取：{t}（共 {n} 次）', su_never: '尚未拉取',
      au_title: '操作记录', au_slug: '标识', au_type: '对象类型', au_object: '对象标识', au_actor: '操作者',
      au_more: '加载更多', au_none: '没有符合条件的记录。', au_end: '已显示全部记录。',
      ot_carrier: '载体', ot_region: '区域', ot_rule: '规则', ot_account: '账号', ot_token: '令牌',
      ot_subscription: '订阅',
      aa_create: '新建', aa_update: '修改', aa_retire: '停用', aa_revoke: '撤销', aa_invite: '邀请',
      aa_set_password: '设置密码',
      save: '保存', close: '关闭', all: '全部', search: '搜索', apply: '筛选', loading: '加载中…',
      yes: '是', no: '否'
    },
    en: {
      nav_carriers: 'Carriers', nav_regions: 'Regions & targets', nav_accounts: 'Accounts & tokens',
      nav_rules: 'Cadence rules', nav_subscriptions: 'Private feeds', nav_audit: 'Audit',
      c_title: 'Carriers', c_new: 'New carrier', c_edit: 'Edit carrier', c_none: 'No carrier matches.',
      c_count: '{n} carriers', c_retired_filter: 'Retired', c_active: 'Active', c_retired: 'Retired',
      c_retired_from: 'retired from {d}', c_feed: 'Feed', c_saved: 'Carrier saved.',
      af_slug: 'Slug (ASCII, fixed once created)', af_slug_hint: 'Lower-case letters, digits and hyphens, e.g. longju-hub; feed URLs use it, a rename never breaks them.',
      af_name: 'Name', af_name_en: 'English name', af_kind: 'Kind', af_level: 'Recognition level',
      af_recognised_on: 'Recognised on', af_region: 'Region', af_address: 'Address',
      af_geo: 'Location', af_lat: 'Latitude', af_lon: 'Longitude', af_website: 'Website', af_contact: 'Contact',
      af_retired_from: 'Retired from', c_retire_title: 'Retire the carrier',
      c_retire_hint: 'A retired carrier keeps its events, feed and cadence history, but hosts no new event from that date on. The date must fall after its last event.',
      c_retire: 'Retire', c_retired_ok: 'Carrier retired.', c_confirm_retire: 'Retire “{n}” from {d}?',
      ck_maker_space: 'Maker space', ck_incubator: 'Incubator', ck_accelerator: 'Accelerator', ck_platform: 'Platform/park',
      lv_national: 'National', lv_municipal: 'Municipal', lv_district: 'District', lv_none: 'None',
      r_title: 'Regions and targets', r_new: 'New region', r_partners: 'Partner regions', r_district: 'District regions',
      rk_zone: 'Zone', rk_street: 'Subdistrict', rk_town: 'Town', rk_partner: 'Partner region',
      af_target_year: 'Target year', af_area: 'Carrier floor area (10⁴ m²)', af_ent: 'Enterprises and teams',
      af_tech: 'Tech enterprises', r_now: 'Target now', r_annex: 'Annex plan',
      r_annex_short: 'plan: {v}', r_changed: 'changed', r_saved: 'Region saved.', r_edit: 'Edit targets',
      r_no_targets: 'no targets', r_year: 'targets {y}',
      ac_title: 'Accounts and tokens', ac_accounts: 'Accounts', ac_invite: 'Invite an account', ac_invite_btn: 'Create with an invite link',
      ac_invite_link: 'Invite link (shown this once, valid 7 days):', ac_copy: 'Copy', ac_copied: 'Copied.',
      ac_role: 'Role', role_admin: 'Admin', role_organiser: 'Organiser', role_viewer: 'Viewer',
      ac_carriers: 'Carriers', ac_disabled: 'Disable this account', ac_is_disabled: 'Disabled', ac_no_password: 'No password yet',
      ac_last_login: 'Last login: {t}', ac_never: 'Never logged in', ac_edit: 'Change', ac_reinvite: 'New invite link',
      ac_saved: 'Account saved.', af_username: 'Username',
      tk_title: 'API tokens', tk_new: 'New token', tk_label: 'Label', tk_expires: 'Expires (Beijing time, optional)',
      tk_carrier: 'Carrier (organiser token)', tk_create: 'Create token',
      tk_secret: 'Token (shown this once: copy it now):', tk_revoke: 'Revoke', tk_live: 'Live',
      tk_expired: 'Expired', tk_revoked: 'Revoked', tk_confirm_revoke: 'Revoke token #{id}? Scripts using it stop working at once.',
      tk_revoked_ok: 'Token revoked.', tk_expires_at: 'Expires {t}', tk_no_expiry: 'Never expires', tk_created: 'Created {t}',
      ru_title: 'Cadence rules', ru_new: 'New rule', ru_id: 'Id (ASCII, fixed once created)', ru_name: 'Name',
      ru_kinds: 'Event kinds that count', ru_period: 'Period', ru_min: 'At least per period', ru_scope: 'Scope',
      ru_active_from: 'Active from (optional: this period)', ru_effective_from: 'Change effective from (optional: this period)',
      ru_effective_to: 'Retire from (optional: next period)', ru_delete: 'Retire rule', ru_retired: 'Retired', ru_retired_from: 'retired from {d}',
      ru_confirm_delete: 'Retire the rule “{n}”? Ended periods keep being judged by it.', ru_saved: 'Rule saved.',
      ru_deleted: 'Rule retired.', ru_versions: '{n} versions', ru_live_from: 'from {d}',
      pe_month: 'Monthly', pe_quarter: 'Quarterly', pe_year: 'Yearly',
      sc_district: 'District', sc_region: 'Each region', sc_carrier: 'Each carrier', sc_partner: 'Each partner region',
      su_title: 'Private feeds', su_new: 'New private feed', su_label: 'Subscriber (e.g. Science Bureau, Zhang)',
      su_hint: 'Private feeds carry tentative events; the URL is the secret: give it only to who needs it.',
      su_kind: 'Only this kind', su_region: 'Only this region', su_carrier: 'Only this carrier', su_partner: 'Only this partner region',
      su_any: '(any)', su_create: 'Create feed', su_url: 'Feed URL (shown this once):',
      su_webcal: 'Open in a calendar app', su_delete: 'Revoke', su_revoked: 'Revoked',
      su_confirm_delete: 'Revoke the feed of “{n}”? Its URL stops working at once.', su_deleted: 'Feed revoked.',
      su_fetched: 'Last fetched {t} ({n} times)', su_never: 'Never fetched',
      au_title: 'Audit trail', au_slug: 'Slug', au_type: 'Object type', au_object: 'Object id', au_actor: 'Actor',
      au_more: 'Load more', au_none: 'No row matches.', au_end: 'All rows shown.',
      ot_carrier: 'Carrier', ot_region: 'Region', ot_rule: 'Rule', ot_account: 'Account', ot_token: 'Token',
      ot_subscription: 'Subscription',
      aa_create: 'Created', aa_update: 'Changed', aa_retire: 'Retired', aa_revoke: 'Revoked', aa_invite: 'Invited',
      aa_set_password: 'Password set',
      save: 'Save', close: 'Close', all: 'All', search: 'Search', apply: 'Filter', loading: 'Loading…',
      yes: 'yes', no: 'no'
    }
  };
  /* The console's table gains the admin labels (app.js reads it by key). */
  const I18N = window.CONSOLE_I18N;
  ['zh', 'en'].forEach(function (lang) {
    Object.keys(L[lang]).forEach(function (k) {
      if (!(k in I18N[lang])) I18N[lang][k] = L[lang][k];
    });
  });

  const CARRIER_KINDS = ['maker_space', 'incubator', 'accelerator', 'platform'];
  const LEVELS = ['national', 'municipal', 'district', 'none'];
  const REGION_KINDS = ['zone', 'street', 'town', 'partner'];
  const TARGETS = [['area_10k_m2', 'af_area'], ['enterprises_and_teams', 'af_ent'],
    ['tech_enterprises', 'af_tech']];
  const OBJECT_TYPES = ['carrier', 'region', 'rule', 'account', 'token', 'subscription'];

  let A = null;         /* app.js helpers, see adminApi there */
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
    if (path === '/console/admin/accounts') return viewAccounts();
    if (path === '/console/admin/rules') return viewRules();
    if (path === '/console/admin/subscriptions') return viewSubscriptions();
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

  /* ---------- 账号与令牌 ---------- */

  function carrierChecks(name, chosen) {
    const fs = el('fieldset', { class: 'row' });
    fs.appendChild(el('legend', {}, t('ac_carriers')));
    const box = el('div', { class: 'checks carrier-checks' });
    carriers.forEach(function (c) {
      const id = name + '-' + c.slug;
      const w = el('span', { class: 'check' });
      const i = el('input', { type: 'checkbox', name: name, value: c.slug, id: id, 'aria-describedby': 'err-carriers' });
      i.checked = (chosen || []).indexOf(c.slug) >= 0;
      w.appendChild(i);
      w.appendChild(el('label', { for: id }, nameOf(c)));
      box.appendChild(w);
    });
    fs.appendChild(box);
    fs.appendChild(el('p', { class: 'field-error', id: 'err-carriers', hidden: '' }));
    return fs;
  }

  function checked(form, name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (c) { return c.value; });
  }

  const ROLES = ['organiser', 'viewer', 'admin'];

  async function viewAccounts() {
    A.setRender(viewAccounts);
    const sec = page('ac_title', 'accounts');
    sec.appendChild(el('h2', {}, t('ac_accounts')));
    const inviteBtn = el('button', { type: 'button', id: 'ac-new', 'aria-expanded': 'false' }, '＋ ' + t('ac_invite'));
    const p = el('p', {});
    p.appendChild(inviteBtn);
    sec.appendChild(p);
    const slot = el('div', { id: 'ac-slot' });
    sec.appendChild(slot);
    const ul = el('ul', { class: 'cards', id: 'account-list' });
    sec.appendChild(ul);
    sec.appendChild(el('h2', { class: 'sub' }, t('tk_title')));
    const tkBtn = el('button', { type: 'button', id: 'tk-new', 'aria-expanded': 'false' }, '＋ ' + t('tk_new'));
    const p2 = el('p', {});
    p2.appendChild(tkBtn);
    sec.appendChild(p2);
    const tslot = el('div', { id: 'tk-slot' });
    sec.appendChild(tslot);
    const tl = el('ul', { class: 'cards', id: 'token-list' });
    sec.appendChild(tl);
    A.show(sec);
    inviteBtn.addEventListener('click', function () {
      closeForms();
      inviteBtn.setAttribute('aria-expanded', 'true');
      slot.replaceChildren(inviteForm(function () { closeForms(); inviteBtn.focus(); }));
      slot.querySelector('input').focus();
    });
    tkBtn.addEventListener('click', function () {
      closeForms();
      tkBtn.setAttribute('aria-expanded', 'true');
      tslot.replaceChildren(tokenForm(function () { closeForms(); tkBtn.focus(); }));
      tslot.querySelector('select').focus();
    });
    await Promise.all([loadAccounts(), loadTokens()]);
  }

  async function loadAccounts() {
    const r = await A.api('/api/v1/accounts');
    const ul = $('account-list');
    if (!ul) return;
    if (!r.ok) { A.showProblem(r); return; }
    ul.replaceChildren();
    (r.body.items || []).forEach(function (a) { ul.appendChild(accountCard(a)); });
  }

  function accountCard(a) {
    const li = el('li', { class: 'card', 'data-account': a.username });
    const head = el('div', { class: 'card-head' });
    head.appendChild(el('h2', { class: 'mono' }, a.username));
    const b = el('p', { class: 'badges' });
    b.appendChild(badge(t('role_' + a.role), 'kind', { 'data-role': a.role }));
    if (a.disabled) b.appendChild(badge(t('ac_is_disabled'), 'st-CANCELLED', { 'data-disabled': '' }));
    if (!a.password_set) b.appendChild(badge(t('ac_no_password'), 'st-TENTATIVE'));
    head.appendChild(b);
    li.appendChild(head);
    if ((a.carriers || []).length) li.appendChild(el('p', {}, a.carriers.map(carrierName).join('、')));
    li.appendChild(el('p', { class: 'muted small' }, a.last_login ? t('ac_last_login', { t: A.fmtInstant(a.last_login) }) : t('ac_never')));
    const acts = el('div', { class: 'card-actions' });
    const edit = el('button', { type: 'button', class: 'btn', 'aria-expanded': 'false', 'data-action': 'edit' }, t('ac_edit'));
    const inv = el('button', { type: 'button', class: 'btn', 'data-action': 'invite' }, t('ac_reinvite'));
    acts.appendChild(edit);
    acts.appendChild(inv);
    li.appendChild(acts);
    edit.addEventListener('click', function () {
      const open = li.querySelector('form');
      closeForms();
      if (open) return;
      edit.setAttribute('aria-expanded', 'true');
      li.appendChild(accountForm(a, function () { closeForms(); edit.focus(); }));
      li.querySelector('form select').focus();
    });
    inv.addEventListener('click', async function () {
      const r = await A.api('/api/v1/accounts/' + encodeURIComponent(a.username) + '/invite', { method: 'POST' });
      if (!r.ok) { A.showProblem(r); return; }
      const old = li.querySelector('.secret');
      if (old) old.remove();
      li.appendChild(secretBox(t('ac_invite_link'), r.body.invite_url, { 'data-invite': a.username }));
    });
    return li;
  }

  function roleField(value) {
    return field('role', t('ac_role'), { value: value, options: ROLES.map(function (r) { return [r, t('role_' + r)]; }) });
  }

  function syncRole(f) {
    const fs = f.querySelector('.carrier-checks').parentNode;
    fs.hidden = f.elements.role.value !== 'organiser';
  }

  function inviteForm(onClose) {
    const f = el('form', { class: 'inline-form', novalidate: '', id: 'invite-form-admin' });
    f.appendChild(errorBox());
    const p = el('div', { class: 'pair' });
    p.appendChild(field('username', t('af_username'), { attrs: { autocapitalize: 'none', spellcheck: 'false', maxlength: '64', autocomplete: 'off' } }));
    p.appendChild(roleField('organiser'));
    f.appendChild(p);
    f.appendChild(carrierChecks('carriers', []));
    f.appendChild(buttons(t('ac_invite_btn'), onClose));
    f.elements.role.addEventListener('change', function () { syncRole(f); });
    syncRole(f);
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = { username: val(f, 'username'), role: f.elements.role.value };
      if (b.role === 'organiser') b.carriers = checked(f, 'carriers');
      const r = await A.api('/api/v1/accounts', { method: 'POST', body: b });
      if (!r.ok) { showErrors(r); return; }
      const slot = $('ac-slot');
      slot.replaceChildren(secretBox(t('ac_invite_link'), r.body.invite_url, { 'data-invite': r.body.username }));
      $('ac-new').setAttribute('aria-expanded', 'false');
      await loadAccounts();
      slot.querySelector('input').focus();
    });
    return f;
  }

  function accountForm(a, onClose) {
    const f = el('form', { class: 'inline-form', novalidate: '', id: 'account-form' });
    f.appendChild(errorBox());
    f.appendChild(roleField(a.role));
    f.appendChild(carrierChecks('carriers', a.carriers));
    const dis = el('div', { class: 'row check' });
    const cb = el('input', { type: 'checkbox', id: 'a-disabled', name: 'disabled', 'aria-describedby': 'err-disabled' });
    cb.checked = !!a.disabled;
    dis.appendChild(cb);
    dis.appendChild(el('label', { for: 'a-disabled' }, t('ac_disabled')));
    dis.appendChild(el('p', { class: 'field-error', id: 'err-disabled', hidden: '' }));
    f.appendChild(dis);
    f.appendChild(buttons(null, onClose));
    f.elements.role.addEventListener('change', function () { syncRole(f); });
    syncRole(f);
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = { role: f.elements.role.value, disabled: cb.checked };
      if (b.role === 'organiser') b.carriers = checked(f, 'carriers');
      const r = await A.api('/api/v1/accounts/' + encodeURIComponent(a.username), { method: 'PATCH', body: b });
      if (!r.ok) { showErrors(r); return; }
      await loadAccounts();
      A.say(t('ac_saved'));
    });
    return f;
  }

  function tokenForm(onClose) {
    const f = el('form', { class: 'inline-form', novalidate: '', id: 'token-form' });
    f.appendChild(errorBox());
    const p = el('div', { class: 'pair' });
    p.appendChild(field('role', t('ac_role'), { value: 'organiser', options: [['organiser', t('role_organiser')], ['admin', t('role_admin')]] }));
    p.appendChild(field('carrier', t('tk_carrier'), { options: carriers.filter(function (c) { return !c.retired_from; }).map(function (c) { return [c.slug, nameOf(c)]; }) }));
    f.appendChild(p);
    const p2 = el('div', { class: 'pair' });
    p2.appendChild(field('label', t('tk_label'), { attrs: { maxlength: '200' } }));
    p2.appendChild(field('expires', t('tk_expires'), { type: 'datetime-local' }));
    f.appendChild(p2);
    f.appendChild(buttons(t('tk_create'), onClose));
    function sync() { f.elements.carrier.parentNode.hidden = f.elements.role.value !== 'organiser'; }
    f.elements.role.addEventListener('change', sync);
    sync();
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = { role: f.elements.role.value };
      if (b.role === 'organiser') b.carrier = f.elements.carrier.value;
      if (val(f, 'label')) b.label = val(f, 'label');
      if (val(f, 'expires')) b.expires = A.fromLocalInput(val(f, 'expires'));
      const r = await A.api('/api/v1/tokens', { method: 'POST', body: b });
      if (!r.ok) { showErrors(r); return; }
      const slot = $('tk-slot');
      slot.replaceChildren(secretBox(t('tk_secret'), r.body.token, { 'data-token-id': String(r.body.id) }));
      $('tk-new').setAttribute('aria-expanded', 'false');
      await loadTokens();
      slot.querySelector('input').focus();
    });
    return f;
  }

  async function loadTokens() {
    const r = await A.api('/api/v1/tokens');
    const ul = $('token-list');
    if (!ul) return;
    if (!r.ok) { A.showProblem(r); return; }
    ul.replaceChildren();
    (r.body.items || []).slice().reverse().forEach(function (tk) { ul.appendChild(tokenCard(tk)); });
  }

  function tokenCard(tk) {
    const li = el('li', { class: 'card', 'data-token': String(tk.id) });
    const head = el('div', { class: 'card-head' });
    head.appendChild(el('h2', {}, '#' + tk.id + (tk.label ? ' ' + tk.label : '')));
    const b = el('p', { class: 'badges' });
    b.appendChild(badge(t('role_' + tk.role), 'kind'));
    const st = tk.revoked ? 'revoked' : tk.live ? 'live' : 'expired';
    b.appendChild(badge(t('tk_' + st), st === 'live' ? 'st-CONFIRMED' : 'st-CANCELLED', { 'data-state': st }));
    head.appendChild(b);
    li.appendChild(head);
    const meta = [t('tk_created', { t: A.fmtInstant(tk.created) }),
      tk.expires ? t('tk_expires_at', { t: A.fmtInstant(tk.expires) }) : t('tk_no_expiry')];
    if (tk.carrier) meta.unshift(carrierName(tk.carrier));
    li.appendChild(el('p', { class: 'muted small' }, meta.join(' · ')));
    if (!tk.revoked) {
      const acts = el('div', { class: 'card-actions' });
      const rv = el('button', { type: 'button', class: 'btn danger', 'data-action': 'revoke' }, t('tk_revoke'));
      rv.addEventListener('click', async function () {
        if (!window.confirm(t('tk_confirm_revoke', { id: tk.id }))) return;
        const r = await A.api('/api/v1/tokens/' + tk.id + '/revoke', { method: 'POST' });
        if (!r.ok) { A.showProblem(r); return; }
        await loadTokens();
        A.say(t('tk_revoked_ok'));
      });
      acts.appendChild(rv);
      li.appendChild(acts);
    }
    return li;
  }

  /* ---------- 节奏规则 ---------- */

  async function viewRules() {
    A.setRender(viewRules);
    const sec = page('ru_title', 'rules');
    const btn = el('button', { type: 'button', id: 'ru-new', 'aria-expanded': 'false' }, '＋ ' + t('ru_new'));
    const p = el('p', {});
    p.appendChild(btn);
    sec.appendChild(p);
    const slot = el('div', { id: 'ru-slot' });
    sec.appendChild(slot);
    const ul = el('ul', { class: 'cards', id: 'rule-list' });
    sec.appendChild(ul);
    A.show(sec);
    btn.addEventListener('click', function () {
      closeForms();
      btn.setAttribute('aria-expanded', 'true');
      slot.replaceChildren(ruleForm(null, function () { closeForms(); btn.focus(); }));
      slot.querySelector('input').focus();
    });
    const r = await A.api('/api/v1/rules');
    if (!r.ok) { A.showProblem(r); return; }
    (r.body.items || []).forEach(function (rule) { ul.appendChild(ruleCard(rule)); });
  }

  function ruleCard(rule) {
    const li = el('li', { class: 'card', 'data-rule': rule.id });
    const head = el('div', { class: 'card-head' });
    head.appendChild(el('h2', {}, rule.name));
    const b = el('p', { class: 'badges' });
    b.appendChild(badge(t('pe_' + rule.period) + ' ≥ ' + rule.min, 'kind'));
    b.appendChild(badge(t('sc_' + rule.scope), ''));
    if (rule.active_to) b.appendChild(badge(t('ru_retired_from', { d: rule.active_to }), 'retired', { 'data-retired': rule.active_to }));
    head.appendChild(b);
    li.appendChild(head);
    li.appendChild(el('p', {}, rule.kinds.map(A.kindName).join('、')));
    const meta = [rule.id, t('ru_versions', { n: (rule.versions || []).length })];
    if (rule.active_from) meta.push(t('ru_live_from', { d: rule.active_from }));
    li.appendChild(el('p', { class: 'muted small' }, meta.join(' · ')));
    if (rule.live) {
      const acts = el('div', { class: 'card-actions' });
      const edit = el('button', { type: 'button', class: 'btn', 'aria-expanded': 'false', 'data-action': 'edit' }, t('ac_edit'));
      const del = el('button', { type: 'button', class: 'btn danger', 'aria-expanded': 'false', 'data-action': 'delete' }, t('ru_delete'));
      acts.appendChild(edit);
      acts.appendChild(del);
      li.appendChild(acts);
      edit.addEventListener('click', function () {
        const open = li.querySelector('form');
        closeForms();
        if (open) return;
        edit.setAttribute('aria-expanded', 'true');
        li.appendChild(ruleForm(rule, function () { closeForms(); edit.focus(); }));
        li.querySelector('form input').focus();
      });
      del.addEventListener('click', function () {
        const open = li.querySelector('form');
        closeForms();
        if (open) return;
        del.setAttribute('aria-expanded', 'true');
        li.appendChild(ruleRetireForm(rule, function () { closeForms(); del.focus(); }));
        li.querySelector('form input').focus();
      });
    }
    return li;
  }

  function ruleForm(rule, onClose) {
    const f = el('form', { class: 'inline-form', novalidate: '', id: 'rule-form' });
    f.appendChild(errorBox());
    const v = rule || { kinds: [], period: 'month', min: 1, scope: 'district' };
    if (!rule) f.appendChild(field('id', t('ru_id'), { attrs: { autocapitalize: 'none', spellcheck: 'false', maxlength: '64' } }));
    f.appendChild(field('name', t('ru_name'), { value: v.name, attrs: { maxlength: '200' } }));
    const ks = el('fieldset', { class: 'row' });
    ks.appendChild(el('legend', {}, t('ru_kinds')));
    const box = el('div', { class: 'checks' });
    A.state.kinds.forEach(function (k) {
      const id = 'ru-k-' + k.slug;
      const w = el('span', { class: 'check' });
      const i = el('input', { type: 'checkbox', name: 'kinds', value: k.slug, id: id, 'aria-describedby': 'err-kinds' });
      i.checked = v.kinds.indexOf(k.slug) >= 0;
      w.appendChild(i);
      w.appendChild(el('label', { for: id }, A.kindName(k.slug)));
      box.appendChild(w);
    });
    ks.appendChild(box);
    ks.appendChild(el('p', { class: 'field-error', id: 'err-kinds', hidden: '' }));
    f.appendChild(ks);
    const p = el('div', { class: 'pair' });
    p.appendChild(field('period', t('ru_period'), { value: v.period, options: ['month', 'quarter', 'year'].map(function (x) { return [x, t('pe_' + x)]; }) }));
    p.appendChild(field('min', t('ru_min'), { type: 'number', value: v.min, attrs: { min: '1', max: '1000', inputmode: 'numeric' } }));
    f.appendChild(p);
    f.appendChild(field('scope', t('ru_scope'), { value: v.scope, options: ['district', 'region', 'carrier', 'partner'].map(function (x) { return [x, t('sc_' + x)]; }) }));
    const dn = rule ? 'effective_from' : 'active_from';
    f.appendChild(field(dn, t(rule ? 'ru_effective_from' : 'ru_active_from'), { type: 'date' }));
    f.appendChild(buttons(null, onClose));
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = { name: val(f, 'name'), kinds: checked(f, 'kinds'), period: f.elements.period.value,
        min: num(val(f, 'min')), scope: f.elements.scope.value };
      if (val(f, dn)) b[dn] = val(f, dn);
      let r;
      if (rule) {
        r = await A.api('/api/v1/rules/' + encodeURIComponent(rule.id), { method: 'PATCH', body: b });
      } else {
        b.id = val(f, 'id');
        r = await A.api('/api/v1/rules', { method: 'POST', body: b });
      }
      if (!r.ok) { showErrors(r); return; }
      await viewRules();
      A.say(t('ru_saved'));
    });
    return f;
  }

  function ruleRetireForm(rule, onClose) {
    const f = el('form', { class: 'inline-form', novalidate: '', id: 'rule-retire-form' });
    f.appendChild(field('effective_to', t('ru_effective_to'), { type: 'date' }));
    const acts = el('div', { class: 'actions' });
    acts.appendChild(el('button', { type: 'submit', class: 'danger' }, t('ru_delete')));
    const c = el('button', { type: 'button' }, t('close'));
    c.addEventListener('click', onClose);
    acts.appendChild(c);
    f.appendChild(acts);
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      A.clearErrors();
      if (!window.confirm(t('ru_confirm_delete', { n: rule.name }))) return;
      const q = val(f, 'effective_to') ? '?effective_to=' + encodeURIComponent(val(f, 'effective_to')) : '';
      const r = await A.api('/api/v1/rules/' + encodeURIComponent(rule.id) + q, { method: 'DELETE' });
      if (!r.ok) { A.showProblem(r); return; }
      await viewRules();
      A.say(t('ru_deleted'));
    });
    return f;
  }

  /* ---------- 私有订阅 ---------- */

  async function viewSubscriptions() {
    A.setRender(viewSubscriptions);
    const sec = page('su_title', 'subscriptions');
    sec.appendChild(el('p', { class: 'muted' }, t('su_hint')));
    const btn = el('button', { type: 'button', id: 'su-new', 'aria-expanded': 'false' }, '＋ ' + t('su_new'));
    const p = el('p', {});
    p.appendChild(btn);
    sec.appendChild(p);
    const slot = el('div', { id: 'su-slot' });
    sec.appendChild(slot);
    const ul = el('ul', { class: 'cards', id: 'subscription-list' });
    sec.appendChild(ul);
    A.show(sec);
    btn.addEventListener('click', function () {
      closeForms();
      btn.setAttribute('aria-expanded', 'true');
      slot.replaceChildren(subscriptionForm(function () { closeForms(); btn.focus(); }));
      slot.querySelector('input').focus();
    });
    await loadSubscriptions();
  }

  async function loadSubscriptions() {
    const r = await A.api('/api/v1/subscriptions');
    const ul = $('subscription-list');
    if (!ul) return;
    if (!r.ok) { A.showProblem(r); return; }
    ul.replaceChildren();
    (r.body.items || []).slice().reverse().forEach(function (s) { ul.appendChild(subscriptionCard(s)); });
  }

  function subscriptionCard(s) {
    const li = el('li', { class: 'card', 'data-subscription': String(s.id) });
    const head = el('div', { class: 'card-head' });
    head.appendChild(el('h2', {}, s.label));
    const b = el('p', { class: 'badges' });
    const fl = s.filters || {};
    if (fl.kind) b.appendChild(badge(A.kindName(fl.kind), 'kind'));
    if (fl.region) b.appendChild(badge(regionName(fl.region), ''));
    if (fl.partner) b.appendChild(badge(regionName(fl.partner), ''));
    if (fl.carrier) b.appendChild(badge(carrierName(fl.carrier), ''));
    if (s.revoked) b.appendChild(badge(t('su_revoked'), 'st-CANCELLED'));
    head.appendChild(b);
    li.appendChild(head);
    li.appendChild(el('p', { class: 'muted small' }, s.last_fetched
      ? t('su_fetched', { t: A.fmtInstant(s.last_fetched), n: s.fetch_count }) + (s.last_user_agent ? ' · ' + s.last_user_agent : '')
      : t('su_never')));
    if (!s.revoked) {
      const acts = el('div', { class: 'card-actions' });
      const del = el('button', { type: 'button', class: 'btn danger', 'data-action': 'revoke' }, t('su_delete'));
      del.addEventListener('click', async function () {
        if (!window.confirm(t('su_confirm_delete', { n: s.label }))) return;
        const r = await A.api('/api/v1/subscriptions/' + s.id, { method: 'DELETE' });
        if (!r.ok) { A.showProblem(r); return; }
        await loadSubscriptions();
        A.say(t('su_deleted'));
      });
      acts.appendChild(del);
      li.appendChild(acts);
    }
    return li;
  }

  function subscriptionForm(onClose) {
    const f = el('form', { class: 'inline-form', novalidate: '', id: 'subscription-form' });
    f.appendChild(errorBox());
    f.appendChild(field('label', t('su_label'), { attrs: { maxlength: '200' } }));
    const any = [['', t('su_any')]];
    const p = el('div', { class: 'pair' });
    p.appendChild(field('kind', t('su_kind'), { options: any.concat(A.state.kinds.map(function (k) { return [k.slug, A.kindName(k.slug)]; })) }));
    p.appendChild(field('region', t('su_region'), { options: any.concat(districtRegions().map(function (r) { return [r.slug, nameOf(r)]; })) }));
    p.appendChild(field('carrier', t('su_carrier'), { options: any.concat(carriers.map(function (c) { return [c.slug, nameOf(c)]; })) }));
    p.appendChild(field('partner', t('su_partner'), { options: any.concat(regions.filter(function (r) { return r.partner; }).map(function (r) { return [r.slug, nameOf(r)]; })) }));
    f.appendChild(p);
    f.appendChild(buttons(t('su_create'), onClose));
    f.addEventListener('submit', async function (e) {
      e.preventDefault();
      const b = { label: val(f, 'label') };
      ['kind', 'region', 'carrier', 'partner'].forEach(function (k) { if (f.elements[k].value) b[k] = f.elements[k].value; });
      const r = await A.api('/api/v1/subscriptions', { method: 'POST', body: b });
      if (!r.ok) { showErrors(r); return; }
      const slot = $('su-slot');
      const box = secretBox(t('su_url'), r.body.feed.url, { 'data-subscription-id': String(r.body.id) });
      const wc = el('p', {});
      wc.appendChild(el('a', { href: r.body.feed.webcal }, t('su_webcal')));
      box.appendChild(wc);
      slot.replaceChildren(box);
      $('su-new').setAttribute('aria-expanded', 'false');
      await loadSubscriptions();
      slot.querySelector('input').focus();
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
    kinds: 'ru_kinds', period: 'ru_period', min: 'ru_min', scope: 'ru_scope', username: 'af_username'
  };
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
    if (k === 'carriers' && Array.isArray(v)) return v.length ? v.map(carrierName).join('、') : '—';
    if ((k === 'targets' || k === 'annex_targets') && typeof v === 'object') {
      return TARGETS.map(function (x) { return t(x[1]) + ' ' + fmtNum(v[x[0]]); }).join('；');
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

  window.CONSOLE_ADMIN = { route: route };
}());
