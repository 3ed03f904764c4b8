// One area (a country or a subdivision), public: its names, population and
// WHO region; daily new cases with the 7-day average; Rt with its 95%
// credible band; the risk assessments by day and organisation (with the
// level the rules propose beside each, never in its place); the latest
// situation reports with their revision history; its subdivisions.
//
// Data: GET /api/v1/areas/{code}/series (reports visible to the caller),
// /api/v1/indicators?area= (computed from public reports),
// /api/v1/risk?scope=area&code=, /api/v1/sitreps?area= and
// /api/v1/sitreps/{id}?history=true.  Period in the hash:
// #/area/IT?from=2020-01-01&to=2020-12-31.

import { registerPage } from '../registry.js';
import { t, lang, locale } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, pageHeader, section, table, badge, nextId } from '../dom.js';
import * as session from '../session.js';
import { chartLib, loadCss } from '../vendor.js';
import {
  areas, areaName, areaOtherName, addDays, dayNum, fmtDay, fmtNum, isDay, riskBadge,
  transmissionLabel, orgsById, orgLabel,
} from '../situation.js';

const LATEST_REPORTS = 15;

registerPage({
  id: 'area',
  path: '/area/:code',
  title: 'area.title',
  navParent: 'map',
  public: true,
  async render(ctx) {
    const { signal } = ctx;
    const code = String(ctx.params.code || '').toUpperCase();
    const from = isDay(ctx.query.get('from')) ? ctx.query.get('from') : null;
    const to = isDay(ctx.query.get('to')) ? ctx.query.get('to') : null;
    const period = { from: from || undefined, to: to || undefined };
    // Everything the charts need is asked for at once; the code is checked
    // against the reference meanwhile.
    const data = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(code) ? Promise.all([
      api.get(`/api/v1/areas/${encodeURIComponent(code)}/series`, { query: period, signal }),
      api.get('/api/v1/indicators', { query: { area: code, ...period }, signal }),
      riskHistory(code, signal),
      chartLib(),
    ]) : null;
    data?.catch(() => {});
    const [ref] = await Promise.all([areas(), loadCss('/css/situation.css')]);
    const area = ref.byCode.get(code);
    if (!area || !data) throw new ApiError(404, { title: 'Not found', detail: t('area.unknown', { code }) });
    document.title = `${areaName(area)} · epibridge`;

    const parent = area.parent ? ref.byCode.get(area.parent) : null;
    ctx.el.append(pageHeader(areaName(area), {
      subtitle: h('div', { class: 'subtitle' },
        areaOtherName(area) ? h('p', { class: 'secondary-name', lang: lang() === 'zh' ? 'en' : 'zh-Hans' }, areaOtherName(area)) : null,
        h('p', { class: 'badges' },
          badge(area.code),
          area.iso3 ? badge(area.iso3) : null,
          area.who_region ? badge(t('area.whoRegion', { region: t(`region.${area.who_region}`) }), 'info') : null,
          area.population ? badge(t('area.population', { n: fmtNum(area.population) })) : null,
          parent ? h('a', { href: `#/area/${parent.code}`, class: 'badge badge-link' }, t('area.partOf', { name: areaName(parent) })) : null)),
      actions: h('a', { href: '#/map', class: 'btn btn-secondary' }, t('area.backToMap')),
    }));

    const [series, ind, riskList, uPlot] = await data;
    ctx.el.append(periodForm(ctx, from, to, series));

    // Daily cases and the 7-day average; Rt with its band.
    const charts = h('div', { class: 'chart-grid' });
    ctx.el.append(charts);
    const x = unionDays(series.dates, ind.dates);
    const caseCard = chartCard('cases', t('area.chart.cases'));
    const rtCard = chartCard('rt', t('area.chart.rt'));
    charts.append(caseCard.card, rtCard.card);
    // Names of organisations (members only) come after the charts.
    const orgsP = orgsById([series.source_org, ind.source_org, ...riskList.map((r) => r.owner_org)], signal);
    const notes = [];

    if (!x.length) {
      caseCard.body.append(h('p', { class: 'empty' }, t('area.noSeries')));
      rtCard.body.append(h('p', { class: 'empty' }, t('area.noSeries')));
    } else {
      const cases = align(x, series.dates, series.new_confirmed);
      const avg7 = align(x, ind.dates, ind.avg7);
      drawChart(uPlot, caseCard, ctx, x, [
        { label: t('area.chart.newCases'), data: cases, kind: 'bars', colour: '#6b9bd1', digits: 0 },
        { label: t('area.chart.avg7'), data: avg7, kind: 'line', colour: '#c2410c', width: 2.2, digits: 1 },
      ]);
      notes.push((orgs) => caseCard.note.prepend(t('area.chart.casesSource', { org: orgLabel(orgs, series.source_org) }),
        ind.source_org != null ? ` ${t('area.chart.indicatorsSource', { org: orgLabel(orgs, ind.source_org) })}` : ''));
      if (!ind.dates.length) {
        rtCard.body.append(h('p', { class: 'empty' }, t('area.noIndicators')));
      } else {
        const mean = align(x, ind.dates, ind.rt_mean);
        const lo = align(x, ind.dates, ind.rt_q025);
        const hi = align(x, ind.dates, ind.rt_q975);
        drawChart(uPlot, rtCard, ctx, x, [
          { label: t('area.chart.rtHi'), data: hi, kind: 'edge', colour: 'rgba(194,65,12,0.35)', digits: 2 },
          { label: t('area.chart.rtLo'), data: lo, kind: 'edge', colour: 'rgba(194,65,12,0.35)', digits: 2 },
          { label: t('area.chart.rtMean'), data: mean, kind: 'line', colour: '#c2410c', width: 2.2, digits: 2 },
          { label: t('area.chart.rtOne'), data: x.map(() => 1), kind: 'ref', colour: '#5a6574', digits: 0 },
        ], { band: [0, 1], yMax: rtAxisMax(mean, hi) });
        rtCard.note.append(t('area.chart.rtNote'));
        const top = rtAxisMax(mean, hi);
        if (hi.some((v) => v != null && v > top)) rtCard.note.append(' ', t('area.chart.rtCapped', { max: fmtNum(top, 0) }));
      }
    }

    let orgs = await orgsP;
    for (const note of notes) note(orgs);

    // The risk assessments, newest first.
    ctx.el.append(section(t('area.risk.title'), riskTable(riskList, orgs)));

    // The latest reports (all visible sources), newest first.
    const lastDay = series.dates.length ? series.dates[series.dates.length - 1] : null;
    const reports = await latestReports(code, lastDay, to, signal);
    orgs = await orgsById(reports.map((r) => r.owner_org), signal);
    ctx.el.append(section(t('area.reports.title'), reportsTable(reports, orgs, signal)));

    const subs = ref.children.get(code) || [];
    if (subs.length) {
      ctx.el.append(section(t('area.subdivisions'),
        h('ul', { class: 'subdivision-list' }, subs
          .slice().sort((a, b) => areaName(a).localeCompare(areaName(b), locale()))
          .map((s) => h('li', { dataset: { code: s.code } }, h('a', { href: `#/area/${s.code}` }, areaName(s)),
            s.population ? h('span', { class: 'muted' }, ` · ${fmtNum(s.population)}`) : null)))));
    }
  },
});

