// Situation data files (C1, C10): imports from the CLI and by HTTP upload
// (WHO daily CSV, JHU CSSE wide series, HXL-tagged CSV, mapped CSV), all or
// nothing unless --keep-valid, corrections as revisions with history; and
// exports as CSV with HXL hashtags (read back by `import hxl`), JSON and
// FHIR R4 MeasureReport, filtered by visibility.  Expected values are
// computed here from the raw files, independently of the readers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, loginAs, cli, cliFails, BIN, ROOT, PASSWORD } from './lib.mjs';

const SHARED = process.env.EB_SHARED || join(ROOT, '..', 'shared');
const WHO = join(SHARED, 'data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv');
const JHU_C = join(SHARED, 'data/covid19/jhu/time_series_covid19_confirmed_global.csv');
const JHU_D = join(SHARED, 'data/covid19/jhu/time_series_covid19_deaths_global.csv');
const TMP = mkdtempSync(join(tmpdir(), 'ebimport-'));

let srv, anon;
let seq = 0;

// RFC 4180 records of a whole file (quoted fields with commas; BOM dropped).
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') q = false; else field += ch;
    } else if (ch === '"' && field === '') q = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function addOrg(name, country = 'CH') {
  return JSON.parse(cli(srv.db, 'org', 'add', '--kind', 'ministry_of_health', '--name-en', `${name} ${seq++}`, '--country', country)).id;
}
function addEditor(org) {
  const login = `imp.editor${seq++}`;
  cli(srv.db, 'user', 'add', '--org', String(org), '--login', login, '--name', login, '--role', 'editor', '--password', PASSWORD);
  return loginAs(srv.base, login);
}
// The CLI with room for large outputs (lib.mjs's cli keeps node's 1 MiB).
function run(...args) {
  return execFileSync(BIN, [...args, '--db', srv.db], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}
function importJson(...args) {
  return JSON.parse(run('import', ...args, '--json'));
}
function tmpFile(name, text) {
  const p = join(TMP, name);
  writeFileSync(p, text);
  return p;
}
// All reports of an org through the CLI's JSON export (the operator view).
function exported(org, ...filters) {
  return JSON.parse(run('export', 'sitreps', '--format', 'json', '--org', String(org), ...filters)).items;
}
async function upload(client, query, body, headers = {}) {
  return client.req('POST', `/api/v1/imports/sitreps?${query}`, body, { 'Content-Type': 'text/csv', ...headers });
}

const whoText = readFileSync(WHO, 'utf8');
const whoRows = parseCsv(whoText);
const whoHead = whoRows[0];
const whoData = whoRows.slice(1);
const col = (name) => whoHead.indexOf(name);

before(async () => {
  srv = await startServer();
  anon = new Client(srv.base);
});
after(async () => { await srv.stop(); });

test('WHO daily CSV from the CLI: every row, Namibia as NA, negative new cases kept and flagged; again: unchanged', async () => {
  const org = addOrg('WHO importer');
  const rep = importJson('who', WHO, '--org', String(org), '--visibility', 'public');
  assert.equal(rep.read, whoData.length);
  assert.equal(rep.inserted, whoData.length);
  assert.equal(rep.rejected, 0);
  assert.equal(rep.committed, true);
  const items = exported(org);
  assert.equal(items.length, whoData.length);
  const na = items.filter((x) => x.area === 'NA');
  assert.equal(na.length, whoData.filter((r) => r[col('Country_code')] === 'NA').length);
  assert.equal(na.length, 105);
  const negative = whoData.filter((r) => Number(r[col('New_cases')]) < 0);
  assert.equal(negative.length, 31);
  const flagged = items.filter((x) => x.flags.includes('negative_new_cases'));
  assert.equal(flagged.length, 31);
  const bj = items.find((x) => x.area === 'BJ' && x.date === '2020-05-19');
  assert.equal(bj.new_confirmed, -210);
  assert.deepEqual(bj.flags, ['negative_new_cases']);
  assert.equal(bj.source, 'WHO COVID-19 global data');
  // "Other" (the Diamond Princess) is international conveyance, XZ.
  assert.equal(items.filter((x) => x.area === 'XZ').length, whoData.filter((r) => r[col('Country_code')].includes('Other')).length);

  const text = run('import', 'who', WHO, '--org', String(org), '--visibility', 'public');
  assert.match(text, new RegExp(`read ${whoData.length}, inserted 0, revised 0, unchanged ${whoData.length}, rejected 0`));
  assert.match(text, /rows with a negative new count kept as reported and flagged/);
});

test('a corrected file revises the changed reports and keeps the previous values as history', async () => {
  const org = addOrg('Correcting ministry');
  importJson('who', WHO, '--org', String(org), '--visibility', 'public');
  // Namibia 2020-06-01: a corrected New_cases.
  const lines = whoText.split('\n');
  const i = lines.findIndex((l) => l.startsWith('2020-06-01T00:00:00Z,NA,'));
  const cells = lines[i].split(',');
  const before = Number(cells[4]);
  cells[4] = String(before + 6);
  lines[i] = cells.join(',');
  const rep = importJson('who', tmpFile('who-corrected.csv', lines.join('\n')), '--org', String(org), '--visibility', 'public');
  assert.equal(rep.revised, 1);
  assert.equal(rep.unchanged, whoData.length - 1);
  assert.equal(rep.inserted, 0);
  const [na] = exported(org, '--area', 'NA', '--from', '2020-06-01', '--to', '2020-06-01');
  assert.equal(na.new_confirmed, before + 6);
  assert.equal(na.revision, 2);
  const g = await anon.get(`/api/v1/sitreps/${na.id}?history=true`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.history.length, 1);
  assert.equal(g.json.history[0].revision, 1);
  assert.equal(g.json.history[0].values.new_confirmed, before);
});

test('a file with one bad row writes nothing; with --keep-valid the valid rows land', async () => {
  const org = addOrg('Careful ministry');
  const lines = whoText.split('\n').slice(0, 201); // header + 200 rows
  lines.push('2020-03-01T00:00:00Z,QQ,Nowhere,EMRO,1,1,0,0');
  const file = tmpFile('who-bad.csv', lines.join('\n') + '\n');
  const f = cliFails(srv.db, 'import', 'who', file, '--org', String(org));
  assert.equal(f.status, 1);
  assert.match(f.stdout, /read 201, inserted 200, revised 0, unchanged 0, rejected 1/);
  assert.match(f.stdout, /line 202 \(Country_code\): unknown country code 'QQ'/);
  assert.match(f.stdout, /nothing was written: rerun with --keep-valid to keep the 200 valid rows/);
  assert.equal(exported(org).length, 0);
  const ok = cli(srv.db, 'import', 'who', file, '--org', String(org), '--keep-valid');
  assert.match(ok, /read 201, inserted 200, revised 0, unchanged 0, rejected 1/);
  assert.equal(exported(org).length, 200);
  // A broken file (a quote never closed) is refused whole, naming its line.
  const broken = tmpFile('who-broken.csv', `${whoText.split('\n').slice(0, 5).join('\n')}\n2020-03-01T00:00:00Z,FR,"France,EURO,1,1,0,0\n`);
  const org2 = addOrg('Broken file ministry');
  const b = cliFails(srv.db, 'import', 'who', broken, '--org', String(org2), '--keep-valid');
  assert.equal(b.status, 1);
  assert.match(b.stderr, /line 6/);
  assert.match(b.stderr, /nothing was written/);
  assert.equal(exported(org2).length, 0);
  // Usage errors: exit status 2.
  assert.equal(cliFails(srv.db, 'import', 'who', file).status, 2);
  assert.equal(cliFails(srv.db, 'import', 'csv', file, '--org', String(org)).status, 2);
  assert.equal(cliFails(srv.db, 'import', 'xls', file, '--org', String(org)).status, 2);
  assert.equal(cliFails(srv.db, 'import', 'who', file, '--org', '999999').status, 1);
});

test('JHU wide series: provinces kept as subdivisions and summed into their country, new counts derived', async () => {
  const org = addOrg('JHU importer');
  // The Olympics and the Channel Islands are rejected (no area of their
  // own), so the real file needs --keep-valid.
  const rep = importJson('jhu', JHU_C, '--deaths', JHU_D, '--org', String(org), '--keep-valid', '--visibility', 'public');
  assert.equal(rep.committed, true);
  assert.equal(rep.rejected, 3);
  assert.deepEqual(rep.rejects.map((x) => x.line).sort((a, b) => a - b), [246, 270, 287]);
  assert.match(rep.rejects.find((x) => x.line === 246).reason, /Summer Olympics 2020/);
  assert.equal(rep.read, rep.inserted + rep.rejected);
  const conf = parseCsv(readFileSync(JHU_C, 'utf8'));
  const deaths = parseCsv(readFileSync(JHU_D, 'utf8'));
  const day = conf[0].indexOf('2/13/2020');
  // Hong Kong and Macau are areas of their own, not part of China's sum.
  const china = conf.filter((r) => r[1] === 'China' && !['Hong Kong', 'Macau'].includes(r[0]));
  const hubei = china.find((r) => r[0] === 'Hubei');
  const hubeiDeaths = deaths.find((r) => r[0] === 'Hubei' && r[1] === 'China');
  const sum = china.reduce((s, r) => s + Number(r[day]), 0);
  const sumBefore = china.reduce((s, r) => s + Number(r[day - 1]), 0);

  const [hb] = exported(org, '--area', 'CN-HB', '--from', '2020-02-13', '--to', '2020-02-13');
  assert.equal(hb.cum_confirmed, Number(hubei[day]));
  assert.equal(hb.new_confirmed, Number(hubei[day]) - Number(hubei[day - 1]));
  assert.equal(hb.cum_deaths, Number(hubeiDeaths[day]));
  assert.ok(hb.flags.includes('derived_new'));
  const [cn] = exported(org, '--area', 'CN', '--from', '2020-02-13', '--to', '2020-02-13');
  assert.equal(cn.cum_confirmed, sum);
  assert.equal(cn.new_confirmed, sum - sumBefore);
  assert.ok(cn.flags.includes('summed'));
  // The same through the public series of the API.
  const s = await anon.get(`/api/v1/areas/CN-HB/series?org=${org}&from=2020-02-12&to=2020-02-13`);
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(s.json.cum_confirmed, [Number(hubei[day - 1]), Number(hubei[day])]);
  // The CSV export carries the subdivision under its country.
  const csv = execFileSync(BIN, ['export', 'sitreps', '--format', 'csv', '--org', String(org), '--area', 'CN-HB',
    '--from', '2020-02-13', '--to', '2020-02-13', '--db', srv.db], { encoding: 'utf8' });
  assert.match(csv.split('\r\n')[2], new RegExp(`^CN,CN-HB,2020-02-13,${hb.new_confirmed},${hb.cum_confirmed},`));
});

test('HXL-tagged CSV and a plain CSV with a column mapping', async () => {
  const org = addOrg('HXL importer');
  const hxl = tmpFile('sit.hxl.csv',
    'Country,Province,Date,New cases,Deaths,Transmission\n' +
    '#country+name,#adm1+name,#date+reported,#affected+infected+new,#affected+killed+cumulative,#status+transmission\n' +
    'China,Hubei,2020-02-13,14840,1310,community\n' +
    'Namibia,,2020-03-14,2,0,sporadic\n' +
    'Bosnia and Herzegovina,,2020-03-03,0,0,no cases\n');
  const rep = importJson('hxl', hxl, '--org', String(org));
  assert.equal(rep.inserted, 3);
  const items = exported(org);
  const hb = items.find((x) => x.area === 'CN-HB');
  assert.equal(hb.new_confirmed, 14840);
  assert.equal(hb.cum_deaths, 1310);
  assert.equal(hb.transmission, 'community');
  assert.equal(items.find((x) => x.area === 'NA').transmission, 'sporadic');
  assert.equal(items.find((x) => x.area === 'BA').transmission, 'no_cases');

  const org2 = addOrg('Mapped importer');
  const plain = tmpFile('plain.csv', 'Land;x,Datum,Neu,Gesamt\nNA,2020-03-14,2,2\nNAM,2020-03-15,0,2\nJP,2020-03-01,,\n');
  const m = cliFails(srv.db, 'import', 'csv', plain, '--org', String(org2), '--map', 'area=Land;x,date=Datum,new_confirmed=Neu,cum_confirmed=Gesamt');
  assert.equal(m.status, 1); // JP has no count at all
  assert.match(m.stdout, /line 4/);
  const rep2 = importJson('csv', plain, '--org', String(org2), '--keep-valid',
    '--map', 'area=Land;x,date=Datum,new_confirmed=Neu,cum_confirmed=Gesamt', '--source', 'Namibia MoHSS');
  assert.equal(rep2.inserted, 2);
  const na = exported(org2);
  assert.deepEqual(na.map((x) => [x.area, x.date, x.new_confirmed, x.cum_confirmed, x.source]),
    [['NA', '2020-03-14', 2, 2, 'Namibia MoHSS'], ['NA', '2020-03-15', 0, 2, 'Namibia MoHSS']]);
  // A mapping that names a column the file lacks is refused.
  const bad = cliFails(srv.db, 'import', 'csv', plain, '--org', String(org2), '--map', 'area=Country,date=Datum,new_confirmed=Neu');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Country/);
  // Standard input.
  const out = execFileSync(BIN, ['import', 'hxl', '-', '--org', String(org2), '--db', srv.db],
    { encoding: 'utf8', input: '#country+code,#date,#affected+infected+new\nNA,2020-03-16,3\n' });
  assert.match(out, /^\(stdin\): read 1, inserted 1, revised 0, unchanged 0, rejected 0/);
});

