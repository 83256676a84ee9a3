// The demo page in headless Chromium as a user meets it: the CDNOW sample at start, then a CSV
// of CLIENTS synthetic clients (3 events each, from generateEvents, in columns the page must
// guess) through its file input. Prints one JSON line: the time until each is scored (the
// body's data-ready), the longest stall of a 10 ms timer on the page while the file is read and
// scored in the worker, and the time the client table takes to sort, filter and search.
// Usage: node benches/demo.mjs [CLIENTS]
import { writeFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';
import { generateEvents, eventKinds } from '../pkg/node.js';

const clients = Number(process.argv[2] ?? 100_000);
const d = generateEvents(5, clients, 3 * clients);
const kinds = eventKinds();
const file = join(mkdtempSync(join(tmpdir(), 'rapport-demo-bench-')), 'events.csv');
const lines = ['account_id,event_time,event_type,amount'];
for (let e = 0; e < d.timestamps.length; e++) {
  const v = d.values[e];
  lines.push(`${d.clientIds[d.clientIndex[e]]},${new Date(d.timestamps[e]).toISOString()},${kinds[d.kinds[e]]},${Number.isNaN(v) ? '' : v}`);
}
writeFileSync(file, lines.join('\n'));
lines.length = 0;

const server = await serve(0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let t = Date.now();
  await page.goto(`http://127.0.0.1:${server.address().port}/www/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const sampleMs = Date.now() - t;
  await page.evaluate(() => {
    window.stall = 0;
    let last = performance.now();
    const tick = () => {
      const now = performance.now();
      window.stall = Math.max(window.stall, now - last);
      last = now;
      window.ticking = setTimeout(tick, 10);
    };
    tick();
  });
  t = Date.now();
  await page.setInputFiles('input[type=file]', file);
  await page.waitForSelector('body[data-source="file"][data-ready="true"], body[data-ready="error"]', { timeout: 900_000 });
  const fileMs = Date.now() - t;
  const error = await page.textContent('#error');
  const stallMs = await page.evaluate(() => {
    clearTimeout(window.ticking);
    return window.stall;
  });
  // Each table action, timed in the page until the rows shown have changed.
  const act = (what) =>
    page.evaluate(async (what) => {
      const first = () => `${document.querySelector('#clients tbody tr')?.dataset.clientId} ${document.getElementById('page').textContent}`;
      const before = first();
      const t0 = performance.now();
      if (what.sort) document.querySelector(`[data-sort="${what.sort}"]`).click();
      if (what.status !== undefined) {
        const s = document.getElementById('f-status');
        s.value = what.status;
        s.dispatchEvent(new Event('change'));
      }
      if (what.search !== undefined) {
        const s = document.getElementById('search');
        s.value = what.search;
        s.dispatchEvent(new Event('input'));
      }
      while (first() === before && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 1));
      return performance.now() - t0;
    }, what);
  const sortMs = await act({ sort: 'revenue' });
  const sortAgainMs = await act({ sort: 'revenue' });
  const filterMs = await act({ status: '3' });
  const searchMs = await act({ search: 'c1234' });
  console.log(JSON.stringify({
    clients,
    events: d.timestamps.length,
    fileMb: statSync(file).size / 1e6,
    scored: Number(await page.getAttribute('body', 'data-clients')),
    error,
    sampleMs,
    fileMs,
    stallMs,
    sortMs,
    sortAgainMs,
    filterMs,
    searchMs,
    meta: await page.textContent('#meta'),
  }));
} finally {
  await browser.close();
  server.close();
}
