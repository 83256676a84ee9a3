// Tests of the built package (pkg/) under Node: real results through the public API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Scorer, generateEvents, eventKinds, isRapportError, version } from '../../pkg/node.js';

const CDNOW = readFileSync(new URL('../../data/cdnow_sample_events.csv', import.meta.url), 'utf8');
const CDNOW_COLUMNS = { columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' } };

/** The generated columns as plain event objects, the way an app would hold them. */
function toObjects(g, isoTimes = false) {
  const kinds = eventKinds();
  const out = [];
  for (let i = 0; i < g.timestamps.length; i++) {
    const e = { clientId: g.clientIds[g.clientIndex[i]], timestamp: isoTimes ? new Date(g.timestamps[i]).toISOString() : g.timestamps[i], kind: kinds[g.kinds[i]] };
    if (g.featureIndex[i] !== 0xffffffff) e.feature = g.featureNames[g.featureIndex[i]];
    if (!Number.isNaN(g.values[i])) e.value = g.values[i];
    if (!Number.isNaN(g.messages[i])) e.messages = g.messages[i];
    if (!Number.isNaN(g.costs[i])) e.cost = g.costs[i];
    if (e.kind === 'support') e.reopened = g.reopened[i] === 1;
    out.push(e);
  }
  return out;
}

function toCsv(objects) {
  const cols = ['clientId', 'timestamp', 'kind', 'feature', 'value', 'messages', 'reopened', 'cost'];
  return [cols.join(','), ...objects.map((e) => cols.map((c) => e[c] ?? '').join(','))].join('\n');
}

function expectCode(fn, code, extra = {}) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, `expected a ${code} error`);
  assert.ok(thrown instanceof Error, 'a real Error');
  assert.ok(isRapportError(thrown), `a RapportError, got ${thrown}`);
  assert.equal(thrown.name, 'RapportError');
  assert.equal(thrown.code, code, thrown.message);
  for (const [k, v] of Object.entries(extra)) assert.equal(thrown[k], v, `${k} of ${thrown.message}`);
  return thrown;
}

test('the three input paths give identical reports', () => {
  const g = generateEvents(42, 400, 8000);
  const objects = toObjects(g);
  const a = new Scorer();
  a.ingest(objects);
  const b = new Scorer();
  b.ingestCsv(toCsv(toObjects(g, true)));
  const c = new Scorer();
  c.ingestColumns(g);
  const ra = a.score();
  assert.equal(ra.clients.length, 400);
  assert.deepEqual(b.score(), ra);
  assert.deepEqual(c.score(), ra);
  assert.equal(c.eventCount, a.eventCount);
  assert.equal(c.clientCount, a.clientCount);
});

test('incremental batches and merged shards equal one ingest', () => {
  const g = generateEvents(7, 300, 6000);
  const objects = toObjects(g);
  const whole = new Scorer();
  whole.ingest(objects);
  const inc = new Scorer();
  for (let i = 0; i < objects.length; i += 1000) inc.ingest(objects.slice(i, i + 1000).reverse());
  assert.deepEqual(inc.score(), whole.score());
  const left = new Scorer();
  const right = new Scorer();
  left.ingest(objects.filter((_, i) => i % 3 === 0));
  right.ingest(objects.filter((_, i) => i % 3 !== 0));
  const viaSnapshot = Scorer.fromSnapshot(left.snapshot());
  viaSnapshot.mergeSnapshot(right.snapshot());
  assert.deepEqual(viaSnapshot.score(), whole.score());
  left.merge(right);
  assert.deepEqual(left.score(), whole.score());
  assert.equal(left.eventCount, 6000);
});

test('CDNOW sample: every customer scored, rules hold on a known customer', () => {
  const s = new Scorer({ asOf: '1998-06-30' });
  const summary = s.ingestCsv(CDNOW, CDNOW_COLUMNS);
  assert.equal(summary.accepted, 6919);
  assert.equal(s.clientCount, 2357);
  const r = s.score();
  const counts = r.portfolio.statusCounts;
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 2357);
  // Customer 1 bought on 1997-01-01, 01-18, 08-02 and 12-12: gaps 17, 196, 132 days, so a
  // cadence of 132; 200 quiet days by 1998-06-30 is within 2 x 132, so still active.
  const c1 = r.clients.find((c) => c.clientId === '1');
  assert.equal(c1.cadenceDays, 132);
  assert.equal(c1.daysSinceLastActivity, 200);
  assert.equal(c1.thresholds.atRiskDays, 264);
  assert.equal(c1.status, 'active');
  // Amounts are summed exactly (in millionths), so no floating-point residue: 100.5, not 100.50000000000001.
  assert.equal(c1.revenue, 100.5);
  // Customer 2 bought once, on 1997-01-12 (sample row): far past 90 days: churned.
  const c2 = r.clients.find((c) => c.clientId === '2');
  assert.equal(c2.status, 'churned');
  assert.equal(c2.statusReason.code, 'SILENT_PAST_CHURN');
  // Sorted by client id, as documented.
  const ids = r.clients.map((c) => c.clientId);
  assert.deepEqual(ids, [...ids].sort());
});

