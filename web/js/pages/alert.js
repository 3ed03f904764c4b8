// One message (C3): its text in each language (the reader's first, the
// others a click away), the CAP fields, its areas by name, the incident it
// belongs to (updates and cancellations), CAP XML and EDXL-DE downloads.
//
// For an organisation that received it: the receipt; opening the page
// marks it read, and editors acknowledge it.  For the sender's
// organisation: each recipient's delivered / read / acknowledged and
// webhook state, kept current by the event stream; editors send an update
// or a cancellation.  A joint statement shows its co-signers
// (pages/statements.js).
//
// Public: an anonymous visitor reads public messages (the server answers
// 404 for the others).
import './compose.js'; // '/alerts/new' is registered before '/alerts/:id'
import { registerPage } from '../registry.js';
import { t, has, lang, orgNames } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, pageHeader, section, alertBox, notify, badge, table } from '../dom.js';
import * as session from '../session.js';
import {
  css, rememberCap, infosByLang, headline, headlineLang, htmlLang, langName, ownerName, loadAreas, areaLabel,
  kindBadge, msgTypeBadge, severityBadge, label, when, findReceipt, rememberReceipt, receiptBadge, markedRead,
  onLive, alertTabs, ensureCaps,
} from '../alerts.js';
import { statementCard } from './statements.js';

registerPage({
  id: 'alert',
  path: '/alerts/:id',
  title: 'alerts.view.title',
  navParent: 'alerts',
  public: true,
  async render(ctx) {
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id < 1) throw new ApiError(404, { title: 'Not found', detail: t('alerts.view.badId') });
    const [a] = await Promise.all([
      api.get(`/api/v1/alerts/${id}`, { signal: ctx.signal }),
      loadAreas().catch(() => null),
      css(),
    ]);
    rememberCap(a);
    const loggedIn = session.loggedIn();
    const mine = loggedIn && a.owner_org === session.org()?.id;
    const editor = session.can('editor');
    document.title = `${headline(a)} · epibridge`;

    // The sender's next message of the incident.
    const canFollowUp = mine && editor && a.state === 'issued' && a.kind !== 'joint_statement'
      && ['Alert', 'Update'].includes(a.msgType);
    const actions = canFollowUp ? h('div', { class: 'actions' },
      h('a', { class: 'btn btn-secondary', href: `#/alerts/new?ref=${a.id}&type=Update`, dataset: { act: 'update' } }, t('alerts.view.sendUpdate')),
      h('a', { class: 'btn btn-danger-outline', href: `#/alerts/new?ref=${a.id}&type=Cancel`, dataset: { act: 'cancel' } }, t('alerts.view.sendCancel'))) : null;

    ctx.el.append(pageHeader(headline(a), {
      subtitle: h('div', { class: 'subtitle' },
        h('p', { class: 'badges' },
          kindBadge(a.kind), msgTypeBadge(a), badge(label('scope', a.scope), 'muted'),
          a.status && a.status !== 'Actual' ? badge(label('status', a.status), 'warn') : null,
          a.state !== 'issued' ? h('span', { class: 'badge badge-warn', dataset: { state: a.state } }, label('state', a.state)) : null,
          severityBadge(a.severity)),
        h('p', {}, t('alerts.from', { org: ownerName(a) }), ' · ', t('alerts.view.sentAt'), ' ', when(a.sent))),
      actions,
    }));
    ctx.el.querySelector('h1').lang = headlineLang(a) || '';
    if (loggedIn) ctx.el.append(alertTabs(null));

    const banner = h('div', { class: 'alert-banners', 'aria-live': 'polite' });
    ctx.el.append(banner);
    if (a.state === 'withdrawn') banner.append(h('div', { class: 'alert alert-warn' }, t('alerts.view.withdrawnText')));
    if (a.msgType === 'Cancel') banner.append(h('div', { class: 'alert alert-warn' }, t('alerts.view.cancelText')));

    const main = h('div', { class: 'alert-main' });
    const aside = h('aside', { class: 'alert-aside', 'aria-label': t('alerts.view.capFields') });
    ctx.el.append(h('div', { class: 'alert-grid' }, main, aside));

    // The receiving organisation's copy.
    if (loggedIn && !mine) {
      const r = await findReceipt(a, ctx.signal);
      if (r) main.append(receiptCard(a, r));
    }
    // The sender's first concern: who has it.
    if (mine && a.state === 'issued') main.append(await deliveriesCard(a, ctx));
    if (a.kind === 'joint_statement' && (a.signers || a.state === 'draft')) {
      main.append(section(t('alerts.view.cosigning'), statementCard(a, { onChange: () => ctx.refresh() })));
    }
    main.append(...textCards(a));

    aside.append(capCard(a), downloadsCard(a, loggedIn));

    const chain = await incidentChain(a, ctx.signal);
    if (chain) main.append(chain);

    // Live: a newer message of the same incident.
    onLive((type, data) => {
      if (type !== 'alert' || !data.alert || data.alert.incident !== a.incident || data.alert.id === a.id) return;
      banner.append(h('div', { class: 'alert alert-info', dataset: { newer: data.alert.id } },
        t('alerts.view.newer', { type: label('msgType', data.alert.msgType) }), ' ',
        h('a', { href: `#/alerts/${data.alert.id}` }, t('alerts.view.openNewer'))));
    }, ctx.signal);
  },
});

