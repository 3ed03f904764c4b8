// B-ALERT fan-out driver (bench/b_alert_fanout.sh runs it): sets up N
// subscribing organisations with API tokens directly in a fresh SQLite
// database, opens K event streams (GET /api/v1/events) as K of them, posts
// one alert that matches every subscription, and measures
//   - the POST's latency: the alert and its N inbox deliveries are written in
//     one transaction, so when it answers 201 every delivery is recorded;
//   - the time until each stream has the alert event (p50, p99, last);
// then checks the sender's view counts N recipients.  Prints one JSON line.
// Usage: node bench/b_alert_fanout.mjs SETUP DB N K   (writes SQL for sqlite3)
//        node bench/b_alert_fanout.mjs RUN BASE N K TOKENS_FILE
import { request } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';

const [mode, a1, a2, a3, a4] = process.argv.slice(2);

if (mode === 'SETUP') {
  // SQL for sqlite3: orgs 2..N+1 subscribe to KR; tokens for the first K
  // and for the sender (org N+2).
  const n = Number(a2), k = Number(a3);
  const now = Date.now();
  const lines = ['BEGIN;'];
  const tokens = [];
  for (let i = 0; i <= n; i++) {
    const name = i === n ? 'Fan-out sender' : `Subscriber ${i}`;
    lines.push(`INSERT INTO orgs (kind, name_en, name_zh, country, created_at, updated_at) VALUES ('ministry_of_health', '${name}', '', 'KR', ${now}, ${now});`);
  }
  lines.push(`INSERT INTO alert_subscriptions (org_id, area, kind, created_by, created_at) SELECT id, 'KR', '*', 'bench', ${now} FROM orgs WHERE name_en LIKE 'Subscriber %';`);
  const tok = (org, role) => {
    const t = `ebt_${randomBytes(24).toString('hex')}`;
    const h = createHash('sha256').update(t).digest('hex');
    lines.push(`INSERT INTO api_tokens (org_id, name, role, token_hash, prefix, created_at) SELECT id, 'bench', '${role}', '${h}', '${t.slice(0, 12)}', ${now} FROM orgs WHERE name_en = '${org}';`);
    return t;
  };
  for (let i = 0; i < k; i++) tokens.push(tok(`Subscriber ${i}`, 'viewer'));
  const sender = tok('Fan-out sender', 'editor');
  lines.push('COMMIT;');
  writeFileSync(a1, lines.join('\n') + '\n');
  writeFileSync(`${a1}.tokens`, JSON.stringify({ sender, tokens }));
  process.exit(0);
}

const base = new URL(a1), n = Number(a2), k = Number(a3);
const { sender, tokens } = JSON.parse(readFileSync(a4, 'utf8'));
const LIMIT_MS = 120000;
const killer = setTimeout(() => { console.error('b_alert_fanout: gave up after 120 s'); process.exit(2); }, LIMIT_MS);

function open(token) {
  return new Promise((resolve, reject) => {
    const st = { ready: false, got: 0, buf: '' };
    const req = request({ host: base.hostname, port: base.port, path: '/api/v1/events', agent: false,
      headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`stream: HTTP ${res.statusCode}`)); return; }
      res.setEncoding('utf8');
      res.on('data', (d) => {
        st.buf += d;
        if (!st.ready && st.buf.includes('epibridge event stream')) { st.ready = true; resolve(st); }
        if (!st.got && st.buf.includes('event: alert')) { st.got = performance.now(); st.buf = ''; st.onGot?.(); }
        if (st.buf.length > 65536) st.buf = st.buf.slice(-1024);
      });
    });
    req.on('error', reject);
    req.end();
    st.req = req;
  });
}

function post(path, body, token) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request({ host: base.hostname, port: base.port, path, method: 'POST', agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let t = '';
      res.on('data', (d) => { t += d; });
      res.on('end', () => resolve({ status: res.statusCode, json: t ? JSON.parse(t) : null }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function get(path, token) {
  return new Promise((resolve, reject) => {
    request({ host: base.hostname, port: base.port, path, agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let t = '';
      res.on('data', (d) => { t += d; });
      res.on('end', () => resolve({ status: res.statusCode, json: t ? JSON.parse(t) : null }));
    }).on('error', reject).end();
  });
}

const t_open = performance.now();
const streams = [];
for (let i = 0; i < k; i += 100) {
  streams.push(...await Promise.all(tokens.slice(i, i + 100).map(open)));
}
const opened_ms = performance.now() - t_open;
await new Promise((r) => setTimeout(r, 500));
let pending = k;
const allGot = new Promise((resolve) => { for (const s of streams) s.onGot = () => { if (--pending === 0) resolve(); }; });
const t0 = performance.now();
const r = await post('/api/v1/alerts', { cap: { info: [{ language: 'en', event: 'COVID-19', urgency: 'Immediate', severity: 'Severe', certainty: 'Observed', headline: 'Fan-out benchmark' }] }, areas: ['KR'] }, sender);
const t_post = performance.now() - t0;
if (r.status !== 201) { console.error('post failed', r.status, JSON.stringify(r.json)); process.exit(1); }
await allGot;
const lat = streams.map((s) => s.got - t0).sort((x, y) => x - y);
const dv = await get(`/api/v1/alerts/${r.json.id}/deliveries?limit=1`, sender);
const recipients = dv.json?.totals?.recipients;
clearTimeout(killer);
for (const s of streams) s.req.destroy();
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(JSON.stringify({
  subscribers: n, streams: k, streams_open_ms: Math.round(opened_ms), post_ms: +t_post.toFixed(1),
  recipients, stream_p50_ms: +pct(0.5).toFixed(1), stream_p99_ms: +pct(0.99).toFixed(1), stream_last_ms: +lat[lat.length - 1].toFixed(1),
  agree: recipients === n && lat.length === k,
}));
process.exit(recipients === n ? 0 : 1);
