// The organisation's inbox (C3): alerts, joint statements and advisories
// delivered to it, newest first, with their receipt (new, read,
// acknowledged).  Filters by kind, acknowledgement and unread; opening a
// message marks it read (pages/alert.js); editors acknowledge from here or
// from the message.  New messages arrive live through the event stream
// (../alerts.js) and are put at the top without a reload; the nav's badge
// counts the unread ones.
//
// State in the hash: #/alerts?kind=advisory&status=unacked&unread=1&cursor=…
import { registerPage } from '../registry.js';
import { t } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, field, table, pager, pageHeader, alertBox, notify } from '../dom.js';
import * as session from '../session.js';
import { PAGE_SIZE } from '../constants.js';
import {
  ALERT_KINDS, navBadge, alertTabs, liveIndicator, onLive, ensureCaps, rememberReceipt, markedRead,
  refreshUnread, receiptBadge, receiptState, kindBadge, msgTypeBadge, severityBadge, headline, headlineLang,
  ownerName, areasText, loadAreas, when, label,
} from '../alerts.js';

const STATUSES = ['unacked', 'acked'];

registerPage({
  id: 'alerts',
  path: '/alerts',
  title: 'alerts.inbox.title',
  nav: { order: 8, label: 'nav.alerts', badge: navBadge },
  async render(ctx) {
    const kind = ALERT_KINDS.includes(ctx.query.get('kind')) ? ctx.query.get('kind') : '';
    const status = STATUSES.includes(ctx.query.get('status')) ? ctx.query.get('status') : '';
    const unreadOnly = ctx.query.get('unread') === '1';
    const cursor = ctx.query.get('cursor') || '';
    const filtered = !!(kind || status);

    ctx.el.append(
      pageHeader(t('alerts.inbox.title'), { subtitle: t('alerts.inbox.intro'), actions: liveIndicator(ctx.signal) }),
      alertTabs('alerts'));

    const filters = h('form', { class: 'filters', role: 'search', 'aria-label': t('alerts.inbox.filters'), novalidate: true, dataset: { form: 'inbox-filters' } },
      field({ name: 'kind', label: t('alerts.inbox.kind'), type: 'select', value: kind, options: [['', t('alerts.inbox.allKinds')], ...ALERT_KINDS.map((k) => [k, label('kind', k)])] }),
      field({ name: 'status', label: t('alerts.inbox.status'), type: 'select', value: status, options: [['', t('alerts.inbox.allStatuses')], ...STATUSES.map((s) => [s, t(`alerts.inbox.statuses.${s}`)])] }),
      h('div', { class: 'field field-check' },
        h('label', {}, h('input', { type: 'checkbox', name: 'unread', value: '1', checked: unreadOnly }), ' ', t('alerts.inbox.unreadOnly'))),
      h('div', { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'btn' }, t('alerts.inbox.apply')),
        filtered || unreadOnly ? h('button', { type: 'button', class: 'btn btn-link', dataset: { act: 'clear' }, onclick: () => ctx.setQuery({}) }, t('alerts.inbox.clear')) : null));
    const apply = () => {
      const fd = new FormData(filters);
      ctx.setQuery({ kind: fd.get('kind'), status: fd.get('status'), unread: fd.get('unread') ? '1' : '' });
    };
    filters.addEventListener('submit', (ev) => { ev.preventDefault(); apply(); });
    for (const sel of filters.querySelectorAll('select, input[type="checkbox"]')) sel.addEventListener('change', apply);
    ctx.el.append(filters);

    // New arrivals are announced by a notice (../alerts.js), not by
    // re-reading the list.
    const list = h('div', { class: 'list-region', dataset: { list: 'inbox' } });
    ctx.el.append(list);

    const matches = (it) => it.alert
      && (!kind || it.alert.kind === kind)
      && (!status || (status === 'acked') === !!it.acknowledged_at)
      && (!unreadOnly || !it.read_at);

    // With a kind or status filter the inbox is read a few pages at a time
    // until a page's worth matches (the API filters only unread).
    const rows = [];
    let next = cursor || null;
    let fetched = 0;
    do {
      const page = await api.get('/api/v1/inbox', {
        query: { limit: filtered ? 100 : PAGE_SIZE, cursor: next, unread: unreadOnly ? 'true' : '' },
        signal: ctx.signal,
      });
      fetched += 1;
      for (const it of page.items) {
        rememberReceipt(it);
        if (matches(it)) rows.push(it);
      }
      next = page.next_cursor;
    } while (filtered && next && rows.length < PAGE_SIZE && fetched < 5);
    await Promise.all([loadAreas().catch(() => null), ensureCaps(rows.map((it) => it.alert), ctx.signal)]);
    // The first page is the count's source too.
    if (!cursor && !filtered) refreshUnread();

    const acknowledge = async (it) => {
      try {
        const r = await api.post(`/api/v1/inbox/${it.alert_id}/ack`);
        Object.assign(it, r);
        rememberReceipt(r);
        markedRead(it.alert_id);
        notify(t('alerts.acknowledged'));
        if (!matches(it)) rows.splice(rows.indexOf(it), 1);
        draw();
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        list.prepend(alertBox(err));
      }
    };
    const draw = () => {
      const focused = document.activeElement?.closest?.('[data-list="inbox"] tr[data-alert]')?.dataset.alert;
      list.replaceChildren(
        inboxTable(rows, acknowledge),
        pager({
          key: `inbox|${kind}|${status}|${unreadOnly}`,
          cursor,
          nextCursor: next,
          go: (c) => ctx.setQuery({ kind, status, unread: unreadOnly ? '1' : '', cursor: c }),
        }));
      if (focused) list.querySelector(`tr[data-alert="${focused}"] a`)?.focus();
    };
    draw();

    // Live: a new message goes on top of the first page; after a break in
    // the stream, the first page is read again for what was missed.
    onLive(async (type, data) => {
      if (cursor) return;
      if (type === 'alert' && data.alert) {
        const a = data.alert;
        if (a.owner_org === session.org()?.id || rows.some((it) => it.alert_id === a.id)) return;
        const it = { alert_id: a.id, delivered_at: new Date().toISOString(), read_at: null, acknowledged_at: null, alert: a, fresh: true };
        if (!matches(it)) return;
        rows.unshift(it);
        draw();
      } else if (type === 'resync') {
        try {
          const page = await api.get('/api/v1/inbox', { query: { limit: PAGE_SIZE, unread: unreadOnly ? 'true' : '' }, signal: ctx.signal });
          const missed = page.items.filter((it) => matches(it) && !rows.some((r) => r.alert_id === it.alert_id));
          if (!missed.length) return;
          await ensureCaps(missed.map((it) => it.alert), ctx.signal);
          for (const it of missed.reverse()) {
            rememberReceipt(it);
            rows.unshift({ ...it, fresh: true });
          }
          draw();
        } catch (err) {
          if (!(err instanceof ApiError) && err.name !== 'AbortError') console.error(err);
        }
      }
    }, ctx.signal);
  },
});

