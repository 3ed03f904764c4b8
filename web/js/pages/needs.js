// Needs (#/needs, public): what recipient organisations ask for (item,
// quantity, priority, needed by, place) and how far it is covered —
// needed against pledged, shipped and received, counting the pledges the
// visitor may see.  Editors post a need of their organisation and close
// or reopen it; editors of other organisations start a pledge answering
// it (#/donations/new?need=3).
//
// Data: GET /api/v1/donations/reconciliation/needs (the coverage, with the
// need's fields), the catalogue; POST and PATCH /api/v1/donations/needs.
// Filters in the hash, applied here: #/needs?status=open&item=medical_mask&org=3
import { registerPage } from '../registry.js';
import { t, locale } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, field, onSubmit, pageHeader, notify, alertBox, pager } from '../dom.js';
import * as session from '../session.js';
import { loadCss } from '../vendor.js';
import { fmtNum, today } from '../situation.js';
import {
  PRIORITIES, NEED_STATUSES, VISIBILITIES, tabs, filterSelect, pair, itemCell, orgCell, qty, placeLabel,
  day, priorityBadge, progress, isEditor, items as catalogue, catalogueName, unitLabel,
} from '../donations.js';

const PAGE = 1000;

registerPage({
  id: 'needs',
  path: '/needs',
  title: 'needs.title',
  navParent: 'donations',
  public: true,
  async render(ctx) {
    ctx.el.classList.add('don');
    const { signal, query } = ctx;
    const cursor = query.get('cursor') || undefined;
    const [cov, cat] = await Promise.all([
      api.get('/api/v1/donations/reconciliation/needs', { query: { limit: PAGE, cursor }, signal }),
      catalogue(signal),
      loadCss('/css/donations.css'),
    ]);
    const f = { status: query.get('status') || '', item: query.get('item') || '', org: query.get('org') || '' };
    const shown = cov.items
      .filter((n) => (!f.status || n.status === f.status) && (!f.item || n.item === f.item) && (!f.org || String(n.owner_org) === f.org))
      .sort((a, b) => (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1)
        || PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority)
        || (a.needed_by || '9999').localeCompare(b.needed_by || '9999')
        || a.need_id - b.need_id);
    const mine = session.org()?.id ?? null;

    ctx.el.append(pageHeader(t('needs.title'), { subtitle: t('needs.subtitle') }));
    ctx.el.append(tabs('needs'));
    if (!session.loggedIn()) ctx.el.append(h('p', { class: 'alert alert-info', dataset: { note: 'public' } }, t('needs.publicOnly')));
    if (session.loggedIn() && isEditor()) ctx.el.append(postForm(ctx, cat));

    const orgs = new Map(cov.items.map((n) => [n.owner_org, pair(n.owner_org_name).primary]));
    const used = new Set(cov.items.map((n) => n.item));
    const form = h('form', { class: 'filters', dataset: { form: 'need-filters' } },
      filterSelect({ name: 'status', label: t('needs.status'), value: f.status, options: NEED_STATUSES.map((s) => [s, t(`needStatus.${s}`)]) }),
      filterSelect({ name: 'item', label: t('donations.filter.item'), value: f.item, options: cat.filter((it) => used.has(it.code)).map((it) => [it.code, catalogueName(it)]) }),
      filterSelect({ name: 'org', label: t('needs.recipient'), value: f.org,
        options: [...orgs].sort((a, b) => a[1].localeCompare(b[1], locale())).map(([id, name]) => [String(id), name]) }),
      h('div', { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'btn btn-secondary' }, t('donations.filter.apply')),
        f.status || f.item || f.org ? h('button', { type: 'button', class: 'btn btn-link', dataset: { act: 'clear' }, onclick: () => ctx.setQuery({}) }, t('donations.filter.clear')) : null));
    const apply = () => ctx.setQuery(Object.fromEntries(new FormData(form).entries()));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); apply(); });
    form.addEventListener('change', apply);
    ctx.el.append(form);

    if (!shown.length) {
      ctx.el.append(h('p', { class: 'empty', dataset: { empty: 'needs' } }, cov.items.length ? t('needs.noMatch') : t('needs.empty')));
    } else {
      ctx.el.append(h('div', { class: 'need-grid' }, shown.map((n) => needCard(ctx, n, mine))));
    }
    if (cov.next_cursor || cursor) {
      ctx.el.append(pager({ key: 'needs', cursor, nextCursor: cov.next_cursor, go: (c) => ctx.setQuery({ ...f, cursor: c }) }));
    }
  },
});