// ---- the receipt ----

function receiptCard(a, r) {
  const body = h('div', { class: 'receipt-body' });
  const editor = session.can('editor');
  const draw = () => {
    body.replaceChildren(...[
      h('p', { class: 'receipt-line' }, receiptBadge(r), ' ',
        t('alerts.view.deliveredAt'), ' ', when(r.delivered_at),
        r.read_at ? [' · ', t('alerts.view.readAt'), ' ', when(r.read_at)] : null,
        r.acknowledged_at ? [' · ', t('alerts.view.ackedAt'), ' ', when(r.acknowledged_at),
          r.acknowledged_by ? ` (${r.acknowledged_by})` : null] : null),
      !r.acknowledged_at && editor ? h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn', dataset: { act: 'ack' }, onclick: ack }, t('alerts.acknowledge')),
        h('span', { class: 'hint' }, t('alerts.view.ackHint'))) : null,
      !r.acknowledged_at && !editor ? h('p', { class: 'hint' }, t('alerts.view.ackEditors')) : null,
    ].filter(Boolean));
  };
  const mark = async (what) => {
    try {
      const out = await api.post(`/api/v1/inbox/${a.id}/${what}`);
      Object.assign(r, out);
      rememberReceipt(r);
      markedRead(a.id);
      draw();
      return true;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      body.append(alertBox(err));
      return false;
    }
  };
  async function ack(ev) {
    ev.target.disabled = true;
    if (await mark('ack')) notify(t('alerts.acknowledged'));
    else ev.target.disabled = false;
  }
  draw();
  // Opening the message reads it.
  if (!r.read_at) mark('read');
  const card = section(t('alerts.view.yourCopy'), body);
  card.dataset.receiptCard = '';
  return card;
}

// ---- the text, per language ----

function textCards(a) {
  const infos = infosByLang(a.cap);
  if (!infos.length) return [section(t('alerts.view.text'), h('p', { class: 'empty' }, t('alerts.view.noText')))];
  const [first, ...others] = infos;
  const card = section(t('alerts.view.textIn', { lang: langName(first.language) }), infoBody(first));
  card.dataset.info = first.language || '';
  return [card, ...others.map((info) => h('details', { class: 'card disclosure info-other', dataset: { info: info.language || '' } },
    h('summary', {}, t('alerts.view.alsoIn', { lang: langName(info.language) })),
    h('div', { class: 'disclosure-body' }, infoBody(info))))];
}

function infoBody(info) {
  const l = htmlLang(info.language);
  const params = Array.isArray(info.parameter) ? info.parameter : [];
  const signatories = params.filter((p) => p.valueName === 'signatory').map((p) => p.value);
  const other = params.filter((p) => p.valueName !== 'signatory' && p.valueName !== 'citizens_of' && p.valueName !== 'entering');
  const row = (key, value, cls) => (value ? [h('dt', {}, t(key)), h('dd', { class: cls, lang: l }, value)] : null);
  return h('div', { class: 'info-body', lang: l },
    info.headline ? h('h3', { class: 'info-headline' }, info.headline) : null,
    info.description ? h('p', { class: 'info-text' }, info.description) : null,
    info.instruction ? h('div', { class: 'info-instruction' },
      h('h4', { lang: htmlLang(lang()) }, t('alerts.fields.instruction')), h('p', { class: 'info-text' }, info.instruction)) : null,
    h('dl', { class: 'details info-details' },
      row('alerts.fields.event', info.event),
      row('alerts.fields.audience', info.audience),
      row('alerts.fields.senderName', info.senderName),
      row('alerts.fields.contact', info.contact),
      info.web ? [h('dt', {}, t('alerts.fields.web')), h('dd', {}, safeLink(info.web))] : null,
      signatories.length ? [h('dt', {}, t('alerts.fields.signatories')), h('dd', {}, h('ul', { class: 'plain' }, signatories.map((s) => h('li', {}, s))))] : null,
      (info.area || []).length ? [h('dt', {}, t('alerts.fields.areaDesc')), h('dd', {}, (info.area || []).map((x) => x.areaDesc).join(l === 'zh-Hans' ? '、' : ', '))] : null,
      other.map((p) => [h('dt', {}, p.valueName), h('dd', {}, p.value)])));
}