test('HTTP upload: the WHO file (over the 1 MiB body limit), again unchanged, rejects as 422 writing nothing, keep_valid', async () => {
  const org = addOrg('Uploading ministry');
  const editor = await addEditor(org);
  assert.ok(Buffer.byteLength(whoText) > 1 << 20);
  const r = await upload(editor, 'format=who&visibility=public&name=who.csv', whoText);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.read, whoData.length);
  assert.equal(r.json.inserted, whoData.length);
  assert.equal(r.json.committed, true);
  assert.ok(r.json.flagged >= 31);
  const again = await upload(editor, 'format=who&visibility=public', whoText);
  assert.equal(again.json.unchanged, whoData.length);
  assert.equal(exported(org).filter((x) => x.owner_org === org).length, whoData.length);

  const org2 = addOrg('Uploading ministry two');
  const ed2 = await addEditor(org2);
  const bad = whoText.split('\n').slice(0, 11).join('\n') + '\n2020-03-01T00:00:00Z,NA,Namibia,AFRO,1,-5,0,0\n';
  const refused = await upload(ed2, 'format=who', bad);
  assert.equal(refused.status, 422, refused.text);
  assert.match(refused.headers.get('content-type'), /application\/problem\+json/);
  assert.equal(refused.json.committed, false);
  assert.equal(refused.json.rejected, 1);
  assert.equal(refused.json.rejects[0].line, 12);
  assert.equal(refused.json.rejects[0].field, 'Cumulative_cases');
  assert.match(refused.json.detail, /keep_valid=true to keep the 10 valid rows/);
  assert.equal(exported(org2).length, 0);
  const kept = await upload(ed2, 'format=who&keep_valid=true', bad);
  assert.equal(kept.status, 200, kept.text);
  assert.equal(kept.json.inserted, 10);
  assert.equal(exported(org2).length, 10);
  assert.equal(exported(org2)[0].visibility, 'partners');

  // HXL and mapped CSV by upload; the owner is the caller's organisation.
  const h = await upload(ed2, 'format=hxl&visibility=private', '#country+code,#adm1+code,#date,#affected+infected+new\nCN,CN-HB,2020-02-13,14840\n');
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.inserted, 1);
  const m = await upload(ed2, `format=csv&map=${encodeURIComponent('area=C,date=D,new_deaths=X')}`, 'C,D,X\nIT,2020-03-10,97\n');
  assert.equal(m.status, 200, m.text);
  assert.equal(exported(org2, '--area', 'IT')[0].new_deaths, 97);
  assert.equal((await upload(ed2, 'format=csv', 'C,D,X\n')).json.field, 'map');
  assert.equal((await upload(ed2, 'format=jhu', 'x')).status, 400);
  assert.equal((await upload(ed2, 'format=who', '')).status, 400);
  const notCsv = await ed2.post('/api/v1/imports/sitreps?format=who', { a: 1 });
  assert.equal(notCsv.status, 415);
  const broken = await upload(ed2, 'format=hxl', 'no,hashtags,here\n1,2,3\n');
  assert.equal(broken.status, 400);
  assert.match(broken.json.detail, /hashtag/);
  // Anonymous callers and viewers cannot upload.
  assert.equal((await upload(anon, 'format=who', bad)).status, 401);
  cli(srv.db, 'user', 'add', '--org', String(org2), '--login', `imp.viewer${seq}`, '--name', 'v', '--role', 'viewer', '--password', PASSWORD);
  const viewer = await loginAs(srv.base, `imp.viewer${seq++}`);
  assert.equal((await upload(viewer, 'format=who', bad)).status, 403);
});

