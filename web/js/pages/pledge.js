// One pledge (#/pledges/:id, public when the pledge is): its details, its
// lines (item names in the interface's language) with pledged, shipped and
// received, its batches on a timeline and one by one (planned ->
// dispatched -> in transit -> arrived -> received, lost and cancelled
// marked) with what the recipient counted and the discrepancies, and the
// history of its amendments.
//
// What the user may do follows their organisation's relation to the pledge
// (a courtesy; the server decides and its problem is shown on the form,
// on the control its `field` names):
//   - editors of the donor: commit or cancel the pledge, amend its lines,
//     add a batch, move a batch along the legal next statuses the server
//     lists in `next` (never the receipt);
//   - editors of the recipient: mark a batch arrived, record the receipt of
//     an arrived batch (quantities counted per line, discrepancy, note).
//
// Also the form of a new pledge (#/donations/new?need=3), for editors: to
// a recipient organisation and place, with lines of catalogue items;
// answering a need fills in its recipient, place, item and what is not
// covered yet.
//
// Data: GET /api/v1/donations/pledges/{id} (lines and amendment history),
// /pledges/{id}/shipments, /reconciliation/pledges/{id}; writes:
// PATCH /pledges/{id}, POST /pledges/{id}/amendments, /pledges/{id}/shipments,
// /shipments/{id}/transitions, /shipments/{id}/receipt, POST /pledges.
import { registerPage } from '../registry.js';
import { t, locale, fmtDateTime, countryName } from '../i18n.js';
import { api, ApiError } from '../api.js';
import {
  h, field, onSubmit, table, pageHeader, section, notify, confirmDialog, alertBox, nextId,
} from '../dom.js';
import * as session from '../session.js';
import { loadCss } from '../vendor.js';
import { fmtNum, fmtDay, dayNum, dayIso, today } from '../situation.js';
import {
  SHIP_PATH, DISCREPANCIES, DONOR_TYPES, VISIBILITIES, items as catalogue, catalogueName, pair,
  itemCell, orgCell, qty, unitLabel, placeLabel, pledgeTitle, day, shipBadge, pledgeBadge,
  visibilityBadge, flagBadges, progress, isDonorEditor, isRecipientEditor, isEditor, movesFor,
  priorityBadge,
} from '../donations.js';

registerPage({
  id: 'pledge',
  path: '/pledges/:id',
  title: 'pledge.title',
  navParent: 'donations',
  public: true,
  async render(ctx) {
    ctx.el.classList.add('don');
    const { signal } = ctx;
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id < 1) throw new ApiError(404, { title: 'Not found', detail: t('pledge.badId') });
    const [p, ships, rec] = await Promise.all([
      api.get(`/api/v1/donations/pledges/${id}`, { signal }),
      api.get(`/api/v1/donations/pledges/${id}/shipments`, { signal }),
      api.get(`/api/v1/donations/reconciliation/pledges/${id}`, { signal }),
      loadCss('/css/donations.css'),
    ]);
    const donor = isDonorEditor(p);
    const recipient = isRecipientEditor(p);
    const [need, cat] = await Promise.all([
      p.need_id ? api.get(`/api/v1/donations/needs/${p.need_id}`, { signal }).catch((err) => {
        if (err instanceof ApiError) return null;
        throw err;
      }) : null,
      donor ? catalogue(signal) : [],
    ]);
    document.title = `${pledgeTitle(p)} · epibridge`;
    const recLines = new Map(rec.lines.map((l) => [l.line, l]));

    ctx.el.dataset.pledge = String(p.id);
    ctx.el.append(pageHeader(pledgeTitle(p), {
      subtitle: h('div', { class: 'subtitle' },
        h('p', { class: 'pledge-route' },
          h('span', { class: 'name-pair' }, pair(p.donor_org_name).primary), h('span', { 'aria-hidden': 'true' }, ' → '),
          h('span', { class: 'sr-only' }, ` ${t('pledge.to')} `),
          h('span', { class: 'name-pair' }, pair(p.recipient_org_name).primary),
          ' · ', h('span', { class: 'place' }, placeLabel(p))),
        h('p', { class: 'badges' }, pledgeBadge(p.status), visibilityBadge(p.visibility),
          rec.flags.length ? flagBadges(rec.flags) : null)),
      actions: h('div', { class: 'actions' },
        h('a', { href: '#/donations', class: 'btn btn-secondary' }, t('pledge.backToBoard')),
        donor && p.status === 'pledged' ? h('button', { type: 'button', class: 'btn', dataset: { act: 'commit' }, onclick: () => setStatus(ctx, p, 'committed') }, t('pledge.commit')) : null,
        donor && p.status !== 'cancelled' ? h('button', { type: 'button', class: 'btn btn-danger-outline', dataset: { act: 'cancel-pledge' }, onclick: () => setStatus(ctx, p, 'cancelled') }, t('pledge.cancel')) : null),
    }));

    ctx.el.append(detailsCard(p, need));
    ctx.el.append(section(t('pledge.lines'), linesTable(p, recLines)));

    const batches = section(t('pledge.batches'));
    batches.dataset.section = 'batches';
    if (!ships.items.length) batches.append(h('p', { class: 'empty' }, t('pledge.noBatches')));
    else {
      batches.append(timeline(p, ships.items));
      for (const s of ships.items) batches.append(batchCard(ctx, p, s, recipient));
    }
    if (donor && p.status !== 'cancelled') batches.append(addBatchForm(ctx, p, recLines));
    ctx.el.append(batches);

    const hist = section(t('pledge.amendments'), historyTable(p));
    hist.dataset.section = 'amendments';
    if (donor && p.status !== 'cancelled') hist.append(amendForm(ctx, p, recLines, cat));
    ctx.el.append(hist);
  },
});

