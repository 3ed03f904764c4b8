// The directory of organisations: filter by country and kind, page through
// with next_cursor, each name in the current language with the other one
// beneath.  Administrators of the operating organisation also create
// organisations here.
import { registerPage } from '../registry.js';
import { t, countryName, orgNames } from '../i18n.js';
import { api } from '../api.js';
import { h, field, onSubmit, table, pager, pageHeader, orgNameCell, badge, notify } from '../dom.js';
import { isOperatorAdmin } from '../session.js';
import { ORG_KINDS, PAGE_SIZE } from '../constants.js';

export function kindOptions(withAll) {
  const opts = ORG_KINDS.map((k) => [k, t(`kind.${k}`)]);
  return withAll ? [['', t('orgs.allKinds')], ...opts] : opts;
}

registerPage({
  id: 'orgs',
  path: '/orgs',
  title: 'orgs.title',
  nav: { order: 20, label: 'nav.orgs' },
  async render(ctx) {
    const country = (ctx.query.get('country') || '').toUpperCase();
    const kind = ctx.query.get('kind') || '';
    const cursor = ctx.query.get('cursor') || '';

    const filters = h('form', { class: 'filters', role: 'search', 'aria-label': t('orgs.filters'), novalidate: true },
      field({ name: 'country', label: t('orgs.country'), value: country, maxlength: 2, pattern: '[A-Za-z]{2}', hint: t('orgs.countryHint'), autocomplete: 'off', class: 'input-short' }),
      field({ name: 'kind', label: t('orgs.kind'), type: 'select', value: kind, options: kindOptions(true) }),
      h('div', { class: 'filter-actions' },
        h('button', { type: 'submit', class: 'btn' }, t('orgs.apply')),
        country || kind ? h('button', { type: 'button', class: 'btn btn-link', onclick: () => ctx.setQuery({}) }, t('orgs.clear')) : null));
    filters.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const fd = new FormData(filters);
      ctx.setQuery({ country: String(fd.get('country') || '').trim().toUpperCase(), kind: fd.get('kind') });
    });

    ctx.el.append(pageHeader(t('orgs.title'), { subtitle: t('orgs.intro') }));
    if (isOperatorAdmin()) ctx.el.append(createForm(ctx));
    ctx.el.append(filters);

    const list = h('div', { class: 'list-region', 'aria-live': 'polite' });
    ctx.el.append(list);
    const page = await api.get('/api/v1/orgs', {
      query: { limit: PAGE_SIZE, cursor, country, kind },
      signal: ctx.signal,
    });
    list.append(
      table({
        caption: t('orgs.title'),
        empty: t('orgs.empty'),
        rows: page.items,
        rowAttrs: (o) => ({ dataset: { org: o.id } }),
        columns: [
          { label: t('orgs.name'), render: (o) => orgNameCell(orgNames(o), `#/orgs/${o.id}`) },
          { label: t('orgs.kind'), render: (o) => t(`kind.${o.kind}`) },
          { label: t('orgs.country'), render: (o) => h('span', { title: o.country }, countryName(o.country)) },
          { label: '', class: 'col-badges', render: (o) => (o.operator ? badge(t('orgs.operator'), 'info') : '') },
        ],
      }),
      pager({
        key: `orgs|${country}|${kind}`,
        cursor,
        nextCursor: page.next_cursor,
        go: (c) => ctx.setQuery({ country, kind, cursor: c }),
      }));
  },
});

function createForm(ctx) {
  const form = h('form', { class: 'form-grid' },
    field({ name: 'name_en', label: t('org.nameEn'), required: true, maxlength: 200 }),
    field({ name: 'name_zh', label: t('org.nameZh'), maxlength: 200, lang: 'zh-Hans' }),
    field({ name: 'kind', label: t('orgs.kind'), type: 'select', options: kindOptions(false), required: true }),
    field({ name: 'country', label: t('orgs.country'), required: true, maxlength: 2, hint: t('orgs.countryHint'), class: 'input-short' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('orgs.create'))));
  onSubmit(form, async (v) => {
    const body = { name_en: v.name_en, kind: v.kind, country: (v.country || '').toUpperCase() };
    if (v.name_zh) body.name_zh = v.name_zh;
    const o = await api.post('/api/v1/orgs', body);
    notify(t('orgs.created', { name: orgNames(o).primary }));
    ctx.navigate(`/orgs/${o.id}`);
  });
  return h('details', { class: 'card disclosure' },
    h('summary', {}, t('orgs.new')),
    form);
}