// ---- data ----

async function riskHistory(code, signal) {
  const items = [];
  let cursor = null;
  // The history of one area is short; stop after a few pages all the same.
  for (let i = 0; i < 5; i++) {
    const page = await api.get('/api/v1/risk', { query: { scope: 'area', code, limit: 200, cursor }, signal });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items.reverse();
}

// The latest reports: those of the last weeks of the series (or of the
// period's end), newest first; several organisations may report a day.
async function latestReports(code, lastDay, to, signal) {
  const end = to || lastDay;
  const query = { area: code, limit: 200 };
  if (end) { query.from = addDays(end, -30); query.to = end; }
  const page = await api.get('/api/v1/sitreps', { query, signal });
  return (page.items || []).sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.owner_org - b.owner_org))
    .slice(0, LATEST_REPORTS);
}

// Sorted union of two lists of days.
function unionDays(a = [], b = []) {
  const s = new Set(a);
  for (const d of b) s.add(d);
  return [...s].sort();
}

// values[] of days[] placed on the days of x (null where absent).
function align(x, days = [], values = []) {
  const at = new Map(days.map((d, i) => [d, values[i]]));
  return x.map((d) => {
    const v = at.get(d);
    return v === undefined ? null : v;
  });
}

// Rt's axis: early estimates from a handful of cases reach tens with wide
// intervals and would flatten the rest; the axis stops at about 1.3 times
// the 95th percentile of the mean (between 2 and 6), or at the band's top
// when lower.
function rtAxisMax(mean, hi) {
  const m = mean.filter((v) => v != null).sort((a, b) => a - b);
  const top = Math.max(2, ...hi.filter((v) => v != null));
  if (!m.length) return 2;
  const p95 = m[Math.min(m.length - 1, Math.floor(m.length * 0.95))];
  return Math.min(top, Math.max(2, Math.min(6, Math.ceil(p95 * 1.3 * 2) / 2)));
}

