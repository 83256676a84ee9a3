// Regression tests for every hostile input found by attacking the built package: each must
// throw a coded error (or the caller's exception as its cause), leave the scorer exactly as it
// was, and leave the instance usable. Named after the findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as engine from '../../pkg/node.js';
import { initSync as engineWasm } from '../../pkg/rapport.js';
import * as full from '../../pkg/full/node.js';

const { Scorer, isRapportError, generateEvents } = engine;
const root = fileURLToPath(new URL('../../', import.meta.url));
const GOOD = { clientId: 'ok', timestamp: '2024-06-01', kind: 'usage' };

/** The call throws a RapportError with `code` (and `field`, when given). */
function coded(fn, code, field) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `expected ${code}`);
  assert.ok(isRapportError(thrown), `a RapportError, got ${thrown?.stack ?? thrown}`);
  assert.equal(thrown.code, code, thrown.message);
  if (field !== undefined) assert.equal(thrown.field, field, thrown.message);
  return thrown;
}

/** A scorer with one event, and its snapshot to compare with after a refusal. */
function scorer(options) {
  const s = new Scorer(options);
  s.ingest([GOOD]);
  return { s, before: Buffer.from(s.snapshot()) };
}

/** The scorer is as it was, and fully usable: it scores, snapshots, ingests and frees. */
function intact(s, before) {
  assert.deepEqual(Buffer.from(s.snapshot()), before, 'state unchanged');
  assert.equal(s.score().clients.length, 1);
  assert.ok(s.scoreJson().length > 0);
  assert.equal(s.ingest([{ ...GOOD, clientId: 'after' }]).accepted, 1);
  s.free();
  // The module itself still works.
  assert.equal(new Scorer().ingest([GOOD]).accepted, 1);
}

function deep(levels) {
  let o = {};
  const top = o;
  for (let i = 0; i < levels; i++) o = o.a = {};
  return top;
}

// The engine's wasm memory in bytes (it only grows, in steps of an eighth of itself at least):
// where a leak or a blow-up shows. Node's own counters leave wasm memory out.
const wasmBytes = () => engineWasm().memory.buffer.byteLength;

test('traps: a cyclic options object is a coded error', () => {
  const o = {};
  o.x = o;
  coded(() => new Scorer(o), 'INVALID_ARGUMENT', 'options');
  const { s, before } = scorer();
  coded(() => s.score(o), 'INVALID_ARGUMENT', 'options');
  intact(s, before);
});

test('traps: options nested 3,100 levels deep, in every call that takes options', () => {
  const d = { activity: deep(3100) };
  coded(() => new Scorer(d), 'INVALID_CONFIG');
  const { s, before } = scorer();
  coded(() => s.score(deep(3100)), 'INVALID_CONFIG');
  coded(() => s.scoreJson(deep(3100)), 'INVALID_CONFIG');
  coded(() => s.history(deep(3100)), 'INVALID_CONFIG');
  coded(() => s.ingestCsv('clientId,timestamp,kind\na,2024-06-01,usage\n', deep(3100)), 'INVALID_CONFIG');
  coded(() => Scorer.fromSnapshot(before, deep(3100)), 'INVALID_CONFIG');
  const data = { frequency: [1, 0], recency: [3, 0], T: [10, 10] };
  coded(() => full.predictModel('bgnbd', { r: 1, alpha: 1, a: 1, b: 1 }, data, deep(3100)), 'INVALID_CONFIG');
  coded(() => full.readModelTable('frequency,recency,T\n1,1,2\n', 'bgnbd', deep(3100)), 'INVALID_CONFIG');
  intact(s, before);
});

test('traps: a report too large for one score() is refused up front, not a trap', () => {
  const n = 200_001;
  const g = generateEvents(3, n, n);
  const s = new Scorer();
  s.ingestColumns(g);
  coded(() => s.score(), 'TOO_LARGE');
  coded(() => s.scoreJson(), 'TOO_LARGE');
  assert.equal(s.clientCount, n, 'still usable');
  s.free();
});

test('scorer lost: a getter that throws in an event leaves the scorer as it was', () => {
  const { s, before } = scorer();
  const e = coded(() => s.ingest([{ get clientId() { throw new Error('boom'); }, timestamp: '2024-06-01', kind: 'usage' }]), 'INVALID_FIELD');
  assert.equal(e.row, 1);
  assert.match(e.message, /boom/);
  // Lenient mode lists it.
  const l = new Scorer({ mode: 'lenient' });
  const sum = l.ingest([GOOD, { get kind() { throw new Error('bang'); }, clientId: 'x', timestamp: '2024-06-01' }]);
  assert.deepEqual([sum.accepted, sum.skipped, sum.issues[0].row], [1, 1, 2]);
  intact(s, before);
});

