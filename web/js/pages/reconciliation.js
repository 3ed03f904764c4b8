// Reconciliation (#/reconciliation, public): per pledge, donor, recipient
// or item, and per item within, what was pledged, shipped and received,
// what is outstanding, and the gaps the server flags (received short or
// over, discrepancy, lost, overdue) — shown with a sign and in words on a
// tinted row, never by colour alone.
//
// Data: GET /api/v1/donations/reconciliation?by=&donor=&recipient=&item=
// (by=pledge is paged by pledge id; the pledges of the same page give
// their titles), and by=donor / by=recipient once more, unfiltered, for
// the names the filters offer.
// #/reconciliation?by=recipient&donor=2&item=medical_mask&gaps=1
import { registerPage } from '../registry.js';
import { t, locale } from '../i18n.js';
import { api } from '../api.js';
import { h, pageHeader, pager, nextId } from '../dom.js';
import { loadCss } from '../vendor.js';
import { fmtNum } from '../situation.js';
import * as session from '../session.js';
import {
  tabs, filterSelect, pair, itemCell, orgCell, qty, pledgeTitle, flagBadges, items as catalogue, catalogueName, day,
} from '../donations.js';

const BY = ['pledge', 'donor', 'recipient', 'item'];
const PAGE = 100;

registerPage({
  id: 'reconciliation',
  path: '/reconciliation',
  title: 'recon.title',
  navParent: 'donations',
  public: true,
  async render(ctx) {
    ctx.el.classList.add('don');
    const { signal, query } = ctx;
    const by = BY.includes(query.get('by')) ? query.get('by') : 'pledge';
    const f = {
      donor: /^\d+$/.test(query.get('donor') || '') ? query.get('donor') : '',
      recipient: /^\d+$/.test(query.get('recipient') || '') ? query.get('recipient') : '',
      item: query.get('item') || '',
    };
    const gapsOnly = query.get('gaps') === '1';
    const cursor = by === 'pledge' ? query.get('cursor') || undefined : undefined;
    const common = { donor: f.donor, recipient: f.recipient };
    const [res, donors, recipients, cat, pledges] = await Promise.all([
      api.get('/api/v1/donations/reconciliation', { query: { by, ...common, item: f.item, limit: by === 'pledge' ? PAGE : undefined, cursor }, signal }),
      api.get('/api/v1/donations/reconciliation', { query: { by: 'donor' }, signal }),
      api.get('/api/v1/donations/reconciliation', { query: { by: 'recipient' }, signal }),
      catalogue(signal),
      by === 'pledge' ? api.get('/api/v1/donations/pledges', { query: { ...common, limit: PAGE, cursor }, signal }) : null,
      loadCss('/css/donations.css'),
    ]);
    const byId = new Map((pledges?.items || []).map((p) => [p.id, p]));

    ctx.el.append(pageHeader(t('recon.title'), { subtitle: t('recon.subtitle', { date: day(res.as_of) }) }));
    ctx.el.append(tabs('reconciliation'));
    if (!session.loggedIn()) ctx.el.append(h('p', { class: 'alert alert-info', dataset: { note: 'public' } }, t('recon.publicOnly')));

    const names = (list, key) => list.items.map((g) => [String(g[key]), pair(g.name).primary])
      .sort((a, b) => a[1].localeCompare(b[1], locale()));
    const form = h('form', { class: 'filters', dataset: { form: 'recon-filters' } },
      filterSelect({ name: 'by', label: t('recon.by'), value: by, allLabel: null, options: BY.map((b) => [b, t(`recon.byOpt.${b}`)]) }),
      filterSelect({ name: 'donor', label: t('donations.filter.donor'), value: f.donor, options: names(donors, 'donor_org') }),
      filterSelect({ name: 'recipient', label: t('donations.filter.recipient'), value: f.recipient, options: names(recipients, 'recipient_org') }),
      filterSelect({ name: 'item', label: t('donations.filter.item'), value: f.item, options: cat.map((it) => [it.code, catalogueName(it)]) }),
      h('div', { class: 'field field-check' },
        h('label', {}, h('input', { type: 'checkbox', name: 'gaps', value: '1', checked: gapsOnly }), ' ', t('recon.gapsOnly'))),
      h('div', { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'btn btn-secondary' }, t('donations.filter.apply'))));
    const apply = () => {
      const v = Object.fromEntries(new FormData(form).entries());
      if (v.by === 'pledge') delete v.by;
      ctx.setQuery(v);
    };
    form.addEventListener('submit', (ev) => { ev.preventDefault(); apply(); });
    form.addEventListener('change', apply);
    ctx.el.append(form);

    // Groups (pledge, donor, recipient) or, by item, one row each.
    let groups = by === 'item'
      ? res.items.map((r) => ({ key: r.item, label: null, rows: [r] }))
      : res.items.map((g) => ({ key: g[{ pledge: 'pledge_id', donor: 'donor_org', recipient: 'recipient_org' }[by]], g, rows: g.items }));
    if (gapsOnly) {
      groups = groups.map((g) => ({ ...g, rows: g.rows.filter((r) => r.flags.length) })).filter((g) => g.rows.length);
    }
    const nGaps = groups.reduce((a, g) => a + g.rows.filter((r) => r.flags.length).length, 0);
    ctx.el.append(h('p', { class: ['recon-summary', nGaps ? 'has-gaps' : 'no-gaps'], dataset: { gaps: String(nGaps) } },
      nGaps ? h('span', { 'aria-hidden': 'true' }, '⚠ ') : null,
      nGaps ? t('recon.gapCount', { n: fmtNum(nGaps) }) : t('recon.noGaps')));

    if (!groups.length) {
      ctx.el.append(h('p', { class: 'empty', dataset: { empty: 'recon' } }, t('recon.empty')));
    } else {
      ctx.el.append(reconTable(by, groups, byId));
    }
    if (by === 'pledge' && (res.next_cursor || cursor)) {
      ctx.el.append(pager({
        key: 'recon', cursor, nextCursor: res.next_cursor,
        go: (c) => ctx.setQuery({ ...f, gaps: gapsOnly ? '1' : '', cursor: c }),
      }));
    }
  },
});