test('uploads over --max-upload are refused with 413 before anything is written', async () => {
  const s2 = await startServer({ args: ['--max-upload', '1100000'] });
  try {
    const org = JSON.parse(cli(s2.db, 'org', 'add', '--kind', 'ministry_of_health', '--name-en', 'Small', '--country', 'CH')).id;
    cli(s2.db, 'user', 'add', '--org', String(org), '--login', 'small.editor', '--name', 's', '--role', 'editor', '--password', PASSWORD);
    const ed = await loginAs(s2.base, 'small.editor');
    const r = await upload(ed, 'format=who', whoText);
    assert.equal(r.status, 413);
    assert.match(r.json.detail, /1100000 bytes/);
    const small = await upload(ed, 'format=who', whoText.slice(0, 1000000).replace(/\n[^\n]*$/, '\n'));
    assert.equal(small.status, 200, small.text);
    // Other routes keep the 1 MiB limit.
    const big = await ed.post('/api/v1/sitreps', { area: 'JP', date: '2020-03-01', new_confirmed: 1, note: 'x'.repeat(1100000) });
    assert.equal(big.status, 413);
  } finally {
    await s2.stop();
  }
});

test('exports: CSV with the HXL hashtag row, read back by import hxl; the CLI streams the same bytes', async () => {
  const org = addOrg('Exporting ministry');
  importJson('who', WHO, '--org', String(org), '--visibility', 'public');
  const r = await anon.get(`/api/v1/exports/sitreps?format=csv&org=${org}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="sitreps\.csv"$/);
  const lines = r.text.split('\r\n');
  assert.match(lines[0], /^country_code,adm1_code,date,new_confirmed,cumulative_confirmed,/);
  assert.match(lines[1], /^#country\+code,#adm1\+code,#date\+reported,#affected\+infected\+new,#affected\+infected\+cumulative,#affected\+killed\+new/);
  assert.equal(lines.length - 3, whoData.length); // 2 header rows, final CRLF
  assert.equal(run('export', 'sitreps', '--format', 'csv', '--org', String(org)), r.text);

  const org2 = addOrg('Re-importing ministry');
  const rep = importJson('hxl', tmpFile('export.csv', r.text), '--org', String(org2), '--visibility', 'public');
  assert.equal(rep.inserted, whoData.length);
  assert.equal(rep.rejected, 0);
  const r2 = await anon.get(`/api/v1/exports/sitreps?format=csv&org=${org2}`);
  const cut = (t) => t.split('\r\n').map((l) => parseCsv(l)[0]?.slice(0, 11).join(',')).join('\n');
  assert.equal(cut(r2.text), cut(r.text));
  const a = exported(org), b = exported(org2);
  const strip = (x) => { const { id, owner_org, source, created_at, updated_at, updated_by, ...rest } = x; return rest; };
  assert.deepEqual(b.map(strip), a.map(strip));
});

test('exports: JSON and FHIR R4 MeasureReport Bundle, paged with Link rel=next', async () => {
  const org = addOrg('FHIR ministry');
  importJson('who', WHO, '--org', String(org), '--visibility', 'public');
  const j = await anon.get(`/api/v1/exports/sitreps?format=json&org=${org}&area=BJ&from=2020-05-19&to=2020-05-20`);
  assert.equal(j.status, 200);
  assert.equal(j.headers.get('content-type'), 'application/json');
  assert.match(j.headers.get('content-disposition'), /filename="sitreps-BJ\.json"/);
  assert.equal(j.json.items.length, 2);
  assert.equal(j.json.next_cursor, null);
  assert.equal(j.json.items[0].new_confirmed, -210);

  const f = await anon.get(`/api/v1/exports/sitreps?format=fhir&org=${org}&area=BJ&from=2020-05-19&to=2020-05-20`);
  assert.equal(f.status, 200);
  assert.equal(f.headers.get('content-type'), 'application/fhir+json');
  const bundle = f.json;
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.type, 'collection');
  assert.match(bundle.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.equal(bundle.entry.length, 2);
  const codes = ['new_confirmed', 'cum_confirmed', 'new_suspected', 'cum_suspected', 'new_deaths', 'cum_deaths',
    'new_recovered', 'cum_recovered', 'new_tests', 'cum_tests'];
  for (const { resource: m } of bundle.entry) {
    // Required by FHIR R4 MeasureReport: status, type, measure, period.
    assert.equal(m.resourceType, 'MeasureReport');
    assert.equal(m.status, 'complete');
    assert.equal(m.type, 'summary');
    assert.equal(m.measure, 'https://epibridge.org/fhir/Measure/situation-counts');
    assert.match(m.id, /^[A-Za-z0-9\-.]{1,64}$/);
    assert.equal(m.period.start, m.period.end);
    assert.match(m.period.start, /^2020-05-(19|20)$/);
    assert.deepEqual(m.subject.identifier, { system: 'urn:iso:std:iso:3166', value: 'BJ' });
    assert.equal(m.subject.display, 'Benin');
    assert.equal(m.reporter.identifier.value, String(org));
    assert.ok(m.group.length > 0);
    for (const g of m.group) {
      assert.equal(g.code.coding[0].system, 'https://epibridge.org/fhir/CodeSystem/situation-count');
      assert.ok(codes.includes(g.code.coding[0].code), g.code.coding[0].code);
      assert.equal(typeof g.measureScore.value, 'number');
      assert.equal(g.measureScore.system, 'http://unitsofmeasure.org');
    }
  }
  const may19 = bundle.entry.find((e) => e.resource.period.start === '2020-05-19').resource;
  const score = (m, code) => m.group.find((g) => g.code.coding[0].code === code)?.measureScore.value;
  assert.equal(score(may19, 'new_confirmed'), -210);
  assert.equal(score(may19, 'cum_confirmed'), 129);
  assert.equal(score(may19, 'new_tests'), undefined); // not reported: no group
  assert.ok(may19.extension.some((e) => e.url.endsWith('/situation-flag') && e.valueCode === 'negative_new_cases'));
  // The CLI writes the same resources.
  const cliBundle = JSON.parse(cli(srv.db, 'export', 'sitreps', '--format', 'fhir', '--org', String(org), '--area', 'BJ', '--from', '2020-05-19', '--to', '2020-05-20'));
  assert.deepEqual(cliBundle.entry, bundle.entry);

  // Pages: limit and Link rel=next; following the links gives every report once.
  const seen = new Set();
  let url = `/api/v1/exports/sitreps?format=json&org=${org}&area=NA&limit=40`, pages = 0;
  while (url) {
    const p = await anon.get(url);
    assert.equal(p.status, 200, p.text);
    for (const x of p.json.items) seen.add(x.id);
    const link = p.headers.get('link');
    url = link ? link.match(/^<([^>]+)>; rel="next"$/)[1] : null;
    if (url) assert.equal(p.json.next_cursor, url.match(/cursor=(\d+)/)[1]);
    pages++;
  }
  assert.equal(seen.size, 105);
  assert.equal(pages, 3);
  const fp = await anon.get(`/api/v1/exports/sitreps?format=fhir&org=${org}&area=NA&limit=100`);
  assert.equal(fp.json.entry.length, 100);
  assert.equal(fp.json.link[0].relation, 'next');
  assert.match(fp.json.link[0].url, /cursor=\d+$/);
  // Bad filters name the parameter.
  for (const [q, field] of [['format=xml', 'format'], ['format=csv&area=ZZZ', 'area'], ['format=csv&from=2020-13-01', 'from'],
    ['format=fhir&limit=10001', 'limit'], ['format=csv&cursor=x', 'cursor'], ['format=csv&org=abc', 'org']]) {
    const b = await anon.get(`/api/v1/exports/sitreps?${q}`);
    assert.equal(b.status, 400, q);
    assert.equal(b.json.field, field, q);
  }
});

test('exports show each caller what is visible to it: anonymous callers only public reports', async () => {
  const org = addOrg('Mixed visibility ministry');
  const editor = await addEditor(org);
  const csv = (area) => `#country+code,#date,#affected+infected+new\n${area},2020-03-05,1\n${area},2020-03-06,2\n`;
  assert.equal((await upload(editor, 'format=hxl&visibility=public', csv('GR'))).status, 200);
  assert.equal((await upload(editor, 'format=hxl&visibility=private', csv('IT'))).status, 200);
  assert.equal((await upload(editor, 'format=hxl&visibility=partners', csv('FR'))).status, 200);
  const areas = (r) => [...new Set(r.json.items.map((x) => x.area))].sort();
  const pub = await anon.get(`/api/v1/exports/sitreps?format=json&org=${org}`);
  assert.deepEqual(areas(pub), ['GR']);
  assert.ok(pub.json.items.every((x) => x.visibility === 'public'));
  const fhir = await anon.get(`/api/v1/exports/sitreps?format=fhir&org=${org}`);
  assert.deepEqual([...new Set(fhir.json.entry.map((e) => e.resource.subject.identifier.value))], ['GR']);
  const csvOut = await anon.get(`/api/v1/exports/sitreps?format=csv&org=${org}`);
  assert.deepEqual(csvOut.text.split('\r\n').slice(2, -1).map((l) => l.slice(0, 2)), ['GR', 'GR']);
  assert.deepEqual(areas(await editor.get(`/api/v1/exports/sitreps?format=json&org=${org}`)), ['FR', 'GR', 'IT']);
  const outsider = await addEditor(addOrg('Outsider'));
  assert.deepEqual(areas(await outsider.get(`/api/v1/exports/sitreps?format=json&org=${org}`)), ['GR']);
  // The command line acts as the operator and sees all of them.
  assert.deepEqual([...new Set(exported(org).map((x) => x.area))].sort(), ['FR', 'GR', 'IT']);
});