test('engagement is explained: components, weights and reasons', () => {
  // A 30-day window (this book's profile would choose 28).
  const s = new Scorer({ asOf: '2024-06-30', engagement: { windowDays: 30 } });
  const ev = [];
  for (let d = 1; d <= 30; d++) ev.push({ clientId: 'daily', timestamp: `2024-06-${String(d).padStart(2, '0')}`, kind: 'usage', feature: d % 2 ? 'search' : 'export' });
  ev.push({ clientId: 'other', timestamp: '2024-06-01', kind: 'usage', feature: 'reports' });
  ev.push({ clientId: 'other', timestamp: '2024-06-02', kind: 'usage', feature: 'alerts' });
  s.ingest(ev);
  const daily = s.score().clients.find((c) => c.clientId === 'daily');
  const e = daily.engagement;
  assert.equal(e.components.recency.score, 100);
  assert.equal(e.components.frequency.raw, 30);
  assert.equal(e.components.breadth.raw, 0.5);
  assert.equal(e.components.trend.score, undefined, 'no earlier window to compare with');
  assert.ok(e.reasons.some((r) => r.text === 'uses 2 of 4 features' && r.code === 'FEATURE_ADOPTION_FAIR'));
  const weights = Object.values(e.components).reduce((a, c) => a + c.weight, 0);
  assert.ok(Math.abs(weights - 1) < 2e-4); // weights are reported to four decimals
  assert.ok(e.score > 0 && e.score <= 100);
});

test('every bad input gets a coded error naming row and field, and the instance stays usable', () => {
  const s = new Scorer();
  s.ingest([{ clientId: 'ok', timestamp: '2024-06-01', kind: 'usage' }]);
  const before = Buffer.from(s.snapshot());
  const good = { clientId: 'x', timestamp: '2024-06-02', kind: 'usage' };
  expectCode(() => s.ingestJson('[{"clientId": '), 'INVALID_JSON');
  expectCode(() => s.ingestCsv('clientId,timestamp,kind\n"a,2024-01-01,usage\n'), 'INVALID_CSV');
  expectCode(() => s.ingestCsv('who,when\na,b\n'), 'INVALID_CSV', { field: 'clientId' });
  expectCode(() => s.ingest([good, { timestamp: '2024-06-01', kind: 'usage' }]), 'MISSING_FIELD', { row: 2, field: 'clientId' });
  expectCode(() => s.ingest([good, { ...good, value: 'many' }]), 'INVALID_FIELD', { row: 2, field: 'value' });
  expectCode(() => s.ingest([good, good, { ...good, value: NaN }]), 'NON_FINITE_VALUE', { row: 3, field: 'value' });
  expectCode(() => s.ingest([{ ...good, kind: 'purchase', value: -10 }]), 'NEGATIVE_VALUE', { row: 1, field: 'value' });
  expectCode(() => s.ingest([{ ...good, kind: 'teleport' }]), 'UNKNOWN_KIND', { row: 1, field: 'kind' });
  expectCode(() => s.ingest([{ ...good, timestamp: '2024-02-30' }]), 'INVALID_TIMESTAMP', { field: 'timestamp' });
  expectCode(() => s.ingest([{ ...good, timestamp: 1e17 }]), 'TIMESTAMP_OUT_OF_RANGE', { field: 'timestamp' });
  expectCode(() => s.ingest([{ ...good, timestamp: '1066-10-14' }]), 'TIMESTAMP_OUT_OF_RANGE');
  expectCode(() => s.ingest([]), 'EMPTY_INPUT');
  expectCode(() => s.ingestCsv(''), 'EMPTY_INPUT');
  expectCode(() => s.ingest([{ ...good, clientId: 'x'.repeat(5000) }]), 'TOO_LARGE', { field: 'clientId' });
  expectCode(() => s.ingest([{ ...good, value: 1e300 }]), 'VALUE_TOO_LARGE');
  expectCode(() => s.ingest([good, 42]), 'INVALID_FIELD', { row: 2 });
  expectCode(() => s.ingest('not an array'), 'INVALID_ARGUMENT');
  const growing = [good];
  growing.push({ get clientId() { growing.push(good); return 'g'; }, timestamp: '2024-06-02', kind: 'usage' });
  expectCode(() => s.ingest(growing), 'INVALID_ARGUMENT', { field: 'events' });
  expectCode(() => s.ingestCsv(12), 'INVALID_ARGUMENT');
  const cols = { clientIds: ['a'], clientIndex: new Uint32Array([0, 0]), timestamps: new Float64Array([1.7e12]), kinds: new Uint8Array([0, 0]) };
  expectCode(() => s.ingestColumns(cols), 'INVALID_COLUMNS', { field: 'timestamps' });
  expectCode(() => s.ingestColumns({ ...cols, timestamps: [1, 2] }), 'INVALID_ARGUMENT', { field: 'timestamps' });
  expectCode(() => s.ingestColumns({ ...cols, timestamps: new Float64Array([1.7e12, 1.7e12]), kinds: new Uint8Array([0, 99]) }), 'UNKNOWN_KIND', { row: 2 });
  expectCode(() => Scorer.fromSnapshot(new Uint8Array([1, 2, 3])), 'NOT_A_SNAPSHOT');
  const damaged = s.snapshot();
  damaged[damaged.length - 1] ^= 1;
  expectCode(() => Scorer.fromSnapshot(damaged), 'CORRUPT_SNAPSHOT');
  expectCode(() => s.mergeSnapshot('bytes'), 'INVALID_ARGUMENT');
  // Nothing above changed the state, and the instance still works.
  assert.deepEqual(Buffer.from(s.snapshot()), before);
  assert.equal(s.ingest([good]).accepted, 1);
  assert.equal(s.score().clients.length, 2);
});