function groupCell(by, g, byId) {
  if (by === 'pledge') {
    const p = byId.get(g.key);
    if (!p) return h('a', { href: `#/pledges/${g.key}` }, t('pledge.numbered', { id: g.key }));
    return h('div', { class: 'name-pair recon-pledge' },
      h('a', { href: `#/pledges/${p.id}` }, pledgeTitle(p)),
      h('span', { class: 'secondary' }, `${pair(p.donor_org_name).primary} → ${pair(p.recipient_org_name).primary}`));
  }
  return orgCell(g.g.name, g.key);
}

function reconTable(by, groups, byId) {
  const captionId = nextId('recon');
  const groupLabel = by === 'item' ? null : t(`recon.byOpt.${by}`);
  const cols = [
    groupLabel,
    t('donations.col.item'), t('progress.pledged'), t('progress.shipped'), t('progress.received'),
    t('recon.outstanding'), t('recon.gaps'),
  ].filter((c) => c !== null);
  const num = (label, v, extra = {}) => h('td', { class: 'col-qty', 'data-label': label, ...extra }, v);
  const body = groups.flatMap((g) => g.rows.map((r, i) => {
    const gap = r.flags.length > 0;
    return h('tr', {
      class: [gap && 'row-gap', i === 0 && 'group-first'],
      dataset: { group: String(g.key), item: r.item, flags: r.flags.join(' '), outstanding: String(r.outstanding) },
    },
    groupLabel && i === 0 ? h('td', { rowspan: String(g.rows.length), class: 'col-group', 'data-label': groupLabel }, groupCell(by, g, byId)) : null,
    h('td', { 'data-label': t('donations.col.item'), class: 'col-item' }, itemCell(r.item_name, r.item)),
    num(t('progress.pledged'), qty(r.pledged, r.unit), { dataset: { measure: 'pledged' } }),
    num(t('progress.shipped'), fmtNum(r.shipped), { dataset: { measure: 'shipped' } }),
    num(t('progress.received'), fmtNum(r.received), { dataset: { measure: 'received' } }),
    num(t('recon.outstanding'), r.outstanding ? h('strong', {}, fmtNum(r.outstanding)) : '0', { dataset: { measure: 'outstanding' } }),
    h('td', { 'data-label': t('recon.gaps'), class: 'col-gaps' }, flagBadges(r.flags)));
  }));
  return h('div', { class: 'table-wrap recon-wrap' },
    h('table', { class: 'data recon-table', 'aria-describedby': captionId },
      h('caption', { id: captionId, class: 'sr-only' }, t('recon.caption')),
      h('thead', {}, h('tr', {}, cols.map((c, i) => h('th', { scope: 'col', class: i >= cols.length - 5 && i < cols.length - 1 ? 'col-qty' : null }, c)))),
      h('tbody', {}, body)));
}
