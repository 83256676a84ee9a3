// rapportjs/worker in headless Chromium: a page makes typed columns for 1,000,000 clients
// (2,000,000 events), hands them to a scorer in a Web Worker, and gets scoreTable back. Prints
// one JSON line: the times as the page sees them, and the longest stall of the page's timer.
// Usage: node benches/browser-worker.mjs [CLIENTS]
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';

const clients = Number(process.argv[2] ?? 1_000_000);
const server = await serve(0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/www/blank.html`);
  const r = await page.evaluate(async (n) => {
    const { createScorerWorker } = await import('/pkg/worker.js');
    const w = createScorerWorker({ asOf: '2024-12-31' });
    await w.ready;
    const events = 2 * n;
    const t0 = Date.UTC(2024, 0, 1);
    const clientIds = Array.from({ length: n }, (_, i) => `c${i}`);
    const clientIndex = new Uint32Array(events);
    const timestamps = new Float64Array(events);
    const kinds = new Uint8Array(events);
    const values = new Float64Array(events).fill(NaN);
    for (let e = 0; e < events; e++) {
      const c = e % n;
      clientIndex[e] = c;
      timestamps[e] = t0 + ((c * 7919 + e) % 360) * 86_400_000;
      if (e % 5 === 0) {
        kinds[e] = 1;
        values[e] = 10 + (c % 90);
      }
    }
    let last = performance.now();
    let gap = 0;
    let stop = false;
    const tick = () => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
      if (!stop) setTimeout(tick, 10);
    };
    tick();
    const start = performance.now();
    await w.ingestColumns({ clientIds, clientIndex, timestamps, kinds, values });
    const ingested = performance.now();
    const table = await w.scoreTable();
    const scored = performance.now();
    stop = true;
    const e0 = performance.now();
    await w.explain(table.clientIds[0]);
    const explainMs = performance.now() - e0;
    w.terminate();
    if (table.clientIds.length !== n) throw new Error('wrong table');
    return { ingestMs: ingested - start, tableMs: scored - ingested, explainMs, stallMs: gap };
  }, clients);
  console.log(JSON.stringify({ clients, events: 2 * clients, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.toFixed(1)])) }));
} finally {
  await browser.close();
  server.close();
}
