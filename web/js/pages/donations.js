// The donation board (#/donations, public): the pledges the visitor may
// see — anonymous visitors the public ones, members also those of their
// organisation, addressed to it or shared with it — as cards with donor,
// recipient, place, items and bars of pledged, shipped and received,
// grouped by pledge status, delivery stage, recipient or donor, with the
// totals per item of each group and of everything shown.
//
// Data: GET /api/v1/donations/pledges (with their lines) and
// GET /api/v1/donations/reconciliation?by=pledge (the totals per item of
// each pledge), both paged by pledge id with the same cursor, so that one
// page of each covers the same pledges.  Grouping and filters are applied
// here, on up to PAGE pledges; the hash keeps them:
// #/donations?group=recipient&status=committed&recipient=3&item=medical_mask
import { registerPage } from '../registry.js';
import { t, locale } from '../i18n.js';
import { api } from '../api.js';
import { h, pageHeader, table, pager } from '../dom.js';
import * as session from '../session.js';
import { loadCss } from '../vendor.js';
import {
  PLEDGE_STATUSES, DELIVERY_STAGES, tabs, filterSelect, pair, itemCell, orgCell, qty, placeLabel,
  pledgeTitle, day, pledgeBadge, visibilityBadge, flagBadges, progress, deliveryStage, sumByItem,
  isEditor, items as catalogue, catalogueName,
} from '../donations.js';
import { fmtNum } from '../situation.js';

const PAGE = 1000;
const GROUPS = ['status', 'delivery', 'recipient', 'donor', 'none'];

registerPage({
  id: 'donations',
  path: '/donations',
  title: 'donations.title',
  nav: { order: 10, label: 'nav.donations' },
  public: true,
  async render(ctx) {
    ctx.el.classList.add('don');
    const { signal, query } = ctx;
    const cursor = query.get('cursor') || undefined;
    const [pl, rc, cat] = await Promise.all([
      api.get('/api/v1/donations/pledges', { query: { limit: PAGE, cursor }, signal }),
      api.get('/api/v1/donations/reconciliation', { query: { by: 'pledge', limit: PAGE, cursor }, signal }),
      catalogue(signal),
      loadCss('/css/donations.css'),
    ]);
    const recon = new Map(rc.items.map((g) => [g.pledge_id, g]));
    const all = pl.items.map((p) => {
      const g = recon.get(p.id);
      const rows = g ? g.items : [];
      return { p, rows, flags: g ? g.flags : [], stage: deliveryStage(rows) };
    });

    const group = GROUPS.includes(query.get('group')) ? query.get('group') : 'status';
    const f = {
      status: query.get('status') || '',
      donor: query.get('donor') || '',
      recipient: query.get('recipient') || '',
      item: query.get('item') || '',
    };
    const shown = all.filter(({ p }) => (!f.status || p.status === f.status)
      && (!f.donor || String(p.donor_org) === f.donor)
      && (!f.recipient || String(p.recipient_org) === f.recipient)
      && (!f.item || p.lines.some((l) => l.item === f.item)));

    ctx.el.append(pageHeader(t('donations.title'), {
      subtitle: t('donations.subtitle'),
      actions: session.loggedIn() && isEditor()
        ? h('a', { href: '#/donations/new', class: 'btn', dataset: { act: 'new-pledge' } }, t('donations.newPledge')) : null,
    }));
    ctx.el.append(tabs('donations'));
    if (!session.loggedIn()) ctx.el.append(h('p', { class: 'alert alert-info', dataset: { note: 'public' } }, t('donations.publicOnly')));

    ctx.el.append(filters(ctx, all, cat, group, f));

    if (!shown.length) {
      ctx.el.append(h('p', { class: 'empty', dataset: { empty: 'pledges' } }, all.length ? t('donations.noMatch') : t('donations.empty')));
    } else {
      ctx.el.append(h('p', { class: 'muted board-count', dataset: { count: String(shown.length) } },
        t('donations.count', { n: fmtNum(shown.length) })));
      ctx.el.append(totalsCard(t('donations.totals'), shown.flatMap((x) => x.rows), 'all'));
      for (const [key, label, members] of groups(shown, group)) {
        ctx.el.append(groupSection(key, label, members, group));
      }
    }
    if (pl.next_cursor || cursor) {
      ctx.el.append(h('p', { class: 'muted' }, t('donations.paged', { n: fmtNum(PAGE) })),
        pager({ key: 'donations', cursor, nextCursor: pl.next_cursor, go: (c) => ctx.setQuery(withQuery(query, { cursor: c })) }));
    }
    ctx.el.append(openData());
  },
});

