// The columnar result and explanations on demand, through the built package under Node:
// scoreTable's every row against explain and against score() on the same book, its column
// types, the codes' names, the portfolio alone, and the refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Scorer, generateEvents, isRapportError } from '../../pkg/node.js';
import * as full from '../../pkg/full/node.js';

const CDNOW = readFileSync(new URL('../../data/cdnow_sample_events.csv', import.meta.url), 'utf8');
const CDNOW_COLUMNS = { columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' } };
const NONE = 255;

function coded(fn, code) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error && isRapportError(thrown), `expected a coded error, got ${thrown}`);
  assert.equal(thrown.code, code, thrown.message);
  return thrown;
}

/** A score as the table holds it: a float32 of the one-decimal score, NaN for unknown. */
const f32 = (x) => (x === null || x === undefined ? NaN : Math.fround(x));
const nan = (x) => (x === null || x === undefined ? NaN : x);
const name = (table, col, k) => (table.columns[col][k] === NONE ? null : table.names[col][table.columns[col][k]]);
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

/** Row `k` of the table, read back into the shape of a report's client, for comparison. */
function rowAsClient(t, k) {
  const c = t.columns;
  const comp = (prefix, keys) => Object.fromEntries(keys.map((key) => [key, c[`${prefix}${key[0].toUpperCase()}${key.slice(1)}`][k]]));
  return {
    clientId: t.clientIds[k],
    status: name(t, 'status', k),
    statusReason: name(t, 'statusReason', k),
    firstActive: day(c.firstActive[k]),
    lastActive: day(c.lastActive[k]),
    daysSinceLastActivity: c.daysSinceLastActivity[k],
    activeDays: c.activeDays[k],
    events: c.events[k],
    purchases: c.purchases[k],
    revenue: c.revenue[k],
    engagement: c.engagement[k],
    engagementParts: comp('engagement', ['recency', 'frequency', 'breadth', 'depth', 'trend']),
    effectiveness: c.effectiveness[k],
    effectivenessParts: comp('effectiveness', ['communication', 'informed', 'collaboration', 'feedback', 'costToServe']),
    costToServe: c.costToServe[k],
    netValue: c.netValue[k],
    relationship: name(t, 'relationship', k),
    healthy: c.healthy[k] === 1,
    relationshipReason: name(t, 'relationshipReason', k),
    quadrant: name(t, 'quadrant', k),
    worthProposing: c.worthProposing[k] === 1,
    rfm: c.rfm[k] === 0 ? null : String(c.rfm[k]),
    rfmSegment: name(t, 'rfmSegment', k),
    topPlay: name(t, 'topPlay', k),
    topPlayPriority: c.topPlayPriority[k],
  };
}

/** A report's client in the same shape, with the table's number types. */
function clientAsRow(e) {
  const parts = (components) => Object.fromEntries(Object.entries(components).map(([k, v]) => [k, f32(v.score)]));
  return {
    clientId: e.clientId,
    status: e.status,
    statusReason: e.statusReason.code,
    firstActive: e.firstActive,
    lastActive: e.lastActive,
    daysSinceLastActivity: e.daysSinceLastActivity,
    activeDays: e.activeDays,
    events: e.events,
    purchases: e.purchases,
    revenue: e.revenue,
    engagement: f32(e.engagement.score),
    engagementParts: parts(e.engagement.components),
    effectiveness: f32(e.effectiveness.score),
    effectivenessParts: parts(e.effectiveness.components),
    costToServe: e.effectiveness.costToServe,
    netValue: e.effectiveness.netValue,
    relationship: e.relationship.type,
    healthy: e.relationship.healthy,
    relationshipReason: e.relationship.reason.code,
    quadrant: e.relationship.quadrant,
    worthProposing: e.relationship.longTerm.worthProposing,
    rfm: e.rfm?.code ?? null,
    rfmSegment: e.rfm?.segment ?? null,
    topPlay: e.plays[0]?.play ?? null,
    topPlayPriority: f32(e.plays[0]?.priority),
  };
}

function books() {
  const cdnow = new Scorer({ asOf: '1998-06-30' });
  cdnow.ingestCsv(CDNOW, CDNOW_COLUMNS);
  const saas = new Scorer();
  saas.ingestColumns(generateEvents(11, 3_000, 60_000));
  return { cdnow, saas };
}

test('every row of scoreTable is what explain and score() give for that client', () => {
  for (const [label, s] of Object.entries(books())) {
    const t = s.scoreTable();
    const report = s.score();
    assert.equal(t.asOf, report.asOf);
    assert.deepEqual(t.clientIds, report.clients.map((c) => c.clientId), label);
    assert.ok(t.clientIds.length > 2000, label);
    const explained = s.explainMany(t.clientIds);
    for (let k = 0; k < t.clientIds.length; k++) {
      const row = rowAsClient(t, k);
      assert.deepEqual(row, clientAsRow(report.clients[k]), `${label} row ${k}`);
      assert.deepEqual(explained[k], report.clients[k], `${label} explainMany ${k}`);
    }
    // explain one at a time, on a sample spread over the book.
    for (let k = 0; k < t.clientIds.length; k += 97) {
      assert.deepEqual(s.explain(t.clientIds[k]), report.clients[k], `${label} explain ${k}`);
    }
    assert.deepEqual(s.portfolio(), report.portfolio, label);
    assert.deepEqual(t.portfolio, report.portfolio, label);
    assert.deepEqual(t.warnings, report.warnings, label);
    s.free();
  }
});