// ---- details ----

function detailsCard(p, need) {
  const row = (label, value, key) => [h('dt', {}, label), h('dd', { dataset: key ? { fact: key } : {} }, value)];
  return section(t('pledge.details'),
    h('dl', { class: 'details' },
      row(t('pledge.donor'), h('div', {}, orgCell(p.donor_org_name, p.donor_org),
        p.donor_name ? h('span', { class: 'muted' }, t('pledge.onBehalf', { name: p.donor_name })) : null), 'donor'),
      row(t('pledge.donorType'), t(`donorType.${p.donor_type}`)),
      row(t('pledge.recipient'), orgCell(p.recipient_org_name, p.recipient_org), 'recipient'),
      row(t('pledge.place'), placeLabel(p), 'place'),
      p.need_id ? row(t('pledge.need'), need
        ? h('span', {}, h('a', { href: '#/needs' }, t('pledge.needLine', { id: need.id, item: pair(need.item_name).primary, qty: qty(need.quantity, need.unit) })), ' ', priorityBadge(need.priority))
        : t('pledge.needHidden', { id: p.need_id }), 'need') : null,
      row(t('pledge.pledgedOn'), day(p.pledged_on)),
      p.committed_on ? row(t('pledge.committedOn'), day(p.committed_on)) : null,
      row(t('pledge.neededBy'), day(p.needed_by)),
      p.note ? row(t('pledge.note'), h('span', { class: 'note' }, p.note)) : null,
      row(t('common.updated'), fmtDateTime(p.updated_at))));
}

function money(value, currency) {
  if (value === null || value === undefined || !currency) return '—';
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(value);
  } catch {
    return `${fmtNum(value, 2)} ${currency}`;
  }
}

function linesTable(p, recLines) {
  return table({
    caption: t('pledge.lines'),
    empty: t('pledge.noLines'),
    rows: p.lines,
    rowAttrs: (l) => ({ dataset: { line: String(l.line), item: l.item }, class: (recLines.get(l.line)?.flags || []).length ? 'row-gap' : null }),
    columns: [
      { label: '#', class: 'col-num', render: (l) => String(l.line) },
      { label: t('donations.col.item'), render: (l) => itemCell(l.item_name, l.item) },
      { label: t('pledge.quantity'), class: 'col-qty', render: (l) => h('span', { dataset: { qty: String(l.quantity) } }, qty(l.quantity, l.unit)) },
      { label: t('pledge.value'), class: 'col-qty', render: (l) => money(l.value, l.currency) },
      {
        label: t('donations.col.progress'), class: 'col-bar',
        render: (l) => {
          const r = recLines.get(l.line);
          return r ? progress({ pledged: r.pledged, shipped: r.shipped, received: r.received, unit: l.unit }) : '';
        },
      },
      { label: t('recon.outstanding'), class: 'col-qty', render: (l) => fmtNum(recLines.get(l.line)?.outstanding ?? l.quantity) },
      { label: t('recon.gaps'), render: (l) => flagBadges(recLines.get(l.line)?.flags || []) },
    ],
  });
}

// ---- status of the pledge ----

async function setStatus(ctx, p, status) {
  if (status === 'cancelled') {
    const ok = await confirmDialog({
      title: t('pledge.cancelTitle', { title: pledgeTitle(p) }),
      message: t('pledge.cancelText'),
      confirm: t('pledge.cancel'),
      danger: true,
    });
    if (!ok) return;
  }
  try {
    await api.patch(`/api/v1/donations/pledges/${p.id}`, { status });
    notify(t(status === 'cancelled' ? 'pledge.cancelled' : 'pledge.committed'));
    ctx.refresh();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const head = ctx.el.querySelector('.page-header');
    ctx.el.querySelector(':scope > .alert-error')?.remove();
    const box = alertBox(err);
    box.tabIndex = -1;
    head.after(box);
    box.focus();
  }
}

// ---- the timeline of batches ----

