/*
 * admin_access.js: the admins' pages about who may do what (issue 9):
 * 账号与令牌 (accounts: invite, role and carriers, disable; API tokens:
 * create with an optional expiry, secret shown once, revoke), 节奏规则
 * (cadence rules: create, change, retire) and 私有订阅 (private feeds: the
 * secret URL shown once, revoke). Registered in admin.js's `pages`, which
 * lends its helpers (lib). User text only through textContent.
 */
'use strict';

(function () {
  const lib = window.CONSOLE_ADMIN.lib;
  const t = lib.t, el = lib.el, $ = lib.$, field = lib.field, errorBox = lib.errorBox,
    showErrors = lib.showErrors, buttons = lib.buttons, val = lib.val, num = lib.num,
    secretBox = lib.secretBox, page = lib.page, badge = lib.badge, closeForms = lib.closeForms,
    nameOf = lib.nameOf, regionName = lib.regionName, carrierName = lib.carrierName,
    districtRegions = lib.districtRegions;
  let A = null;         /* app.js helpers, set when a page opens */

  /* ---------- 账号与令牌 ---------- */

  function carrierChecks(name, chosen) {
    const fs = el('fieldset', { class: 'row' });
    fs.appendChild(el('legend', {}, t('ac_carriers')));
    const box = el('div', { class: 'checks carrier-checks' });
    lib.carriers().forEach(function (c) {
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
    A = lib.app();
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
    /* for an account with a password the link sets a new one */
    const inv = el('button', { type: 'button', class: 'btn', 'data-action': 'invite' },
      t(a.password_set ? 'ac_reset_link' : 'ac_reinvite'));
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
    p.appendChild(field('carrier', t('tk_carrier'), { options: lib.carriers().filter(function (c) { return !c.retired_from; }).map(function (c) { return [c.slug, nameOf(c)]; }) }));
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
    A = lib.app();
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
    A = lib.app();
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
    p.appendChild(field('carrier', t('su_carrier'), { options: any.concat(lib.carriers().map(function (c) { return [c.slug, nameOf(c)]; })) }));
    p.appendChild(field('partner', t('su_partner'), { options: any.concat(lib.regions().filter(function (r) { return r.partner; }).map(function (r) { return [r.slug, nameOf(r)]; })) }));
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


  window.CONSOLE_ADMIN.pages.accounts = viewAccounts;
  window.CONSOLE_ADMIN.pages.rules = viewRules;
  window.CONSOLE_ADMIN.pages.subscriptions = viewSubscriptions;
}());