test('the table is typed arrays, one entry per client, with the codes named', () => {
  const { saas } = books();
  const t = saas.scoreTable();
  const n = t.clientIds.length;
  const c = t.columns;
  for (const col of Object.values(c)) assert.equal(col.length, n);
  assert.ok(c.status instanceof Uint8Array && c.topPlay instanceof Uint8Array);
  assert.ok(c.engagement instanceof Float32Array && c.effectivenessCostToServe instanceof Float32Array);
  assert.ok(c.revenue instanceof Float64Array && c.netValue instanceof Float64Array);
  assert.ok(c.rfm instanceof Uint16Array);
  assert.ok(c.daysSinceLastActivity instanceof Uint32Array);
  for (const st of ['active', 'at_risk', 'dormant', 'churned']) assert.ok(t.names.status.includes(st), st);
  assert.ok(t.names.statusReason.includes('ACTIVE_ON_CADENCE'));
  for (const key of Object.keys(t.names)) {
    assert.ok(c[key].every((v) => v === NONE || v < t.names[key].length), key);
  }
  // Unknown scores are NaN, not zero: a client with no purchase has no RFM segment.
  const noRfm = c.rfm.findIndex((v) => v === 0);
  if (noRfm >= 0) assert.equal(c.rfmSegment[noRfm], NONE);
  // No model asked, no model columns.
  assert.equal(c.pAlive, undefined);
  saas.free();
});

test('with a customer-base model the table carries its values, as explain does', () => {
  const s = new full.Scorer({ asOf: '1998-06-30' });
  s.ingestCsv(CDNOW, CDNOW_COLUMNS);
  const options = { customerBase: { model: 'pareto-nbd', unit: 'weeks', horizon: 52 } };
  const t = s.scoreTable(options);
  assert.ok(t.columns.pAlive instanceof Float64Array);
  assert.ok(t.customerBase.fit.params.r > 0);
  for (let k = 0; k < t.clientIds.length; k += 53) {
    const e = s.explain(t.clientIds[k], options);
    assert.equal(t.columns.pAlive[k], nan(e.value?.pAlive));
    assert.equal(t.columns.expectedPurchases[k], nan(e.value?.expectedPurchases));
    assert.equal(t.columns.clv[k], nan(e.value?.clv));
  }
  assert.ok(t.columns.pAlive.every((p) => Number.isNaN(p) || (p >= 0 && p <= 1)));
  s.free();
});

test('the table follows the ledger: a new event, another day, other options', () => {
  const s = new Scorer({ asOf: '1998-06-30' });
  s.ingestCsv(CDNOW, CDNOW_COLUMNS);
  const a = s.scoreTable();
  const id = a.clientIds[0];
  const k = 0;
  s.ingest([{ clientId: id, timestamp: '1998-06-30', kind: 'purchase', value: 1000 }]);
  const b = s.scoreTable();
  assert.equal(b.columns.purchases[k], a.columns.purchases[k] + 1);
  assert.equal(b.columns.revenue[k], a.columns.revenue[k] + 1000);
  assert.equal(b.columns.daysSinceLastActivity[k], 0);
  assert.equal(s.explain(id).purchases, b.columns.purchases[k]);
  const earlier = s.scoreTable({ asOf: '1997-12-31' });
  assert.ok(earlier.clientIds.length < b.clientIds.length || earlier.asOf === '1997-12-31');
  assert.equal(earlier.asOf, '1997-12-31');
  assert.deepEqual(s.explain(earlier.clientIds[0], { asOf: '1997-12-31' }).clientId, earlier.clientIds[0]);
  s.free();
});

test('explain refuses unknown clients and bad arguments with codes, and the scorer stays usable', () => {
  const s = new Scorer({ asOf: '1998-06-30' });
  s.ingestCsv(CDNOW, CDNOW_COLUMNS);
  const before = s.scoreTable().columns.engagement.slice();
  coded(() => s.explain('nobody'), 'UNKNOWN_CLIENT');
  coded(() => s.explain(42), 'INVALID_ARGUMENT');
  coded(() => s.explain(), 'INVALID_ARGUMENT');
  coded(() => s.explainMany('00001'), 'INVALID_ARGUMENT');
  coded(() => s.explainMany(['00001', 7]), 'INVALID_ARGUMENT');
  coded(() => s.explainMany(['00001', 'nobody']), 'UNKNOWN_CLIENT');
  coded(() => s.scoreTable({ asOf: NaN }), 'INVALID_CONFIG');
  coded(() => s.portfolio({ nope: 1 }), 'UNKNOWN_CONFIG_KEY');
  // A client whose first event is after asOf is not in the book of that day.
  const late = new Scorer({ asOf: '1998-06-30' });
  late.ingest([{ clientId: 'x', timestamp: '1998-06-01', kind: 'usage' }, { clientId: 'y', timestamp: '1997-01-01', kind: 'usage' }]);
  coded(() => late.explain('x', { asOf: '1998-01-01' }), 'UNKNOWN_CLIENT');
  assert.equal(late.explain('y', { asOf: '1998-01-01' }).clientId, 'y');
  assert.deepEqual(s.scoreTable().columns.engagement, before);
  s.free();
  late.free();
});

test('score() refuses a book past 200,000 clients up front, and scoreTable scores it', () => {
  const s = new Scorer();
  s.ingestColumns(generateEvents(3, 200_001, 400_002));
  const t0 = Date.now();
  coded(() => s.score(), 'TOO_LARGE');
  coded(() => s.scoreJson(), 'TOO_LARGE');
  assert.ok(Date.now() - t0 < 2000, 'refused before any work');
  const t = s.scoreTable();
  assert.equal(t.clientIds.length, 200_001);
  assert.equal(t.portfolio.clients ?? t.clientIds.length, 200_001);
  coded(() => s.explainMany(t.clientIds), 'TOO_LARGE');
  assert.equal(s.explainMany(t.clientIds.slice(0, 3)).length, 3);
  s.free();
});
