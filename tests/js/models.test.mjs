// The customer-base models through the package's `full` build, under Node, and the CLI's
// `summary` and `fit` commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as engine from '../../pkg/node.js';
import { fitModel, predictModel, readModelTable, Scorer, isRapportError } from '../../pkg/full/node.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (p) => readFileSync(join(root, p), 'utf8');
const SUMMARY = 'data/reference/cdnow_customers_summary_with_transactions.csv';
const CDNOW_COLUMNS = { id: 'ID', frequency: 'x', recency: 't_x', monetary: 'zbar' };
const lifetimes = JSON.parse(read('data/reference/lifetimes-0.11.3.json'));
const run = (...args) => spawnSync(process.execPath, ['pkg/cli/rapportjs.mjs', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });

function code(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(isRapportError(e), String(e));
    return [e.code, e.field ?? null];
  }
  return 'no error';
}

test('the engine build stays lean: models are only in rapportjs/full', () => {
  assert.equal(engine.fitModel, undefined);
  assert.equal(typeof fitModel, 'function');
});

test('BG/NBD fitted from typed columns matches the published fit and lifetimes per client', () => {
  const { ids, data } = readModelTable(read(SUMMARY), 'bgnbd', { columns: CDNOW_COLUMNS });
  assert.equal(ids.length, 2357);
  const fit = fitModel('bgnbd', { frequency: Float64Array.from(data.frequency), recency: Float64Array.from(data.recency), T: data.T });
  assert.ok(fit.converged);
  for (const [k, v] of Object.entries({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })) assert.ok(Math.abs(fit.params[k] - v) <= 1e-3, `${k} ${fit.params[k]}`);
  assert.ok(Math.abs(fit.logLikelihood - -9582.4) < 0.05);
  assert.ok(Object.values(fit.standardErrors).every((s) => s > 0));
  const pred = predictModel('bgnbd', lifetimes.bgnbd.params, data, { horizon: 39 });
  pred.pAlive.forEach((p, i) => assert.ok(Math.abs(p - lifetimes.bgnbd.pAlive[i]) <= 1e-6 * lifetimes.bgnbd.pAlive[i], `client ${i + 1}`));
  pred.expectedPurchases.forEach((e, i) => assert.ok(Math.abs(e - lifetimes.bgnbd.expected[i]) <= 1e-6 * Math.max(lifetimes.bgnbd.expected[i], 1e-9)));
});

test('every model fits its reference data through the API', () => {
  const { data } = readModelTable(read(SUMMARY), 'gamma-gamma', { columns: CDNOW_COLUMNS });
  const gg = fitModel('gamma-gamma', data);
  assert.ok(Math.abs(gg.params.p - 6.25) <= 0.01 && Math.abs(gg.params.q - 3.74) <= 0.01 && Math.abs(gg.params.v - 15.44) <= 0.01);
  const spend = predictModel('gamma-gamma', gg.params, data).expectedSpend;
  assert.equal(spend.length, 2357);
  const don = readModelTable(read('data/reference/donations.csv'), 'bgbb', { columns: { weight: 'weights' } });
  const bb = fitModel('bgbb', don.data);
  assert.ok(Math.abs(bb.params.alpha - 1.204) <= 1e-3 && Math.abs(bb.params.delta - 2.783) <= 1e-3, JSON.stringify(bb.params));
  const sbgRows = read('data/reference/sbg_retention.csv').trim().split('\n').slice(1, 9).map((l) => Number(l.split(',')[1]));
  const sbg = fitModel('sbg', { survivors: sbgRows });
  assert.ok(Math.abs(sbg.params.alpha - 0.704) <= 1e-3 && Math.abs(sbg.params.beta - 1.182) <= 1e-3);
  const curve = predictModel('sbg', sbg.params, {}, { horizon: 12 });
  assert.equal(curve.survival.length, 13);
  assert.equal(curve.survival[0], 1);
});