test('scorer lost: and no memory leaks per aborted call', () => {
  const { s, before } = scorer();
  const bad = [{ get clientId() { throw new Error('boom'); }, timestamp: '2024-06-01', kind: 'usage' }];
  for (let i = 0; i < 50; i++) assert.throws(() => s.ingest(bad));
  const start = wasmBytes();
  for (let i = 0; i < 500; i++) assert.throws(() => s.ingest(bad));
  // A leak of the 0.28 MB per call once seen would be 140 MB; one growth step is at most 16 MB
  // at this size.
  assert.ok(wasmBytes() - start <= 16 << 20, `memory grew by ${wasmBytes() - start} bytes over 500 aborted calls`);
  intact(s, before);
});

test('scorer lost: a throwing array index, a Proxy array, a revoked Proxy', () => {
  const { s, before } = scorer();
  const arr = [GOOD, GOOD];
  Object.defineProperty(arr, 1, { get() { throw new Error('index'); } });
  assert.equal(coded(() => s.ingest(arr), 'INVALID_FIELD').row, 2);
  const proxy = new Proxy([GOOD], { get(t, k) { if (k === '0') throw new Error('trap'); return Reflect.get(t, k); } });
  coded(() => s.ingest(proxy), 'INVALID_FIELD');
  const lengthThrows = new Proxy([GOOD], { get(t, k) { if (k === 'length') throw new Error('length'); return Reflect.get(t, k); } });
  const e = coded(() => s.ingest(lengthThrows), 'INVALID_ARGUMENT', 'events');
  assert.equal(e.cause.message, 'length');
  const { proxy: revoked, revoke } = Proxy.revocable([GOOD], {});
  revoke();
  coded(() => s.ingest(revoked), 'INVALID_ARGUMENT', 'events');
  intact(s, before);
});

test('scorer lost: a throwing getter in the ingestCsv options, a Proxy clientIds, detached arrays', () => {
  const { s, before } = scorer();
  coded(() => s.ingestCsv('clientId,timestamp,kind\na,2024-06-01,usage\n', { get columns() { throw new Error('opts'); } }), 'INVALID_ARGUMENT', 'options');
  const cols = { clientIds: ['a'], clientIndex: new Uint32Array([0]), timestamps: new Float64Array([1.7e12]), kinds: new Uint8Array([0]) };
  const proxied = { ...cols, clientIds: new Proxy(['a'], { get(t, k) { if (k === '0') throw new Error('ids'); return Reflect.get(t, k); } }) };
  coded(() => s.ingestColumns(proxied), 'INVALID_ARGUMENT', 'columns');
  const proxiedTyped = { ...cols, timestamps: new Proxy(new Float64Array([1.7e12]), {}) };
  coded(() => s.ingestColumns(proxiedTyped), 'INVALID_ARGUMENT', 'timestamps');
  const detached = new Float64Array([1.7e12]);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  coded(() => s.ingestColumns({ ...cols, timestamps: detached }), 'INVALID_COLUMNS', 'timestamps');
  const snap = s.snapshot();
  structuredClone(snap.buffer, { transfer: [snap.buffer] });
  coded(() => s.mergeSnapshot(snap), 'NOT_A_SNAPSHOT');
  coded(() => Scorer.fromSnapshot(snap), 'NOT_A_SNAPSHOT');
  intact(s, before);
});

test('scorer lost: a re-entrant call from a getter', () => {
  const { s, before } = scorer();
  const reentrant = [{ get clientId() { s.ingest([GOOD]); return 'x'; }, timestamp: '2024-06-01', kind: 'usage' }];
  coded(() => s.ingest(reentrant), 'INVALID_FIELD');
  const reading = [{ get clientId() { s.score(); return 'x'; }, timestamp: '2024-06-01', kind: 'usage' }];
  coded(() => s.ingest(reading), 'INVALID_FIELD');
  intact(s, before);
});

test('scorer lost: a throwing getter in the options of score() and history()', () => {
  const { s, before } = scorer();
  coded(() => s.score({ get asOf() { throw new Error('asOf'); } }), 'INVALID_ARGUMENT', 'options');
  coded(() => s.history({ get periods() { throw new Error('periods'); } }), 'INVALID_ARGUMENT', 'options');
  intact(s, before);
});

