// API tokens of the user's organisation, for machine clients.  A new
// token's secret is shown once, with a copy button and a warning; the list
// shows only its prefix.  Administrators only (the server says so too).
import { registerPage } from '../registry.js';
import { t, fmtDateTime } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, field, onSubmit, table, pageHeader, section, badge, notify, confirmDialog, alertBox } from '../dom.js';
import * as session from '../session.js';
import { ROLES } from '../constants.js';

// The secret of the token created last; kept only until the page is left.
let fresh = null;

registerPage({
  id: 'tokens',
  path: '/tokens',
  title: 'tokens.title',
  nav: { order: 40, label: 'nav.tokens' },
  minRole: 'admin',
  async render(ctx) {
    ctx.el.append(pageHeader(t('tokens.title'), { subtitle: t('tokens.intro') }));
    const shown = fresh;
    fresh = null;
    if (shown) ctx.el.append(secretCard(shown));

    const { items } = await api.get('/api/v1/tokens', { signal: ctx.signal });
    const active = (k) => !k.revoked_at;
    ctx.el.append(section(t('tokens.list'), table({
      caption: t('tokens.list'),
      empty: t('tokens.empty'),
      rows: items,
      rowAttrs: (k) => ({ dataset: { token: k.name }, class: active(k) ? null : 'row-muted' }),
      columns: [
        { label: t('tokens.name'), render: (k) => k.name },
        { label: t('tokens.role'), render: (k) => t(`role.${k.role}`) },
        { label: t('tokens.prefix'), render: (k) => h('code', {}, `${k.prefix}…`) },
        { label: t('common.created'), render: (k) => fmtDateTime(k.created_at) },
        { label: t('tokens.lastUsed'), render: (k) => (k.last_used_at ? fmtDateTime(k.last_used_at) : t('tokens.never')) },
        { label: t('tokens.status'), render: (k) => (active(k) ? badge(t('tokens.active'), 'ok') : badge(t('tokens.revokedAt', { when: fmtDateTime(k.revoked_at) }), 'muted')) },
        {
          label: t('common.actions'),
          class: 'col-actions',
          render: (k) => (active(k) && session.can('admin') ? h('button', {
            type: 'button', class: 'btn btn-small btn-danger-outline', dataset: { act: 'revoke' },
            onclick: () => revoke(k, ctx),
          }, t('tokens.revoke')) : ''),
        },
      ],
    })));

    if (session.can('admin')) ctx.el.append(createCard(ctx));
  },
});

function createCard(ctx) {
  const mine = session.user().role;
  const form = h('form', { class: 'form-grid', dataset: { form: 'create-token' } },
    field({ name: 'name', label: t('tokens.name'), required: true, maxlength: 100, hint: t('tokens.nameHint') }),
    field({
      name: 'role', label: t('tokens.role'), type: 'select', value: 'viewer',
      options: ROLES.filter((r) => ROLES.indexOf(r) >= ROLES.indexOf(mine)).map((r) => [r, t(`role.${r}`)]),
      hint: t('tokens.roleHint'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('tokens.create'))));
  onSubmit(form, async (v) => {
    const k = await api.post('/api/v1/tokens', { name: v.name || '', role: v.role });
    fresh = k;
    ctx.refresh();
  });
  return section(t('tokens.new'), form);
}

function secretCard(k) {
  const out = h('output', { class: 'secret', 'aria-label': t('tokens.secretLabel') }, k.token);
  const status = h('span', { class: 'copy-status', role: 'status' });
  const copy = h('button', {
    type: 'button', class: 'btn', dataset: { act: 'copy' },
    onclick: async () => {
      const ok = await copyText(k.token, out);
      status.textContent = ok ? t('tokens.copied') : t('tokens.copyFailed');
    },
  }, t('tokens.copy'));
  return h('section', { class: 'card secret-card', 'aria-labelledby': 'secret-title', dataset: { secret: '' } },
    h('h2', { id: 'secret-title' }, t('tokens.createdTitle', { name: k.name })),
    h('div', { class: 'alert alert-warn', role: 'alert' }, t('tokens.once')),
    h('div', { class: 'secret-row' }, out, copy, status));
}

async function copyText(text, node) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or not a secure context): select the text so
    // that Ctrl+C works, and try the old command.
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { return document.execCommand('copy'); } catch { return false; }
  }
}

async function revoke(k, ctx) {
  const ok = await confirmDialog({
    title: t('tokens.revokeTitle', { name: k.name }),
    message: t('tokens.revokeText'),
    confirm: t('tokens.revoke'),
    danger: true,
  });
  if (!ok) return;
  try {
    await api.del(`/api/v1/tokens/${k.id}`);
    notify(t('tokens.revoked'));
    ctx.refresh();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const box = alertBox(err);
    ctx.el.querySelector('.page-header').after(box);
  }
}
