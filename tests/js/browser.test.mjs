// The demo page in headless Chromium (Debian's, driven by playwright-core): it loads the
// package's browser entry, scores the CDNOW sample, and shows the same counts Node computes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';
import { Scorer } from '../../pkg/node.js';
import * as full from '../../pkg/full/node.js';

let server;
let browser;
let base;

before(async () => {
  server = await serve(0);
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the demo page scores the CDNOW sample like Node does', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/www/`);
  await page.waitForSelector('body[data-ready="true"], body[data-ready="error"]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#error'));
  const shown = await page.$$eval('#status-counts .card', (cards) => Object.fromEntries(cards.map((c) => [c.id.replace('status-', ''), Number(c.dataset.count)])));
  const s = new Scorer({ asOf: '1998-06-30' });
  s.ingestCsv(readFileSync(new URL('../../data/cdnow_sample_events.csv', import.meta.url), 'utf8'), {
    columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' },
  });
  assert.deepEqual(shown, s.score().portfolio.statusCounts);
  assert.equal(Object.values(shown).reduce((a, b) => a + b, 0), 2357);
  assert.equal(await page.getAttribute('body', 'data-clients'), '2357');
  assert.equal(await page.getAttribute('body', 'data-source'), 'sample-cdnow');
  // Charts are drawn (canvas), the first page of the client table is there, and win-back is
  // ranked by expected value.
  assert.equal(await page.locator('canvas').count(), 6);
  assert.equal(await page.locator('#clients tbody tr[data-client-id]').count(), 50);
  // With the default model (Pareto/NBD), its forecast of the backtest's window: the numbers
  // under the chart are those of the full build's backtest over the same window.
  const f = new full.Scorer();
  f.ingestCsv(readFileSync(new URL('../../data/cdnow_sample_events.csv', import.meta.url), 'utf8'), {
    columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' },
  });
  const t = f.scoreTable({ customerBase: { model: 'pareto-nbd' } });
  const horizon = t.profile.health.horizonDays;
  const asOf = new Date(Date.parse(t.asOf) - horizon * 86_400_000).toISOString().slice(0, 10);
  const holdout = f.backtest({ asOf, horizon, customerBase: { model: 'pareto-nbd' } }).holdout;
  const cell = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(3));
  const rows = await page.$$eval('#holdout-figure details.numbers tr', (trs) => trs.slice(1).map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(rows, holdout.groups.map((g) => [`${g.repeatPurchases}${g.andMore ? '+' : ''}`, cell(g.predicted), cell(g.actual)]));
  assert.match(await page.textContent('#holdout-note'), new RegExp(`${holdout.actual.toLocaleString('en-US')} made, by 2,357 clients`));
  // Every chart's numbers are in a table under it.
  assert.equal(await page.locator('figure details.numbers table').count(), 6);
  const values = await page.$$eval('#winback tbody tr', (rows) => rows.map((r) => Number(r.children[3].textContent)));
  assert.ok(values.length > 0 && values.every((v, i) => i === 0 || values[i - 1] >= v), JSON.stringify(values));
  // Two settings changed in a row: the first scoring gives way to the second without an error.
  await page.selectOption('#business-model', 'one_time');
  await page.selectOption('#business-model', 'repeat');
  await page.waitForSelector('body[data-ready="true"], body[data-ready="error"]', { timeout: 60_000 });
  assert.equal(await page.textContent('#error'), '');
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true');
  assert.deepEqual(await page.$$eval('#status-counts .card', (cards) => Object.fromEntries(cards.map((c) => [c.id.replace('status-', ''), Number(c.dataset.count)]))), shown);
  mkdirSync(new URL('../../target/screenshots/', import.meta.url), { recursive: true });
  await page.screenshot({ path: new URL('../../target/screenshots/demo.png', import.meta.url).pathname, fullPage: true });
  assert.deepEqual(errors, []);
});