test('runaway: BG/BB with a huge number of opportunities is refused at once', () => {
  const t0 = Date.now();
  coded(() => full.fitModel('bgbb', { frequency: [1, 0, 2], recency: [3, 0, 5], periods: [10, 10, 1e7] }), 'INVALID_SUMMARY', 'periods');
  coded(() => full.fitModel('bgbb', { frequency: [1, 0, 2], recency: [3, 0, 5], periods: [10, 10, 1e5] }), 'INVALID_SUMMARY', 'periods');
  coded(() => full.predictModel('bgbb', { alpha: 1, beta: 1, gamma: 1, delta: 1 }, { frequency: [1], recency: [3], periods: [1e8] }), 'INVALID_SUMMARY', 'periods');
  coded(() => full.predictModel('sbg', { alpha: 1, beta: 1 }, {}, { horizon: 1e8 }), 'INVALID_CONFIG', 'horizon');
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
});

test('runaway: an 8 MB JSON of empty objects is rejected at row 1 without growing memory', () => {
  const text = '[' + Array(8 << 17).fill('{}').join(',') + ']';
  assert.ok(text.length > 2.9e6);
  const { s, before } = scorer();
  const start = wasmBytes();
  const e = coded(() => s.ingestJson(text), 'MISSING_FIELD');
  assert.equal(e.row, 1);
  assert.ok(wasmBytes() - start < 64 << 20, `memory grew by ${(wasmBytes() - start) >> 20} MB`);
  intact(s, before);
});

test('runaway: distinct features and history size have stated limits', () => {
  const n = 100_001;
  const cols = { clientIds: ['a'], clientIndex: new Uint32Array(n), timestamps: new Float64Array(n).fill(1.7e12), kinds: new Uint8Array(n), featureNames: Array.from({ length: n }, (_, i) => `f${i}`), featureIndex: Uint32Array.from({ length: n }, (_, i) => i) };
  const { s, before } = scorer();
  coded(() => s.ingestColumns(cols), 'TOO_LARGE', 'feature');
  intact(s, before);
  const g = generateEvents(5, 100_000, 100_000);
  const big = new Scorer();
  big.ingestColumns(g);
  // Every client's series over 520 weeks is past the points limit; refused before any work.
  const t0 = Date.now();
  coded(() => big.history({ periods: 520 }), 'TOO_LARGE');
  assert.ok(Date.now() - t0 < 2000);
  // The portfolio alone over 520 weeks is within the assessments limit, and made.
  const h = big.history({ periods: 520, clients: false });
  assert.equal(h.portfolio.length, 520);
  assert.equal(h.portfolio.at(-1).clients, 100_000);
  assert.equal(h.clients.length, 0);
  big.free();
  // 400,000 clients over 520 weeks are past the assessments limit: refused at once.
  const n2 = 400_000;
  const wide = new Scorer();
  wide.ingestColumns({ clientIds: Array.from({ length: n2 }, (_, i) => `c${i}`), clientIndex: Uint32Array.from({ length: n2 }, (_, i) => i), timestamps: new Float64Array(n2).fill(1.7e12), kinds: new Uint8Array(n2) });
  const t1 = Date.now();
  coded(() => wide.history({ periods: 520, clients: false }), 'TOO_LARGE');
  assert.ok(Date.now() - t1 < 2000);
  wide.free();
});

test('accepted wrongly: NaN and ±Infinity in options are refused by key', () => {
  coded(() => new Scorer({ periods: NaN }), 'INVALID_CONFIG', 'periods');
  coded(() => new Scorer({ maxIssues: -Infinity }), 'INVALID_CONFIG', 'maxIssues');
  coded(() => new Scorer({ engagement: { weights: { recency: Infinity } } }), 'INVALID_CONFIG', 'engagement.weights.recency');
  const { s, before } = scorer();
  coded(() => s.score({ asOf: NaN }), 'INVALID_CONFIG', 'asOf');
  coded(() => full.predictModel('bgnbd', { r: 1, alpha: 1, a: 1, b: 1 }, { frequency: [1], recency: [1], T: [2] }, { horizon: NaN }), 'INVALID_CONFIG', 'horizon');
  coded(() => full.fitModel('bgnbd', { frequency: [1, NaN], recency: [1, 0], T: [2, 3] }), 'INVALID_SUMMARY');
  intact(s, before);
});

test('accepted wrongly: five weights of 1e308 overflow their sum, and are refused', () => {
  const w = { recency: 1e308, frequency: 1e308, breadth: 1e308, depth: 1e308, trend: 1e308 };
  coded(() => new Scorer({ engagement: { weights: w } }), 'INVALID_CONFIG', 'engagement.weights');
});