test('the summary from CDNOW events reproduces the published summary', () => {
  const s = new Scorer();
  s.ingestCsv(read('data/cdnow_sample_events.csv'), { columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' } });
  const rows = s.summary({ end: '1997-09-30', unit: 'weeks' });
  assert.equal(rows.length, 2357);
  const published = read(SUMMARY).trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const [id, x, tx, T] of published) {
    const r = byId.get(String(id));
    assert.equal(r.frequency, x);
    assert.equal(Math.round(r.recency * 100) / 100, tx);
    assert.equal(Math.round(r.T * 100) / 100, T);
  }
});

test('model errors are coded and name the field', () => {
  const data = { frequency: [0, 0], recency: [0, 0], T: [10, 20] };
  assert.deepEqual(code(() => fitModel('bgnbd', data)), ['FIT_FAILED', null]);
  assert.deepEqual(code(() => fitModel('bgnbd', { frequency: [1], recency: [1] })), ['MISSING_FIELD', 'T']);
  // A data column no model reads is a column error (it was UNKNOWN_CONFIG_KEY, as if it were an option).
  assert.deepEqual(code(() => fitModel('bgnbd', { ...data, age: [1, 2] })), ['INVALID_COLUMNS', 'age']);
  assert.deepEqual(code(() => fitModel('bgnbd', { ...data, recency: [0, 30] })), ['INVALID_SUMMARY', 'recency']);
  assert.deepEqual(code(() => fitModel('bgnbd', { ...data, T: [10, 'x'] })), ['INVALID_ARGUMENT', 'T[1]']);
  assert.deepEqual(code(() => fitModel('weibull', data)), ['INVALID_ARGUMENT', 'model']);
  assert.deepEqual(code(() => predictModel('bgnbd', { r: 1 }, data)), ['MISSING_FIELD', 'params.alpha']);
  assert.deepEqual(code(() => readModelTable('a,b\n1,2\n', 'bgnbd')), ['INVALID_CSV', 'frequency']);
});

test('CLI summary and fit', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rapport-models-'));
  const sum = run('summary', 'data/cdnow_sample_events.csv', '--id', 'customer_id', '--date', 'date', '--amount', 'amount', '--unit', 'weeks', '--end', '1998-06-30', '--calibration-end', '1997-09-30');
  assert.equal(sum.status, 0, sum.stderr);
  const lines = sum.stdout.trim().split('\n');
  assert.equal(lines[0], 'id,frequency,recency,T,monetary_value,frequency_holdout,duration_holdout');
  assert.equal(lines.length, 2358);
  const totalHoldout = lines.slice(1).reduce((a, l) => a + Number(l.split(',')[5]), 0);
  assert.equal(totalHoldout, lifetimes.holdout.actual);
  const out = join(tmp, 'pred.csv');
  const fit = run('fit', 'bgnbd', SUMMARY, '--columns', 'id=ID,frequency=x,recency=t_x', '--horizon', '39', '--out', out);
  assert.equal(fit.status, 0, fit.stderr);
  const f = JSON.parse(fit.stdout);
  assert.equal(f.model, 'bgnbd');
  assert.ok(Math.abs(f.params.r - 0.243) <= 1e-3);
  const pred = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(pred[0], 'id,p_alive,expected_purchases');
  assert.equal(pred.length, 2358);
  assert.ok(Math.abs(Number(pred[1].split(',')[2]) - 1.2259) < 1e-4);
  const given = run('fit', 'gamma-gamma', SUMMARY, '--columns', 'id=ID,frequency=x,monetary=zbar', '--params', 'p=6.2488,q=3.7446,v=15.4477', '--out', out);
  assert.equal(given.status, 0, given.stderr);
  assert.equal(readFileSync(out, 'utf8').split('\n')[1], `1,${6.2488 * (15.4477 + 2 * 22.35) / (6.2488 * 2 + 3.7446 - 1)}`);
  const bad = run('fit', 'bgnbd', SUMMARY, '--columns', 'frequency=x,recency=nope');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /INVALID_CSV at field nope/);
});
