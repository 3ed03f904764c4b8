// The list of pages.  A page is one module under js/pages/ that calls
// registerPage() once at import; js/pages/index.js imports them all.
//
//   registerPage({
//     id: 'orgs',                  // unique; also <main data-page="orgs">
//     path: '/orgs/:id',           // hash route; ':name' segments become params
//     title: 'orgs.title',         // i18n key of the page title (tab title, nav label)
//     nav: { order: 20, label: 'nav.orgs', group: 'main' },  // optional; also
//                                  // badge: () => Node (drawn after the label),
//                                  // anonymous: true (shown only when not logged in)
//     navParent: 'orgs',           // optional: the nav entry to mark current
//     minRole: 'viewer',           // 'viewer' | 'editor' | 'admin'; public: true for no login
//     public: false,
//     render: async (ctx) => { ... }  // draws into ctx.el; see app.js for ctx
//   });
//
// The home page (where "#/" and a fresh login go) is the visible nav entry
// of group 'main' with the lowest order.

const pages = [];

export function registerPage(def) {
  if (!def || !def.id || !def.path || typeof def.render !== 'function') {
    throw new Error('registerPage needs id, path and render');
  }
  if (pages.some((p) => p.id === def.id)) throw new Error(`page ${def.id} is registered twice`);
  const names = [];
  const source = def.path.split('/').map((seg) => {
    if (seg.startsWith(':')) {
      names.push(seg.slice(1));
      return '([^/]+)';
    }
    return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  pages.push({
    minRole: 'viewer',
    public: false,
    ...def,
    nav: def.nav ? { group: 'main', label: def.title, ...def.nav } : null,
    re: new RegExp(`^${source}$`),
    names,
  });
}

export function allPages() { return pages.slice(); }

// The nav entries of a group that a user with `allowed(page)` may see, in order.
export function navEntries(group, allowed) {
  return pages
    .filter((p) => p.nav && p.nav.group === group && allowed(p))
    .sort((a, b) => a.nav.order - b.nav.order);
}

// Finds the page for a path: { page, params } or null.
export function match(path) {
  for (const page of pages) {
    const m = page.re.exec(path);
    if (m) {
      const params = {};
      page.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      return { page, params };
    }
  }
  return null;
}
