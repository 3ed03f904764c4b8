// The situation map (home page, public): countries coloured by an indicator
// (new cases, 7-day average per 100,000, 14-day notification rate, Rt) or by
// the latest risk assessment as of a day chosen with a slider.  Hovering a
// country shows its figures; clicking opens its page.
//
// Data of a day: GET /api/v1/situation/{date} (reports visible to the
// caller: anonymous visitors see public ones, members what is shared with
// their organisation), /api/v1/indicators/world/{date} (computed from public
// reports) and /api/v1/risk/world/{date} (latest visible assessment of each
// area, region and the world).  Shapes: world-atlas TopoJSON (Natural Earth
// 1:110m) drawn with d3-geo as SVG paths.
//
// State in the hash: #/map?by=nr14&date=2020-03-20 (kept with
// history.replaceState while the slider moves, so the page is not redrawn).

import { registerPage } from '../registry.js';
import { t, lang } from '../i18n.js';
import { api, isAbort } from '../api.js';
import { h, pageHeader, alertBox } from '../dom.js';
import * as session from '../session.js';
import { mapLibs, worldAtlas, loadCss } from '../vendor.js';
import {
  areas, areaName, areaOtherName, dayNum, dayIso, fmtDay, fmtNum, reportedRange, onePerArea,
  saysNoCases, transmissionLabel, riskBadge, RISK_LEVELS, isDay, orgsById, orgLabel,
} from '../situation.js';

const SEQ = ['#fef0d9', '#fdd49e', '#fdbb84', '#fc8d59', '#e34a33', '#b30000'];
const DIV = ['#1a9850', '#91cf60', '#d9ef8b', '#fee08b', '#fc8d59', '#d73027'];
export const RISK_COLOURS = { low: '#74c476', moderate: '#fed976', high: '#fd8d3c', very_high: '#bd0026' };
const NO_REPORT = '#cfd4da';
const NO_CASES = '#a6d4ec';
const NO_VALUE = '#eef0f3';
const NO_ASSESSMENT = '#dde1e6';

// What the map can be coloured by.  value(day, area) -> number or null;
// thresholds split values into len+1 classes (class i: below thresholds[i]).
const MODES = {
  cases: {
    thresholds: [1, 10, 100, 1000, 10000],
    palette: SEQ,
    digits: 0,
    value: (day, a) => day.reports.get(a.code)?.report.new_confirmed ?? null,
    // Whole numbers: "0", "1–9", "10–99", ...
    labels: (th) => th.map((b, i) => (i === 0 ? fmtNum(0) : `${fmtNum(th[i - 1])}–${fmtNum(b - 1)}`)).concat(`≥ ${fmtNum(th[th.length - 1])}`),
  },
  avg7: {
    thresholds: [1, 5, 10, 25, 50],
    palette: SEQ,
    digits: 1,
    value: (day, a) => {
      const v = day.ind.get(a.code)?.avg7;
      return v != null && a.population ? (v / a.population) * 1e5 : null;
    },
  },
  nr14: {
    // The risk rules' bands (25, 50, 150) with a class below and above.
    thresholds: [5, 25, 50, 150, 500],
    palette: SEQ,
    digits: 1,
    value: (day, a) => day.ind.get(a.code)?.nr14 ?? null,
  },
  rt: {
    thresholds: [0.8, 0.95, 1.05, 1.25, 1.5],
    palette: DIV,
    digits: 2,
    value: (day, a) => day.ind.get(a.code)?.rt_mean ?? null,
  },
  risk: { categorical: true },
};
const MODE_IDS = Object.keys(MODES);

function rangeLabels(mode) {
  const th = mode.thresholds;
  if (mode.labels) return mode.labels(th);
  const f = (x) => fmtNum(x, mode.digits === 2 ? 2 : x < 10 && !Number.isInteger(x) ? 1 : 0);
  return th.map((b, i) => (i === 0 ? `< ${f(b)}` : `${f(th[i - 1])}–${f(b)}`)).concat(`≥ ${f(th[th.length - 1])}`);
}