test('the demo page takes the user\'s own file, guesses its columns, and shows what the CLI computes', async () => {
  // A purchase log in a layout the page must guess: no kind column, other names.
  const cdnow = readFileSync(new URL('../../data/cdnow_sample_events.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
  const csv = ['user_id,created_at,revenue', ...cdnow.map((l) => { const [id, date, , amount] = l.split(','); return `u${id},${date},${amount}`; })].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'rapport-demo-'));
  const file = join(dir, 'orders.csv');
  writeFileSync(file, csv);
  const cli = spawnSync(process.execPath, ['pkg/cli/rapportjs.mjs', 'score', file, '--map', 'user_id=clientId,created_at=timestamp,revenue=value', '--kind', 'purchase', '--format', 'json'], { cwd: new URL('../../', import.meta.url), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(cli.status, 0, cli.stderr);
  const report = JSON.parse(cli.stdout);
  for (const width of [1280, 390]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors = [];
    const elsewhere = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith(base) && !/^(blob|data):/.test(r.url())) elsewhere.push(r.url()); });
    await page.goto(`${base}/www/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    assert.equal(await page.locator('input[type=file]').count(), 1);
    await page.setInputFiles('input[type=file]', file);
    await page.waitForSelector('body[data-ready="true"][data-source="file"]', { timeout: 60_000 });
    assert.equal(await page.textContent('#error'), '');
    assert.equal(await page.getAttribute('body', 'data-clients'), String(report.clients.length));
    const shown = await page.$$eval('#status-counts .card', (cards) => Object.fromEntries(cards.map((c) => [c.id.replace('status-', ''), Number(c.dataset.count)])));
    assert.deepEqual(shown, report.portfolio.statusCounts);
    // The guessed mapping is shown, and scoring again from it gives the same book.
    assert.equal(await page.inputValue('#map-clientId'), 'user_id');
    assert.equal(await page.inputValue('#map-kind'), '');
    // A client's details: its health and status as the CLI gives them.
    const row = page.locator('#clients tbody tr[data-client-id]').first();
    const id = await row.getAttribute('data-client-id');
    await row.click();
    await page.waitForSelector('[data-client-detail]:not([hidden])');
    const c = report.clients.find((x) => x.clientId === id);
    const detail = await page.textContent('[data-client-detail]');
    assert.ok(detail.includes(`Health ${c.health.score.toFixed(1)}`), detail.slice(0, 300));
    assert.ok(detail.includes(c.health.reasons[0].text));
    assert.ok(detail.includes(c.statusReason.text));
    assert.equal(await page.locator('[data-client-detail] svg circle').count() > 0, true);
    // The phone width scrolls only downwards; Escape closes the details.
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('[data-client-detail]').isHidden(), true);
    await page.click('[data-action="score"]');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    assert.equal(await page.getAttribute('body', 'data-clients'), String(report.clients.length));
    mkdirSync(new URL('../../target/screenshots/', import.meta.url), { recursive: true });
    await page.screenshot({ path: new URL(`../../target/screenshots/demo-file-${width}.png`, import.meta.url).pathname, fullPage: true });
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
    await page.close();
  }
  // A bad row is named in the page, with its field.
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'user_id,created_at,revenue\nu1,2024-01-02,5\nu2,not a date,7\n');
  const page = await browser.newPage();
  await page.goto(`${base}/www/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.setInputFiles('input[type=file]', bad);
  await page.waitForSelector('body[data-ready="error"]', { timeout: 60_000 });
  const shown = await page.textContent('#error');
  // In the file's own words: its column's name.
  assert.match(shown, /^row 2, field "created_at": cannot read "not a date" as a timestamp .*\(INVALID_TIMESTAMP\)$/);
  assert.equal((shown.match(/row 2/g) ?? []).length, 1);
  await page.close();
});

test('in the browser, errors are RapportErrors with a code and the instance survives', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/www/blank.html`);
  const result = await page.evaluate(async () => {
    const { init, Scorer, isRapportError } = await import('/pkg/browser.js');
    await init();
    const s = new Scorer();
    const codes = [];
    for (const bad of [
      () => s.ingest([{ clientId: 'a', timestamp: 'soon', kind: 'usage' }]),
      () => s.ingestJson('{'),
      () => s.ingestCsv('clientId,timestamp,kind\na,2024-01-01,usage,extra\n'),
      () => new Scorer({ nope: 1 }),
    ]) {
      try {
        bad();
        codes.push('no error');
      } catch (e) {
        codes.push([e instanceof Error, isRapportError(e), e.code, e.row ?? null, e.field ?? null]);
      }
    }
    s.ingest([{ clientId: 'a', timestamp: '2024-06-01', kind: 'usage' }]);
    return { codes, clients: s.score().clients.length };
  });
  assert.deepEqual(result.codes, [
    [true, true, 'INVALID_TIMESTAMP', 1, 'timestamp'],
    [true, true, 'INVALID_JSON', null, null],
    [true, true, 'INVALID_CSV', 1, null],
    [true, true, 'UNKNOWN_CONFIG_KEY', null, 'nope'],
  ]);
  assert.equal(result.clients, 1);
});

test('in the browser, the models fit and predict, and scores carry relationships, plays and history', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/www/blank.html`);
  const got = await page.evaluate(async () => {
    const m = await import('/pkg/full/browser.js');
    await m.init();
    const summary = await (await fetch('/data/reference/cdnow_customers_summary_with_transactions.csv')).text();
    const { data } = m.readModelTable(summary, 'bgnbd', { columns: { id: 'ID', frequency: 'x', recency: 't_x' } });
    const fit = m.fitModel('bgnbd', data);
    const pareto = m.fitModel('pareto-nbd', data);
    const p = m.predictModel('bgnbd', fit.params, data, { horizon: 39 });
    const events = await (await fetch('/data/cdnow_sample_events.csv')).text();
    const s = new m.Scorer({ asOf: '1998-06-30' });
    s.ingestCsv(events, { columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' } });
    const r = s.score({ customerBase: { model: 'bgnbd' } });
    const h = s.history({ period: 'month', periods: 6, clients: false });
    return {
      fit: fit.params,
      ll: fit.logLikelihood,
      paretoLl: pareto.logLikelihood,
      pAlive: Array.from(p.pAlive.slice(0, 20)),
      isTyped: p.pAlive instanceof Float64Array,
      relationships: r.portfolio.relationships,
      segments: r.portfolio.rfmSegments,
      firstClient: r.clients[0],
      history: h.portfolio.map((x) => x.statusCounts),
    };
  });
  // The same numbers as under Node.
  const summary = readFileSync(new URL('../../data/reference/cdnow_customers_summary_with_transactions.csv', import.meta.url), 'utf8');
  const { data } = full.readModelTable(summary, 'bgnbd', { columns: { id: 'ID', frequency: 'x', recency: 't_x' } });
  const fit = full.fitModel('bgnbd', data);
  assert.deepEqual(got.fit, fit.params);
  assert.equal(got.ll, fit.logLikelihood);
  assert.ok(Math.abs(got.ll - -9582.4) < 0.05);
  assert.ok(Math.abs(got.paretoLl - -9595.0) < 0.05);
  assert.ok(got.isTyped);
  assert.deepEqual(got.pAlive, Array.from(full.predictModel('bgnbd', fit.params, data, { horizon: 39 }).pAlive.slice(0, 20)));
  const s = new full.Scorer({ asOf: '1998-06-30' });
  s.ingestCsv(readFileSync(new URL('../../data/cdnow_sample_events.csv', import.meta.url), 'utf8'), {
    columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' },
  });
  const r = s.score({ customerBase: { model: 'bgnbd' } });
  assert.deepEqual(got.relationships, r.portfolio.relationships);
  assert.deepEqual(got.segments, r.portfolio.rfmSegments);
  assert.deepEqual(got.firstClient, r.clients[0]);
  assert.ok(got.firstClient.value.pAlive > 0 && got.firstClient.value.pAlive <= 1);
  assert.deepEqual(got.history, s.history({ period: 'month', periods: 6, clients: false }).portfolio.map((x) => x.statusCounts));
});

test('the browser entry loads nothing at import, honours init(url), and reports a failed load once', async () => {
  const page = await browser.newPage();
  const wasmRequests = [];
  const errors = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasmRequests.push(new URL(r.url()).pathname));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}/www/blank.html`);
  const got = await page.evaluate(async () => {
    const m = await import('/pkg/browser.js');
    await new Promise((r) => setTimeout(r, 300));
    const before = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length;
    let failure = null;
    try {
      await m.init('/pkg/missing.wasm');
    } catch (e) {
      failure = String(e);
    }
    // The first init decides; ready rejected with it, without an unhandled rejection.
    let readyFailure = null;
    try {
      await m.ready;
    } catch (e) {
      readyFailure = String(e);
    }
    await new Promise((r) => setTimeout(r, 300));
    return { before, failure, readyFailure };
  });
  assert.equal(got.before, 0, 'no .wasm fetched at import');
  assert.deepEqual(wasmRequests, ['/pkg/missing.wasm'], 'init(url) fetches that url, and only it');
  assert.match(got.failure, /404|fetch|magic|MIME/i);
  assert.equal(got.readyFailure, got.failure);
  assert.deepEqual(errors.filter((e) => !/404|Failed to load resource/.test(e)), [], 'no unhandled rejection');
  // A custom URL that works: the module loads from there.
  const page2 = await browser.newPage();
  const requests2 = [];
  page2.on('request', (r) => r.url().endsWith('.wasm') && requests2.push(new URL(r.url()).pathname));
  await page2.goto(`${base}/www/blank.html`);
  const n = await page2.evaluate(async () => {
    const m = await import('/pkg/full/browser.js');
    await m.init('/pkg/full/rapport_bg.wasm');
    await m.ready;
    const s = new m.Scorer();
    s.ingest([{ clientId: 'a', timestamp: '2024-06-01', kind: 'usage' }]);
    return s.score().clients.length;
  });
  assert.equal(n, 1);
  assert.deepEqual(requests2, ['/pkg/full/rapport_bg.wasm']);
});

test('a Web Worker ingests columns for 1,000,000 clients and returns scoreTable, the page never blocking', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/www/blank.html`);
  const r = await page.evaluate(async () => {
    const { createScorerWorker } = await import('/pkg/worker.js');
    const { isRapportError, init } = await import('/pkg/browser.js');
    await init();
    const w = createScorerWorker({ asOf: '2024-12-31' });
    await w.ready;
    const n = 1_000_000;
    const events = 2 * n;
    const day = 86_400_000;
    const t0 = Date.UTC(2024, 0, 1);
    const clientIds = Array.from({ length: n }, (_, i) => `c${i}`);
    const clientIndex = new Uint32Array(events);
    const timestamps = new Float64Array(events);
    const kinds = new Uint8Array(events);
    const values = new Float64Array(events).fill(NaN);
    for (let e = 0; e < events; e++) {
      const c = e % n;
      clientIndex[e] = c;
      timestamps[e] = t0 + ((c * 7919 + e) % 360) * day;
      if (e % 5 === 0) {
        kinds[e] = 1; // purchase
        values[e] = 10 + (c % 90);
      }
    }
    // The page's own timer keeps ticking while the worker works: the longest gap between ticks.
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
    const summary = await w.ingestColumns({ clientIds, clientIndex, timestamps, kinds, values });
    const ingested = performance.now();
    const table = await w.scoreTable();
    const scored = performance.now();
    stop = true;
    const k = table.clientIds.indexOf('c0');
    const explained = await w.explain('c0');
    let refused;
    try {
      await w.explain('nobody');
    } catch (e) {
      refused = [isRapportError(e), e.code];
    }
    // An argument that cannot be cloned is refused on the page, and the worker goes on.
    let uncloneable;
    try {
      await w.ingest([{ clientId: 'f', timestamp: '2024-06-01', kind: 'usage', value: () => 1 }]);
    } catch (e) {
      uncloneable = e.name;
    }
    const after = (await w.explain('c1')).clientId;
    w.terminate();
    return {
      uncloneable,
      after,
      rows: summary.rows,
      clients: table.clientIds.length,
      counted: Object.values(table.portfolio.statusCounts).reduce((a, b) => a + b, 0),
      f32: table.columns.engagement instanceof Float32Array && table.columns.engagement.length === n,
      lastActive: table.columns.lastActive[k],
      purchases: table.columns.purchases[k],
      engagement: table.columns.engagement[k],
      explained: [explained.lastActive, explained.purchases, Math.fround(explained.engagement.score)],
      refused,
      ingestMs: ingested - start,
      tableMs: scored - ingested,
      gap,
    };
  });
  assert.deepEqual(errors, []);
  assert.equal(r.rows, 2_000_000);
  assert.equal(r.clients, 1_000_000);
  assert.equal(r.counted, 1_000_000);
  assert.ok(r.f32);
  // c0's events: e = 0 (day 0, a purchase) and e = 1,000,000 (day 1,000,000 mod 360 = 280, a purchase).
  assert.equal(r.lastActive, Date.UTC(2024, 0, 1) + 280 * 86_400_000);
  assert.equal(r.purchases, 2);
  assert.deepEqual(r.explained, [new Date(r.lastActive).toISOString().slice(0, 10), 2, r.engagement]);
  assert.deepEqual(r.refused, [true, 'UNKNOWN_CLIENT']);
  assert.deepEqual([r.uncloneable, r.after], ['DataCloneError', 'c1']);
  // Scoring a million clients on the page's thread would stall it for seconds.
  assert.ok(r.gap < 1500, `the page's timer stalled for ${Math.round(r.gap)} ms`);
  console.log(`# Web Worker, 1,000,000 clients: ingestColumns ${Math.round(r.ingestMs)} ms, scoreTable ${Math.round(r.tableMs)} ms, longest stall ${Math.round(r.gap)} ms`);
});
