// The authorization matrix: for every endpoint, which callers may use it on a
// record owned by organisation A.  A caller is described by
//   rel:  'owner' (member of A), 'partner' (member of B, partner of A),
//         'listed' (member of C, named in the record's share list),
//         'unrelated' (member of D), 'recipient' (member of E, to which a
//         record such as a pledge is addressed; unrelated otherwise),
//         'operator' (admin of the operating organisation), 'anon' (no
//         credentials)
//   role: 'admin' | 'editor' | 'viewer'
//   via:  'session' | 'token'
// Each row gives the request (built by `make`, which may set up a fresh
// record) and `allow(caller)`.  authz.test.mjs runs every row for every
// caller and checks that every route of the router has a row.  Capabilities
// append their rows here.

const isUser = (c) => c.rel !== 'anon' && c.via === 'session';
const anyone = () => true;
const loggedIn = (c) => c.rel !== 'anon';
const admin = (c) => c.rel !== 'anon' && c.role === 'admin';
const ownerAdmin = (c) => (c.rel === 'owner' && c.role === 'admin') || c.rel === 'operator';
const ownerMember = (c) => c.rel === 'owner' || c.rel === 'operator';

// Reading a shared record: by visibility; a record addressed to the
// recipient organisation (a pledge) is also always seen by it.
const visibleTo = (vis) => ({
  private: (c) => c.rel === 'owner',
  partners: (c) => c.rel === 'owner' || c.rel === 'partner',
  listed: (c) => c.rel === 'owner' || c.rel === 'listed',
  public: anyone,
}[vis]);
const addressedTo = (vis) => (c) => c.rel === 'recipient' || visibleTo(vis)(c);
// Changing a record: an editor or admin of the owner organisation.
const ownerEditor = (c) => c.rel === 'owner' && c.role !== 'viewer';

let seq = 0;
const uniq = (p) => `${p}${process.pid}x${seq++}`;

