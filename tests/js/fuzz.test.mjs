// Property tests with fast-check against the built package: hostile events, CSV, JSON,
// columns, options (cyclic, deep, getters, Proxies, NaN), snapshots (valid-CRC forgeries
// included) and model inputs. For every input: no trap, a coded error or a valid result, the
// scorer byte-identical after a refusal, and the instance usable afterwards.
//
// A bounded run by default (well under a minute); FUZZ_RUNS=N runs each property N times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as engine from '../../pkg/node.js';
import * as full from '../../pkg/full/node.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const GOOD = { clientId: 'ok', timestamp: '2024-06-01', kind: 'usage' };

/** Runs `fn`; passes on a result or a RapportError, fails on anything else (a trap above all). */
function codedOrOk(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw new Error(`trap: ${e.message}`);
    if (!engine.isRapportError(e)) throw new Error(`not a RapportError: ${e?.stack ?? e}`);
    return { ok: false, error: e };
  }
}

/** The module still works. */
function alive() {
  const s = new engine.Scorer();
  assert.equal(s.ingest([GOOD]).accepted, 1);
  assert.equal(s.score().clients.length, 1);
  s.free();
}

/** A call on a scorer that holds one event: either it succeeds, or it throws a coded error and
 * the scorer is byte for byte as it was, and usable. */
function onScorer(call, options) {
  const s = new engine.Scorer(options);
  s.ingest([GOOD]);
  const before = Buffer.from(s.snapshot());
  const r = codedOrOk(() => call(s));
  if (!r.ok) assert.deepEqual(Buffer.from(s.snapshot()), before, `state changed by a refused call (${r.error.code})`);
  assert.ok(s.score().clients.length >= 1);
  s.free();
  alive();
  return r;
}

const run = (prop) => fc.assert(prop, { numRuns: RUNS, seed: SEED });

// ---- values, hostile ones included ----

const throwing = fc.constant(0).map(() => {
  const o = {};
  Object.defineProperty(o, 'clientId', { get() { throw new Error('getter'); }, enumerable: true });
  return o;
});
const proxied = fc.anything().map((v) => new Proxy(typeof v === 'object' && v !== null ? v : {}, { get(t, k) { if (k === 'kind') throw new Error('trap'); return Reflect.get(t, k); } }));
const cyclic = fc.constant(0).map(() => {
  const o = { a: 1 };
  o.self = o;
  return o;
});
const deep = fc.integer({ min: 100, max: 4000 }).map((n) => {
  let o = {};
  const top = o;
  for (let i = 0; i < n; i++) o = o.x = {};
  return top;
});
const strange = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1e17),
  fc.constantFrom('', ' ', '\n', '\ud800', 'a\udc00', '\ufffd', '0', '-1', '1e400', 'NaN', '2024-13-01', '2024-06-01T25:00:00Z', 'x'.repeat(2000)),
  fc.constantFrom(null, undefined, true, false, [], {}, 10n),
  fc.date({ noInvalidDate: false }),
);
const value = fc.oneof(fc.anything(), strange);
const fieldName = fc.constantFrom('clientId', 'timestamp', 'kind', 'feature', 'value', 'messages', 'reopened', 'cost', 'extra');
const eventish = fc.oneof(
  { weight: 4, arbitrary: fc.record({ clientId: fc.oneof(fc.string(), fc.integer(), strange), timestamp: fc.oneof(fc.constantFrom('2024-06-01', 1.7e12), strange), kind: fc.oneof(fc.constantFrom('usage', 'purchase', 'support', 'feedback', 'cancellation'), strange) }, { requiredKeys: [] }) },
  { weight: 2, arbitrary: fc.dictionary(fieldName, value) },
  { weight: 1, arbitrary: value },
  { weight: 1, arbitrary: throwing },
  { weight: 1, arbitrary: proxied },
);
const optionsLike = fc.oneof(
  fc.dictionary(fc.constantFrom('asOf', 'mode', 'maxIssues', 'period', 'periods', 'activity', 'engagement', 'businessModel', 'rfm', 'plays', 'nope'), value),
  fc.record({ engagement: fc.record({ windowDays: value, weights: fc.dictionary(fc.constantFrom('recency', 'trend', 'depth'), value) }, { requiredKeys: [] }) }),
  value,
  cyclic,
  deep,
  throwing,
  proxied,
);

test('hostile event arrays: ingest and ingestJson', () => {
  run(
    fc.property(fc.array(eventish, { maxLength: 20 }), fc.boolean(), (events, lenient) => {
      const mode = lenient ? 'lenient' : 'strict';
      const r = onScorer((s) => s.ingest(events), { mode });
      if (r.ok) assert.equal(r.value.accepted + r.value.skipped, r.value.rows);
      let text;
      try {
        text = JSON.stringify(events);
      } catch {
        return;
      }
      if (text !== undefined) onScorer((s) => s.ingestJson(text), { mode });
    }),
  );
});

test('hostile arrays themselves: Proxies, getters, holes, sparse and huge lengths', () => {
  const arrays = fc.oneof(
    fc.array(eventish, { maxLength: 5 }).map((a) => new Proxy(a, { get(t, k) { if (k === '1') throw new Error('index'); return Reflect.get(t, k); } })),
    fc.constant(0).map(() => { const a = [GOOD]; a.length = 3; return a; }),
    fc.constant(0).map(() => { const a = [GOOD]; Object.defineProperty(a, 0, { get() { a.push(GOOD); return GOOD; } }); return a; }),
    value,
  );
  run(fc.property(arrays, (events) => void onScorer((s) => s.ingest(events))));
});

