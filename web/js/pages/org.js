// One organisation: its details, the partnership with the viewer's own
// organisation, and — for its members — its users.  Its administrators (and
// the operator's) edit it and manage users: add with a role, change role,
// disable / enable, reset a password.
import { registerPage } from '../registry.js';
import { t, countryName, orgNames, fmtDateTime } from '../i18n.js';
import { api, ApiError } from '../api.js';
import {
  h, field, onSubmit, table, pageHeader, section, badge, notify, dialog, confirmDialog,
  alertBox, localProblem,
} from '../dom.js';
import * as session from '../session.js';
import { ROLES, USER_LANGS } from '../constants.js';
import { kindOptions } from './orgs.js';

registerPage({
  id: 'org',
  path: '/orgs/:id',
  title: 'org.title',
  navParent: 'orgs',
  async render(ctx) {
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id < 1) throw new ApiError(404, { title: 'Not found', detail: t('org.badId') });
    const org = await api.get(`/api/v1/orgs/${id}`, { signal: ctx.signal });
    const names = orgNames(org);
    const mine = session.org()?.id === id;
    const admin = session.canAdminOrg(id);
    document.title = `${names.primary} · epibridge`;

    ctx.el.append(pageHeader(names.primary, {
      subtitle: h('div', { class: 'subtitle' },
        names.secondary ? h('p', { class: 'secondary-name' }, names.secondary) : null,
        h('p', { class: 'badges' },
          badge(t(`kind.${org.kind}`)),
          badge(countryName(org.country)),
          org.operator ? badge(t('orgs.operator'), 'info') : null,
          mine ? badge(t('org.yours'), 'ok') : null)),
    }));

    ctx.el.append(await detailsCard(org, ctx));
    if (!mine) ctx.el.append(await partnershipCard(org, ctx));
    if (admin) ctx.el.append(editCard(org, ctx));
    if (mine || session.isOperatorAdmin()) ctx.el.append(await usersCard(org, ctx, admin));
  },
});

