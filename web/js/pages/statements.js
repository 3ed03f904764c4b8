// Joint statements (C3): a statement is drafted by one organisation with
// co-signing organisations; each co-signer approves or declines (and may
// change its mind while the statement is a draft); the drafter issues it
// once every co-signer has approved — the button stays disabled until then,
// and the server refuses otherwise (409 naming who is pending).  Issuing
// delivers it like any alert.
//
// This page lists the drafts waiting for the user's organisation, the ones
// it drafted, and the statements issued lately.  statementCard() is also
// the co-signing block of a statement's own page (pages/alert.js).
import { registerPage } from '../registry.js';
import { t, orgNames } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, field, pageHeader, section, alertBox, notify, dialog, confirmDialog, table } from '../dom.js';
import * as session from '../session.js';
import {
  alertTabs, ensureCaps, rememberCap, headline, headlineLang, ownerName, when, areasText, loadAreas, label, css,
} from '../alerts.js';

registerPage({
  id: 'statements',
  path: '/statements',
  title: 'alerts.statements.title',
  navParent: 'alerts',
  async render(ctx) {
    ctx.el.append(
      pageHeader(t('alerts.statements.title'), { subtitle: t('alerts.statements.intro') }),
      alertTabs('statements'));
    const mine = session.org()?.id;
    const [drafts, issued] = await Promise.all([
      // Lists do not carry the co-signers' decisions: each draft is read
      // (drafts are few, and read only by their signers).
      allPages({ kind: 'joint_statement', state: 'draft' }, ctx.signal)
        .then((list) => Promise.all(list.map((a) => api.get(`/api/v1/alerts/${a.id}`, { signal: ctx.signal }).then(rememberCap)))),
      api.get('/api/v1/alerts', { query: { kind: 'joint_statement', state: 'issued', limit: 10 }, signal: ctx.signal }).then((p) => p.items),
      loadAreas().catch(() => null),
      css(),
    ]);
    await ensureCaps(issued, ctx.signal);

    const myDecision = (a) => a.signers?.find((s) => s.org_id === mine)?.decision;
    const waiting = drafts.filter((a) => myDecision(a) === 'pending');
    const decided = drafts.filter((a) => myDecision(a) && myDecision(a) !== 'pending');
    const own = drafts.filter((a) => a.owner_org === mine);
    const refresh = () => ctx.refresh();

    const list = (items, empty, attr) => (items.length
      ? h('div', { class: 'statement-list', dataset: { list: attr } }, items.map((a) => statementCard(a, { onChange: refresh, link: true })))
      : h('p', { class: 'empty', dataset: { list: attr } }, empty));

    ctx.el.append(
      section(t('alerts.statements.waiting'), list(waiting, t('alerts.statements.noneWaiting'), 'waiting')),
      section(t('alerts.statements.own'), list(own, t('alerts.statements.noneOwn'), 'own')));
    if (decided.length) ctx.el.append(section(t('alerts.statements.decided'), list(decided, '', 'decided')));
    if (session.can('editor')) {
      ctx.el.lastElementChild.after(h('p', { class: 'statement-new' },
        h('a', { class: 'btn btn-secondary', href: '#/alerts/new?kind=joint_statement', dataset: { act: 'draft-statement' } }, t('alerts.statements.draftNew'))));
    }
    ctx.el.append(section(t('alerts.statements.issued'), table({
      caption: t('alerts.statements.issued'),
      empty: t('alerts.statements.noneIssued'),
      rows: issued,
      rowAttrs: (a) => ({ dataset: { alert: a.id } }),
      columns: [
        { label: t('alerts.inbox.message'), render: (a) => h('a', { href: `#/alerts/${a.id}`, lang: headlineLang(a) }, headline(a)) },
        { label: t('alerts.statements.drafter'), render: (a) => ownerName(a) },
        { label: t('alerts.fields.areas'), render: (a) => areasText(a.areas) },
        { label: t('alerts.fields.issued'), class: 'col-nowrap', render: (a) => when(a.issued_at) },
      ],
    })));
  },
});

