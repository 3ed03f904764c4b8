// The audit log, newest first, paged by cursor: who changed what and when,
// with the fields that changed.  Administrators see their organisation's
// entries; the operator's administrators see all.
import { registerPage } from '../registry.js';
import { t, has, fmtDateTime } from '../i18n.js';
import { api } from '../api.js';
import { h, table, pager, pageHeader, badge } from '../dom.js';
import { PAGE_SIZE } from '../constants.js';

// Fields that change on every write and say nothing.
const NOISE = new Set(['updated_at', 'created_at', 'id']);

// Codes of later capabilities' actions and entities show as they are until
// their pages add audit.actions.<x> / audit.entities.<x> to the dictionaries.
function label(group, code) {
  const key = `audit.${group}.${code}`;
  return has(key) ? t(key) : code;
}

function short(v) {
  if (v === null || v === undefined || v === '') return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function changes(e) {
  const before = e.before && typeof e.before === 'object' ? e.before : {};
  const after = e.after && typeof e.after === 'object' ? e.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !NOISE.has(k));
  if (!e.before && e.after) {
    const set = keys.filter((k) => after[k] !== '' && after[k] !== null && after[k] !== false);
    return h('span', { class: 'muted' }, set.map((k) => `${k}=${short(after[k])}`).join(', '));
  }
  const diff = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (!diff.length) return '';
  return h('ul', { class: 'diff' }, diff.map((k) => h('li', {},
    h('code', {}, k), ': ',
    h('del', {}, short(before[k])), ' → ',
    h('ins', {}, short(after[k])))));
}

registerPage({
  id: 'audit',
  path: '/audit',
  title: 'audit.title',
  nav: { order: 50, label: 'nav.audit' },
  minRole: 'admin',
  async render(ctx) {
    const cursor = ctx.query.get('cursor') || '';
    ctx.el.append(pageHeader(t('audit.title'), { subtitle: t('audit.intro') }));
    const page = await api.get('/api/v1/audit', { query: { limit: PAGE_SIZE, cursor }, signal: ctx.signal });
    ctx.el.append(
      table({
        caption: t('audit.title'),
        empty: t('audit.empty'),
        rows: page.items,
        rowAttrs: (e) => ({ dataset: { seq: e.seq, action: e.action, entity: e.entity } }),
        columns: [
          { label: t('audit.seq'), class: 'col-num col-nowrap', render: (e) => String(e.seq) },
          { label: t('audit.at'), class: 'col-nowrap', render: (e) => h('time', { datetime: e.at }, fmtDateTime(e.at)) },
          {
            label: t('audit.actor'),
            class: 'col-nowrap',
            render: (e) => h('span', {}, e.actor || '—', e.actor_kind && e.actor_kind !== 'user' ? [' ', badge(label('actorKinds', e.actor_kind), 'muted')] : null),
          },
          { label: t('audit.action'), class: 'col-nowrap', render: (e) => label('actions', e.action) },
          {
            label: t('audit.entity'),
            class: 'col-nowrap',
            render: (e) => {
              const text = `${label('entities', e.entity)} #${e.entity_id}`;
              return e.entity === 'org' ? h('a', { href: `#/orgs/${e.entity_id}` }, text) : text;
            },
          },
          { label: t('audit.changes'), render: changes },
        ],
      }),
      pager({ key: 'audit', cursor, nextCursor: page.next_cursor, go: (c) => ctx.setQuery({ cursor: c }) }));
  },
});