// The exports of the pledges the visitor may see (C10's open data).
function openData() {
  const link = (format, key) => h('li', {}, h('a', { href: `/api/v1/exports/donations?format=${format}`, download: '', dataset: { export: format } }, t(key)));
  return h('section', { class: 'card open-data', dataset: { section: 'open-data' } },
    h('h2', {}, t('donations.openData.title')),
    h('p', { class: 'muted' }, t('donations.openData.text')),
    h('ul', { class: 'open-data-links' },
      link('iati', 'donations.openData.iati'), link('hxl', 'donations.openData.hxl'), link('fts', 'donations.openData.fts')));
}

function withQuery(query, changes) {
  const q = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  return q;
}

// The filter bar: choices are those of the pledges loaded.
function filters(ctx, all, cat, group, f) {
  const orgOptions = (key, names) => {
    const m = new Map();
    for (const { p } of all) m.set(p[key], pair(p[names]).primary);
    return [...m].sort((a, b) => a[1].localeCompare(b[1], locale())).map(([id, name]) => [String(id), name]);
  };
  const used = new Set(all.flatMap(({ p }) => p.lines.map((l) => l.item)));
  const form = h('form', { class: 'filters', dataset: { form: 'board-filters' } },
    filterSelect({ name: 'group', label: t('donations.groupBy'), value: group, allLabel: null,
      options: GROUPS.map((g) => [g, t(`donations.group.${g}`)]) }),
    filterSelect({ name: 'status', label: t('donations.filter.status'), value: f.status,
      options: PLEDGE_STATUSES.map((s) => [s, t(`pledgeStatus.${s}`)]) }),
    filterSelect({ name: 'recipient', label: t('donations.filter.recipient'), value: f.recipient, options: orgOptions('recipient_org', 'recipient_org_name') }),
    filterSelect({ name: 'donor', label: t('donations.filter.donor'), value: f.donor, options: orgOptions('donor_org', 'donor_org_name') }),
    filterSelect({ name: 'item', label: t('donations.filter.item'), value: f.item,
      options: cat.filter((it) => used.has(it.code)).map((it) => [it.code, catalogueName(it)]) }),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'btn btn-secondary' }, t('donations.filter.apply')),
      f.status || f.donor || f.recipient || f.item
        ? h('button', { type: 'button', class: 'btn btn-link', dataset: { act: 'clear' }, onclick: () => ctx.setQuery(group === 'status' ? {} : { group }) }, t('donations.filter.clear'))
        : null));
  const apply = () => {
    const v = Object.fromEntries(new FormData(form).entries());
    if (v.group === 'status') delete v.group;
    ctx.setQuery(v);
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); apply(); });
  form.addEventListener('change', apply);
  return form;
}

// [key, label, members] in a stable, meaningful order.
function groups(shown, by) {
  if (by === 'none') return [['all', t('donations.group.allPledges'), shown]];
  const keyOf = {
    status: (x) => x.p.status,
    delivery: (x) => x.stage,
    recipient: (x) => String(x.p.recipient_org),
    donor: (x) => String(x.p.donor_org),
  }[by];
  const m = new Map();
  for (const x of shown) {
    const k = keyOf(x);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(x);
  }
  const label = (k, members) => {
    if (by === 'status') return t(`pledgeStatus.${k}`);
    if (by === 'delivery') return t(`delivery.${k}`);
    const p = members[0].p;
    return pair(by === 'recipient' ? p.recipient_org_name : p.donor_org_name).primary;
  };
  const order = by === 'status' ? PLEDGE_STATUSES : by === 'delivery' ? DELIVERY_STAGES : null;
  const out = [...m].map(([k, members]) => [k, label(k, members), members.sort((a, b) => b.p.id - a.p.id)]);
  if (order) out.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  else out.sort((a, b) => a[1].localeCompare(b[1], locale()));
  return out;
}