async function allPages(query, signal) {
  const out = [];
  let cursor = null;
  for (let n = 0; n < 5; n++) {
    const page = await api.get('/api/v1/alerts', { query: { ...query, limit: 100, cursor }, signal });
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

export function decisionBadge(d) {
  const kind = { approved: 'ok', declined: 'danger', pending: 'warn' }[d] || '';
  return h('span', { class: ['badge', kind && `badge-${kind}`], dataset: { decision: d } }, label('decision', d));
}

// One joint statement: its co-signers and their decisions, and what the
// user's organisation may do with it now.
//   opts.onChange()  after a decision, an issue or a withdrawal
//   opts.link        the headline links to the statement's page
export function statementCard(a, { onChange, link = false } = {}) {
  const mine = session.org()?.id;
  const editor = session.can('editor');
  const owner = a.owner_org === mine;
  const me = a.signers?.find((s) => s.org_id === mine);
  const draft = a.state === 'draft';
  const pending = (a.signers || []).filter((s) => s.decision !== 'approved');
  const msg = h('div', { class: 'statement-msg' });

  const run = async (fn) => {
    msg.replaceChildren();
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const box = alertBox(err);
      box.tabIndex = -1;
      msg.append(box);
      box.focus();
    }
  };

  const decide = (approve) => run(async () => {
    const v = await dialog({
      title: t(approve ? 'alerts.statements.approveTitle' : 'alerts.statements.declineTitle'),
      message: t(approve ? 'alerts.statements.approveText' : 'alerts.statements.declineText'),
      fields: [field({ name: 'note', label: t('alerts.statements.note'), type: 'textarea', maxlength: 1000, rows: 3 })],
      confirm: t(approve ? 'alerts.statements.approve' : 'alerts.statements.decline'),
      danger: !approve,
    });
    if (!v) return;
    await api.post(`/api/v1/alerts/${a.id}/${approve ? 'approve' : 'decline'}`, v.note ? { note: v.note } : {});
    notify(t(approve ? 'alerts.statements.approved' : 'alerts.statements.declined'));
    onChange?.();
  });

  const issue = () => run(async () => {
    const ok = await confirmDialog({
      title: t('alerts.statements.issueTitle'),
      message: t('alerts.statements.issueText'),
      confirm: t('alerts.statements.issue'),
    });
    if (!ok) return;
    await api.post(`/api/v1/alerts/${a.id}/issue`);
    notify(t('alerts.statements.issuedDone'));
    onChange?.();
  });

  const withdraw = () => run(async () => {
    const ok = await confirmDialog({
      title: t('alerts.statements.withdrawTitle'),
      message: t('alerts.statements.withdrawText'),
      confirm: t('alerts.statements.withdraw'),
      danger: true,
    });
    if (!ok) return;
    await api.del(`/api/v1/alerts/${a.id}`);
    notify(t('alerts.statements.withdrawn'));
    onChange?.();
  });

  const actions = [];
  if (draft && editor && me) {
    if (me.decision !== 'approved') actions.push(h('button', { type: 'button', class: 'btn', dataset: { act: 'approve' }, onclick: () => decide(true) }, t('alerts.statements.approve')));
    if (me.decision !== 'declined') actions.push(h('button', { type: 'button', class: 'btn btn-danger-outline', dataset: { act: 'decline' }, onclick: () => decide(false) }, t('alerts.statements.decline')));
  }
  let hint = null;
  if (draft && owner && editor) {
    const blocked = pending.length > 0;
    const hintId = `issue-hint-${a.id}`;
    actions.push(
      h('button', {
        type: 'button', class: 'btn', dataset: { act: 'issue' }, disabled: blocked,
        'aria-describedby': blocked ? hintId : null, onclick: issue,
      }, t('alerts.statements.issue')),
      h('button', { type: 'button', class: 'btn btn-danger-outline', dataset: { act: 'withdraw' }, onclick: withdraw }, t('alerts.statements.withdraw')));
    if (blocked) {
      hint = h('p', { class: 'hint', id: hintId }, t('alerts.statements.waitingFor', {
        orgs: pending.map((s) => `${orgNames(s).primary} (${label('decision', s.decision)})`).join(', '),
      }));
    }
  }

  const signers = h('ul', { class: 'signers' },
    h('li', { dataset: { signer: a.owner_org, decision: 'drafter' } },
      h('span', { class: 'signer-name' }, ownerName(a)), ' ', h('span', { class: 'badge badge-info' }, t('alerts.statements.drafter'))),
    (a.signers || []).map((s) => h('li', { dataset: { signer: s.org_id, decision: s.decision } },
      h('span', { class: 'signer-name' }, orgNames(s).primary), ' ', decisionBadge(s.decision),
      s.decided_at ? h('span', { class: 'muted' }, ' ', when(s.decided_at)) : null,
      s.note ? h('q', { class: 'signer-note' }, s.note) : null)));

  const title = link
    ? h('h3', {}, h('a', { href: `#/alerts/${a.id}`, lang: headlineLang(a) }, headline(a)))
    : null;
  return h('article', { class: ['statement', link && 'card-inner'], dataset: { statement: a.id, state: a.state } },
    title,
    link ? h('p', { class: 'muted statement-meta' }, t('alerts.statements.draftedBy', { org: ownerName(a) }), ' · ', when(a.created_at)) : null,
    h('p', { class: 'statement-state' }, label('state', a.state)),
    signers,
    msg,
    actions.length ? h('div', { class: 'actions' }, actions) : null,
    hint);
}
