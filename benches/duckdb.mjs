// rapport against DuckDB-Wasm (@duckdb/duckdb-wasm, a dev dependency only) on the same CSV of
// synthetic events with ISO-8601 timestamps, turn about in one process. rapport: a new Scorer,
// `ingestCsv` of the text, `scoreTable()` (every score of every client, the portfolio). DuckDB:
// the text registered as a file, `read_csv` into a table, then per client the counts, first
// and last activity, active days, purchases, revenue and RFM quintiles (`ntile`), what a web
// developer would otherwise write. Prints one JSON line: the best of each, and the ratio.
// Usage: node benches/duckdb.mjs [EVENTS] [CLIENTS] [ROUNDS]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Scorer, generateEvents, eventKinds } from '../pkg/node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const [events = '1000000', clients = '50000', rounds = '5'] = process.argv.slice(2);
const require = createRequire(`${root}package.json`);
const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
const dist = `${root}node_modules/@duckdb/duckdb-wasm/dist/`;
const db = await duckdb.createDuckDB(
  {
    mvp: { mainModule: `${dist}duckdb-mvp.wasm`, mainWorker: `${dist}duckdb-node-mvp.worker.cjs` },
    eh: { mainModule: `${dist}duckdb-eh.wasm`, mainWorker: `${dist}duckdb-node-eh.worker.cjs` },
  },
  new duckdb.VoidLogger(),
  duckdb.NODE_RUNTIME,
);
await db.instantiate();

const g = generateEvents(42, Number(clients), Number(events));
const kinds = eventKinds();
const lines = ['clientId,timestamp,kind,feature,value'];
for (let i = 0; i < g.timestamps.length; i++) {
  const v = g.values[i];
  const f = g.featureIndex[i] === 0xffffffff ? '' : g.featureNames[g.featureIndex[i]];
  lines.push(`${g.clientIds[g.clientIndex[i]]},${new Date(g.timestamps[i]).toISOString()},${kinds[g.kinds[i]]},${f},${Number.isNaN(v) ? '' : v}`);
}
const text = lines.join('\n') + '\n';

const aggregates = `
WITH per AS (
  SELECT clientId, count(*) AS events, min(timestamp) AS first, max(timestamp) AS last,
         count(DISTINCT CAST(timestamp AS DATE)) AS active_days,
         count(*) FILTER (WHERE kind = 'purchase') AS purchases,
         coalesce(sum(value) FILTER (WHERE kind IN ('purchase', 'renewal')), 0) AS revenue,
         max(timestamp) FILTER (WHERE kind IN ('purchase', 'renewal')) AS last_purchase,
         count(DISTINCT CAST(timestamp AS DATE)) FILTER (WHERE kind IN ('purchase', 'renewal')) AS frequency
  FROM events GROUP BY clientId)
SELECT *, ntile(5) OVER (ORDER BY last_purchase) AS r, ntile(5) OVER (ORDER BY frequency) AS f,
       ntile(5) OVER (ORDER BY revenue) AS m
FROM per`;

function duck() {
  const t = performance.now();
  const c = db.connect();
  db.registerFileText('events.csv', text);
  c.query(`CREATE OR REPLACE TABLE events AS SELECT * FROM read_csv('events.csv', header = true, timestampformat = '%Y-%m-%dT%H:%M:%S.%gZ')`);
  const loaded = performance.now();
  const r = c.query(aggregates);
  const done = performance.now();
  if (r.numRows !== Number(clients)) throw new Error(`DuckDB gave ${r.numRows} clients`);
  c.query('DROP TABLE events');
  c.close();
  db.dropFile('events.csv');
  return { loadMs: loaded - t, totalMs: done - t };
}

function ours() {
  const t = performance.now();
  const s = new Scorer();
  s.ingestCsv(text);
  const ingested = performance.now();
  const table = s.scoreTable();
  const done = performance.now();
  if (table.clientIds.length !== Number(clients)) throw new Error(`rapport gave ${table.clientIds.length} clients`);
  s.free();
  return { ingestMs: ingested - t, totalMs: done - t };
}

const best = (runs, k) => Math.min(...runs.map((r) => r[k]));
const duckRuns = [];
const ourRuns = [];
// One untimed turn each first (module compilation, DuckDB's first query plans).
duck();
ours();
for (let r = 0; r < Number(rounds); r++) {
  duckRuns.push(duck());
  ourRuns.push(ours());
}
const median = (runs, k) => runs.map((r) => r[k]).sort((a, b) => a - b)[runs.length >> 1];
console.log(
  JSON.stringify({
    events: Number(events),
    clients: Number(clients),
    csvMb: +(text.length / 1e6).toFixed(1),
    rounds: Number(rounds),
    duckdb: { version: JSON.parse(readFileSync(`${dist}../package.json`, 'utf8')).version, loadMs: +best(duckRuns, 'loadMs').toFixed(1), totalMs: +best(duckRuns, 'totalMs').toFixed(1), medianMs: +median(duckRuns, 'totalMs').toFixed(1) },
    rapport: { ingestMs: +best(ourRuns, 'ingestMs').toFixed(1), totalMs: +best(ourRuns, 'totalMs').toFixed(1), medianMs: +median(ourRuns, 'totalMs').toFixed(1) },
    ratio: +(best(ourRuns, 'totalMs') / best(duckRuns, 'totalMs')).toFixed(2),
    medianRatio: +(median(ourRuns, 'totalMs') / median(duckRuns, 'totalMs')).toFixed(2),
  }),
);