test('options are checked and bad keys named', () => {
  expectCode(() => new Scorer({ asof: '2024-01-01' }), 'UNKNOWN_CONFIG_KEY', { field: 'asof' });
  expectCode(() => new Scorer({ engagement: { weights: { recency: 1, loyalty: 1 } } }), 'UNKNOWN_CONFIG_KEY', { field: 'engagement.weights.loyalty' });
  expectCode(() => new Scorer({ engagement: { windowDays: -3 } }), 'INVALID_CONFIG', { field: 'engagement.windowDays' });
  expectCode(() => new Scorer({ engagement: { weights: { recency: 0, frequency: 0, breadth: 0, depth: 0, trend: 0 } } }), 'INVALID_CONFIG', { field: 'engagement.weights' });
  expectCode(() => new Scorer({ asOf: 'someday' }), 'INVALID_CONFIG', { field: 'asOf' });
  expectCode(() => new Scorer({ mode: 'loose' }), 'INVALID_CONFIG', { field: 'mode' });
  expectCode(() => new Scorer('strict'), 'INVALID_ARGUMENT');
  expectCode(() => new Scorer().ingestCsv('a\n1', { columns: { customer: 'a' } }), 'UNKNOWN_CONFIG_KEY', { field: 'columns.customer' });
  expectCode(() => new Scorer().score(), 'EMPTY_INPUT');
  const tuned = new Scorer({ activity: { minAtRiskDays: 3, atRiskFactor: 1.5, defaultCadenceDays: 7 }, period: 'month', periods: 3 });
  tuned.ingest([{ clientId: 'a', timestamp: '2024-06-01', kind: 'usage' }, { clientId: 'a', timestamp: '2024-06-02', kind: 'usage' }]);
  const r = tuned.score({ asOf: '2024-06-20' });
  assert.equal(r.clients[0].thresholds.atRiskDays, 10.5);
  assert.equal(r.portfolio.lifecycle.periods.length, 3);
  assert.equal(r.portfolio.lifecycle.periods[2].start, '2024-06-01');
});

test('lenient mode skips bad rows and reports them, capped', () => {
  const s = new Scorer({ mode: 'lenient', maxIssues: 2 });
  const sum = s.ingest([
    { clientId: 'a', timestamp: '2024-06-01', kind: 'usage' },
    { clientId: 'b', timestamp: 'yesterday', kind: 'usage' },
    { clientId: 'c', timestamp: '2024-06-01', kind: 'nap' },
    { clientId: 'd', timestamp: '2024-06-01', kind: 'usage', value: -1 },
  ]);
  assert.equal(sum.accepted, 1);
  assert.equal(sum.skipped, 3);
  assert.deepEqual(sum.issues.map((i) => [i.row, i.field, i.code]), [[2, 'timestamp', 'INVALID_TIMESTAMP'], [3, 'kind', 'UNKNOWN_KIND']]);
  const w = s.score().warnings.find((x) => x.code === 'ROWS_SKIPPED');
  assert.equal(w.issues.length, 2);
});

test('portfolio views: lifecycle and stickiness', () => {
  const s = new Scorer({ asOf: '2024-06-30', periods: 4 });
  const ev = [];
  for (let d = 1; d <= 30; d++) ev.push({ clientId: 'a', timestamp: `2024-06-${String(d).padStart(2, '0')}`, kind: 'usage' });
  ev.push({ clientId: 'b', timestamp: '2024-06-30', kind: 'usage' });
  s.ingest(ev);
  const p = s.score().portfolio;
  assert.equal(p.stickiness.mau, 2);
  assert.ok(Math.abs(p.stickiness.dau - 31 / 30) < 1e-12);
  assert.deepEqual(p.lifecycle.periods.map((x) => x.start), ['2024-06-03', '2024-06-10', '2024-06-17', '2024-06-24']);
  assert.deepEqual(p.lifecycle.periods.map((x) => x.returning), [1, 1, 1, 1]);
  assert.equal(p.lifecycle.periods[3].new, 1);
  assert.equal(typeof version(), 'string');
});