// Dates of a batch on the timeline: when it left, when it is due (until
// it arrives), when it arrived and when it was counted.
function batchDates(s) {
  return [s.dispatched_on, s.arrived_on ? null : s.eta, s.arrived_on, s.received_on].filter(Boolean);
}

function timeline(p, ships) {
  const days = [p.pledged_on, ...ships.flatMap(batchDates)].filter(Boolean).map(dayNum);
  let lo = Math.min(...days);
  let hi = Math.max(...days);
  if (hi - lo < 2) { lo -= 1; hi += 1; }
  const pos = (iso) => `${((100 * (dayNum(iso) - lo)) / (hi - lo)).toFixed(2)}%`;
  const span = (a, b) => `left:${pos(a)};width:${((100 * (dayNum(b) - dayNum(a))) / (hi - lo)).toFixed(2)}%`;
  const marker = (iso, kind, label) => h('span', {
    class: `tl-mark tl-${kind}`, style: `left:${pos(iso)}`, title: `${label}: ${fmtDay(iso)}`, dataset: { mark: kind, day: iso },
  });

  // Ticks: the first and last day, and whole steps of days between (at
  // most about five), none too close to the last.
  const step = Math.max(1, Math.ceil((hi - lo) / 5));
  const ticks = [];
  for (let d = lo; d < hi - step / 2; d += step) ticks.push(dayIso(d));
  ticks.push(dayIso(hi));

  // Where a batch stopped (the API keeps no date for it): beside the last
  // date known, on the side with room.
  const endLabel = (iso, kind) => {
    const x = (100 * (dayNum(iso) - lo)) / (hi - lo);
    return h('span', { class: ['tl-end', `tl-${kind}`, x > 70 && 'tl-end-left'], style: `left:${x.toFixed(2)}%` }, t(`shipStatus.${kind}`));
  };
  const rows = ships.map((s) => {
    const end = s.received_on || s.arrived_on || (['dispatched', 'in_transit', 'lost'].includes(s.status) ? s.eta : null);
    const start = s.dispatched_on;
    const bar = start ? h('span', {
      class: ['tl-bar', `tl-bar-${s.status}`, !(s.arrived_on || s.received_on) && 'tl-bar-open'],
      style: span(start, end && dayNum(end) >= dayNum(start) ? end : start),
    }) : null;
    return h('div', { class: 'tl-row', dataset: { batch: String(s.batch_no), status: s.status } },
      h('div', { class: 'tl-label' }, h('span', {}, t('pledge.batchNo', { n: s.batch_no })), shipBadge(s.status)),
      h('div', { class: 'tl-track' },
        bar,
        s.eta && !s.arrived_on && !['lost', 'cancelled'].includes(s.status) ? marker(s.eta, 'eta', t('pledge.eta')) : null,
        s.dispatched_on ? marker(s.dispatched_on, 'dispatched', t('shipStatus.dispatched')) : null,
        s.arrived_on ? marker(s.arrived_on, 'arrived', t('shipStatus.arrived')) : null,
        s.received_on ? marker(s.received_on, 'received', t('shipStatus.received')) : null,
        s.status === 'lost' ? endLabel(s.eta && start && dayNum(s.eta) > dayNum(start) ? s.eta : start || p.pledged_on, 'lost') : null,
        s.status === 'cancelled' ? endLabel(s.eta || p.pledged_on, 'cancelled') : null));
  });

  return h('figure', { class: 'timeline', dataset: { from: dayIso(lo), to: dayIso(hi) } },
    h('figcaption', { class: 'sr-only' }, t('pledge.timeline')),
    h('div', { class: 'tl-row tl-pledged' },
      h('div', { class: 'tl-label' }, t('pledge.pledgedOn')),
      h('div', { class: 'tl-track' }, marker(p.pledged_on, 'pledged', t('pledge.pledgedOn')))),
    rows,
    h('div', { class: 'tl-row tl-axis', 'aria-hidden': 'true' },
      h('div', {}),
      h('div', { class: 'tl-track' }, ticks.map((d) => h('span', { class: 'tl-tick', style: `left:${pos(d)}` }, fmtDay(d, 'short'))))),
    h('ul', { class: 'tl-legend' },
      [['dispatched', t('shipStatus.dispatched')], ['eta', t('pledge.eta')], ['arrived', t('shipStatus.arrived')], ['received', t('shipStatus.received')]]
        .map(([k, l]) => h('li', {}, h('span', { class: `tl-mark tl-${k} tl-key`, 'aria-hidden': 'true' }), l))));
}

