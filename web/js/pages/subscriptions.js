// The organisation's alert subscriptions (C3): besides the messages
// addressed to it, its inbox receives every message matching a
// subscription — an area (or every area) and a kind (or every kind).  A
// subscription with a webhook address also has each message POSTed there,
// signed with a secret the server shows once, when the subscription is
// created.  Administrators' settings page (the server lets editors change
// subscriptions too).
import { registerPage } from '../registry.js';
import { t, lang } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, field, onSubmit, table, pageHeader, section, notify, confirmDialog, alertBox } from '../dom.js';
import * as session from '../session.js';
import { SUB_KINDS, css, alertTabs, loadAreas, areaLabel, label, when } from '../alerts.js';

// The secret of the subscription created last; kept only until the page is left.
let fresh = null;

const kindLabel = (k) => (k === '*' ? t('alerts.subscriptions.anyKind') : label('kind', k));
const areaText = (a) => (a === '*' ? t('alerts.subscriptions.anyArea') : `${areaLabel(a)} (${a})`);

registerPage({
  id: 'subscriptions',
  path: '/subscriptions',
  title: 'alerts.subscriptions.title',
  navParent: 'alerts',
  minRole: 'admin',
  async render(ctx) {
    ctx.el.append(
      pageHeader(t('alerts.subscriptions.title'), { subtitle: t('alerts.subscriptions.intro') }),
      alertTabs('subscriptions'));
    const shown = fresh;
    fresh = null;
    if (shown) ctx.el.append(secretCard(shown));

    const [{ items }, ref] = await Promise.all([
      api.get('/api/v1/subscriptions', { signal: ctx.signal }),
      loadAreas(),
      css(),
    ]);
    const editor = session.can('editor');
    ctx.el.append(section(t('alerts.subscriptions.list'), table({
      caption: t('alerts.subscriptions.list'),
      empty: t('alerts.subscriptions.empty'),
      rows: items,
      rowAttrs: (s) => ({ dataset: { subscription: s.id, area: s.area, kind: s.kind } }),
      columns: [
        { label: t('alerts.subscriptions.area'), render: (s) => areaText(s.area) },
        { label: t('alerts.subscriptions.kind'), render: (s) => kindLabel(s.kind) },
        { label: t('alerts.subscriptions.webhook'), render: (s) => (s.webhook_url ? h('code', { class: 'url' }, s.webhook_url) : h('span', { class: 'muted' }, t('alerts.subscriptions.inboxOnly'))) },
        { label: t('common.created'), class: 'col-nowrap', render: (s) => when(s.created_at) },
        {
          label: t('common.actions'),
          class: 'col-actions',
          render: (s) => (editor ? h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', dataset: { act: 'delete' }, onclick: () => remove(s, ctx) }, t('alerts.subscriptions.delete')) : ''),
        },
      ],
    })));
    if (editor) ctx.el.append(createCard(ctx, ref));
    ctx.el.append(h('details', { class: 'card disclosure', dataset: { help: 'signature' } },
      h('summary', {}, t('alerts.subscriptions.verifyTitle')),
      h('div', { class: 'disclosure-body' },
        h('p', {}, t('alerts.subscriptions.verifyText')),
        h('pre', { class: 'code-block' }, 'X-Epibridge-Timestamp: <unix seconds>\nX-Epibridge-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>\nX-Epibridge-Delivery: <delivery id>'))));
  },
});

function createCard(ctx, ref) {
  const countries = ref.list.filter((a) => !a.subdivision);
  const collator = new Intl.Collator(lang() === 'zh' ? 'zh-CN' : 'en');
  countries.sort((a, b) => collator.compare(areaLabel(a.code), areaLabel(b.code)));
  const form = h('form', { class: 'form-grid', dataset: { form: 'subscribe' } },
    field({ name: 'area', label: t('alerts.subscriptions.area'), type: 'select', value: '*', options: [['*', t('alerts.subscriptions.anyArea')], ...countries.map((a) => [a.code, areaText(a.code)])], hint: t('alerts.subscriptions.areaHint') }),
    field({ name: 'kind', label: t('alerts.subscriptions.kind'), type: 'select', value: '*', options: SUB_KINDS.map((k) => [k, kindLabel(k)]) }),
    field({ name: 'webhook_url', label: t('alerts.subscriptions.webhookUrl'), type: 'url', maxlength: 500, hint: t('alerts.subscriptions.webhookHint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('alerts.subscriptions.create'))));
  onSubmit(form, async (v) => {
    const body = { area: v.area, kind: v.kind };
    if (v.webhook_url) body.webhook_url = v.webhook_url;
    const s = await api.post('/api/v1/subscriptions', body);
    notify(t('alerts.subscriptions.created'));
    if (s.webhook_secret) fresh = s;
    ctx.refresh();
  });
  return section(t('alerts.subscriptions.new'), form);
}

function secretCard(s) {
  const out = h('output', { class: 'secret', 'aria-label': t('alerts.subscriptions.secretLabel') }, s.webhook_secret);
  const status = h('span', { class: 'copy-status', role: 'status' });
  const copy = h('button', {
    type: 'button', class: 'btn', dataset: { act: 'copy' },
    onclick: async () => {
      let ok = false;
      try {
        await navigator.clipboard.writeText(s.webhook_secret);
        ok = true;
      } catch {
        const range = document.createRange();
        range.selectNodeContents(out);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        try { ok = document.execCommand('copy'); } catch { ok = false; }
      }
      status.textContent = ok ? t('tokens.copied') : t('tokens.copyFailed');
    },
  }, t('tokens.copy'));
  return h('section', { class: 'card secret-card', 'aria-labelledby': 'sub-secret-title', dataset: { secret: '' } },
    h('h2', { id: 'sub-secret-title' }, t('alerts.subscriptions.secretTitle')),
    h('p', {}, h('code', { class: 'url' }, s.webhook_url)),
    h('div', { class: 'alert alert-warn', role: 'alert' }, t('alerts.subscriptions.secretOnce')),
    h('div', { class: 'secret-row' }, out, copy, status));
}

async function remove(s, ctx) {
  const ok = await confirmDialog({
    title: t('alerts.subscriptions.deleteTitle'),
    message: t('alerts.subscriptions.deleteText', { area: areaText(s.area), kind: kindLabel(s.kind) }),
    confirm: t('alerts.subscriptions.delete'),
    danger: true,
  });
  if (!ok) return;
  try {
    await api.del(`/api/v1/subscriptions/${s.id}`);
    notify(t('alerts.subscriptions.deleted'));
    ctx.refresh();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    ctx.el.querySelector('.subnav').after(alertBox(err));
  }
}