function needCard(ctx, n, mine) {
  const titleId = `need-${n.need_id}`;
  const own = isEditor() && mine === n.owner_org;
  const canPledge = isEditor() && mine !== null && mine !== n.owner_org && n.status === 'open';
  const covered = n.uncovered === 0;
  return h('article', { class: ['need-card', n.status === 'closed' && 'is-closed'], 'aria-labelledby': titleId, dataset: { need: String(n.need_id), status: n.status, priority: n.priority } },
    h('header', { class: 'need-head' },
      h('h3', { id: titleId }, itemCell(n.item_name, n.item)),
      h('div', { class: 'badges' }, priorityBadge(n.priority),
        h('span', { class: `badge ${n.status === 'open' ? 'badge-info' : 'badge-muted'}` }, t(`needStatus.${n.status}`)))),
    h('dl', { class: 'pledge-facts' },
      h('dt', {}, t('needs.quantity')), h('dd', { class: 'need-qty' }, qty(n.needed, n.unit)),
      h('dt', {}, t('needs.recipient')), h('dd', {}, orgCell(n.owner_org_name, n.owner_org)),
      h('dt', {}, t('pledge.place')), h('dd', { class: 'place' }, placeLabel(n)),
      h('dt', {}, t('pledge.neededBy')), h('dd', {}, day(n.needed_by))),
    h('div', { class: 'need-coverage', dataset: { uncovered: String(n.uncovered) } },
      h('h4', {}, t('needs.coverage')),
      progress({ needed: n.needed, pledged: n.pledged, shipped: n.shipped, received: n.received, unit: n.unit }),
      h('p', { class: ['coverage-note', covered ? 'is-covered' : 'is-open'] },
        covered ? t('needs.covered') : t('needs.uncovered', { qty: qty(n.uncovered, n.unit) }),
        ' · ', t('needs.pledgeCount', { n: fmtNum(n.pledges) }))),
    canPledge || own ? h('div', { class: 'actions need-actions' },
      canPledge ? h('a', { href: `#/donations/new?need=${n.need_id}`, class: 'btn btn-small', dataset: { act: 'pledge-need' } }, t('needs.pledge')) : null,
      own ? h('button', {
        type: 'button', class: 'btn btn-small btn-secondary', dataset: { act: n.status === 'open' ? 'close-need' : 'reopen-need' },
        onclick: (ev) => setStatus(ctx, n, n.status === 'open' ? 'closed' : 'open', ev.currentTarget),
      }, n.status === 'open' ? t('needs.close') : t('needs.reopen')) : null) : null);
}

async function setStatus(ctx, n, status, button) {
  try {
    await api.patch(`/api/v1/donations/needs/${n.need_id}`, { status });
    notify(t(status === 'closed' ? 'needs.closed' : 'needs.reopened'));
    ctx.refresh();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const card = button.closest('.need-card');
    card.querySelector('.alert')?.remove();
    const box = alertBox(err);
    box.tabIndex = -1;
    card.append(box);
    box.focus();
  }
}

function postForm(ctx, cat) {
  const org = session.org();
  const form = h('form', { class: 'form-grid', dataset: { form: 'new-need' } },
    field({ name: 'item', label: t('donations.col.item'), type: 'select', value: '', required: true,
      options: [['', t('pledgeNew.chooseItem')], ...cat.map((it) => [it.code, `${catalogueName(it)} (${unitLabel(it.unit)})`])] }),
    field({ name: 'quantity', label: t('needs.quantity'), type: 'number', min: 1, step: 1, required: true }),
    field({ name: 'priority', label: t('needs.priority'), type: 'select', value: 'medium', options: PRIORITIES.map((p) => [p, t(`priority.${p}`)]) }),
    field({ name: 'needed_by', label: t('pledge.neededBy'), type: 'date', min: today() }),
    field({ name: 'country', label: t('pledgeNew.country'), value: org?.country || '', required: true, maxlength: 2, class: 'input-short', hint: t('pledgeNew.countryHint') }),
    field({ name: 'subdivision', label: t('pledgeNew.subdivision'), maxlength: 6, class: 'input-short', hint: t('pledgeNew.subdivisionHint') }),
    field({ name: 'city', label: t('pledgeNew.city'), maxlength: 100 }),
    field({ name: 'visibility', label: t('pledgeNew.visibility'), type: 'select', value: 'partners', options: VISIBILITIES.map((v) => [v, t(`visibility.${v}`)]), hint: t('needs.visibilityHint') }),
    field({ name: 'note', label: t('pledge.note'), type: 'textarea', maxlength: 4000, rows: 2 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn', dataset: { act: 'post-need' } }, t('needs.post'))));
  onSubmit(form, async (v) => {
    const body = {
      item: v.item || '',
      quantity: v.quantity ? Number(v.quantity) : 0,
      priority: v.priority,
      country: (v.country || '').toUpperCase(),
      visibility: v.visibility,
    };
    if (v.needed_by) body.needed_by = v.needed_by;
    if (v.subdivision) body.subdivision = v.subdivision.toUpperCase();
    if (v.city) body.city = v.city;
    if (v.note) body.note = v.note;
    const n = await api.post('/api/v1/donations/needs', body);
    notify(t('needs.posted', { item: pair(n.item_name).primary }));
    ctx.refresh();
  });
  return h('details', { class: 'card disclosure', dataset: { disclosure: 'new-need' } },
    h('summary', {}, t('needs.postTitle')), form);
}