async function detailsCard(org, ctx) {
  let parent = null;
  if (org.parent_id) {
    try {
      parent = await api.get(`/api/v1/orgs/${org.parent_id}`, { signal: ctx.signal });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  return section(t('org.details'),
    h('dl', { class: 'details' },
      row(t('org.nameEn'), org.name_en),
      row(t('org.nameZh'), org.name_zh || '—'),
      row(t('orgs.kind'), t(`kind.${org.kind}`)),
      row(t('orgs.country'), `${countryName(org.country)} (${org.country})`),
      row(t('org.parent'), parent ? h('a', { href: `#/orgs/${parent.id}` }, orgNames(parent).primary) : '—'),
      row(t('common.created'), fmtDateTime(org.created_at)),
      row(t('common.updated'), fmtDateTime(org.updated_at))));
}

async function partnershipCard(org, ctx) {
  const { items } = await api.get('/api/v1/partnerships', { signal: ctx.signal });
  const p = items.find((x) => x.org_a === org.id || x.org_b === org.id);
  const body = h('div', { class: 'partnership-status' });
  if (p) {
    const key = p.status === 'active' ? 'partners.active'
      : p.org_a === org.id ? 'partners.awaitingUs' : 'partners.awaitingThem';
    body.append(h('p', {}, badge(t(key), p.status === 'active' ? 'ok' : 'warn'), ' ',
      h('a', { href: '#/partners' }, t('org.seePartners'))));
  } else {
    body.append(h('p', {}, t('org.noPartnership')));
    if (session.can('admin')) {
      const form = h('form', { class: 'inline-form' },
        field({ name: 'note', label: t('partners.note'), maxlength: 1000 }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn', dataset: { act: 'propose' } }, t('org.propose'))));
      onSubmit(form, async (v) => {
        await api.post('/api/v1/partnerships', { partner_id: org.id, ...(v.note ? { note: v.note } : {}) });
        notify(t('partners.proposed', { name: orgNames(org).primary }));
        ctx.refresh();
      });
      body.append(form);
    }
  }
  return section(t('org.partnership'), body);
}

function editCard(org, ctx) {
  const form = h('form', { class: 'form-grid', dataset: { form: 'edit-org' } },
    field({ name: 'name_en', label: t('org.nameEn'), value: org.name_en, required: true, maxlength: 200 }),
    field({ name: 'name_zh', label: t('org.nameZh'), value: org.name_zh, maxlength: 200, lang: 'zh-Hans' }),
    field({ name: 'kind', label: t('orgs.kind'), type: 'select', value: org.kind, options: kindOptions(false) }),
    field({ name: 'country', label: t('orgs.country'), value: org.country, required: true, maxlength: 2, hint: t('orgs.countryHint'), class: 'input-short' }),
    field({ name: 'parent_id', label: t('org.parentId'), type: 'number', min: 1, value: org.parent_id ?? '', hint: t('org.parentHint'), class: 'input-short' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('common.save'))));
  onSubmit(form, async (v) => {
    const body = {
      name_en: v.name_en || '',
      name_zh: v.name_zh || '',
      kind: v.kind,
      country: (v.country || '').toUpperCase(),
      parent_id: v.parent_id ? Number(v.parent_id) : null,
    };
    await api.patch(`/api/v1/orgs/${org.id}`, body);
    notify(t('common.saved'));
    ctx.refresh();
  }, { keep: true });
  return h('details', { class: 'card disclosure' }, h('summary', {}, t('org.edit')), form);
}

async function usersCard(org, ctx, admin) {
  const wrap = h('div');
  let users;
  try {
    users = (await api.get(`/api/v1/orgs/${org.id}/users`, { signal: ctx.signal })).items;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    wrap.append(alertBox(err));
    return section(t('users.title'), wrap);
  }
  const me = session.user();
  const act = (label, onclick, extra = {}) => h('button', { type: 'button', class: 'btn btn-small btn-secondary', onclick, ...extra }, label);
  wrap.append(table({
    caption: t('users.title'),
    empty: t('users.empty'),
    rows: users,
    rowAttrs: (u) => ({ dataset: { user: u.login }, class: u.disabled ? 'row-muted' : null }),
    columns: [
      { label: t('users.name'), render: (u) => h('div', { class: 'name-pair' }, h('span', { class: 'primary' }, u.name), u.email ? h('span', { class: 'secondary' }, u.email) : null) },
      { label: t('users.login'), render: (u) => h('code', {}, u.login) },
      { label: t('users.role'), render: (u) => t(`role.${u.role}`) },
      { label: t('users.lang'), render: (u) => t(`lang.${u.lang}`) },
      { label: t('users.status'), render: (u) => (u.disabled ? badge(t('users.disabled'), 'warn') : badge(t('users.enabled'), 'ok')) },
      ...(admin ? [{
        label: t('common.actions'),
        class: 'col-actions',
        render: (u) => h('div', { class: 'row-actions' },
          act(t('users.changeRole'), () => changeRole(u, ctx), { dataset: { act: 'role' } }),
          u.id !== me.id ? act(u.disabled ? t('users.enable') : t('users.disable'), () => toggleDisabled(u, ctx), { dataset: { act: u.disabled ? 'enable' : 'disable' } }) : null,
          act(t('users.resetPassword'), () => resetPassword(u, ctx), { dataset: { act: 'reset' } })),
      }] : []),
    ],
  }));
  if (admin) wrap.append(addUserForm(org, ctx));
  return section(t('users.title'), wrap);
}

function addUserForm(org, ctx) {
  const form = h('form', { class: 'form-grid', dataset: { form: 'add-user' } },
    h('h3', { class: 'form-title' }, t('users.add')),
    field({ name: 'login', label: t('users.login'), required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 64, hint: t('users.loginHint') }),
    field({ name: 'name', label: t('users.name'), required: true, maxlength: 200 }),
    field({ name: 'email', label: t('users.email'), type: 'email', maxlength: 254 }),
    field({ name: 'role', label: t('users.role'), type: 'select', value: 'viewer', options: ROLES.map((r) => [r, t(`role.${r}`)]) }),
    field({ name: 'lang', label: t('users.lang'), type: 'select', value: 'en', options: USER_LANGS.map((l) => [l, t(`lang.${l}`)]) }),
    field({ name: 'password', label: t('users.initialPassword'), type: 'password', required: true, autocomplete: 'new-password', minlength: 10, maxlength: 200, hint: t('users.passwordHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('users.addSubmit'))));
  onSubmit(form, async (v) => {
    const body = { login: v.login || '', name: v.name || '', role: v.role, lang: v.lang, password: v.password || '' };
    if (v.email) body.email = v.email;
    const u = await api.post(`/api/v1/orgs/${org.id}/users`, body);
    notify(t('users.added', { login: u.login }));
    ctx.refresh();
  });
  return form;
}

async function patchUser(u, body, ctx, done) {
  try {
    const out = await api.patch(`/api/v1/users/${u.id}`, body);
    if (out.id === session.user()?.id) session.updateUser(out);
    notify(done);
    ctx.refresh();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // Shown above the users table, where the action was.
    const card = document.querySelector(`tr[data-user="${CSS.escape(u.login)}"]`)?.closest('section') || ctx.el;
    card.querySelector(':scope > .alert')?.remove();
    const box = alertBox(err);
    box.tabIndex = -1;
    card.querySelector('h2').after(box);
    box.focus();
  }
}

async function changeRole(u, ctx) {
  const v = await dialog({
    title: t('users.changeRoleOf', { name: u.name }),
    fields: [field({ name: 'role', label: t('users.role'), type: 'select', value: u.role, options: ROLES.map((r) => [r, t(`role.${r}`)]) })],
    confirm: t('common.save'),
  });
  if (v && v.role !== u.role) await patchUser(u, { role: v.role }, ctx, t('common.saved'));
}

async function toggleDisabled(u, ctx) {
  if (!u.disabled) {
    const ok = await confirmDialog({
      title: t('users.disableTitle', { name: u.name }),
      message: t('users.disableText'),
      confirm: t('users.disable'),
      danger: true,
    });
    if (!ok) return;
  }
  await patchUser(u, { disabled: !u.disabled }, ctx, u.disabled ? t('users.enabledDone') : t('users.disabledDone'));
}

async function resetPassword(u, ctx) {
  const v = await dialog({
    title: t('users.resetTitle', { name: u.name }),
    message: t('users.resetText'),
    fields: [
      h('input', { type: 'text', name: 'username', autocomplete: 'username', value: u.login, hidden: true, readOnly: true, tabindex: '-1', 'aria-hidden': 'true' }),
      field({ name: 'password', label: t('profile.newPassword'), type: 'password', autocomplete: 'new-password', hint: t('users.passwordHint') }),
      field({ name: 'confirm', label: t('profile.confirmPassword'), type: 'password', autocomplete: 'new-password' }),
    ],
    confirm: t('users.resetPassword'),
    validate: (x) => {
      if ((x.password || '').length < 10) return localProblem(t('profile.tooShort'), '/password');
      if (x.password !== x.confirm) return localProblem(t('profile.mismatch'), '/confirm');
      return null;
    },
  });
  if (v) await patchUser(u, { password: v.password }, ctx, t('users.resetDone'));
}