// Only http(s) addresses become links.
function safeLink(url) {
  return /^https?:\/\//i.test(url) ? h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, url) : url;
}

// ---- the CAP fields ----

function capCard(a) {
  const cap = a.cap || {};
  const info = infosByLang(cap)[0] || {};
  const row = (key, value, data) => (value === null || value === undefined || value === '' ? null
    : [h('dt', {}, t(key)), h('dd', { dataset: data ? { cap: data } : {} }, value)]);
  const cats = (info.category || []).map((c) => (has(`alerts.category.${c}`) ? t(`alerts.category.${c}`) : c)).join(', ');
  const refs = (cap.references || a.references || '').split(/\s+/).filter(Boolean);
  return section(t('alerts.view.capFields'), h('dl', { class: 'details cap-fields' },
    row('alerts.fields.identifier', h('code', {}, a.identifier), 'identifier'),
    row('alerts.fields.sender', h('span', {}, ownerName(a), h('br'), h('code', {}, a.sender)), 'sender'),
    row('alerts.fields.sent', h('span', { title: a.sent }, when(a.sent)), 'sent'),
    row('alerts.fields.status', label('status', a.status), 'status'),
    row('alerts.fields.msgType', label('msgType', a.msgType), 'msgType'),
    row('alerts.fields.scope', label('scope', a.scope), 'scope'),
    row('alerts.fields.restriction', cap.restriction),
    row('alerts.fields.addresses', cap.addresses ? h('code', {}, cap.addresses) : null),
    row('alerts.fields.references', refs.length ? h('ul', { class: 'plain' }, refs.map((r) => h('li', {}, h('code', {}, r.split(',')[1] || r)))) : null, 'references'),
    row('alerts.fields.incident', h('code', {}, a.incident)),
    row('alerts.fields.category', cats),
    row('alerts.fields.urgency', label('urgency', a.urgency), 'urgency'),
    row('alerts.fields.severity', label('severity', a.severity), 'severity'),
    row('alerts.fields.certainty', label('certainty', a.certainty), 'certainty'),
    row('alerts.fields.effective', a.effective ? when(a.effective) : null),
    row('alerts.fields.expires', a.expires ? when(a.expires) : null),
    row('alerts.fields.areas', (a.areas || []).length ? h('ul', { class: 'plain area-list' },
      a.areas.map((c) => h('li', { dataset: { area: c } }, areaLabel(c), ' ', h('span', { class: 'muted' }, `(${c})`)))) : null, 'areas'),
    a.advisory ? row('alerts.fields.citizensOf', areaLabel(a.advisory.citizens_of), 'citizens_of') : null,
    a.advisory ? row('alerts.fields.entering', areaLabel(a.advisory.entering), 'entering') : null,
    a.visibility === 'public' ? row('alerts.fields.views', String(a.views ?? 0)) : null,
    row('alerts.fields.issued', a.issued_at ? when(a.issued_at) : null)));
}

function downloadsCard(a, loggedIn) {
  const cap = a.links?.cap || `/api/v1/alerts/${a.id}/cap`;
  const edxl = a.links?.edxl || `/api/v1/alerts/${a.id}/edxl`;
  return section(t('alerts.view.downloads'), h('ul', { class: 'plain downloads' },
    h('li', {}, h('a', { href: cap, type: 'application/cap+xml', download: `alert-${a.id}.cap.xml`, dataset: { link: 'cap' } }, t('alerts.view.capXml'))),
    loggedIn && a.state === 'issued' && a.status !== 'Draft'
      ? h('li', {}, h('a', { href: edxl, type: 'application/xml', download: `alert-${a.id}.edxl.xml`, dataset: { link: 'edxl' } }, t('alerts.view.edxl')))
      : null));
}

// ---- the incident: updates and cancellations ----