export const rows = [
  { route: 'GET /healthz', allow: anyone, make: () => ({ path: '/healthz' }) },
  { route: 'GET /api/v1/openapi.json', allow: anyone, make: () => ({ path: '/api/v1/openapi.json' }) },
  {
    route: 'POST /api/v1/session', allow: anyone,
    make: (w) => ({ path: '/api/v1/session', body: { login: w.loginUser, password: w.password }, raw: true }),
  },
  { route: 'GET /api/v1/session', allow: isUser, make: () => ({ path: '/api/v1/session' }) },
  { route: 'PATCH /api/v1/me', allow: isUser, make: () => ({ path: '/api/v1/me', body: { lang: 'en' } }) },
  { route: 'GET /api/v1/orgs', allow: anyone, make: () => ({ path: '/api/v1/orgs' }) },
  {
    route: 'POST /api/v1/orgs', allow: (c) => c.rel === 'operator',
    make: () => ({ path: '/api/v1/orgs', body: { kind: 'ngo', name_en: uniq('Matrix NGO '), country: 'FR' } }),
  },
  { route: 'GET /api/v1/orgs/{id}', allow: anyone, make: (w) => ({ path: `/api/v1/orgs/${w.A}` }) },
  {
    route: 'PATCH /api/v1/orgs/{id}', allow: ownerAdmin,
    make: (w) => ({ path: `/api/v1/orgs/${w.A}`, body: { name_zh: uniq('甲') } }),
  },
  { route: 'GET /api/v1/orgs/{id}/users', allow: ownerMember, make: (w) => ({ path: `/api/v1/orgs/${w.A}/users` }) },
  {
    route: 'POST /api/v1/orgs/{id}/users', allow: ownerAdmin,
    make: (w) => ({ path: `/api/v1/orgs/${w.A}/users`, body: { login: uniq('m.user'), name: 'M', role: 'viewer', password: 'matrix-password-1' } }),
  },
  { route: 'GET /api/v1/users/{id}', allow: ownerMember, make: (w) => ({ path: `/api/v1/users/${w.targetUser}` }) },
  {
    route: 'PATCH /api/v1/users/{id}', allow: ownerAdmin,
    make: (w) => ({ path: `/api/v1/users/${w.targetUser}`, body: { name: uniq('Target ') } }),
  },
  { route: 'GET /api/v1/partnerships', allow: loggedIn, make: () => ({ path: '/api/v1/partnerships' }) },
  {
    route: 'POST /api/v1/partnerships', allow: admin,
    make: async (w) => ({ path: '/api/v1/partnerships', body: { partner_id: await w.freshOrg() } }),
  },
  {
    // Only the invited organisation accepts; the operator is not a party.
    route: 'POST /api/v1/partnerships/{id}/accept', allow: (c) => c.rel === 'owner' && c.role === 'admin',
    make: async (w) => ({ path: `/api/v1/partnerships/${await w.proposalTo(w.A)}/accept` }),
  },
  {
    route: 'DELETE /api/v1/partnerships/{id}', allow: (c) => c.rel === 'owner' && c.role === 'admin',
    make: async (w) => ({ path: `/api/v1/partnerships/${await w.activePartnership(w.A)}`, method: 'DELETE' }),
  },
  { route: 'GET /api/v1/tokens', allow: admin, make: () => ({ path: '/api/v1/tokens' }) },
  {
    route: 'POST /api/v1/tokens', allow: (c) => admin(c) && c.via === 'session',
    make: () => ({ path: '/api/v1/tokens', body: { name: uniq('t'), role: 'viewer' } }),
  },
  {
    route: 'DELETE /api/v1/tokens/{id}', allow: ownerAdmin,
    make: async (w) => ({ path: `/api/v1/tokens/${await w.tokenOf(w.A)}`, method: 'DELETE' }),
  },
  { route: 'GET /api/v1/audit', allow: admin, make: () => ({ path: '/api/v1/audit' }) },
  // Situation sharing (C1).
  { route: 'GET /api/v1/areas', allow: anyone, make: () => ({ path: '/api/v1/areas' }) },
  { route: 'GET /api/v1/areas/{code}/series', allow: anyone, make: () => ({ path: '/api/v1/areas/JP/series' }) },
  { route: 'GET /api/v1/sitreps', allow: anyone, make: () => ({ path: '/api/v1/sitreps?area=JP' }) },
  {
    route: 'POST /api/v1/sitreps', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: () => ({ path: '/api/v1/sitreps', body: { area: 'JP', date: '2020-03-01', new_confirmed: seq++, visibility: 'private' } }),
  },
  { route: 'GET /api/v1/sitreps/changes', allow: loggedIn, make: () => ({ path: '/api/v1/sitreps/changes?since=2020-01-01T00:00:00Z' }) },
  ...['private', 'partners', 'listed', 'public'].map((vis) => ({
    route: 'GET /api/v1/sitreps/{id}', label: vis,
    allow: {
      private: (c) => c.rel === 'owner',
      partners: (c) => c.rel === 'owner' || c.rel === 'partner',
      listed: (c) => c.rel === 'owner' || c.rel === 'listed',
      public: anyone,
    }[vis],
    make: async (w) => ({ path: `/api/v1/sitreps/${await w.sitrepOf(vis)}` }),
  })),
  { route: 'GET /api/v1/situation/{date}', allow: anyone, make: () => ({ path: '/api/v1/situation/2020-03-01' }) },
  // Situation data files (C1 imports and exports).
  {
    route: 'POST /api/v1/imports/sitreps', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: () => ({
      path: '/api/v1/imports/sitreps?format=hxl&visibility=private',
      body: `#country+code,#date,#affected+infected+new\r\nJP,2020-03-02,${seq++}\r\n`,
      headers: { 'Content-Type': 'text/csv' },
    }),
  },
  { route: 'GET /api/v1/exports/sitreps', allow: anyone, make: () => ({ path: '/api/v1/exports/sitreps?format=json&area=KR' }) },
  // Indicators and risk assessments (C2).
  { route: 'GET /api/v1/indicators', allow: anyone, make: () => ({ path: '/api/v1/indicators?area=KR' }) },
  { route: 'GET /api/v1/indicators/world/{date}', allow: anyone, make: () => ({ path: '/api/v1/indicators/world/2020-02-01' }) },
  { route: 'GET /api/v1/risk', allow: anyone, make: () => ({ path: '/api/v1/risk?scope=area&code=KR' }) },
  {
    // An assessment is always the caller's organisation's: another
    // organisation posting the same scope and day makes its own record.
    route: 'POST /api/v1/risk', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: () => ({ path: '/api/v1/risk', body: { scope: 'area', code: 'JP', date: '2020-03-01', level: 'moderate', rationale: uniq('r'), visibility: 'private' } }),
  },
  { route: 'GET /api/v1/risk/proposed', allow: anyone, make: () => ({ path: '/api/v1/risk/proposed?area=KR&date=2020-02-01' }) },
  { route: 'GET /api/v1/risk/world/{date}', allow: anyone, make: () => ({ path: '/api/v1/risk/world/2020-03-01' }) },
  ...['private', 'partners', 'listed', 'public'].map((vis) => ({
    route: 'GET /api/v1/risk/{id}', label: vis,
    allow: {
      private: (c) => c.rel === 'owner',
      partners: (c) => c.rel === 'owner' || c.rel === 'partner',
      listed: (c) => c.rel === 'owner' || c.rel === 'listed',
      public: anyone,
    }[vis],
    make: async (w) => ({ path: `/api/v1/risk/${await w.riskOf(vis)}` }),
  })),
  // Alerts, joint statements, advisories (C3) and public alerts (C10).
  // Records of A: one alert of each CAP scope (restricted and private are
  // addressed to C), fresh joint-statement drafts with C as co-signer.
  { route: 'GET /api/v1/alerts', allow: anyone, make: () => ({ path: '/api/v1/alerts?area=KR' }) },
  {
    route: 'POST /api/v1/alerts', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: () => ({ path: '/api/v1/alerts', body: { cap: { info: [{ language: 'en', event: 'COVID-19', urgency: 'Expected', severity: 'Minor', certainty: 'Likely', headline: uniq('matrix ') }] }, areas: ['JP'] } }),
  },
  {
    route: 'POST /api/v1/alerts/import', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: (w) => ({ path: '/api/v1/alerts/import', body: w.capXml(uniq('matrix-')), headers: { 'Content-Type': 'application/cap+xml' } }),
  },
  ...['public', 'restricted', 'private'].map((scope) => ({
    route: 'GET /api/v1/alerts/{id}', label: scope,
    allow: scope === 'public' ? anyone : (c) => c.rel === 'owner' || c.rel === 'listed',
    make: async (w) => ({ path: `/api/v1/alerts/${await w.alertOf(scope)}` }),
  })),
  ...['public', 'restricted', 'private'].map((scope) => ({
    route: 'GET /api/v1/alerts/{id}/cap', label: scope,
    allow: scope === 'public' ? anyone : (c) => c.rel === 'owner' || c.rel === 'listed',
    make: async (w) => ({ path: `/api/v1/alerts/${await w.alertOf(scope)}/cap` }),
  })),
  ...['public', 'restricted', 'private'].map((scope) => ({
    route: 'GET /api/v1/alerts/{id}/edxl', label: scope,
    allow: scope === 'public' ? loggedIn : (c) => c.rel === 'owner' || c.rel === 'listed',
    make: async (w) => ({ path: `/api/v1/alerts/${await w.alertOf(scope)}/edxl` }),
  })),
  {
    route: 'GET /api/v1/alerts/{id}/deliveries', allow: (c) => c.rel === 'owner',
    make: async (w) => ({ path: `/api/v1/alerts/${await w.alertOf('restricted')}/deliveries` }),
  },
  {
    route: 'DELETE /api/v1/alerts/{id}', allow: (c) => c.rel === 'owner' && c.role !== 'viewer',
    make: async (w) => ({ path: `/api/v1/alerts/${await w.draftStatement(false)}`, method: 'DELETE' }),
  },
  ...['approve', 'decline'].map((act) => ({
    route: `POST /api/v1/alerts/{id}/${act}`, allow: (c) => c.rel === 'listed' && c.role !== 'viewer',
    make: async (w) => ({ path: `/api/v1/alerts/${await w.draftStatement(false)}/${act}`, body: { note: 'matrix' } }),
  })),
  {
    route: 'POST /api/v1/alerts/{id}/issue', allow: (c) => c.rel === 'owner' && c.role !== 'viewer',
    make: async (w) => ({ path: `/api/v1/alerts/${await w.draftStatement(true)}/issue` }),
  },
  { route: 'GET /api/v1/incidents', allow: anyone, make: () => ({ path: '/api/v1/incidents' }) },
  { route: 'GET /api/v1/inbox', allow: loggedIn, make: () => ({ path: '/api/v1/inbox' }) },
  {
    // Only the addressed organisation has the restricted alert in its inbox.
    route: 'POST /api/v1/inbox/{id}/read', allow: (c) => c.rel === 'listed',
    make: async (w) => ({ path: `/api/v1/inbox/${await w.alertOf('restricted')}/read` }),
  },
  {
    route: 'POST /api/v1/inbox/{id}/ack', allow: (c) => c.rel === 'listed' && c.role !== 'viewer',
    make: async (w) => ({ path: `/api/v1/inbox/${await w.alertOf('private')}/ack` }),
  },
  { route: 'GET /api/v1/subscriptions', allow: loggedIn, make: () => ({ path: '/api/v1/subscriptions' }) },
  {
    route: 'POST /api/v1/subscriptions', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: () => ({ path: '/api/v1/subscriptions', body: { area: 'KR', kind: 'advisory' } }),
  },
  {
    route: 'DELETE /api/v1/subscriptions/{id}', allow: (c) => c.rel === 'owner' && c.role !== 'viewer',
    make: async (w) => ({ path: `/api/v1/subscriptions/${await w.subscriptionOf()}`, method: 'DELETE' }),
  },
  { route: 'GET /api/v1/events', allow: loggedIn, make: () => ({ path: '/api/v1/events?timeout=0' }) },
  { route: 'GET /api/v1/public/alerts', allow: anyone, make: () => ({ path: '/api/v1/public/alerts' }) },
  { route: 'GET /feeds/alerts.atom', allow: anyone, make: () => ({ path: '/feeds/alerts.atom' }) },
  // Supply donations (C4).  A pledge is owned by A (the donor) and addressed
  // to E (the recipient), who always sees it; batches and reconciliation
  // are seen with their pledge.
  { route: 'GET /api/v1/donations/items', allow: anyone, make: () => ({ path: '/api/v1/donations/items' }) },
  {
    route: 'POST /api/v1/donations/items', allow: admin,
    make: () => ({ path: '/api/v1/donations/items', body: { code: uniq('matrix_item_'), name_en: 'Matrix item', name_zh: '矩阵物资', unit: 'piece', category: 'other' } }),
  },
  { route: 'GET /api/v1/donations/needs', allow: anyone, make: () => ({ path: '/api/v1/donations/needs' }) },
  {
    route: 'POST /api/v1/donations/needs', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: () => ({ path: '/api/v1/donations/needs', body: { item: 'medical_mask', quantity: 10, country: 'KR', visibility: 'private' } }),
  },
  ...['private', 'partners', 'listed', 'public'].map((vis) => ({
    route: 'GET /api/v1/donations/needs/{id}', label: vis, allow: visibleTo(vis),
    make: async (w) => ({ path: `/api/v1/donations/needs/${await w.needOf(vis)}` }),
  })),
  {
    route: 'PATCH /api/v1/donations/needs/{id}', allow: ownerEditor,
    make: async (w) => ({ path: `/api/v1/donations/needs/${await w.needOf('public')}`, body: { note: uniq('n') } }),
  },
  { route: 'GET /api/v1/donations/pledges', allow: anyone, make: () => ({ path: '/api/v1/donations/pledges' }) },
  {
    // Any organisation pledges in its own name (to another organisation).
    route: 'POST /api/v1/donations/pledges', allow: (c) => c.rel !== 'anon' && c.role !== 'viewer',
    make: (w, c) => ({
      path: '/api/v1/donations/pledges',
      body: { recipient_org: c.rel === 'recipient' ? w.A : w.E, donor_type: 'ngo', country: 'KR', lines: [{ item: 'gloves', quantity: 5 }] },
    }),
  },
  ...['private', 'partners', 'listed', 'public'].flatMap((vis) => [
    { route: 'GET /api/v1/donations/pledges/{id}', label: vis, allow: addressedTo(vis), make: async (w) => ({ path: `/api/v1/donations/pledges/${await w.pledgeOf(vis)}` }) },
    { route: 'GET /api/v1/donations/pledges/{id}/shipments', label: vis, allow: addressedTo(vis), make: async (w) => ({ path: `/api/v1/donations/pledges/${await w.pledgeOf(vis)}/shipments` }) },
    { route: 'GET /api/v1/donations/shipments/{id}', label: vis, allow: addressedTo(vis), make: async (w) => ({ path: `/api/v1/donations/shipments/${await w.shipmentOf(vis)}` }) },
    { route: 'GET /api/v1/donations/reconciliation/pledges/{id}', label: vis, allow: addressedTo(vis), make: async (w) => ({ path: `/api/v1/donations/reconciliation/pledges/${await w.pledgeOf(vis)}` }) },
  ]),
  {
    route: 'PATCH /api/v1/donations/pledges/{id}', allow: ownerEditor,
    make: async (w) => ({ path: `/api/v1/donations/pledges/${await w.pledgeOf('partners')}`, body: { note: uniq('p') } }),
  },
  {
    route: 'POST /api/v1/donations/pledges/{id}/amendments', allow: ownerEditor,
    make: async (w) => ({ path: `/api/v1/donations/pledges/${await w.pledgeOf('partners')}/amendments`, body: { reason: 'matrix', lines: [{ line: 1, quantity: 1000000000 + seq++ }] } }),
  },
  {
    route: 'POST /api/v1/donations/pledges/{id}/shipments', allow: ownerEditor,
    make: async (w) => ({ path: `/api/v1/donations/pledges/${await w.pledgeOf('public')}/shipments`, body: { lines: [{ line: 1, quantity: 1 }] } }),
  },
  {
    route: 'PATCH /api/v1/donations/shipments/{id}', allow: ownerEditor,
    make: async (w) => ({ path: `/api/v1/donations/shipments/${await w.shipmentOf('public')}`, body: { waybill: uniq('WB') } }),
  },
  {
    // Only the donor sets a batch off ...
    route: 'POST /api/v1/donations/shipments/{id}/transitions', label: 'dispatched', allow: ownerEditor,
    make: async (w) => ({ path: `/api/v1/donations/shipments/${await w.shipmentIn('planned', 'public')}/transitions`, body: { to: 'dispatched', on: '2020-03-01' } }),
  },
  {
    // ... either party reports its arrival ...
    route: 'POST /api/v1/donations/shipments/{id}/transitions', label: 'arrived',
    allow: (c) => (c.rel === 'owner' || c.rel === 'recipient') && c.role !== 'viewer',
    make: async (w) => ({ path: `/api/v1/donations/shipments/${await w.shipmentIn('dispatched', 'public')}/transitions`, body: { to: 'arrived', on: '2020-03-02' } }),
  },
  {
    // ... and only the recipient records the receipt.
    route: 'POST /api/v1/donations/shipments/{id}/receipt', allow: (c) => c.rel === 'recipient' && c.role !== 'viewer',
    make: async (w) => ({ path: `/api/v1/donations/shipments/${await w.shipmentIn('arrived', 'public')}/receipt`, body: { received_on: '2020-03-03' } }),
  },
  ...['pledge', 'donor', 'recipient', 'item'].map((by) => ({
    route: 'GET /api/v1/donations/reconciliation', label: by, allow: anyone, make: () => ({ path: `/api/v1/donations/reconciliation?by=${by}` }),
  })),
  { route: 'GET /api/v1/donations/reconciliation/needs', allow: anyone, make: () => ({ path: '/api/v1/donations/reconciliation/needs' }) },
  ...['iati', 'hxl', 'fts'].map((format) => ({
    route: 'GET /api/v1/exports/donations', label: format, allow: anyone, make: () => ({ path: `/api/v1/exports/donations?format=${format}` }),
  })),
  // Last: it ends the caller's session (the test logs in again).
  { route: 'DELETE /api/v1/session', allow: isUser, make: () => ({ path: '/api/v1/session', method: 'DELETE' }), relogin: true },
];