function groupSection(key, label, members, by) {
  const id = `grp-${by}-${key}`;
  return h('section', { class: 'board-group', 'aria-labelledby': id, dataset: { group: key, by } },
    h('h2', { id }, label, ' ', h('span', { class: 'count' }, t('donations.groupCount', { n: fmtNum(members.length) }))),
    groupTotals(members.flatMap((x) => x.rows)),
    h('div', { class: 'pledge-grid' }, members.map(card)));
}

// The totals per item of a group, one line each.
function groupTotals(rows) {
  const sums = sumByItem(rows);
  if (!sums.length) return null;
  return h('ul', { class: 'group-totals', 'aria-label': t('donations.groupTotals') }, sums.map((s) => h('li', { dataset: { item: s.item } },
    h('span', { class: 'item-name' }, pair(s.item_name).primary), ': ',
    t('donations.totalLine', { pledged: qty(s.pledged, s.unit), shipped: fmtNum(s.shipped), received: fmtNum(s.received) }))));
}

function totalsCard(title, rows, key) {
  const sums = sumByItem(rows);
  return h('section', { class: 'card', dataset: { totals: key } },
    h('h2', {}, title),
    table({
      caption: title,
      empty: t('donations.noLines'),
      rows: sums,
      rowAttrs: (s) => ({ dataset: { item: s.item } }),
      columns: [
        { label: t('donations.col.item'), render: (s) => itemCell(s.item_name, s.item) },
        { label: t('progress.pledged'), class: 'col-qty', render: (s) => qty(s.pledged, s.unit) },
        { label: t('progress.shipped'), class: 'col-qty', render: (s) => fmtNum(s.shipped) },
        { label: t('progress.received'), class: 'col-qty', render: (s) => fmtNum(s.received) },
        { label: t('recon.outstanding'), class: 'col-qty', render: (s) => fmtNum(s.outstanding) },
        { label: t('donations.col.progress'), class: 'col-bar', render: (s) => progress({ pledged: s.pledged, shipped: s.shipped, received: s.received }) },
      ],
    }));
}

function card({ p, rows, flags, stage }) {
  const titleId = `pledge-card-${p.id}`;
  const lines = rows.length ? rows : p.lines.map((l) => ({ item: l.item, unit: l.unit, item_name: l.item_name, pledged: l.quantity, shipped: 0, received: 0 }));
  return h('article', { class: ['pledge-card', p.status === 'cancelled' && 'is-cancelled'], 'aria-labelledby': titleId, dataset: { pledge: String(p.id), status: p.status, stage } },
    h('header', { class: 'pledge-card-head' },
      h('h3', { id: titleId }, h('a', { href: `#/pledges/${p.id}` }, pledgeTitle(p))),
      h('div', { class: 'badges' }, pledgeBadge(p.status), h('span', { class: `badge badge-stage stage-${stage}` }, t(`delivery.${stage}`)), visibilityBadge(p.visibility))),
    h('dl', { class: 'pledge-facts' },
      h('dt', {}, t('pledge.donor')), h('dd', { dataset: { role: 'donor' } }, orgCell(p.donor_org_name, p.donor_org),
        p.donor_name ? h('span', { class: 'muted donor-name' }, t('pledge.onBehalf', { name: p.donor_name })) : null),
      h('dt', {}, t('pledge.recipient')), h('dd', { dataset: { role: 'recipient' } }, orgCell(p.recipient_org_name, p.recipient_org)),
      h('dt', {}, t('pledge.place')), h('dd', { class: 'place' }, placeLabel(p)),
      h('dt', {}, t('pledge.pledgedOn')), h('dd', {}, day(p.pledged_on))),
    h('div', { class: 'pledge-lines' }, lines.map((r) => h('div', { class: 'pledge-line', dataset: { item: r.item } },
      itemCell(r.item_name, r.item),
      progress({ pledged: r.pledged, shipped: r.shipped, received: r.received, unit: r.unit })))),
    flags.length ? h('div', { class: 'pledge-flags' }, flagBadges(flags)) : null);
}
