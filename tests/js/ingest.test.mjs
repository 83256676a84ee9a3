// Ingest paths of the built package beyond the basics: CSV read in chunks by the core, row
// offsets for input sent in parts, and every optional field through the object path's columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scorer, isRapportError } from '../../pkg/node.js';

const CSV = 'clientId,timestamp,kind,feature,value,messages,reopened,cost\n"a, inc",2024-06-01,usage,"x\ny",,,,\nb,2024-06-02,support,,,4,true,12\nc,2024-06-03,purchase,,19.5,,,\n';

function rejects(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(isRapportError(e), String(e));
    return e;
  }
  assert.fail('expected an error');
}

test('a CsvReader fed in chunks of any size ingests what one ingestCsv does, bytes or text', () => {
  const whole = new Scorer({ asOf: '2024-06-30' });
  whole.ingestCsv(CSV);
  const bytes = new TextEncoder().encode(CSV);
  for (const size of [1, 2, 3, 7, 64]) {
    const s = new Scorer({ asOf: '2024-06-30' });
    const reader = s.csvReader();
    for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
    assert.equal(reader.rows, 3);
    const sum = s.ingestCsvReader(reader);
    assert.equal(sum.rows, 3);
    assert.deepEqual(s.score(), whole.score(), `chunks of ${size}`);
  }
  // Text need not end with a line break: the last row is read when the reader is ingested.
  const s = new Scorer();
  const reader = s.csvReader();
  reader.push(CSV.slice(0, 40));
  reader.push(CSV.slice(40, -1));
  assert.equal(reader.rows, 2);
  assert.equal(s.ingestCsvReader(reader).accepted, 3);
});

test('rows are numbered across chunks, and a strict reader refuses everything after a bad row', () => {
  const s = new Scorer();
  const reader = s.csvReader();
  reader.push('clientId,timestamp,kind\n');
  for (let i = 0; i < 1000; i++) reader.push(`c${i},2024-06-01,usage\n`);
  const e = rejects(() => reader.push('late,2024-13-01,usage\n'));
  assert.deepEqual([e.code, e.row, e.field], ['INVALID_TIMESTAMP', 1001, 'timestamp']);
  assert.equal(rejects(() => reader.push('d,2024-06-01,usage\n')).code, 'INVALID_TIMESTAMP');
  assert.equal(rejects(() => s.ingestCsvReader(reader)).code, 'INVALID_TIMESTAMP');
  assert.equal(s.eventCount, 0, 'nothing was ingested');
});

test('rowOffset numbers rows file-wide for input sent in parts', () => {
  const s = new Scorer({ mode: 'lenient' });
  const sum = s.ingest([{ clientId: 'a', timestamp: '2024-06-01', kind: 'usage' }, { clientId: 'b', timestamp: 'soon', kind: 'usage' }], { rowOffset: 500 });
  assert.deepEqual(sum.issues.map((i) => [i.row, i.field, i.code]), [[502, 'timestamp', 'INVALID_TIMESTAMP']]);
  const strict = new Scorer();
  assert.equal(rejects(() => strict.ingestJson('[{"clientId":"a","timestamp":"2024-06-01","kind":"nap"}]', { rowOffset: 10 })).row, 11);
  assert.equal(rejects(() => strict.ingestCsv('clientId,timestamp,kind\na,2024-06-01,nap\n', { rowOffset: 41 })).row, 42);
  const cols = { clientIds: ['a'], clientIndex: new Uint32Array([0, 0]), timestamps: new Float64Array([1.7e12, NaN]), kinds: new Uint8Array([0, 0]) };
  assert.equal(rejects(() => strict.ingestColumns(cols, { rowOffset: 7 })).row, 9);
  assert.deepEqual([rejects(() => strict.ingest([], { rowOfset: 1 })).code, rejects(() => strict.ingest([], { rowOfset: 1 })).field], ['UNKNOWN_CONFIG_KEY', 'rowOfset']);
  // The report's list of skipped rows says which ingest call skipped each.
  s.ingest([{ clientId: 'c', timestamp: 'later', kind: 'usage' }]);
  const w = s.score().warnings.find((x) => x.code === 'ROWS_SKIPPED');
  assert.deepEqual(w.issues.map((i) => [i.row, i.batch]), [[502, 1], [1, 2]]);
});

