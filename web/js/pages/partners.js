// Partnerships of the user's organisation: list them, propose one to an
// organisation chosen from the directory, accept one proposed to us, end one
// (or withdraw / decline a proposal).  Records shared with "partners" are
// visible across active partnerships.
import { registerPage } from '../registry.js';
import { t, countryName, orgNames, fmtDate, lang } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, field, onSubmit, table, pageHeader, section, badge, notify, confirmDialog, alertBox, orgNameCell } from '../dom.js';
import * as session from '../session.js';

const MAX_DIRECTORY = 5000;

registerPage({
  id: 'partners',
  path: '/partners',
  title: 'partners.title',
  nav: { order: 30, label: 'nav.partners' },
  async render(ctx) {
    const mine = session.org();
    const admin = session.can('admin');
    ctx.el.append(pageHeader(t('partners.title'), { subtitle: t('partners.intro') }));

    const { items } = await api.get('/api/v1/partnerships', { signal: ctx.signal });
    const otherId = (p) => (p.org_a === mine.id ? p.org_b : p.org_a);
    const others = new Map(await Promise.all(items.map(async (p) => {
      const id = otherId(p);
      try {
        return [id, await api.get(`/api/v1/orgs/${id}`, { signal: ctx.signal })];
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return [id, { id, name_en: p.org_a === id ? p.org_a_name : p.org_b_name, name_zh: '' }];
      }
    })));

    const status = (p) => {
      if (p.status === 'active') return badge(t('partners.active'), 'ok');
      return p.org_a === mine.id ? badge(t('partners.awaitingThem'), 'warn') : badge(t('partners.awaitingUs'), 'warn');
    };
    const actions = (p) => {
      if (!admin) return '';
      const out = [];
      if (p.status === 'proposed' && p.org_b === mine.id) {
        out.push(h('button', { type: 'button', class: 'btn btn-small', dataset: { act: 'accept' }, onclick: () => accept(p, ctx) }, t('partners.accept')));
      }
      const endKey = p.status === 'active' ? 'partners.end' : p.org_a === mine.id ? 'partners.withdraw' : 'partners.decline';
      out.push(h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', dataset: { act: 'end' }, onclick: () => end(p, others.get(otherId(p)), endKey, ctx) }, t(endKey)));
      return h('div', { class: 'row-actions' }, out);
    };

    const listCard = section(t('partners.list'), table({
      caption: t('partners.list'),
      empty: t('partners.empty'),
      rows: items,
      rowAttrs: (p) => ({ dataset: { partner: otherId(p), status: p.status } }),
      columns: [
        { label: t('partners.partner'), render: (p) => orgNameCell(orgNames(others.get(otherId(p))), `#/orgs/${otherId(p)}`) },
        { label: t('orgs.country'), render: (p) => countryName(others.get(otherId(p))?.country || '') },
        { label: t('partners.status'), render: status },
        { label: t('partners.note'), render: (p) => p.note || '' },
        { label: t('partners.since'), render: (p) => fmtDate(p.updated_at) },
        ...(admin ? [{ label: t('common.actions'), class: 'col-actions', render: actions }] : []),
      ],
    }));
    ctx.el.append(listCard);
    if (admin) ctx.el.append(await proposeCard(ctx, new Set([mine.id, ...items.map(otherId)])));
  },
});

async function loadDirectory(signal) {
  const all = [];
  let cursor = null;
  do {
    const page = await api.get('/api/v1/orgs', { query: { limit: 1000, cursor }, signal });
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && all.length < MAX_DIRECTORY);
  return all;
}

async function proposeCard(ctx, exclude) {
  const orgs = (await loadDirectory(ctx.signal)).filter((o) => !exclude.has(o.id));
  const collator = new Intl.Collator(lang() === 'zh' ? 'zh-CN' : 'en');
  orgs.sort((a, b) => collator.compare(orgNames(a).primary, orgNames(b).primary));
  const label = (o) => `${orgNames(o).primary} — ${countryName(o.country)}`;
  const options = (filter) => {
    const f = filter.trim().toLowerCase();
    const hits = orgs.filter((o) => !f || [o.name_en, o.name_zh, o.country, countryName(o.country)]
      .some((s) => (s || '').toLowerCase().includes(f)));
    return [['', t('partners.choose')], ...hits.map((o) => [String(o.id), label(o)])];
  };
  const select = field({ name: 'partner_id', label: t('partners.organisation'), type: 'select', options: options(''), required: true });
  const search = field({ name: 'search', label: t('partners.search'), type: 'search', autocomplete: 'off', hint: t('partners.searchHint') });
  search.querySelector('input').addEventListener('input', (ev) => {
    const sel = select.querySelector('select');
    const keep = sel.value;
    sel.replaceChildren(...options(ev.target.value).map(([v, l]) => h('option', { value: v, selected: v === keep }, l)));
  });
  const form = h('form', { class: 'form-grid', dataset: { form: 'propose' } },
    search, select,
    field({ name: 'note', label: t('partners.note'), maxlength: 1000 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('partners.propose'))));
  onSubmit(form, async (v) => {
    const body = { partner_id: Number(v.partner_id || 0) };
    if (v.note) body.note = v.note;
    await api.post('/api/v1/partnerships', body);
    const o = orgs.find((x) => x.id === body.partner_id);
    notify(t('partners.proposed', { name: o ? orgNames(o).primary : body.partner_id }));
    ctx.refresh();
  });
  return section(t('partners.proposeTitle'), orgs.length ? form : h('p', { class: 'empty' }, t('partners.noneToPropose')));
}

async function accept(p, ctx) {
  try {
    await api.post(`/api/v1/partnerships/${p.id}/accept`);
    notify(t('partners.accepted'));
    ctx.refresh();
  } catch (err) {
    showRowError(err, ctx);
  }
}

async function end(p, other, key, ctx) {
  const ok = await confirmDialog({
    title: t(`${key}Title`, { name: orgNames(other).primary }),
    message: t('partners.endText'),
    confirm: t(key),
    danger: true,
  });
  if (!ok) return;
  try {
    await api.del(`/api/v1/partnerships/${p.id}`);
    notify(t('partners.ended'));
    ctx.refresh();
  } catch (err) {
    showRowError(err, ctx);
  }
}

function showRowError(err, ctx) {
  if (!(err instanceof ApiError)) throw err;
  ctx.el.querySelector(':scope > .alert')?.remove();
  const box = alertBox(err);
  box.tabIndex = -1;
  ctx.el.querySelector('.page-header').after(box);
  box.focus();
}