test('accepted wrongly: lone surrogates are refused by every path, as ingestJson refuses them', () => {
  for (const id of ['\ud800', 'a\udc01b']) {
    const { s, before } = scorer();
    assert.deepEqual([coded(() => s.ingest([{ ...GOOD, clientId: id }]), 'INVALID_FIELD').row], [1]);
    const csv = coded(() => s.ingestCsv(`clientId,timestamp,kind\n${id},2024-06-01,usage\n`), 'INVALID_CSV');
    assert.deepEqual([csv.row, csv.field], [1, 'clientId']);
    assert.equal(coded(() => s.ingestJson(JSON.stringify([{ ...GOOD, clientId: id }])), 'INVALID_FIELD').row, 1);
    coded(() => s.ingestColumns({ clientIds: [id], clientIndex: new Uint32Array([0]), timestamps: new Float64Array([1.7e12]), kinds: new Uint8Array([0]) }), 'INVALID_ARGUMENT', 'clientIds[0]');
    intact(s, before);
  }
  // The replacement character itself is a character like any other.
  const s = new Scorer();
  s.ingest([{ ...GOOD, clientId: '\ufffd' }]);
  s.ingestCsv('clientId,timestamp,kind\n\ufffd,2024-06-02,usage\n');
  assert.equal(s.clientCount, 1);
});

test('accepted wrongly: CSV duplicate columns are refused, a whitespace-only line is no row', () => {
  const { s, before } = scorer();
  coded(() => s.ingestCsv('clientId,timestamp,kind,timestamp\na,2024-06-01,usage,2024-06-02\n'), 'INVALID_CSV', 'timestamp');
  const t = new Scorer();
  assert.equal(t.ingestCsv('clientId,timestamp,kind\na,2024-06-01,usage\n    \nb,2024-06-02,usage\n').accepted, 2);
  intact(s, before);
});

test('accepted wrongly: merge(s, s), merge(null) and a freed scorer are coded errors', () => {
  const { s, before } = scorer();
  coded(() => s.merge(s), 'INVALID_ARGUMENT', 'other');
  coded(() => s.merge(null), 'INVALID_ARGUMENT', 'other');
  coded(() => s.merge({}), 'INVALID_ARGUMENT', 'other');
  const gone = new Scorer();
  gone.free();
  coded(() => s.merge(gone), 'INVALID_ARGUMENT', 'other');
  const other = new Scorer();
  other.ingest([{ ...GOOD, clientId: 'other' }]);
  s.merge(other);
  assert.equal(s.clientCount, 2, 'merging a real scorer still works');
});

test('accepted wrongly: generateEvents counts do not wrap', () => {
  coded(() => generateEvents(1, 2 ** 32 + 5, 10), 'INVALID_ARGUMENT', 'clients');
  coded(() => generateEvents(-1, 5, 10), 'INVALID_ARGUMENT', 'seed');
  coded(() => generateEvents(1, 5, 1.5), 'INVALID_ARGUMENT', 'events');
});

const cli = (...args) => spawnSync(process.execPath, ['pkg/cli/rapportjs.mjs', ...args], { cwd: root, encoding: 'utf8' });
const tmp = mkdtempSync(join(tmpdir(), 'rapport-hostile-'));
const file = (name, text) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

test('accepted wrongly: the CLI gives one line, not a stack trace', () => {
  const events = file('e.csv', 'clientId,timestamp,kind\na,2024-06-01,usage\n');
  const oneLine = (r, status) => {
    assert.equal(r.status, status, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  };
  oneLine(cli('score', tmp), 1);
  oneLine(cli('summary', tmp, '--id', 'a', '--date', 'b', '--end', '2024-01-01'), 1);
  oneLine(cli('score', events, '--options', file('null.json', 'null')), 1);
  oneLine(cli('score', events, '--options', file('deep.json', JSON.stringify({ activity: deep(3100) }))), 1);
  oneLine(cli('score', events, '--options', file('inf.json', '{"maxIssues": 1e400}')), 1);
  assert.match(cli('score', events, '--options', join(tmp, 'inf.json')).stderr, /INVALID_CONFIG at field maxIssues/);
  const summary = file('s.csv', 'id,frequency,recency,T\n1,1,2,3\n2,0,0,3\n3,2,3,4\n');
  oneLine(cli('fit', 'bgnbd', summary, '--out', join(tmp, 'missing', 'dir', 'p.csv')), 1);
  oneLine(cli('score', events, '--periods', 'abc'), 2);
  oneLine(cli('history', events, '--periods', 'abc'), 2);
  oneLine(cli('score', events, '--delimiter', ''), 2);
  const t0 = Date.now();
  oneLine(cli('fit', 'bgbb', file('b.csv', 'frequency,recency,periods\n1,3,10\n0,0,10\n2,5,10000000\n')), 1);
  assert.ok(Date.now() - t0 < 10_000);
});
