// Runs the authorization matrix (authz-matrix.mjs): every endpoint x every
// role x every relation of the caller's organisation to the record, and
// checks that a refused write changed nothing (the audit log did not grow).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, loginAs, tokenClient, cli, BIN, PASSWORD } from './lib.mjs';
import { rows } from './authz-matrix.mjs';

let srv, root;
const world = { password: PASSWORD };
const callers = [];

function addOrg(name, country = 'JP') {
  return JSON.parse(cli(srv.db, 'org', 'add', '--kind', 'ministry_of_health', '--name-en', name, '--country', country)).id;
}
function addUser(org, login, role) {
  return JSON.parse(cli(srv.db, 'user', 'add', '--org', String(org), '--login', login, '--name', login, '--role', role, '--password', PASSWORD)).id;
}

before(async () => {
  srv = await startServer();
  root = await loginAs(srv.base, 'root');
  world.A = addOrg('Owner Ministry');
  world.B = addOrg('Partner Ministry', 'KR');
  world.C = addOrg('Listed Ministry', 'IT');
  world.D = addOrg('Unrelated Ministry', 'BR');
  // E receives what A donates (C4): the 'recipient' relation.
  world.E = addOrg('Recipient Ministry', 'KR');
  cli(srv.db, 'org', 'partner', String(world.A), String(world.B));
  const orgOf = { owner: world.A, partner: world.B, listed: world.C, unrelated: world.D, recipient: world.E };
  for (const [rel, org] of Object.entries(orgOf)) {
    for (const role of ['admin', 'editor', 'viewer']) {
      addUser(org, `${rel}.${role}`, role);
      callers.push({ rel, role, via: 'session', login: `${rel}.${role}`, client: await loginAs(srv.base, `${rel}.${role}`) });
    }
  }
  for (const role of ['admin', 'editor', 'viewer']) {
    const tok = cli(srv.db, 'token', 'create', '--org', String(world.A), '--name', `owner-${role}`, '--role', role).trim();
    callers.push({ rel: 'owner', role, via: 'token', client: tokenClient(srv.base, tok) });
  }
  callers.push({ rel: 'operator', role: 'admin', via: 'session', login: 'root', client: await loginAs(srv.base, 'root') });
  callers.push({ rel: 'anon', role: 'viewer', via: 'session', client: new Client(srv.base) });
  world.targetUser = addUser(world.A, 'owner.target', 'viewer');
  world.loginUser = 'matrix.login';
  addUser(world.D, 'matrix.login', 'viewer');
  let n = 0;
  world.freshOrg = async () => addOrg(`Fresh Org ${n++}`, 'DE');
  world.proposalTo = async (target) => {
    const f = addOrg(`Proposer ${n++}`, 'DE');
    const login = `proposer${n++}`;
    addUser(f, login, 'admin');
    const c = await loginAs(srv.base, login);
    const r = await c.post('/api/v1/partnerships', { partner_id: target });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  world.activePartnership = async (target) => {
    const f = addOrg(`Linked ${n++}`, 'DE');
    cli(srv.db, 'org', 'partner', String(target), String(f));
    const list = await root.get('/api/v1/audit?limit=1');
    return Number(list.json.items[0].entity_id);
  };
  const ownerEditor = await loginAs(srv.base, 'owner.editor');
  const sitreps = {};
  world.sitrepOf = async (vis) => {
    if (!sitreps[vis]) {
      const body = { area: 'KR', date: `2020-02-0${Object.keys(sitreps).length + 1}`, new_confirmed: 5, visibility: vis };
      if (vis === 'listed') body.shared_with = [world.C];
      const r = await ownerEditor.post('/api/v1/sitreps', body);
      assert.equal(r.status, 201, r.text);
      sitreps[vis] = r.json.id;
    }
    return sitreps[vis];
  };
  const risks = {};
  world.riskOf = async (vis) => {
    if (!risks[vis]) {
      const body = { scope: 'area', code: 'KR', date: `2020-02-0${Object.keys(risks).length + 1}`, level: 'high', visibility: vis };
      if (vis === 'listed') body.shared_with = [world.C];
      const r = await ownerEditor.post('/api/v1/risk', body);
      assert.equal(r.status, 201, r.text);
      risks[vis] = r.json.id;
    }
    return risks[vis];
  };
  const listedEditor = await loginAs(srv.base, 'listed.editor');
  const alerts = {};
  world.alertOf = async (scope) => {
    if (!alerts[scope]) {
      const body = {
        cap: { scope: scope[0].toUpperCase() + scope.slice(1), info: [{ language: 'en', event: 'COVID-19', urgency: 'Expected', severity: 'Moderate', certainty: 'Likely', headline: `matrix ${scope}` }] },
        areas: ['KR'],
      };
      if (scope !== 'public') body.shared_with = [world.C];
      const r = await ownerEditor.post('/api/v1/alerts', body);
      assert.equal(r.status, 201, r.text);
      alerts[scope] = r.json.id;
    }
    return alerts[scope];
  };
  world.draftStatement = async (approved) => {
    const r = await ownerEditor.post('/api/v1/alerts', { kind: 'joint_statement', cosigners: [world.C], cap: { info: [{ language: 'en', headline: `matrix statement ${n++}` }] } });
    assert.equal(r.status, 201, r.text);
    if (approved) assert.equal((await listedEditor.post(`/api/v1/alerts/${r.json.id}/approve`)).status, 200);
    return r.json.id;
  };
  world.subscriptionOf = async () => {
    const r = await ownerEditor.post('/api/v1/subscriptions', { area: 'KR' });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  world.capXml = (identifier) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${identifier}</identifier><sender>matrix@example.org</sender>
<sent>2020-03-01T10:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><category>Health</category><event>COVID-19</event><urgency>Expected</urgency><severity>Minor</severity><certainty>Likely</certainty></info></alert>`;
  // Donations (C4): pledges from A (the donor) to E (the recipient).
  const pledges = {};
  world.pledgeOf = async (vis) => {
    if (!pledges[vis]) {
      const body = { recipient_org: world.E, donor_type: 'government', country: 'KR', visibility: vis, lines: [{ item: 'medical_mask', quantity: 1000000000 }] };
      if (vis === 'listed') body.shared_with = [world.C];
      const r = await ownerEditor.post('/api/v1/donations/pledges', body);
      assert.equal(r.status, 201, r.text);
      pledges[vis] = r.json.id;
    }
    return pledges[vis];
  };
  world.shipmentIn = async (status, vis = 'private') => {
    const p = await world.pledgeOf(vis);
    const r = await ownerEditor.post(`/api/v1/donations/pledges/${p}/shipments`, { lines: [{ item: 'medical_mask', quantity: 1 }] });
    assert.equal(r.status, 201, r.text);
    for (const to of { planned: [], dispatched: ['dispatched'], arrived: ['dispatched', 'arrived'] }[status]) {
      const t = await ownerEditor.post(`/api/v1/donations/shipments/${r.json.id}/transitions`, { to, on: '2020-03-01' });
      assert.equal(t.status, 200, t.text);
    }
    return r.json.id;
  };
  const shipments = {};
  world.shipmentOf = async (vis) => {
    if (!shipments[vis]) shipments[vis] = await world.shipmentIn('planned', vis);
    return shipments[vis];
  };
  const needs = {};
  world.needOf = async (vis) => {
    if (!needs[vis]) {
      const body = { item: 'gloves', quantity: 1000, country: 'JP', visibility: vis };
      if (vis === 'listed') body.shared_with = [world.C];
      const r = await ownerEditor.post('/api/v1/donations/needs', body);
      assert.equal(r.status, 201, r.text);
      needs[vis] = r.json.id;
    }
    return needs[vis];
  };
  world.tokenOf = async (org) => {
    cli(srv.db, 'token', 'create', '--org', String(org), '--name', `victim${n++}`, '--role', 'viewer');
    const list = await root.get('/api/v1/audit?limit=1');
    return Number(list.json.items[0].entity_id);
  };
});
after(async () => { await srv.stop(); });

async function auditTop() {
  const r = await root.get('/api/v1/audit?limit=1');
  return r.json.items[0]?.seq ?? 0;
}

test('every route of the router has a row in the matrix', () => {
  const routes = execFileSync(BIN, ['routes'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
  const covered = new Set(rows.map((r) => r.route));
  for (const r of routes) assert.ok(covered.has(r), `route ${r} has no authorization row`);
  for (const r of covered) assert.ok(routes.includes(r), `matrix row ${r} is not a route`);
});

for (const row of rows) {
  test(`authz: ${row.route}${row.label ? ` (${row.label})` : ''}`, async () => {
    const problems = [];
    for (const c of callers) {
      const req = await row.make(world, c);
      const method = req.method || row.route.split(' ')[0];
      const top = await auditTop();
      const client = req.raw ? new Client(srv.base) : c.client;
      const r = await client.req(method, req.path, req.body, req.headers);
      const expect = row.allow(c);
      const who = `${c.rel}/${c.role}/${c.via}`;
      if (expect) {
        if (r.status >= 400) problems.push(`${who}: expected success, got ${r.status} ${r.text.slice(0, 160)}`);
      } else {
        const want = c.rel === 'anon' ? [401, 404] : [401, 403, 404];
        if (!want.includes(r.status)) problems.push(`${who}: expected refusal ${want}, got ${r.status} ${r.text.slice(0, 160)}`);
        if (method !== 'GET' && (await auditTop()) !== top) problems.push(`${who}: a refused ${method} wrote to the database`);
      }
      if (row.relogin && c.login && r.status < 400) c.client = await loginAs(srv.base, c.login);
    }
    assert.deepEqual(problems, []);
  });
}