const cell = fc.oneof(fc.string(), fc.constantFrom('"', '""', '"a,b"', 'a\nb', '\r\n', '2024-06-01', 'usage', 'purchase', '-1', '1e400', '\ud800', ' '));
test('hostile CSV text', () => {
  run(
    fc.property(fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 8 }), fc.constantFrom(',', ';', '\t'), fc.boolean(), (rows, sep, lenient) => {
      const text = ['clientId,timestamp,kind', ...rows.map((r) => r.join(sep))].join('\n');
      onScorer((s) => s.ingestCsv(text, { delimiter: ',' }), { mode: lenient ? 'lenient' : 'strict' });
      onScorer((s) => {
        const reader = s.csvReader();
        for (let i = 0; i < text.length; i += 7) reader.push(text.slice(i, i + 7));
        return s.ingestCsvReader(reader);
      });
    }),
  );
  run(fc.property(fc.string(), optionsLike, (text, options) => void onScorer((s) => s.ingestCsv(text, options))));
});

test('hostile JSON text', () => {
  const texts = fc.oneof(fc.json(), fc.string(), fc.json().map((j) => j.slice(0, Math.max(0, j.length - 2))), fc.constantFrom('[', '[{}', '[{},]', '[1,2,3]', '[{"clientId":"\\ud800","timestamp":"2024-06-01","kind":"usage"}]', '{"a":[[[[[[[[[[]]]]]]]]]]}'));
  run(fc.property(texts, fc.boolean(), (text, lenient) => void onScorer((s) => s.ingestJson(text), { mode: lenient ? 'lenient' : 'strict' })));
});

test('hostile columns', () => {
  const typed = (C) => fc.oneof(fc.array(fc.oneof(fc.double(), fc.integer()), { maxLength: 6 }).map((a) => C.from(a.map((x) => (C === Float64Array ? x : Math.abs(Math.trunc(x)) % 300)))), value, fc.constant(0).map(() => { const t = new C(3); structuredClone(t.buffer, { transfer: [t.buffer] }); return t; }), fc.constant(0).map(() => new Proxy(new C(2), {})));
  const columns = fc.record({ clientIds: fc.oneof(fc.array(fc.oneof(fc.string(), strange), { maxLength: 4 }), value), clientIndex: typed(Uint32Array), timestamps: typed(Float64Array), kinds: typed(Uint8Array), values: typed(Float64Array), featureNames: fc.array(fc.string(), { maxLength: 3 }), featureIndex: typed(Uint32Array), reopened: typed(Uint8Array) }, { requiredKeys: [] });
  run(fc.property(fc.oneof(columns, value, throwing), (c) => void onScorer((s) => s.ingestColumns(c))));
});

test('hostile options everywhere options are taken', () => {
  run(
    fc.property(optionsLike, (o) => {
      codedOrOk(() => new engine.Scorer(o));
      onScorer((s) => s.score(o));
      onScorer((s) => s.scoreJson(o));
      onScorer((s) => s.history(o));
      onScorer((s) => s.ingest([GOOD], o));
      alive();
    }),
  );
});

/** CRC-32 (IEEE), for forging snapshots with a valid checksum. */
const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

test('hostile snapshots: random bytes, damaged ones, and forgeries with a valid checksum', () => {
  const base = new engine.Scorer();
  base.ingest([GOOD, { clientId: 'b', timestamp: '2024-06-02', kind: 'purchase', value: 12 }, { clientId: 'b', timestamp: '2024-06-03', kind: 'support', messages: 3, cost: 5 }]);
  const snap = base.snapshot();
  const forged = fc.array(fc.tuple(fc.nat(snap.length - 15), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    const b = Uint8Array.from(snap);
    for (const [at, v] of edits) b[14 + at] = v;
    new DataView(b.buffer).setUint32(10, crc32(b.subarray(14)), true);
    return b;
  });
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), forged, fc.constant(snap.slice(0, 20)), value);
  run(
    fc.property(bytes, (b) => {
      const r = codedOrOk(() => engine.Scorer.fromSnapshot(b));
      if (r.ok) {
        // A forgery that reads is a ledger ingest could have built: it scores.
        codedOrOk(() => r.value.score());
        r.value.free();
      }
      onScorer((s) => s.mergeSnapshot(b));
    }),
  );
});

test('hostile model inputs', () => {
  const col = fc.oneof(fc.array(fc.oneof(fc.double({ min: -5, max: 60 }), fc.integer({ min: 0, max: 40 }), strange), { maxLength: 6 }), fc.float64Array({ maxLength: 6 }), value);
  const data = fc.oneof(fc.record({ frequency: col, recency: col, T: col, monetary: col, periods: col, survivors: col, weight: col }, { requiredKeys: [] }), fc.dictionary(fc.string(), col), value, throwing);
  const model = fc.oneof(fc.constantFrom('bgnbd', 'mbgnbd', 'pareto-nbd', 'gamma-gamma', 'bgbb', 'sbg'), value);
  const params = fc.oneof(fc.dictionary(fc.constantFrom('r', 'alpha', 's', 'beta', 'a', 'b', 'p', 'q', 'v', 'gamma', 'delta'), fc.oneof(fc.double({ min: 0.01, max: 20 }), strange)), value);
  run(
    fc.property(model, data, params, fc.oneof(fc.record({ horizon: fc.oneof(fc.double({ min: 0, max: 100 }), strange) }), value), (m, d, p, o) => {
      codedOrOk(() => full.fitModel(m, d));
      codedOrOk(() => full.predictModel(m, p, d, o));
      codedOrOk(() => full.readModelTable(typeof d === 'string' ? d : 'frequency,recency,T\n1,2,3\n', m, o));
      alive();
    }),
  );
});