function classOf(mode, v) {
  let i = 0;
  while (i < mode.thresholds.length && v >= mode.thresholds[i]) i += 1;
  return i;
}

// How one area looks on one day: { fill, cat, value } where cat is a class
// index, a risk level, or 'no-report' | 'no-cases' | 'no-value' | 'no-assessment'.
function paint(modeId, day, a) {
  if (!a) return { fill: NO_REPORT, cat: 'no-report', value: null };
  if (modeId === 'risk') {
    const r = day.risk.area.get(a.code);
    return r ? { fill: RISK_COLOURS[r.level], cat: r.level, value: r.level } : { fill: NO_ASSESSMENT, cat: 'no-assessment', value: null };
  }
  const mode = MODES[modeId];
  const rep = day.reports.get(a.code)?.report;
  if (rep && saysNoCases(rep)) return { fill: NO_CASES, cat: 'no-cases', value: 0 };
  const v = mode.value(day, a);
  if (v !== null && v !== undefined && Number.isFinite(v)) {
    const c = classOf(mode, v);
    return { fill: mode.palette[c], cat: String(c), value: v };
  }
  if (!rep) return { fill: NO_REPORT, cat: 'no-report', value: null };
  return { fill: NO_VALUE, cat: 'no-value', value: null };
}

// ---- data of a day (kept for the slider: going back is instant) ----

const dayCache = new Map(); // key -> { at, p }
const DAY_CACHE_MAX = 40;
const DAY_CACHE_MS = 5 * 60 * 1000;

function loadDay(date, signal) {
  const key = `${session.user()?.id ?? 0}|${date}`;
  const hit = dayCache.get(key);
  if (hit && Date.now() - hit.at < DAY_CACHE_MS) return hit.p;
  const p = (async () => {
    const [sit, ind, risk] = await Promise.all([
      api.get(`/api/v1/situation/${date}`, { signal }),
      api.get(`/api/v1/indicators/world/${date}`, { signal }),
      api.get(`/api/v1/risk/world/${date}`, { signal }),
    ]);
    const riskBy = { area: new Map(), region: new Map(), world: null };
    for (const r of risk.items || []) {
      if (r.scope === 'area') riskBy.area.set(r.code, r);
      else if (r.scope === 'region') riskBy.region.set(r.code, r);
      else if (r.scope === 'world') riskBy.world = r;
    }
    return {
      date,
      reports: onePerArea(sit.items || []),
      ind: new Map((ind.items || []).map((x) => [x.area, x])),
      risk: riskBy,
    };
  })();
  const entry = { at: Date.now(), p };
  dayCache.set(key, entry);
  p.catch(() => { if (dayCache.get(key) === entry) dayCache.delete(key); });
  if (dayCache.size > DAY_CACHE_MAX) dayCache.delete(dayCache.keys().next().value);
  return p;
}

// ---- shapes (projected once) ----

let shapesPromise = null;

function shapes() {
  if (!shapesPromise) {
    shapesPromise = Promise.all([mapLibs(), worldAtlas()]).then(async ([{ d3, topojson }, topo]) => {
      // Let the requests waiting for answers that arrived meanwhile go out
      // first: projecting the shapes takes the main thread for a while.
      await new Promise((resolve) => { setTimeout(resolve, 0); });
      const fc = topojson.feature(topo, topo.objects.countries);
      // Antarctica (010) takes a sixth of the map and has no reports.
      const features = fc.features.filter((f) => f.id !== '010');
      // As wide as the view box, as high as the shapes need.
      const all = { type: 'FeatureCollection', features };
      const projection = d3.geoNaturalEarth1().fitWidth(WIDTH - 12, all);
      const path = d3.geoPath(projection);
      const [[, y0], [, y1]] = path.bounds(all);
      projection.translate(projection.translate().map((v, i) => v + (i === 0 ? 6 : 6 - y0)));
      return {
        height: Math.ceil(y1 - y0 + 12),
        countries: features.map((f) => ({
          numeric: f.id === undefined ? null : Number(f.id),
          name: f.properties?.name || '',
          d: path(f),
        })).filter((c) => c.d),
      };
    });
    shapesPromise.catch(() => { shapesPromise = null; });
  }
  return shapesPromise;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  return el;
}