// ---- the period ----

function periodForm(ctx, from, to, series) {
  const form = h('form', { class: 'period-form', dataset: { form: 'period' } },
    h('div', { class: 'field' }, h('label', { for: 'period-from' }, t('area.from')),
      h('input', { id: 'period-from', name: 'from', type: 'date', value: from || series.dates[0] || '' })),
    h('div', { class: 'field' }, h('label', { for: 'period-to' }, t('area.to')),
      h('input', { id: 'period-to', name: 'to', type: 'date', value: to || series.dates[series.dates.length - 1] || '' })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-secondary' }, t('area.apply')),
      from || to ? h('button', { type: 'button', class: 'btn btn-link', dataset: { act: 'all-days' }, onclick: () => ctx.setQuery({}) }, t('area.allDays')) : null));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = form.elements.from.value;
    const tt = form.elements.to.value;
    ctx.setQuery({ from: isDay(f) ? f : '', to: isDay(tt) ? tt : '' });
  });
  return h('div', { class: 'card period-card' }, form);
}

// ---- charts (uPlot) ----

function chartCard(id, title) {
  const titleId = nextId('chart');
  const body = h('div', { class: 'chart-body', dataset: { chart: id } });
  const note = h('p', { class: 'chart-note muted' });
  const card = h('section', { class: 'card chart-card', 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), body, note);
  return { card, body, note, title };
}

const secs = (d) => dayNum(d) * 86400;