async function incidentChain(a, signal) {
  if (!a.incident || a.state !== 'issued') return null;
  let items;
  try {
    items = (await api.get('/api/v1/alerts', { query: { incident: a.incident, limit: 100 }, signal })).items;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return null;
  }
  if (items.length < 2) return null;
  await ensureCaps(items, signal);
  const card = section(t('alerts.view.incident'), h('p', { class: 'hint' }, t('alerts.view.incidentIntro')), table({
    caption: t('alerts.view.incident'),
    empty: '',
    rows: items,
    rowAttrs: (x) => ({ dataset: { alert: x.id, msgType: x.msgType }, class: x.id === a.id ? 'row-current' : null }),
    columns: [
      { label: t('alerts.fields.msgType'), class: 'col-nowrap', render: (x) => label('msgType', x.msgType) },
      {
        label: t('alerts.inbox.message'),
        render: (x) => (x.id === a.id
          ? h('span', { lang: headlineLang(x) }, headline(x), ' ', badge(t('alerts.view.thisOne'), 'info'))
          : h('a', { href: `#/alerts/${x.id}`, lang: headlineLang(x) }, headline(x))),
      },
      { label: t('alerts.fields.sent'), class: 'col-nowrap', render: (x) => when(x.sent) },
    ],
  }));
  card.dataset.incident = '';
  return card;
}

// ---- the sender's view: recipients ----

async function deliveriesCard(a, ctx) {
  const body = h('div', { class: 'deliveries' });
  const card = section(t('alerts.view.recipients'), body);
  card.dataset.deliveries = '';
  let rows = [];
  let totals = null;
  let next = null;
  const load = async (more) => {
    const page = await api.get(`/api/v1/alerts/${a.id}/deliveries`, { query: { limit: 100, cursor: more ? next : null }, signal: ctx.signal });
    totals = page.totals;
    rows = more ? [...rows, ...page.items] : page.items;
    next = page.next_cursor;
    draw();
  };
  const yes = (ts, by) => (ts ? h('span', { class: 'tick' }, h('span', { 'aria-hidden': 'true' }, '✓ '), when(ts), by ? h('span', { class: 'muted' }, ` ${by}`) : null) : h('span', { class: 'muted' }, t('alerts.view.notYet')));
  const draw = () => {
    const wh = totals.webhooks || {};
    body.replaceChildren(...[
      h('p', { class: 'totals', dataset: { recipients: totals.recipients, read: totals.read, acknowledged: totals.acknowledged } },
        t('alerts.view.totals', { recipients: totals.recipients, delivered: totals.delivered, read: totals.read, acknowledged: totals.acknowledged }),
        wh.pending || wh.delivered || wh.failed ? ` · ${t('alerts.view.webhookTotals', { pending: wh.pending || 0, delivered: wh.delivered || 0, failed: wh.failed || 0 })}` : ''),
      table({
        caption: t('alerts.view.recipients'),
        empty: a.scope === 'Public' ? t('alerts.view.noRecipientsPublic') : t('alerts.view.noRecipients'),
        rows,
        rowAttrs: (r) => ({ dataset: { org: r.org_id, read: r.read_at ? 'true' : 'false', acknowledged: r.acknowledged_at ? 'true' : 'false' } }),
        columns: [
          { label: t('alerts.view.recipient'), render: (r) => h('div', { class: 'name-pair' }, h('a', { href: `#/orgs/${r.org_id}` }, orgNames(r).primary), orgNames(r).secondary ? h('span', { class: 'secondary' }, orgNames(r).secondary) : null) },
          { label: t('alerts.receipt.delivered'), render: (r) => yes(r.delivered_at) },
          { label: t('alerts.receipt.read'), render: (r) => yes(r.read_at) },
          { label: t('alerts.receipt.acknowledged'), render: (r) => yes(r.acknowledged_at, r.acknowledged_by) },
          {
            label: t('alerts.view.webhook'),
            render: (r) => (r.webhook ? h('span', { dataset: { webhook: r.webhook.state } },
              badge(t(`alerts.webhook.${r.webhook.state}`), r.webhook.state === 'delivered' ? 'ok' : r.webhook.state === 'failed' ? 'danger' : 'warn'),
              r.webhook.attempts ? h('span', { class: 'muted' }, ` ${t('alerts.view.attempts', { n: r.webhook.attempts })}`) : null,
              r.webhook.last_error ? h('span', { class: 'muted' }, ` · ${r.webhook.last_error}`) : null) : h('span', { class: 'muted' }, '—')),
          },
        ],
      }),
      next ? h('div', { class: 'pager' }, h('button', { type: 'button', class: 'btn btn-secondary', dataset: { act: 'more' }, onclick: () => load(true) }, t('alerts.view.more'))) : null,
    ].filter(Boolean));
  };
  await load(false);
  // Receipts arrive as events; several at once are read in one request.
  let timer = null;
  onLive((type, data) => {
    if (!['read', 'ack', 'webhook'].includes(type) || data.alert_id !== a.id) return;
    clearTimeout(timer);
    timer = setTimeout(() => load(false).catch((err) => { if (!(err instanceof ApiError) && err.name !== 'AbortError') console.error(err); }), 250);
  }, ctx.signal);
  ctx.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return card;
}