// ---- the page ----

registerPage({
  id: 'map',
  path: '/map',
  title: 'map.title',
  nav: { order: 5, label: 'nav.map' },
  public: true,
  async render(ctx) {
    const { signal } = ctx;
    let modeId = MODE_IDS.includes(ctx.query.get('by')) ? ctx.query.get('by') : 'cases';
    const org = session.org();
    ctx.el.append(pageHeader(t('map.title'), {
      subtitle: org ? t('map.sharedToo', { org: lang() === 'zh' ? (org.name_zh || org.name_en) : org.name_en }) : t('map.publicOnly'),
    }));

    // The day's data starts loading as early as its date is known: the one
    // in the address, else the likely last day.
    const want = isDay(ctx.query.get('date')) ? ctx.query.get('date') : null;
    const prefetch = (d) => loadDay(d, signal).catch(() => {});
    if (want) prefetch(want);
    const [, geo, ref, days] = await Promise.all([
      loadCss('/css/situation.css'), shapes(), areas(),
      reportedRange(signal).then((r) => {
        if (r && !want) prefetch(r.range.last);
        return r;
      }),
    ]);
    const range = days?.range || null;

    let date = null;
    if (range) date = want && want >= range.first && want <= range.last ? want : range.last;
    let first = range ? dayNum(range.first) : 0;
    let last = range ? dayNum(range.last) : 0;

    // Controls: colour by, the day (slider, step, play), go to an area.
    const modeSelect = h('select', { id: 'map-by', name: 'by' },
      MODE_IDS.map((m) => h('option', { value: m, selected: m === modeId }, t(`map.by.${m}`))));
    const slider = h('input', {
      id: 'map-day', name: 'day', type: 'range', min: 0, max: last - first, step: 1,
      value: date ? dayNum(date) - first : 0, disabled: !range,
    });
    const dayOut = h('output', { for: 'map-day', class: 'map-day-label', 'aria-live': 'polite' });
    const btn = (act, label, text) => h('button', {
      type: 'button', class: 'btn btn-secondary btn-small', dataset: { act }, 'aria-label': label, title: label, disabled: !range,
    }, text);
    const prevBtn = btn('prev-day', t('map.prevDay'), '‹');
    const nextBtn = btn('next-day', t('map.nextDay'), '›');
    const playBtn = btn('play', t('map.play'), '▶');
    const goInput = h('input', { id: 'map-go', name: 'area', list: 'map-areas', autocomplete: 'off', placeholder: t('map.goPlaceholder') });
    const countries = ref.list.filter((a) => !a.subdivision);
    const goList = h('datalist', { id: 'map-areas' },
      countries.map((a) => h('option', { value: areaName(a) }, a.code)));

    const controls = h('div', { class: 'map-controls card' },
      h('div', { class: 'field' }, h('label', { for: 'map-by' }, t('map.colourBy')), modeSelect),
      h('div', { class: 'field map-day-field' },
        h('label', { for: 'map-day' }, t('map.day')),
        h('div', { class: 'map-day-row' }, prevBtn, slider, nextBtn, playBtn),
        dayOut),
      h('form', { class: 'field map-go', role: 'search' },
        h('label', { for: 'map-go' }, t('map.goTo')), goInput, goList));

    // The map: ocean, countries, tooltip.
    const svgEl = svg('svg', { viewBox: `0 0 ${WIDTH} ${geo.height}`, class: 'map-svg', role: 'img', 'aria-labelledby': 'map-svg-title' });
    const svgTitle = svg('title', { id: 'map-svg-title' });
    svgEl.append(svgTitle, svg('rect', { x: 0, y: 0, width: WIDTH, height: geo.height, class: 'map-sea' }));
    const g = svg('g', { class: 'map-countries' });
    const paths = geo.countries.map((c) => {
      const a = c.numeric !== null ? ref.byNumeric.get(c.numeric) : null;
      const p = svg('path', { d: c.d, 'data-numeric': c.numeric, 'data-code': a?.code, class: a ? 'country' : 'country no-area' });
      g.append(p);
      return { el: p, area: a, shape: c };
    });
    svgEl.append(g);
    const tip = h('div', { class: 'map-tip', hidden: true, role: 'status' });
    const mapBox = h('div', { class: 'map-box', dataset: { state: 'loading' } }, svgEl, tip);
    const legend = h('div', { class: 'map-legend', 'aria-live': 'polite' });
    const context = h('div', { class: 'map-context' });
    const notice = h('div', { class: 'map-notice' });
    const topBox = h('div', { class: 'map-top' });

    ctx.el.append(controls, notice,
      h('section', { class: 'card map-card', 'aria-label': t('map.title') }, mapBox,
        h('div', { class: 'map-side' }, legend, context,
          h('p', { class: 'map-attribution muted' }, t('map.attribution')))),
      topBox);
    if (!range) notice.append(h('div', { class: 'alert alert-info' }, t('map.noReports')));

    let day = null;
    let orgs = new Map();
    const byPath = new Map(paths.map((p) => [p.el, p]));

    function setUrl() {
      const q = new URLSearchParams();
      q.set('by', modeId);
      if (date) q.set('date', date);
      history.replaceState(history.state, '', `#/map?${q}`);
    }

    function drawLegend() {
      const mode = MODES[modeId];
      const items = [];
      if (mode.categorical) {
        for (const l of RISK_LEVELS) items.push([RISK_COLOURS[l], t(`risk.level.${l}`), l]);
        items.push([NO_ASSESSMENT, t('map.legend.noAssessment'), 'no-assessment']);
      } else {
        rangeLabels(mode).forEach((label, i) => items.push([mode.palette[i], label, String(i)]));
        items.push([NO_CASES, t('map.legend.noCases'), 'no-cases']);
        items.push([NO_VALUE, t('map.legend.noValue'), 'no-value']);
        items.push([NO_REPORT, t('map.legend.noReport'), 'no-report']);
      }
      legend.replaceChildren(
        h('h2', { class: 'map-legend-title' }, t(`map.by.${modeId}`)),
        date ? h('p', { class: 'muted map-legend-date' }, fmtDay(date, 'long')) : null,
        h('ul', { class: 'legend-list' }, items.map(([colour, label, cat]) => h('li', { dataset: { cat } },
          h('span', { class: 'swatch', style: `background:${colour}` }), h('span', {}, label)))),
        h('p', { class: 'legend-note muted' }, t(mode.categorical ? 'map.legend.riskNote' : `map.note.${modeId}`)));
    }

    function drawContext() {
      context.replaceChildren();
      if (!day) return;
      const w = day.risk.world;
      if (w) {
        context.append(h('p', { class: 'map-world-risk' },
          h('span', {}, t('map.worldRisk')), ' ', riskBadge(w.level), ' ',
          h('span', { class: 'muted' }, t('map.assessedBy', { org: orgLabel(orgs, w.owner_org), date: fmtDay(w.date) }))));
      }
    }

    function recolour() {
      if (!day) return;
      const counts = {};
      for (const p of paths) {
        const s = paint(modeId, day, p.area);
        p.el.setAttribute('fill', s.fill);
        p.el.dataset.cat = s.cat;
        counts[s.cat] = (counts[s.cat] || 0) + 1;
      }
      svgTitle.textContent = t('map.svgTitle', { indicator: t(`map.by.${modeId}`), date: fmtDay(date, 'long') });
      mapBox.dataset.state = 'ready';
      mapBox.dataset.date = date;
      mapBox.dataset.by = modeId;
      drawLegend();
      drawContext();
      drawTop();
    }

    // The highest values of the day, as a list with links (also the way to
    // reach a country's page from the keyboard).
    function drawTop() {
      topBox.replaceChildren();
      if (!day) return;
      const mode = MODES[modeId];
      const rank = (a) => {
        if (mode.categorical) {
          const r = day.risk.area.get(a.code);
          return r ? RISK_LEVELS.indexOf(r.level) : null;
        }
        return mode.value(day, a);
      };
      const rows = countries.map((a) => ({ a, v: rank(a) })).filter((x) => x.v !== null && x.v !== undefined && Number.isFinite(x.v))
        .sort((x, y) => y.v - x.v).slice(0, 10);
      if (!rows.length) return;
      topBox.append(h('section', { class: 'card', 'aria-labelledby': 'map-top-title' },
        h('h2', { id: 'map-top-title' }, t('map.top', { indicator: t(`map.by.${modeId}`), date: fmtDay(date) })),
        h('ol', { class: 'map-top-list' }, rows.map(({ a, v }) => h('li', { dataset: { code: a.code } },
          h('a', { href: `#/area/${a.code}` }, areaName(a)),
          h('span', { class: 'map-top-value' }, mode.categorical ? riskBadge(RISK_LEVELS[v]) : fmtNum(v, mode.digits)))))));
    }

    // ---- tooltip ----

    function tipFor(p) {
      const a = p.area;
      const rows = [];
      const row = (label, value, key) => rows.push(h('div', { class: 'tip-row', dataset: { row: key } }, h('dt', {}, label), h('dd', {}, value)));
      const head = [h('strong', { class: 'tip-name' }, a ? areaName(a) : p.shape.name)];
      if (a && areaOtherName(a)) head.push(h('span', { class: 'tip-other muted' }, areaOtherName(a)));
      if (!a) return [h('div', { class: 'tip-head' }, head), h('p', { class: 'tip-none' }, t('map.tip.noArea'))];
      const rep = day?.reports.get(a.code);
      const ind = day?.ind.get(a.code);
      const risk = day?.risk.area.get(a.code);
      const mode = MODES[modeId];
      if (!mode.categorical) {
        const v = mode.value(day, a);
        row(t(`map.by.${modeId}`), v === null ? '—' : fmtNum(v, mode.digits), 'value');
      }
      if (rep) {
        const r = rep.report;
        row(t('map.tip.newCases'), fmtNum(r.new_confirmed), 'new');
        row(t('map.tip.cumCases'), fmtNum(r.cum_confirmed), 'cum');
        if (r.new_deaths != null) row(t('map.tip.newDeaths'), fmtNum(r.new_deaths), 'deaths');
        if (r.transmission) row(t('map.tip.transmission'), transmissionLabel(r.transmission), 'transmission');
        row(t('map.tip.source'), rep.others ? t('map.tip.sourceOthers', { org: orgLabel(orgs, r.owner_org), n: rep.others }) : orgLabel(orgs, r.owner_org), 'source');
      } else {
        rows.push(h('p', { class: 'tip-none', dataset: { row: 'no-report' } }, t('map.tip.noReport')));
      }
      if (ind) {
        if (modeId !== 'avg7' && ind.avg7 != null) row(t('map.tip.avg7'), fmtNum(ind.avg7, 1), 'avg7');
        if (modeId !== 'nr14' && ind.nr14 != null) row(t('map.by.nr14'), fmtNum(ind.nr14, 1), 'nr14');
        if (ind.rt_mean != null) {
          row(t('map.tip.rt'), t('map.tip.rtBand', { mean: fmtNum(ind.rt_mean, 2), lo: fmtNum(ind.rt_q025, 2), hi: fmtNum(ind.rt_q975, 2) }), 'rt');
        }
      }
      if (risk) {
        row(t('map.tip.risk'), h('span', {}, riskBadge(risk.level), ' ',
          h('span', { class: 'muted' }, t('map.assessedBy', { org: orgLabel(orgs, risk.owner_org), date: fmtDay(risk.date) }))), 'risk');
        if (risk.proposed?.level) row(t('map.tip.proposed'), riskBadge(risk.proposed.level, { proposed: true }), 'proposed');
      } else if (modeId === 'risk') {
        rows.push(h('p', { class: 'tip-none', dataset: { row: 'no-assessment' } }, t('map.legend.noAssessment')));
      }
      const region = a.who_region && day?.risk.region.get(a.who_region);
      if (region) row(t('map.tip.regionRisk', { region: a.who_region }), riskBadge(region.level), 'region-risk');
      return [h('div', { class: 'tip-head' }, head), h('p', { class: 'tip-date muted' }, fmtDay(date, 'long')), h('dl', {}, rows)];
    }

    let hovered = null;
    function showTip(p, ev) {
      if (hovered !== p) {
        hovered?.el.classList.remove('hover');
        hovered = p;
        p.el.classList.add('hover');
        // Drawn last, so that its outline is on top.
        p.el.parentNode.append(p.el);
        tip.replaceChildren(...tipFor(p));
        tip.dataset.code = p.area?.code || '';
      }
      tip.hidden = false;
      const box = mapBox.getBoundingClientRect();
      const x = ev.clientX - box.left;
      const y = ev.clientY - box.top;
      const w = tip.offsetWidth;
      const ht = tip.offsetHeight;
      tip.style.left = `${Math.max(4, Math.min(x + 14, box.width - w - 4))}px`;
      tip.style.top = `${y + 16 + ht > box.height ? Math.max(4, y - ht - 12) : y + 16}px`;
    }
    function hideTip() {
      hovered?.el.classList.remove('hover');
      hovered = null;
      tip.hidden = true;
    }
    svgEl.addEventListener('pointermove', (ev) => {
      const p = day && byPath.get(ev.target);
      if (p) showTip(p, ev); else hideTip();
    });
    svgEl.addEventListener('pointerleave', hideTip);
    svgEl.addEventListener('click', (ev) => {
      const p = byPath.get(ev.target);
      if (p?.area) ctx.navigate(`/area/${p.area.code}`);
    });

    // ---- day changes ----

    let dayCtl = null;
    let timer = null;
    async function goDay(d, { immediate = false } = {}) {
      date = d;
      slider.value = String(dayNum(d) - first);
      slider.setAttribute('aria-valuetext', fmtDay(d, 'long'));
      dayOut.textContent = fmtDay(d, 'long');
      prevBtn.disabled = dayNum(d) <= first;
      nextBtn.disabled = dayNum(d) >= last;
      setUrl();
      clearTimeout(timer);
      const load = async () => {
        dayCtl?.abort();
        dayCtl = new AbortController();
        const stop = () => dayCtl.abort();
        signal.addEventListener('abort', stop, { once: true });
        mapBox.dataset.state = 'loading';
        try {
          const data = await loadDay(d, dayCtl.signal);
          if (d !== date) return;
          const ids = [...data.reports.values()].map((x) => x.report.owner_org)
            .concat([...data.risk.area.values(), ...data.risk.region.values()].map((r) => r.owner_org));
          if (data.risk.world) ids.push(data.risk.world.owner_org);
          orgs = await orgsById(ids, dayCtl.signal);
          if (d !== date) return;
          day = data;
          notice.replaceChildren(...(range ? [] : [h('div', { class: 'alert alert-info' }, t('map.noReports'))]));
          if (modeId !== 'cases' && modeId !== 'risk' && !day.ind.size) {
            notice.append(h('div', { class: 'alert alert-info', dataset: { notice: 'no-indicators' } }, t('map.noIndicators')));
          }
          recolour();
          if (hovered) tip.replaceChildren(...tipFor(hovered));
        } catch (err) {
          if (isAbort(err) || signal.aborted) return;
          notice.replaceChildren(alertBox(err));
          mapBox.dataset.state = 'error';
        } finally {
          signal.removeEventListener('abort', stop);
        }
      };
      if (immediate) await load();
      else timer = setTimeout(load, 90);
    }

    modeSelect.addEventListener('change', () => {
      modeId = modeSelect.value;
      setUrl();
      hideTip();
      recolour();
      if (!day?.ind.size && modeId !== 'cases' && modeId !== 'risk') {
        notice.replaceChildren(h('div', { class: 'alert alert-info', dataset: { notice: 'no-indicators' } }, t('map.noIndicators')));
      } else notice.replaceChildren(...(range ? [] : [h('div', { class: 'alert alert-info' }, t('map.noReports'))]));
      if (!day) drawLegend();
    });
    slider.addEventListener('input', () => goDay(dayIso(first + Number(slider.value))));
    prevBtn.addEventListener('click', () => goDay(dayIso(Math.max(first, dayNum(date) - 1)), { immediate: true }));
    nextBtn.addEventListener('click', () => goDay(dayIso(Math.min(last, dayNum(date) + 1)), { immediate: true }));

    let playing = null;
    function stopPlay() {
      clearInterval(playing);
      playing = null;
      playBtn.textContent = '▶';
      playBtn.setAttribute('aria-label', t('map.play'));
      playBtn.title = t('map.play');
    }
    playBtn.addEventListener('click', () => {
      if (playing) { stopPlay(); return; }
      if (dayNum(date) >= last) goDay(dayIso(first), { immediate: true });
      playBtn.textContent = '❚❚';
      playBtn.setAttribute('aria-label', t('map.pause'));
      playBtn.title = t('map.pause');
      playing = setInterval(() => {
        if (signal.aborted || dayNum(date) >= last) { stopPlay(); return; }
        goDay(dayIso(dayNum(date) + 1), { immediate: true });
      }, 500);
    });
    signal.addEventListener('abort', () => { clearInterval(playing); clearTimeout(timer); dayCtl?.abort(); });

    const goForm = controls.querySelector('form.map-go');
    const goTo = () => {
      const v = goInput.value.trim().toLowerCase();
      if (!v) return;
      const a = countries.find((x) => x.code.toLowerCase() === v || x.name_en.toLowerCase() === v || (x.name_zh || '') === goInput.value.trim())
        || countries.find((x) => areaName(x).toLowerCase() === v);
      if (a) ctx.navigate(`/area/${a.code}`);
    };
    goForm.addEventListener('submit', (ev) => { ev.preventDefault(); goTo(); });
    goInput.addEventListener('change', goTo);

    drawLegend();
    if (date) await goDay(date, { immediate: true });
    else {
      mapBox.dataset.state = 'ready';
      for (const p of paths) { p.el.setAttribute('fill', NO_REPORT); p.el.dataset.cat = 'no-report'; }
    }

    // The range confirmed once the map is drawn (in the background): adjust
    // the slider, and go to the real last day if the map showed the likely one.
    days?.confirm().then((real) => {
      if (signal.aborted || (real.first === range.first && real.last === range.last)) return;
      const wasLast = dayNum(date) === last && !want;
      first = dayNum(real.first);
      last = dayNum(real.last);
      slider.max = String(last - first);
      const d = want && want >= real.first && want <= real.last ? want
        : wasLast ? real.last : dayIso(Math.min(Math.max(dayNum(date), first), last));
      goDay(d, { immediate: true });
    }, () => {});
  },
});