// Draws lines, bars, a reference line and a band between two 'edge' series
// (band: [index of upper, index of lower] among `lines`, 0-based).
function drawChart(uPlot, card, ctx, x, lines, { band = null, yMax = null } = {}) {
  const xs = x.map(secs);
  const spanDays = x.length ? dayNum(x[x.length - 1]) - dayNum(x[0]) : 0;
  const axisDate = new Intl.DateTimeFormat(locale(), spanDays > 200
    ? { year: 'numeric', month: 'short', timeZone: 'UTC' }
    : { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const compact = new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 });
  const series = [{ label: t('area.chart.day'), value: (u, v) => (v == null ? '—' : fmtDay(new Date(v * 1000).toISOString().slice(0, 10))) }];
  for (const l of lines) {
    const s = {
      label: l.label,
      stroke: l.colour,
      width: l.width || 1,
      points: { show: false },
      spanGaps: false,
      value: (u, v) => (v == null ? '—' : fmtNum(v, l.digits)),
    };
    if (l.kind === 'bars') {
      s.paths = uPlot.paths.bars({ size: [0.85, 24], align: 0 });
      s.fill = 'rgba(107,155,209,0.55)';
      s.width = 0;
    } else if (l.kind === 'ref') {
      s.dash = [6, 5];
      s.width = 1.2;
    } else if (l.kind === 'edge') {
      s.width = 0.8;
    }
    series.push(s);
  }
  const opts = {
    width: Math.max(280, card.body.clientWidth),
    height: 280,
    series,
    scales: {
      x: { time: true },
      y: yMax ? { range: () => [0, yMax] } : { range: (u, lo, hi) => [Math.min(0, lo ?? 0), Math.max(hi || 1, 1) * 1.08] },
    },
    axes: [
      { values: (u, splits) => splits.map((s) => axisDate.format(new Date(s * 1000))), stroke: '#5a6574', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#d7dde5' } },
      { values: (u, splits) => splits.map((s) => compact.format(s)), size: 56, stroke: '#5a6574', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#d7dde5' } },
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    hooks: {
      draw: [(u) => { card.body.dataset.drawn = 'true'; card.body.dataset.draws = String(Number(card.body.dataset.draws || 0) + 1); }],
    },
  };
  if (band) {
    opts.bands = [{ series: [band[0] + 1, band[1] + 1], fill: 'rgba(194,65,12,0.16)' }];
    const [hi, lo] = [lines[band[0]].data, lines[band[1]].data];
    card.body.dataset.band = String(hi.filter((v, i) => v != null && lo[i] != null).length);
  }
  const data = [xs, ...lines.map((l) => l.data)];
  // What the tests (and a screen reader's summary) need: the number of days
  // and of values drawn per series.
  card.body.dataset.points = String(xs.length);
  lines.forEach((l, i) => { card.body.dataset[`s${i + 1}`] = String(l.data.filter((v) => v != null).length); });
  card.body.setAttribute('role', 'img');
  card.body.setAttribute('aria-label', t('area.chart.summary', { title: card.title, n: xs.length, from: fmtDay(x[0]), to: fmtDay(x[x.length - 1]) }));
  const plot = new uPlot(opts, data, card.body);
  const ro = new ResizeObserver(() => {
    const w = Math.max(280, card.body.clientWidth);
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: 280 });
  });
  ro.observe(card.body);
  ctx.signal.addEventListener('abort', () => { ro.disconnect(); plot.destroy(); }, { once: true });
  return plot;
}

// ---- risk ----

function riskTable(items, orgs) {
  return table({
    caption: t('area.risk.title'),
    empty: t('area.risk.none'),
    rows: items,
    rowAttrs: (r) => ({ dataset: { risk: String(r.id), level: r.level } }),
    columns: [
      { label: t('area.risk.day'), class: 'col-nowrap', render: (r) => fmtDay(r.date) },
      { label: t('area.risk.level'), class: 'col-badges', render: (r) => riskBadge(r.level) },
      { label: t('area.risk.org'), render: (r) => orgLabel(orgs, r.owner_org) },
      {
        label: t('area.risk.rationale'),
        render: (r) => h('div', { class: 'rationale' }, r.rationale || '—', r.source ? h('p', { class: 'muted small' }, r.source) : null),
      },
      {
        label: t('area.risk.proposed'),
        render: (r) => {
          const p = r.proposed;
          if (!p) return '—';
          const reasons = (p.reasons || []).length ? h('details', { class: 'reasons' },
            h('summary', {}, t('area.risk.why')),
            h('ul', { lang: 'en' }, p.reasons.map((x) => h('li', {}, x)))) : null;
          return h('div', { class: 'proposed', dataset: { proposed: p.level || 'none' } },
            p.level ? riskBadge(p.level, { proposed: true }) : h('span', { class: 'muted' }, t('area.risk.noProposal')), reasons);
        },
      },
    ],
  });
}

// ---- reports ----

function reportsTable(reports, orgs, signal) {
  const member = session.loggedIn();
  const columns = [
    { label: t('area.reports.date'), class: 'col-nowrap', render: (r) => fmtDay(r.date) },
    { label: t('area.reports.newCases'), class: 'col-figure', render: (r) => fmtNum(r.new_confirmed) },
    { label: t('area.reports.cumCases'), class: 'col-figure', render: (r) => fmtNum(r.cum_confirmed) },
    { label: t('area.reports.newDeaths'), class: 'col-figure', render: (r) => fmtNum(r.new_deaths) },
    { label: t('area.reports.cumDeaths'), class: 'col-figure', render: (r) => fmtNum(r.cum_deaths) },
    { label: t('area.reports.transmission'), render: (r) => (r.transmission ? transmissionLabel(r.transmission) : '—') },
    { label: t('area.reports.source'), render: (r) => orgLabel(orgs, r.owner_org) },
  ];
  if (member) columns.push({ label: t('area.reports.visibility'), render: (r) => badge(t(`visibility.${r.visibility}`), r.visibility === 'public' ? '' : 'info') });
  columns.push({
    label: t('area.reports.revision'),
    class: 'col-actions',
    render: (r) => h('button', {
      type: 'button', class: 'btn btn-link btn-small', dataset: { act: 'history', id: String(r.id) },
      'aria-label': t('area.reports.historyOf', { date: fmtDay(r.date), revision: r.revision }),
      onclick: (ev) => showHistory(r, orgs, signal, ev.currentTarget),
    }, t('area.reports.revisionN', { n: r.revision })),
  });
  return table({
    caption: t('area.reports.title'),
    empty: t('area.reports.none'),
    rows: reports,
    rowAttrs: (r) => ({ dataset: { report: String(r.id), visibility: r.visibility } }),
    columns,
  });
}

async function showHistory(r, orgs, signal, opener) {
  let full;
  try {
    full = await api.get(`/api/v1/sitreps/${r.id}`, { query: { history: 'true' }, signal });
  } catch (err) {
    if (err instanceof ApiError) { infoDialog(t('area.history.title'), h('div', { class: 'alert alert-error', role: 'alert' }, err.detail || err.message), opener); return; }
    throw err;
  }
  const current = {
    revision: full.revision, changed_at: full.updated_at, changed_by: full.updated_by, values: full,
  };
  const revs = [current, ...(full.history || []).slice().reverse()];
  const body = h('div', {},
    h('p', { class: 'muted' }, t('area.history.intro', { area: r.area, date: fmtDay(r.date), org: orgLabel(orgs, r.owner_org) })),
    table({
      caption: t('area.history.title'),
      empty: '',
      rows: revs,
      rowAttrs: (v) => ({ dataset: { revision: String(v.revision) } }),
      columns: [
        { label: t('area.history.revision'), class: 'col-num', render: (v) => String(v.revision) },
        { label: t('area.history.when'), class: 'col-nowrap', render: (v) => new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(v.changed_at)) },
        { label: t('area.reports.newCases'), class: 'col-figure', render: (v) => fmtNum(v.values.new_confirmed) },
        { label: t('area.reports.cumCases'), class: 'col-figure', render: (v) => fmtNum(v.values.cum_confirmed) },
        { label: t('area.reports.newDeaths'), class: 'col-figure', render: (v) => fmtNum(v.values.new_deaths) },
        { label: t('area.reports.transmission'), render: (v) => (v.values.transmission ? transmissionLabel(v.values.transmission) : '—') },
        { label: t('area.history.note'), render: (v) => v.values.note || '—' },
      ],
    }));
  infoDialog(t('area.history.title'), body, opener);
}

// A modal dialog with content and a Close button (Escape closes too;
// focus goes back to the opener).
function infoDialog(title, content, opener) {
  const titleId = nextId('dlg');
  const close = h('button', { type: 'button', class: 'btn btn-secondary', dataset: { act: 'close' } }, t('area.close'));
  const dlg = h('dialog', { class: 'dialog dialog-wide', 'aria-labelledby': titleId, dataset: { dialog: 'history' } },
    h('div', { class: 'dialog-form' }, h('h2', { id: titleId }, title), content, h('div', { class: 'actions' }, close)));
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => { dlg.remove(); opener?.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  close.focus();
}