test('every optional field crosses the object path as the JSON path reads it', () => {
  const events = [
    { clientId: 'a', timestamp: '2024-06-01T10:00:00+02:00', kind: 'usage', feature: 'search', value: 3.5 },
    { clientId: 7, timestamp: 1717200000000, kind: 'support', messages: 5, reopened: true, cost: 8.25 },
    { clientId: 'a', timestamp: '2024-06-02', kind: 'support', reopened: false },
    { clientId: 'a', timestamp: '2024-06-03', kind: 'feedback', value: 9 },
    { clientId: 'b', timestamp: '2024-06-04', kind: 'purchase', value: 10, feature: null, messages: undefined },
  ];
  const a = new Scorer({ asOf: '2024-06-30' });
  a.ingest(events);
  const b = new Scorer({ asOf: '2024-06-30' });
  b.ingestJson(JSON.stringify(events));
  assert.deepEqual(Buffer.from(a.snapshot()), Buffer.from(b.snapshot()));
  const c7 = a.score().clients.find((c) => c.clientId === '7');
  assert.equal(c7.effectiveness.costToServe, 8.25);
  // A missing timestamp is named, not read as a number.
  const e = rejects(() => new Scorer().ingest([{ clientId: 'x', kind: 'usage' }]));
  assert.deepEqual([e.code, e.row, e.field], ['MISSING_FIELD', 1, 'timestamp']);
});

test('ingestJson and ingestCsv take UTF-8 bytes as they take text, and name a row whose bytes are not UTF-8', () => {
  const events = [
    { clientId: 'é', timestamp: '2024-06-01', kind: 'usage', feature: 'ü' },
    { clientId: 'b', timestamp: 1717286400000, kind: 'purchase', value: 12.5 },
    { clientId: 'c\n"', timestamp: '2024-06-03T10:00:00+02:00', kind: 'support', messages: 2, reopened: true },
  ];
  const json = JSON.stringify(events);
  const enc = (t) => new TextEncoder().encode(t);
  const pairs = [
    [(s) => s.ingestJson(json), (s) => s.ingestJson(enc(json))],
    [(s) => s.ingestCsv(CSV), (s) => s.ingestCsv(enc(CSV))],
  ];
  for (const [text, bytes] of pairs) {
    const a = new Scorer({ asOf: '2024-06-30' });
    const b = new Scorer({ asOf: '2024-06-30' });
    assert.deepEqual(bytes(b), text(a));
    assert.deepEqual(b.score(), a.score());
  }
  // 0xff is never UTF-8: the row holding it is named, in strict and lenient mode.
  const bad = enc('[{"clientId":"a","timestamp":"2024-06-01","kind":"usage"},{"clientId":"b?","timestamp":"2024-06-01","kind":"usage"}]');
  bad[bad.indexOf(63)] = 0xff;
  const e = rejects(() => new Scorer().ingestJson(bad));
  assert.ok(isRapportError(e) && e.row === 2, `${e.code} row ${e.row}: ${e.message}`);
  const csv = enc('clientId,timestamp,kind\na,2024-06-01,usage\nb?,2024-06-01,usage\n');
  csv[csv.indexOf(63)] = 0xff;
  const lenient = new Scorer({ mode: 'lenient' });
  const r = lenient.ingestCsv(csv);
  assert.deepEqual([r.accepted, r.skipped, r.issues[0]?.row], [1, 1, 2]);
  assert.throws(() => new Scorer().ingestJson(42), (x) => isRapportError(x) && x.code === 'INVALID_ARGUMENT');
});