function inboxTable(rows, acknowledge) {
  const editor = session.can('editor');
  return table({
    caption: t('alerts.inbox.title'),
    empty: t('alerts.inbox.empty'),
    rows,
    rowAttrs: (it) => ({
      dataset: { alert: it.alert_id, receipt: receiptState(it), kind: it.alert.kind },
      class: [it.read_at ? null : 'row-unread', it.fresh ? 'row-fresh' : null].filter(Boolean).join(' ') || null,
    }),
    columns: [
      { label: t('alerts.inbox.receipt'), class: 'col-badges', render: (it) => receiptBadge(it) },
      {
        label: t('alerts.inbox.message'),
        render: (it) => h('div', { class: 'msg-cell' },
          h('a', { href: `#/alerts/${it.alert_id}`, class: 'msg-headline', lang: headlineLang(it.alert) }, headline(it.alert)),
          h('span', { class: 'msg-meta' }, kindBadge(it.alert.kind), ' ', msgTypeBadge(it.alert), ' ',
            h('span', { class: 'msg-from' }, t('alerts.from', { org: ownerName(it.alert) })))),
      },
      { label: t('alerts.fields.areas'), render: (it) => areasText(it.alert.areas) || null },
      { label: t('alerts.fields.severity'), class: 'col-badges', render: (it) => severityBadge(it.alert.severity) },
      { label: t('alerts.inbox.received'), class: 'col-nowrap', render: (it) => when(it.delivered_at) },
      {
        label: t('common.actions'),
        class: 'col-actions',
        render: (it) => (editor && !it.acknowledged_at
          ? h('button', { type: 'button', class: 'btn btn-small btn-secondary', dataset: { act: 'ack' }, onclick: () => acknowledge(it) }, t('alerts.acknowledge'))
          : null),
      },
    ],
  });
}