// planned -> dispatched -> in transit -> arrived -> received, with the
// dates known; lost and cancelled end the path where the batch stopped.
function stepper(s) {
  const ended = s.status === 'lost' || s.status === 'cancelled';
  let reached = SHIP_PATH.indexOf(s.status);
  if (s.status === 'lost') reached = SHIP_PATH.indexOf('dispatched');
  if (s.status === 'cancelled') reached = 0;
  const dateOf = { dispatched: s.dispatched_on, arrived: s.arrived_on, received: s.received_on };
  const steps = SHIP_PATH.map((st, i) => {
    if (ended && i > reached) return null;
    // A batch that ended (lost, cancelled) stays "done" up to where it got.
    const state = i < reached || ended ? 'done' : i === reached ? (st === 'received' ? 'done' : 'current') : 'todo';
    let note = dateOf[st] ? fmtDay(dateOf[st]) : '';
    if (st === 'arrived' && !s.arrived_on && s.eta && !ended) note = t('pledge.etaOn', { date: fmtDay(s.eta) });
    return h('li', { class: ['step', `step-${state}`], dataset: { step: st, state }, 'aria-current': state === 'current' ? 'step' : null },
      h('span', { class: 'step-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'step-label' }, t(`shipStatus.${st}`)),
      note ? h('span', { class: 'step-date' }, note) : null);
  });
  if (ended) {
    steps.push(h('li', { class: ['step', 'step-end', `step-${s.status}`], dataset: { step: s.status, state: 'current' }, 'aria-current': 'step' },
      h('span', { class: 'step-dot', 'aria-hidden': 'true' }, '✕'),
      h('span', { class: 'step-label' }, t(`shipStatus.${s.status}`))));
  }
  return h('ol', { class: 'stepper', 'aria-label': t('pledge.progressOf', { n: s.batch_no }) }, steps);
}

// ---- one batch ----

function batchCard(ctx, p, s, recipient) {
  const counted = s.status === 'received';
  const titleId = nextId('batch');
  const facts = [
    [t('pledge.carrier'), s.carrier], [t('pledge.waybill'), s.waybill],
    [t('pledge.dispatchedOn'), s.dispatched_on ? fmtDay(s.dispatched_on) : ''],
    [t('pledge.eta'), s.eta ? fmtDay(s.eta) : ''],
    [t('pledge.arrivedOn'), s.arrived_on ? fmtDay(s.arrived_on) : ''],
    [t('pledge.receivedOn'), s.received_on ? fmtDay(s.received_on) : ''],
    [t('pledge.receivedBy'), s.received_by],
    [t('pledge.note'), s.note],
  ].filter(([, v]) => v);
  const card = h('article', { class: ['batch', `batch-${s.status}`], 'aria-labelledby': titleId, dataset: { batch: String(s.batch_no), shipment: String(s.id), status: s.status } },
    h('header', { class: 'batch-head' },
      h('h3', { id: titleId }, t('pledge.batchNo', { n: s.batch_no })),
      shipBadge(s.status),
      s.discrepancy ? h('span', { class: 'badge badge-gap', dataset: { flag: 'discrepancy' } }, h('span', { 'aria-hidden': 'true' }, '⚠ '), t('gap.discrepancy')) : null),
    stepper(s),
    facts.length ? h('dl', { class: 'batch-facts' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))) : null,
    table({
      caption: t('pledge.batchLines', { n: s.batch_no }),
      empty: t('pledge.noLines'),
      rows: s.lines,
      rowAttrs: (l) => ({ dataset: { line: String(l.line), item: l.item }, class: l.discrepancy && l.discrepancy !== 'none' ? 'row-gap' : null }),
      columns: [
        { label: t('donations.col.item'), render: (l) => itemCell(itemNames(p, l.line), l.item) },
        { label: t('pledge.sent'), class: 'col-qty', render: (l) => qty(l.quantity, l.unit) },
        { label: t('progress.received'), class: 'col-qty', render: (l) => (l.received === null ? '—' : h('span', { dataset: { received: String(l.received) } }, fmtNum(l.received))) },
        { label: t('pledge.difference'), class: 'col-qty', render: (l) => (l.received === null ? '—' : diffText(l.received - l.quantity)) },
        {
          label: t('pledge.discrepancy'),
          render: (l) => (!l.discrepancy ? '—' : l.discrepancy === 'none' ? t('discrepancy.none')
            : h('span', { class: 'badge badge-gap', dataset: { discrepancy: l.discrepancy } }, h('span', { 'aria-hidden': 'true' }, '⚠ '), t(`discrepancy.${l.discrepancy}`))),
        },
        { label: t('pledge.lineNote'), render: (l) => h('span', { class: 'note' }, l.discrepancy_note || '') },
      ],
    }));
  const moves = movesFor(s, p);
  if (moves.length) card.append(moveForm(ctx, s, moves));
  if (recipient && s.status === 'arrived' && !counted) card.append(receiptForm(ctx, p, s));
  return card;
}

function itemNames(p, lineNo) {
  return p.lines.find((l) => l.line === lineNo)?.item_name || {};
}

function diffText(d) {
  if (d === 0) return '0';
  return h('span', { class: d < 0 ? 'diff-short' : 'diff-over' }, `${d > 0 ? '+' : '−'}${fmtNum(Math.abs(d))}`);
}

// The legal next statuses of the batch that this user may make.
function moveForm(ctx, s, moves) {
  const form = h('form', { class: 'inline-form batch-form', dataset: { form: 'move', batch: String(s.batch_no) } },
    field({ name: 'to', label: t('pledge.moveTo'), type: 'select', value: moves[0], options: moves.map((m) => [m, t(`shipStatus.${m}`)]) }),
    field({ name: 'on', label: t('pledge.on'), type: 'date', value: today(), max: today(), class: 'input-date' }),
    field({ name: 'note', label: t('pledge.note'), maxlength: 4000 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn', dataset: { act: 'move' } }, t('pledge.record'))));
  onSubmit(form, async (v) => {
    const body = { to: v.to };
    if (v.on) body.on = v.on;
    if (v.note) body.note = v.note;
    const out = await api.post(`/api/v1/donations/shipments/${s.id}/transitions`, body);
    notify(t('pledge.moved', { n: s.batch_no, status: t(`shipStatus.${out.status}`) }));
    ctx.refresh();
  }, { keep: true });
  return h('div', { class: 'batch-action' }, h('h4', {}, t('pledge.moveTitle')), form);
}

// The recipient's count of an arrived batch.
function receiptForm(ctx, p, s) {
  const rows = s.lines.map((l, i) => h('fieldset', { class: 'receipt-line', dataset: { line: String(l.line) } },
    h('legend', {}, itemNames(p, l.line) ? pair(itemNames(p, l.line)).primary : l.item, ' · ', t('pledge.sentQty', { qty: qty(l.quantity, l.unit) })),
    field({ name: `lines.${i}.received`, label: t('pledge.receivedQty'), type: 'number', min: 0, step: 1, value: String(l.quantity), required: true, class: 'input-short' }),
    field({
      name: `lines.${i}.discrepancy`, label: t('pledge.discrepancy'), type: 'select', value: '',
      options: [['', t('pledge.discrepancyAuto')], ...DISCREPANCIES.map((d) => [d, t(`discrepancy.${d}`)])],
    }),
    field({ name: `lines.${i}.note`, label: t('pledge.discrepancyNote'), maxlength: 1000 })));
  const form = h('form', { class: 'form-grid receipt-form', dataset: { form: 'receipt', batch: String(s.batch_no) } },
    field({ name: 'received_on', label: t('pledge.receivedOn'), type: 'date', value: today(), max: today(), required: true }),
    field({ name: 'received_by', label: t('pledge.receivedBy'), maxlength: 200 }),
    h('div', { class: 'receipt-lines' }, rows),
    field({ name: 'note', label: t('pledge.note'), type: 'textarea', maxlength: 4000, rows: 2 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn', dataset: { act: 'receive' } }, t('pledge.recordReceipt'))));
  onSubmit(form, async (v) => {
    const body = { received_on: v.received_on || '' };
    if (v.received_by) body.received_by = v.received_by;
    if (v.note) body.note = v.note;
    body.lines = s.lines.map((l, i) => {
      const r = v[`lines.${i}.received`];
      const line = { line: l.line, received: r === undefined ? NaN : Number(r) };
      if (!Number.isFinite(line.received)) line.received = r ?? null;
      if (v[`lines.${i}.discrepancy`]) line.discrepancy = v[`lines.${i}.discrepancy`];
      if (v[`lines.${i}.note`]) line.note = v[`lines.${i}.note`];
      return line;
    });
    await api.post(`/api/v1/donations/shipments/${s.id}/receipt`, body);
    notify(t('pledge.receiptDone', { n: s.batch_no }));
    ctx.refresh();
  }, { keep: true });
  return h('details', { class: 'batch-action disclosure-inline', open: true },
    h('summary', {}, t('pledge.receiptTitle')), form);
}

// ---- the donor's forms ----

// Re-aims a problem about the k-th line sent at the form's own numbering.
function remapLines(err, toName) {
  if (err instanceof ApiError && err.field) {
    const m = /^\/lines\/(\d+)(\/.*)?$/.exec(err.field);
    if (m) {
      const target = toName(Number(m[1]));
      if (target) err.field = `/${target}${m[2] || ''}`;
    }
  }
  return err;
}

function addBatchForm(ctx, p, recLines) {
  const rows = p.lines.filter((l) => l.quantity > 0).map((l) => {
    const r = recLines.get(l.line);
    const left = r ? Math.max(0, r.pledged - r.planned - r.shipped) : l.quantity;
    return { l, left };
  });
  if (!rows.some((x) => x.left > 0)) return h('p', { class: 'muted all-on-batches', dataset: { note: 'all-on-batches' } }, t('pledge.allOnBatches'));
  const form = h('form', { class: 'form-grid', dataset: { form: 'add-batch' } },
    rows.map(({ l, left }, i) => field({
      name: `lines.${i}.quantity`, label: `${pair(l.item_name).primary} (${unitLabel(l.unit)})`, type: 'number', min: 0, step: 1,
      value: String(left), hint: t('pledge.leftToShip', { n: fmtNum(left) }), dataset: { line: String(l.line) },
    })),
    field({ name: 'carrier', label: t('pledge.carrier'), maxlength: 200 }),
    field({ name: 'waybill', label: t('pledge.waybill'), maxlength: 100 }),
    field({ name: 'eta', label: t('pledge.eta'), type: 'date' }),
    field({ name: 'note', label: t('pledge.note'), maxlength: 4000 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn', dataset: { act: 'add-batch' } }, t('pledge.addBatch'))));
  onSubmit(form, async (v) => {
    const sent = [];
    const lines = [];
    rows.forEach(({ l }, i) => {
      const q = Number(v[`lines.${i}.quantity`] || 0);
      if (q !== 0) {
        lines.push({ line: l.line, quantity: Number.isFinite(q) ? q : v[`lines.${i}.quantity`] });
        sent.push(i);
      }
    });
    const body = { lines };
    for (const k of ['carrier', 'waybill', 'eta', 'note']) if (v[k]) body[k] = v[k];
    try {
      const s = await api.post(`/api/v1/donations/pledges/${p.id}/shipments`, body);
      notify(t('pledge.batchAdded', { n: s.batch_no }));
    } catch (err) {
      throw remapLines(err, (k) => (sent[k] !== undefined ? `lines/${sent[k]}` : null));
    }
    ctx.refresh();
  }, { keep: true });
  return h('details', { class: 'card-inner disclosure', dataset: { disclosure: 'add-batch' } },
    h('summary', {}, t('pledge.addBatchTitle')), form);
}

function amendForm(ctx, p, recLines, cat) {
  const form = h('form', { class: 'form-grid', dataset: { form: 'amend' } },
    p.lines.map((l, i) => {
      const r = recLines.get(l.line);
      const floor = r ? r.planned + r.shipped : 0;
      return field({
        name: `lines.${i}.quantity`, label: `${pair(l.item_name).primary} (${unitLabel(l.unit)})`, type: 'number', min: 0, step: 1,
        value: String(l.quantity), hint: floor ? t('pledge.amendFloor', { n: fmtNum(floor) }) : null, dataset: { line: String(l.line) },
      });
    }),
    field({
      name: 'new.item', label: t('pledge.newLineItem'), type: 'select', value: '',
      options: [['', t('pledge.noNewLine')], ...cat.map((it) => [it.code, catalogueName(it)])],
    }),
    field({ name: 'new.quantity', label: t('pledge.newLineQty'), type: 'number', min: 1, step: 1 }),
    field({ name: 'reason', label: t('pledge.reason'), type: 'textarea', required: true, maxlength: 1000, rows: 2 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn', dataset: { act: 'amend' } }, t('pledge.amend'))));
  onSubmit(form, async (v) => {
    const names = [];
    const lines = [];
    p.lines.forEach((l, i) => {
      const raw = v[`lines.${i}.quantity`] ?? '';
      const q = Number(raw);
      if (raw !== '' && q !== l.quantity) {
        lines.push({ line: l.line, quantity: Number.isFinite(q) ? q : raw });
        names.push(`lines/${i}`);
      }
    });
    if (v['new.item'] || v['new.quantity']) {
      lines.push({ item: v['new.item'] || '', quantity: Number(v['new.quantity'] || 0) });
      names.push('new');
    }
    const body = { reason: v.reason || '', lines };
    try {
      await api.post(`/api/v1/donations/pledges/${p.id}/amendments`, body);
    } catch (err) {
      throw remapLines(err, (k) => names[k] || null);
    }
    notify(t('pledge.amended'));
    ctx.refresh();
  }, { keep: true });
  return h('details', { class: 'card-inner disclosure', dataset: { disclosure: 'amend' } },
    h('summary', {}, t('pledge.amendTitle')), form);
}

// ---- the amendments ----

function historyTable(p) {
  const hist = (p.amendment_history || []).slice().reverse();
  return table({
    caption: t('pledge.amendments'),
    empty: t('pledge.noAmendments'),
    rows: hist,
    rowAttrs: (a) => ({ dataset: { amendment: String(a.amendment) } }),
    columns: [
      { label: '#', class: 'col-num', render: (a) => String(a.amendment) },
      { label: t('pledge.when'), class: 'col-nowrap', render: (a) => fmtDateTime(a.at) },
      { label: t('pledge.reason'), render: (a) => h('span', { class: 'note' }, a.reason) },
      { label: t('pledge.changes'), render: (a) => changesList(a.before || [], a.after || []) },
      ...(hist.some((a) => a.by) ? [{ label: t('pledge.by'), render: (a) => h('span', { class: 'muted' }, a.by || '') }] : []),
    ],
  });
}

function changesList(before, after) {
  const was = new Map(before.map((l) => [l.line, l]));
  const out = [];
  for (const l of after) {
    const b = was.get(l.line);
    if (b && b.quantity === l.quantity) continue;
    out.push(h('li', { dataset: { line: String(l.line) } },
      h('span', { class: 'item-name' }, pair(l.item_name).primary), ': ',
      b ? h('del', {}, fmtNum(b.quantity)) : h('span', { class: 'muted' }, t('pledge.newLine')), ' → ',
      h('ins', {}, qty(l.quantity, l.unit))));
  }
  return out.length ? h('ul', { class: 'diff' }, out) : '—';
}

// ---- a new pledge ----

const DONOR_TYPE_OF_KIND = {
  red_cross_society: 'red_cross_society', company: 'company', ngo: 'ngo', volunteer_group: 'ngo',
  local_government: 'local_government',
};

async function directory(signal) {
  const all = [];
  let cursor = null;
  do {
    const page = await api.get('/api/v1/orgs', { query: { limit: 1000, cursor }, signal });
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

registerPage({
  id: 'pledge-new',
  path: '/donations/new',
  title: 'pledgeNew.title',
  navParent: 'donations',
  minRole: 'editor',
  async render(ctx) {
    ctx.el.classList.add('don');
    const { signal } = ctx;
    const needId = Number(ctx.query.get('need')) || null;
    const [cat, orgs, need] = await Promise.all([
      catalogue(signal),
      directory(signal),
      needId ? api.get(`/api/v1/donations/needs/${needId}`, { signal }) : null,
      loadCss('/css/donations.css'),
    ]);
    let uncovered = need ? need.quantity : null;
    if (need) {
      const cov = await api.get('/api/v1/donations/reconciliation/needs', { query: { org: need.owner_org, item: need.item, limit: 1000 }, signal });
      const c = cov.items.find((x) => x.need_id === need.id);
      if (c) uncovered = c.uncovered;
    }
    const mine = session.org();
    const others = orgs.filter((o) => o.id !== mine?.id)
      .map((o) => [o, pair({ en: o.name_en, zh: o.name_zh }).primary])
      .sort((a, b) => a[1].localeCompare(b[1], locale()));
    const recipientOrg = need ? orgs.find((o) => o.id === need.owner_org) : null;

    ctx.el.append(pageHeader(t('pledgeNew.title'), {
      subtitle: t('pledgeNew.subtitle'),
      actions: h('a', { href: need ? '#/needs' : '#/donations', class: 'btn btn-secondary' }, t('common.cancel')),
    }));
    if (!isEditor()) ctx.el.append(h('p', { class: 'alert alert-warn' }, t('pledgeNew.editorsOnly')));
    if (need) {
      ctx.el.append(h('div', { class: 'alert alert-info need-answered', dataset: { need: String(need.id) } },
        t('pledgeNew.answering', {
          org: pair(need.owner_org_name).primary, item: pair(need.item_name).primary,
          qty: qty(need.quantity, need.unit), left: qty(uncovered, need.unit),
        })));
    }

    const linesBox = h('div', { class: 'line-rows' });
    const itemOptions = [['', t('pledgeNew.chooseItem')], ...cat.map((it) => [it.code, `${catalogueName(it)} (${unitLabel(it.unit)})`])];
    const renumber = () => {
      [...linesBox.children].forEach((row, i) => {
        row.dataset.row = String(i);
        row.querySelector('legend').textContent = t('pledgeNew.lineNo', { n: i + 1 });
        for (const el of row.querySelectorAll('[name]')) el.name = el.name.replace(/^lines\.\d+\./, `lines.${i}.`);
        row.querySelector('[data-act="remove-line"]').hidden = linesBox.children.length < 2;
      });
    };
    const addLine = (item = '', quantity = '') => {
      const i = linesBox.children.length;
      const row = h('fieldset', { class: 'line-row', dataset: { row: String(i) } },
        h('legend', {}, t('pledgeNew.lineNo', { n: i + 1 })),
        field({ name: `lines.${i}.item`, label: t('donations.col.item'), type: 'select', value: item, options: itemOptions }),
        field({ name: `lines.${i}.quantity`, label: t('pledge.quantity'), type: 'number', min: 1, step: 1, value: quantity === '' ? '' : String(quantity), class: 'input-qty' }),
        field({ name: `lines.${i}.value`, label: t('pledge.value'), type: 'number', min: 0, step: 'any', class: 'input-qty' }),
        field({ name: `lines.${i}.currency`, label: t('pledgeNew.currency'), maxlength: 3, class: 'input-short', placeholder: 'CNY', autocapitalize: 'characters' }),
        field({ name: `lines.${i}.note`, label: t('pledge.lineNote'), maxlength: 1000 }),
        h('div', { class: 'actions' }, h('button', {
          type: 'button', class: 'btn btn-small btn-link', dataset: { act: 'remove-line' },
          onclick: () => { row.remove(); renumber(); },
        }, t('pledgeNew.removeLine'))));
      linesBox.append(row);
      renumber();
    };
    addLine(need ? need.item : '', need ? Math.max(uncovered, 1) : '');

    const recipientField = need
      ? h('div', { class: 'field', dataset: { field: 'recipient_org' } },
        h('span', { class: 'label-like' }, t('pledge.recipient')),
        h('input', { type: 'hidden', name: 'recipient_org', value: String(need.owner_org) }),
        orgCell(need.owner_org_name, need.owner_org))
      : field({
        name: 'recipient_org', label: t('pledge.recipient'), type: 'select', value: '', required: true,
        options: [['', t('pledgeNew.chooseRecipient')], ...others.map(([o, name]) => [String(o.id), `${name} (${countryName(o.country)})`])],
      });
    const kindType = DONOR_TYPE_OF_KIND[mine?.kind] || 'government';
    const form = h('form', { class: 'form-grid pledge-form', dataset: { form: 'new-pledge' } },
      recipientField,
      field({ name: 'country', label: t('pledgeNew.country'), value: need ? need.country : '', required: true, maxlength: 2, class: 'input-short', hint: t('pledgeNew.countryHint') }),
      field({ name: 'subdivision', label: t('pledgeNew.subdivision'), value: need ? need.subdivision : '', maxlength: 6, class: 'input-short', hint: t('pledgeNew.subdivisionHint') }),
      field({ name: 'city', label: t('pledgeNew.city'), value: need ? need.city : '', maxlength: 100 }),
      field({ name: 'title', label: t('pledgeNew.titleField'), maxlength: 300, hint: t('pledgeNew.titleHint') }),
      field({ name: 'donor_type', label: t('pledge.donorType'), type: 'select', value: kindType, options: DONOR_TYPES.map((d) => [d, t(`donorType.${d}`)]) }),
      field({ name: 'donor_name', label: t('pledgeNew.donorName'), maxlength: 200, hint: t('pledgeNew.donorNameHint') }),
      field({ name: 'pledged_on', label: t('pledge.pledgedOn'), type: 'date', value: today(), max: today() }),
      field({ name: 'needed_by', label: t('pledge.neededBy'), type: 'date', value: need?.needed_by || '' }),
      field({ name: 'visibility', label: t('pledgeNew.visibility'), type: 'select', value: 'private', options: VISIBILITIES.map((v) => [v, t(`visibility.${v}`)]), hint: t('pledgeNew.visibilityHint') }),
      field({ name: 'note', label: t('pledge.note'), type: 'textarea', maxlength: 4000, rows: 2 }),
      h('h3', { class: 'form-title' }, t('pledge.lines')),
      linesBox,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-secondary', dataset: { act: 'add-line' }, onclick: () => addLine() }, t('pledgeNew.addLine'))),
      h('div', { class: 'actions form-submit' }, h('button', { type: 'submit', class: 'btn', dataset: { act: 'create-pledge' } }, t('pledgeNew.submit'))));
    linesBox.classList.add('span-all');

    // The recipient's country as the place's, until the user types one.
    const recipientSelect = form.querySelector('select[name="recipient_org"]');
    const countryInput = form.querySelector('input[name="country"]');
    let countryTyped = false;
    countryInput.addEventListener('input', () => { countryTyped = true; });
    recipientSelect?.addEventListener('change', () => {
      const o = orgs.find((x) => String(x.id) === recipientSelect.value);
      if (o && !countryTyped) countryInput.value = o.country;
    });
    if (recipientOrg && !countryInput.value) countryInput.value = recipientOrg.country;

    onSubmit(form, async (v) => {
      const body = {
        donor_type: v.donor_type,
        recipient_org: v.recipient_org ? Number(v.recipient_org) : 0,
        country: (v.country || '').toUpperCase(),
        visibility: v.visibility,
        lines: [...linesBox.children].map((row, i) => {
          const l = {};
          if (v[`lines.${i}.item`]) l.item = v[`lines.${i}.item`];
          l.quantity = v[`lines.${i}.quantity`] ? Number(v[`lines.${i}.quantity`]) : 0;
          if (v[`lines.${i}.value`]) l.value = Number(v[`lines.${i}.value`]);
          if (v[`lines.${i}.currency`]) l.currency = v[`lines.${i}.currency`].toUpperCase();
          if (v[`lines.${i}.note`]) l.note = v[`lines.${i}.note`];
          return l;
        }),
      };
      for (const k of ['subdivision', 'city', 'title', 'donor_name', 'pledged_on', 'needed_by', 'note']) if (v[k]) body[k] = k === 'subdivision' ? v[k].toUpperCase() : v[k];
      if (need) body.need_id = need.id;
      const p = await api.post('/api/v1/donations/pledges', body);
      notify(t('pledgeNew.created', { title: pledgeTitle(p) }));
      ctx.navigate(`/pledges/${p.id}`);
    }, { keep: true });
    ctx.el.append(h('section', { class: 'card' }, form));
  },
});
