// Measures the built package (pkg/node.js) under Node: ingest + scoreTable of synthetic events
// through each input path. Prints one JSON line per measurement. Run in a fresh process per
// path (benches/run.mjs does) so peak memory belongs to that path alone.
// Usage: node benches/wasm-node.mjs PATH EVENTS CLIENTS REPEATS   (PATH: columns|objects|json|csv)
import { readFileSync } from 'node:fs';
import { Scorer, generateEvents, eventKinds, initSync } from '../pkg/node.js';

// Already initialised by the node entry: this returns the instance's exports (for its memory).
const wasmExports = initSync({ module: readFileSync(new URL('../pkg/rapport_bg.wasm', import.meta.url)) });

const [path = 'columns', events = '1000000', clients = '50000', repeats = '5'] = process.argv.slice(2);
const n = Number(events);
const k = Number(clients);
const g = generateEvents(42, k, n);

function objects() {
  const kinds = eventKinds();
  const out = new Array(g.timestamps.length);
  for (let i = 0; i < out.length; i++) {
    const e = { clientId: g.clientIds[g.clientIndex[i]], timestamp: g.timestamps[i], kind: kinds[g.kinds[i]] };
    if (g.featureIndex[i] !== 0xffffffff) e.feature = g.featureNames[g.featureIndex[i]];
    if (!Number.isNaN(g.values[i])) e.value = g.values[i];
    if (!Number.isNaN(g.messages[i])) e.messages = g.messages[i];
    if (!Number.isNaN(g.costs[i])) e.cost = g.costs[i];
    if (e.kind === 'support') e.reopened = g.reopened[i] === 1;
    out[i] = e;
  }
  return out;
}

function csv(objs) {
  const cols = ['clientId', 'timestamp', 'kind', 'feature', 'value', 'messages', 'reopened', 'cost'];
  const lines = [cols.join(',')];
  for (const e of objs) lines.push(cols.map((c) => (c === 'timestamp' ? new Date(e.timestamp).toISOString() : e[c] ?? '')).join(','));
  return lines.join('\n');
}

let input;
let ingest;
if (path === 'columns') {
  input = g;
  ingest = (s) => s.ingestColumns(input);
} else if (path === 'objects') {
  input = objects();
  ingest = (s) => s.ingest(input);
} else if (path === 'json') {
  input = JSON.stringify(objects());
  ingest = (s) => s.ingestJson(input);
} else if (path === 'csv') {
  input = csv(objects());
  ingest = (s) => s.ingestCsv(input);
} else throw new Error(`unknown path ${path}`);

let best = { ingestMs: Infinity, tableMs: Infinity, explainMs: Infinity };
let peakRss = 0;
for (let r = 0; r < Number(repeats); r++) {
  const s = new Scorer();
  let t = performance.now();
  ingest(s);
  const ingestMs = performance.now() - t;
  t = performance.now();
  const table = s.scoreTable();
  const tableMs = performance.now() - t;
  // One client explained against the book the table made (kept until the ledger changes).
  t = performance.now();
  const one = s.explain(table.clientIds[table.clientIds.length >> 1]);
  const explainMs = performance.now() - t;
  if (table.clientIds.length !== k || table.columns.engagement.length !== k || !one.engagement) throw new Error('wrong table');
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  best = { ingestMs: Math.min(best.ingestMs, ingestMs), tableMs: Math.min(best.tableMs, tableMs), explainMs: Math.min(best.explainMs, explainMs) };
  s.free();
}
console.log(
  JSON.stringify({
    host: 'wasm-node',
    path,
    events: n,
    clients: k,
    ingestMs: +best.ingestMs.toFixed(2),
    tableMs: +best.tableMs.toFixed(2),
    explainMs: +best.explainMs.toFixed(3),
    eventsPerSec: Math.round(n / ((best.ingestMs + best.tableMs) / 1000)),
    ingestEventsPerSec: Math.round(n / (best.ingestMs / 1000)),
    peakRssMb: +(peakRss / 2 ** 20).toFixed(1),
    wasmMemoryMb: +(wasmExports.memory.buffer.byteLength / 2 ** 20).toFixed(1),
  }),
);
