// Public alerts (C10), without login: the issued public messages, newest
// first (GET /api/v1/public/alerts), each in the reader's language when the
// CAP text says it, with its CAP XML; and the Atom feed to follow them in
// a feed reader.  The feed is also announced in index.html
// (<link rel="alternate" type="application/atom+xml">).
import { registerPage } from '../registry.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, pageHeader, badge } from '../dom.js';
import * as session from '../session.js';
import {
  css, ensureCaps, cachedCap, infosByLang, headline, headlineLang, htmlLang, ownerName, areasText, loadAreas,
  kindBadge, msgTypeBadge, severityBadge, when, alertTabs,
} from '../alerts.js';

const FEED = '/feeds/alerts.atom';

registerPage({
  id: 'public-alerts',
  path: '/public-alerts',
  title: 'alerts.public.title',
  nav: { order: 9, label: 'nav.publicAlerts', anonymous: true },
  public: true,
  async render(ctx) {
    const feed = h('a', { class: 'btn btn-secondary feed-link', href: FEED, type: 'application/atom+xml', dataset: { link: 'atom' } },
      h('span', { class: 'feed-icon', 'aria-hidden': 'true' }), t('alerts.public.atom'));
    ctx.el.append(pageHeader(t('alerts.public.title'), { subtitle: t('alerts.public.intro'), actions: feed }));
    if (session.loggedIn()) ctx.el.append(alertTabs('public-alerts'));
    const [{ items }] = await Promise.all([
      api.get('/api/v1/public/alerts', { query: { limit: 50 }, signal: ctx.signal }),
      loadAreas().catch(() => null),
      css(),
    ]);
    await ensureCaps(items, ctx.signal);
    const list = h('div', { class: 'public-list', dataset: { list: 'public' } });
    if (!items.length) list.append(h('p', { class: 'empty' }, t('alerts.public.empty')));
    for (const a of items) list.append(publicCard(a));
    ctx.el.append(list,
      h('p', { class: 'hint feed-hint' }, t('alerts.public.feedHint'), ' ', h('a', { href: FEED, type: 'application/atom+xml' }, t('alerts.public.atom'))));
  },
});

function publicCard(a) {
  const info = infosByLang(cachedCap(a.id))[0];
  const text = info?.description || '';
  const short = text.length > 320 ? `${text.slice(0, 317).trimEnd()}…` : text;
  const titleId = `pa-${a.id}`;
  return h('article', { class: 'card public-alert', 'aria-labelledby': titleId, dataset: { alert: a.id, kind: a.kind } },
    h('p', { class: 'badges' }, kindBadge(a.kind), msgTypeBadge(a), severityBadge(a.severity),
      a.status && a.status !== 'Actual' ? badge(t(`alerts.status.${a.status}`), 'warn') : null),
    h('h2', { id: titleId, lang: headlineLang(a) }, h('a', { href: `#/alerts/${a.id}` }, headline(a))),
    h('p', { class: 'muted public-meta' }, t('alerts.from', { org: ownerName(a) }), ' · ', when(a.sent),
      (a.areas || []).length ? [' · ', areasText(a.areas)] : null),
    short ? h('p', { class: 'public-text', lang: htmlLang(info.language) }, short) : null,
    h('p', { class: 'public-links' },
      h('a', { href: `#/alerts/${a.id}` }, t('alerts.public.read')), ' · ',
      h('a', { href: `/api/v1/alerts/${a.id}/cap`, type: 'application/cap+xml', dataset: { link: 'cap' } }, t('alerts.view.capXml'))));
}
