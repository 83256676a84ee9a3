// The demo page: the user's file (or a sample) read and scored in a Web Worker, then the
// results as cards, charts, a client table and one client's details. Hooks for tests, kept
// stable: one <input type=file>; body[data-ready] ("true" once a book is scored, "false" while
// one is, "error") and body[data-clients]; client rows carry data-client-id; the detail panel
// data-client-detail; the mapping form's button data-action="score".
import { createScorerWorker } from '../pkg/full/worker.js';
import { guessColumns, splitCsvLine, csvOptions, FIELDS } from './guess.js';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text = '') => Object.assign(document.createElement(tag), attrs, text === '' ? {} : { textContent: text });

const STATUS = { new: ['new', '#3b82f6'], active: ['active', '#16a34a'], at_risk: ['at risk', '#f59e0b'], dormant: ['dormant', '#a855f7'], churned: ['churned', '#ef4444'], resurrected: ['back again', '#14b8a6'] };
const CAMEL = { new: 'new', active: 'active', at_risk: 'atRisk', dormant: 'dormant', churned: 'churned', resurrected: 'resurrected' };
const words = (code) => (code ?? '').toLowerCase().replace(/_/g, ' ').replace(/\bcant\b/, "can't");
const label = (code) => STATUS[code]?.[0] ?? words(code);
const fixed = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '–');
const day = (ms) => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '–');
/** The day `n` days before the ISO day `iso`. */
const daysBefore = (iso, n) => day(Date.parse(iso) - n * 86_400_000);

const state = { source: null, table: null, order: null, page: 0, sort: { key: 'health', dir: -1 }, worker: null, charts: {} };
const PAGE = 50;
const WEIGHTS = ['recency', 'frequency', 'breadth', 'depth', 'trend'];
const DEFAULT_WEIGHTS = { recency: 0.25, frequency: 0.25, breadth: 0.2, depth: 0.15, trend: 0.15 };

/** Learns health and engagement weights from the history before the day scored, and uses them. */
async function learnWeights() {
  const t = state.table;
  const horizon = t.profile.health.horizonDays;
  const asOf = daysBefore(t.asOf, horizon);
  const w = state.worker;
  try {
    $('learn-note').textContent = 'Learning…';
    const b = await w.backtest({ asOf, horizon, fit: true });
    if (state.worker !== w) return;
    const e = b.fit.engagement;
    for (const k of WEIGHTS) $(`w-${k}`).value = String(e.weights[k]);
    state.healthWeights = b.fit.health.source === 'learned' ? b.fit.health.weights : null;
    $('learn-note').textContent = `Learned as of ${asOf}: engagement ranked who was active by ${b.outcomeEnd} with AUC ${e.auc?.toFixed(3)} (the defaults ${e.defaultAuc?.toFixed(3)}); health ${b.fit.health.auc?.toFixed(3)} (fixed prior ${b.fit.health.priorAuc?.toFixed(3)}).`;
    await score();
  } catch (err) {
    if (state.worker === w) fail(err);
  }
}

function setProgress(value, text) {
  const p = $('progress');
  p.hidden = value === null;
  if (value !== null) p.value = value;
  $('meta').textContent = text;
}

function fail(e) {
  const message = String(e?.message ?? e);
  // The engine's messages name the row and field already; say them when one does not.
  const where = [e?.row !== undefined && !message.includes(`row ${e.row}`) ? `row ${e.row}` : '', e?.field && !message.includes(e.field) ? `field ${e.field}` : ''].filter(Boolean).join(', ');
  const code = e?.code && !message.includes(e.code) ? `${e.code}: ` : '';
  $('error').textContent = `${code}${message}${where ? ` (${where})` : ''}`;
  setProgress(null, '');
  document.body.dataset.ready = 'error';
}

/** The book loaded: bytes and how to read them, kept so the settings can re-score it. */
async function loadBook(source) {
  state.source = source;
  // A new book is scored as of its own latest day, with its own weights, until the user
  // picks others.
  $('as-of').value = '';
  $('model').value = 'pareto-nbd';
  state.healthWeights = null;
  for (const k of WEIGHTS) $(`w-${k}`).value = String(DEFAULT_WEIGHTS[k]);
  $('learn-note').textContent = '';
  $('error').textContent = '';
  document.body.dataset.ready = 'false';
  document.body.dataset.source = source.name;
  await score();
}

/** Scores the loaded book with the settings, in a fresh worker. */
async function score() {
  const src = state.source;
  const t0 = performance.now();
  // A setting changed while this runs starts another score() with a new worker: this one's
  // calls then reject, and it stops without a word.
  let w;
  const stale = () => w !== undefined && state.worker !== w;
  try {
    $('error').textContent = '';
    document.body.dataset.ready = 'false';
    setProgress(10, `Reading ${src.label}…`);
    state.worker?.terminate();
    state.worker = null;
    const options = { businessModel: $('business-model').value, period: 'month', periods: 18 };
    const weights = Object.fromEntries(WEIGHTS.map((k) => [k, Number($(`w-${k}`).value)]));
    if (WEIGHTS.some((k) => weights[k] !== DEFAULT_WEIGHTS[k])) options.engagement = { weights };
    if (state.healthWeights) options.health = { weights: state.healthWeights };
    const asOf = $('as-of').value;
    if (asOf) options.asOf = asOf;
    w = createScorerWorker(options);
    state.worker = w;
    await w.ready;
    setProgress(30, `Scoring ${src.label} in a background thread…`);
    if (src.columns) await w.ingestColumns(src.columns);
    else if (src.json) await w.ingestJson(src.bytes);
    else await w.ingestCsv(src.bytes, src.csv);
    const scoreOptions = {};
    const horizon = Number($('horizon').value);
    if (horizon > 0) scoreOptions.horizon = horizon;
    if ($('model').value) scoreOptions.customerBase = { model: $('model').value };
    setProgress(60, 'Scoring every client…');
    state.modelNote = '';
    const table = await w.scoreTable(scoreOptions).catch(async (e) => {
      // A book the customer-base model cannot read (no purchases, say) is scored without it.
      if (!scoreOptions.customerBase || !String(e?.field ?? '').startsWith('customerBase')) throw e;
      delete scoreOptions.customerBase;
      $('model').value = '';
      state.modelNote = ` No customer-base model: ${String(e.message).replace(/^"[^"]*": /, '').replace(/ \([A-Z_]+\)$/, '')}.`;
      return w.scoreTable(scoreOptions);
    });
    if (stale()) return;
    state.table = table;
    state.sorted = new Map();
    state.lower = null;
    state.scoreOptions = scoreOptions;
    // The clients first; the checks on the past and the history as they come.
    if (stale()) return;
    render(table);
    setProgress(75, 'Checking the scores against your own history…');
    const backtest = await backtestOf(w, table).catch((e) => ({ error: e }));
    if (stale()) return;
    renderChecks(backtest);
    setProgress(90, 'Counting cohorts and migrations…');
    const history = await historyOf(w, table).catch(() => null);
    if (stale()) return;
    state.points = history?.clients ? new Map(history.clients.map((c) => [c.clientId, c.points])) : null;
    state.ends = history?.ends;
    renderHistory(history);
    const ms = performance.now() - t0;
    setProgress(null, `${table.clientIds.length.toLocaleString('en-US')} clients, ${table.portfolio.events.toLocaleString('en-US')} events, as of ${table.asOf}; read and scored in ${(ms / 1000).toFixed(2)} s.${state.modelNote}`);
    $('controls').hidden = false;
    if (!$('as-of').value) $('as-of').value = table.asOf;
    document.body.dataset.clients = String(table.clientIds.length);
    document.body.dataset.ready = 'true';
  } catch (e) {
    if (!stale()) fail(e);
  }
}

/** The backtest over the horizon before the day scored, when the history is long enough. */
async function backtestOf(w, table) {
  const horizon = table.profile.health.horizonDays;
  const asOf = daysBefore(table.asOf, horizon);
  const base = state.scoreOptions.customerBase;
  // Without the model when it cannot be fitted to the shorter history.
  return w.backtest({ asOf, horizon, ...(base ? { customerBase: base } : {}) }).catch((e) => (base ? w.backtest({ asOf, horizon }) : Promise.reject(e)));
}

/** Cohorts and the migrations over the last horizon, from `history`. */
async function historyOf(w, table) {
  const from = daysBefore(table.asOf, table.profile.health.horizonDays);
  // Each client's points too, for the details' sparkline, on books small enough to hold them.
  const clients = table.clientIds.length <= SPARK_CLIENTS;
  return w.history({ clients, cohortMonths: 24, from, to: table.asOf });
}

/** Most clients whose monthly points the page keeps for the details' sparkline. */
const SPARK_CLIENTS = 20_000;

/** An inline SVG line of a client's engagement at the end of each month (a gap before it was
 * active), with the status of each month in its title. */
function sparkline(points, ends) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const w = 300;
  const h = 48;
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('width', '100%');
  svg.setAttribute('role', 'img');
  const known = points.map((p, i) => (p ? `${ends[i]}: ${label(p.status)}, engagement ${fixed(p.engagement)}` : null)).filter(Boolean);
  svg.setAttribute('aria-label', `Engagement by month: ${known.join('; ')}`);
  const x = (i) => (points.length > 1 ? (i * (w - 8)) / (points.length - 1) + 4 : w / 2);
  const y = (v) => h - 4 - (v / 100) * (h - 8);
  let d = '';
  points.forEach((p, i) => {
    if (!p) return;
    d += `${d && points[i - 1] ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.engagement).toFixed(1)}`;
  });
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', '#0d9488');
  path.setAttribute('stroke-width', '2');
  svg.append(path);
  points.forEach((p, i) => {
    if (!p) return;
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', x(i).toFixed(1));
    c.setAttribute('cy', y(p.engagement).toFixed(1));
    c.setAttribute('r', '2.5');
    c.setAttribute('fill', STATUS[p.status]?.[1] ?? '#555');
    svg.append(c);
  });
  return svg;
}

/** A table of numbers shaded by value: `rows` of `[label, ...cells]`, `max` the darkest. */
function heat(id, head, rows, format = String, max = null) {
  const t = $(id);
  t.replaceChildren();
  const top = Math.max(1e-9, max ?? Math.max(...rows.flatMap((r) => r.slice(1).filter(Number.isFinite))));
  const tr = el('tr');
  for (const h of head) tr.append(el('th', { scope: 'col' }, h));
  t.append(tr);
  for (const [name, ...cells] of rows) {
    const r = el('tr');
    r.append(el('th', { scope: 'row' }, name));
    for (const v of cells) {
      const td = el('td', {}, Number.isFinite(v) ? format(v) : '');
      if (Number.isFinite(v)) {
        const a = Math.min(1, v / top);
        td.style.background = `rgba(37, 99, 235, ${0.08 + 0.8 * a})`;
        td.style.color = a > 0.55 ? '#fff' : '#1d2430';
      }
      r.append(td);
    }
    t.append(r);
  }
}

/** Cohort retention and the migrations over the last horizon, from `history`. */
function renderHistory(history) {
  for (const id of ['cohorts', 'migrations']) delete $(id).closest('figure').dataset.pending;
  if (!history) {
    heat('cohorts', [], []);
    heat('migrations', [], []);
    $('migrations-caption').textContent = 'Migrations: no history to count them from';
    return;
  }
  const cohorts = history.cohorts;
  const width = Math.max(0, ...cohorts.map((x) => x.retention.length));
  heat('cohorts', ['cohort', ...Array.from({ length: Math.min(width, 12) }, (_, k) => `+${k}`)], cohorts.map((x) => [`${x.month} (${x.clients})`, ...x.retention.slice(0, 12).map((v) => 100 * v)]), (v) => `${v.toFixed(0)}%`, 100);
  const names = Object.keys(STATUS);
  const m = names.map(() => names.map(() => 0));
  for (const mv of history.transitions.statuses) {
    const i = names.indexOf(mv.from);
    const j = names.indexOf(mv.to);
    if (i >= 0 && j >= 0) m[i][j] += mv.clients;
  }
  $('migrations-caption').textContent = `Migrations from ${history.transitions.from} (rows) to ${history.transitions.to} (columns)`;
  heat('migrations', ['then \\ now', ...names.map(label)], names.map((n, i) => [label(n), ...m[i]]));
}

/** The RFM grid, and the P(alive) matrix when a model was asked for. */
function renderGrids(table) {
  const c = table.columns;
  // RFM: recency score (rows, 5 first) by frequency score.
  const grid = Array.from({ length: 5 }, () => new Array(5).fill(0));
  for (let k = 0; k < c.rfm.length; k++) {
    const code = c.rfm[k];
    if (!code) continue;
    const r = Math.floor(code / 100);
    const f = Math.floor(code / 10) % 10;
    if (r >= 1 && r <= 5 && f >= 1 && f <= 5) grid[5 - r][f - 1]++;
  }
  heat('rfm-grid', ['R \\ F', '1', '2', '3', '4', '5'], grid.map((row, i) => [String(5 - i), ...row]));
  // P(alive) by purchase days and days since the last, when a model was asked for.
  const fig = $('palive-figure');
  fig.hidden = !c.pAlive;
  if (c.pAlive) {
    const fCuts = [1, 2, 3, 5, 10, Infinity];
    const fNames = ['1', '2', '3–4', '5–9', '10+'];
    const rCuts = [30, 90, 180, 365, Infinity];
    const rNames = ['< 30', '30–89', '90–179', '180–364', '365+'];
    const sum = rCuts.map(() => fCuts.slice(1).map(() => 0));
    const n = rCuts.map(() => fCuts.slice(1).map(() => 0));
    for (let k = 0; k < c.pAlive.length; k++) {
      if (!Number.isFinite(c.pAlive[k])) continue;
      const f = fCuts.findIndex((x, i) => c.activeDays[k] >= x && c.activeDays[k] < fCuts[i + 1]);
      const r = rCuts.findIndex((x) => c.daysSinceLastActivity[k] < x);
      if (f >= 0 && r >= 0) {
        sum[r][f] += c.pAlive[k];
        n[r][f]++;
      }
    }
    heat('palive', ['days since \\ days', ...fNames], rNames.map((name, r) => [name, ...sum[r].map((s, f) => (n[r][f] ? s / n[r][f] : NaN))]), (v) => v.toFixed(2), 1);
  }
}

/** Draws a chart on the canvas `id`, and puts its numbers in a table under it (for screen
 * readers, and for anyone who wants the figures). */
function chart(id, { numbersHead = '', ...config }) {
  state.charts[id]?.destroy();
  state.charts[id] = new window.Chart($(id), { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
  const figure = $(id).closest('figure');
  let details = figure.querySelector('details.numbers');
  if (!details) {
    details = el('details', { className: 'numbers' });
    details.append(el('summary', {}, 'The numbers'), el('div', { className: 'table-wrap' }, ''));
    figure.querySelector('.chart').after(details);
  }
  const { labels = [], datasets = [] } = config.data;
  const t = el('table');
  t.append(el('caption', {}, figure.querySelector('figcaption').textContent));
  const head = el('tr');
  head.append(el('th', { scope: 'col' }, numbersHead), ...datasets.map((d) => el('th', { scope: 'col' }, d.label ?? '')));
  t.append(head);
  labels.forEach((name, i) => {
    const tr = el('tr');
    const cell = (v) => (typeof v !== 'number' ? '' : Number.isInteger(v) || Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(3));
    // A dataset drawn below zero (dormant clients) is listed as the count it is.
    tr.append(el('th', { scope: 'row' }, String(name)), ...datasets.map((d) => el('td', { className: 'num' }, cell(d.below ? -d.data[i] : d.data[i]))));
    t.append(tr);
  });
  details.lastChild.replaceChildren(t);
}

function histogram(values, bins = 10) {
  const counts = new Array(bins).fill(0);
  for (const v of values) if (Number.isFinite(v)) counts[Math.min(bins - 1, Math.floor((v / 100) * bins))]++;
  return counts;
}

/** Marks the figures that wait for the backtest and the history as not yet current. */
const PENDING = ['chart-backtest', 'chart-calibration', 'chart-holdout', 'cohorts', 'migrations'];

function render(table) {
  $('results').hidden = false;
  for (const id of PENDING) $(id).closest('figure').dataset.pending = 'true';
  const p = table.portfolio;
  // Status cards.
  const cards = $('status-counts');
  cards.replaceChildren();
  for (const [code, [name, color]] of Object.entries(STATUS)) {
    const n = p.statusCounts[CAMEL[code]];
    const card = el('div', { className: 'card', id: `status-${CAMEL[code]}` });
    card.dataset.count = String(n);
    const bar = el('div', { className: 'bar' });
    bar.style.background = color;
    bar.style.width = `${Math.max(2, (100 * n) / Math.max(1, p.clients))}%`;
    card.append(el('div', { className: 'n' }, n.toLocaleString('en-US')), el('div', { className: 'label' }, name), bar);
    cards.append(card);
  }
  const prof = table.profile;
  const signals = Object.entries(prof.signals).filter(([, v]) => v > 0).map(([k]) => k).join(', ');
  $('profile').textContent = `What the data looks like: ${signals}; clients are typically active every ${prof.cadenceDays} days, so engagement looks back ${prof.windowDays} days and health speaks of the next ${prof.health.horizonDays} days (${prof.health.source === 'learned' ? `learned from ${prof.health.rows.toLocaleString('en-US')} past client-steps` : prof.health.source === 'prior' ? 'default weights: the history is short' : 'weights given'}).`;
  const c = table.columns;
  const labels10 = Array.from({ length: 10 }, (_, k) => `${k * 10}–${k * 10 + 10}`);
  chart('chart-health', { type: 'bar', numbersHead: 'health', data: { labels: labels10, datasets: [{ label: 'clients', data: histogram(c.health), backgroundColor: '#2563eb' }] }, options: { plugins: { legend: { display: false } } } });
  chart('chart-engagement', { type: 'bar', numbersHead: 'engagement', data: { labels: labels10, datasets: [{ label: 'clients', data: histogram(c.engagement), backgroundColor: '#0d9488' }] }, options: { plugins: { legend: { display: false } } } });
  const lc = p.lifecycle.periods;
  chart('chart-lifecycle', {
    type: 'bar',
    data: {
      labels: lc.map((x) => x.start.slice(0, 7)),
      datasets: [
        { label: 'new', data: lc.map((x) => x.new), backgroundColor: '#3b82f6' },
        { label: 'returning', data: lc.map((x) => x.returning), backgroundColor: '#16a34a' },
        { label: 'resurrecting', data: lc.map((x) => x.resurrecting), backgroundColor: '#14b8a6' },
        { label: 'dormant', data: lc.map((x) => -x.dormant), backgroundColor: '#ef4444', below: true },
      ],
    },
    numbersHead: 'period',
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  });
  renderWinBack(table);
  renderGrids(table);
  fillFilters(table);
  state.sort = { key: 'health', dir: -1 };
  applyView();
}

/** The backtest: each score's AUC, health's calibration, the model's forecast. */
function renderChecks(backtest) {
  for (const id of ['chart-backtest', 'chart-calibration', 'chart-holdout']) delete $(id).closest('figure').dataset.pending;
  if (backtest.error) {
    const empty = { type: 'bar', data: { labels: [], datasets: [] } };
    chart('chart-backtest', empty);
    chart('chart-calibration', empty);
    $('holdout-figure').hidden = true;
    $('backtest-note').textContent = `No backtest: ${backtest.error.message}`;
  } else {
    const rows = backtest.scores.filter((s) => s.auc !== undefined && s.auc !== null);
    chart('chart-backtest', {
      type: 'bar',
      numbersHead: 'score',
      data: { labels: rows.map((s) => (s.baseline ? `${SCORES[s.score] ?? s.score} (baseline)` : SCORES[s.score] ?? s.score)), datasets: [{ label: 'AUC', data: rows.map((s) => s.auc), backgroundColor: rows.map((s) => (s.baseline ? '#9ca3af' : '#2563eb')) }] },
      options: { indexAxis: 'y', scales: { x: { min: 0.5, max: 1 } }, plugins: { legend: { display: false } } },
    });
    const h = backtest.scores.find((s) => s.score === 'health');
    if (!h?.calibration?.length) chart('chart-calibration', { type: 'line', data: { labels: [], datasets: [] } });
    else {
      chart('chart-calibration', {
        type: 'line',
        numbersHead: 'decile of health',
        data: {
          labels: h.calibration.map((_, k) => `${k + 1}`),
          datasets: [
            { label: 'predicted', data: h.calibration.map((b) => 100 * b.predicted), borderColor: '#2563eb', backgroundColor: '#2563eb' },
            { label: 'actual', data: h.calibration.map((b) => 100 * b.actual), borderColor: '#f59e0b', backgroundColor: '#f59e0b' },
          ],
        },
        options: { scales: { y: { min: 0, max: 100, title: { display: true, text: '% active' } }, x: { title: { display: true, text: 'decile of health' } } } },
      });
    }
    renderHoldout(backtest);
    $('backtest-note').textContent = `Scored as of ${backtest.asOf}, checked against who was active by ${backtest.outcomeEnd} (${(100 * backtest.baseRate).toFixed(0)}% were). 0.5 is a coin toss.${h?.calibrationError !== undefined ? ` Health was off by ${(100 * h.calibrationError).toFixed(1)} points on average over its deciles.` : ''}`;
  }
}

/** The status reasons in a few words (the details give the full sentence). */
const REASONS = {
  CANCELLED: 'cancelled',
  SILENT_PAST_CHURN: 'gone quiet for good, by its own rhythm',
  FIRST_SEEN_RECENTLY: 'new',
  SILENT_PAST_DORMANT: 'gone quiet',
  SILENT_PAST_AT_RISK: 'quieter than usual',
  RETURNED_AFTER_GAP: 'back after a long gap',
  ACTIVE_ON_CADENCE: 'active on its rhythm',
  LIKELY_BACK: 'quiet, but its health says it is likely back',
};
const SCORES = { effectiveness: 'effective customer', pAlive: 'P(alive)', expectedPurchases: 'expected purchases', rfmSum: 'RFM sum' };
const MODELS = { 'pareto-nbd': 'Pareto/NBD', mbgnbd: 'MBG/NBD', bgnbd: 'BG/NBD' };

/** The customer-base model's forecast of the backtest's window against the purchases made. */
function renderHoldout(backtest) {
  const h = backtest.holdout;
  $('holdout-figure').hidden = !h;
  if (!h) return;
  $('holdout-caption').textContent = `Does ${MODELS[h.model] ?? h.model} forecast purchases? Expected against made per client, ${backtest.asOf} to ${backtest.outcomeEnd}`;
  chart('chart-holdout', {
    type: 'bar',
    numbersHead: 'repeat purchases before',
    data: {
      labels: h.groups.map((g) => `${g.repeatPurchases}${g.andMore ? '+' : ''}`),
      datasets: [
        { label: 'expected', data: h.groups.map((g) => g.predicted), backgroundColor: '#2563eb' },
        { label: 'made', data: h.groups.map((g) => g.actual), backgroundColor: '#f59e0b' },
      ],
    },
    options: { scales: { x: { title: { display: true, text: 'repeat purchases before the day scored' } }, y: { title: { display: true, text: 'purchases per client after' } } } },
  });
  $('holdout-note').textContent = `Fitted to the purchases up to ${backtest.asOf}: ${Math.round(h.predicted).toLocaleString('en-US')} purchase days expected in the ${backtest.horizon} days after, ${h.actual.toLocaleString('en-US')} made, by ${h.clients.toLocaleString('en-US')} clients.`;
}

function renderWinBack(table) {
  const c = table.columns;
  const n = table.names;
  const play = n.topPlay.indexOf('re_engagement');
  const rows = [];
  for (let k = 0; k < table.clientIds.length; k++) if (c.topPlay[k] === play) rows.push(k);
  rows.sort((a, b) => c.expectedValue[b] - c.expectedValue[a]);
  const tb = $('winback').tBodies[0];
  tb.replaceChildren();
  for (const k of rows.slice(0, 10)) {
    const tr = el('tr', { tabIndex: 0 });
    tr.dataset.clientId = table.clientIds[k];
    const why = `${REASONS[n.statusReason[c.statusReason[k]]] ?? words(n.statusReason[c.statusReason[k]])}: quiet ${c.daysSinceLastActivity[k]} days, usually active every ${fixed(c.cadenceDays[k], 0)}`;
    tr.append(el('td', {}, table.clientIds[k]), el('td', {}, label(n.status[c.status[k]])), el('td', { className: 'num' }, fixed(c.health[k])), el('td', { className: 'num' }, fixed(c.expectedValue[k], 2)), el('td', {}, why));
    tb.append(tr);
  }
  if (!rows.length) {
    const tr = el('tr');
    tr.append(el('td', { colSpan: 5 }, 'No client needs winning back.'));
    tb.append(tr);
  }
}

function fillFilters(table) {
  const n = table.names;
  const fill = (id, names, show = words) => {
    const s = $(id);
    s.replaceChildren(el('option', { value: '' }, 'all'), ...names.map((x, i) => el('option', { value: String(i) }, show(x))));
  };
  fill('f-status', n.status, label);
  fill('f-segment', n.rfmSegment);
  fill('f-relationship', n.relationship);
  fill('f-play', n.topPlay);
}

/** The table's rows sorted by `key` (`dir` 1 ascending, -1 descending; an unknown score
 * counts as -1; ties in table order), as indexes; each order made once per table. */
function sortedOrder(key, dir) {
  const t = state.table;
  const name = `${key} ${dir}`;
  if (state.sorted.has(name)) return state.sorted.get(name);
  const n = t.clientIds.length;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const c = t.columns;
  const col = { health: c.health, engagement: c.engagement, revenue: c.revenue, lastActive: c.lastActive, status: c.status }[key];
  if (col) {
    // The keys sorted natively (no comparator: about ten times faster on a million), then
    // each client put at the next place of its key, so that ties keep the table's order.
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++) v[k] = dir * (Number.isNaN(col[k]) ? -1 : col[k]);
    const keys = v.slice().sort();
    const next = new Map();
    for (let i = n - 1; i >= 0; i--) next.set(keys[i], i);
    for (let k = 0; k < n; k++) {
      const at = next.get(v[k]);
      order[at] = k;
      next.set(v[k], at + 1);
    }
  } else if (dir < 0) order.reverse();
  state.sorted.set(name, order);
  return order;
}

/** The ids in lower case, for the search, made once per table. */
function lowerIds() {
  state.lower ??= state.table.clientIds.map((id) => id.toLowerCase());
  return state.lower;
}

/** The rows shown: filtered, searched and sorted, as indexes into the table. */
function applyView() {
  const t = state.table;
  const c = t.columns;
  const f = (id) => ($(id).value === '' ? -1 : Number($(id).value));
  const [st, seg, rel, pl] = ['f-status', 'f-segment', 'f-relationship', 'f-play'].map(f);
  const q = $('search').value.trim().toLowerCase();
  const noSegment = 255;
  const sorted = sortedOrder(state.sort.key, state.sort.dir);
  if (st < 0 && seg < 0 && rel < 0 && pl < 0 && !q) {
    state.order = sorted;
    state.page = 0;
    return renderPage();
  }
  const keep = [];
  // Filtered in the sorted order, so that a filter or a search costs one pass.
  for (const k of sorted) {
    if (st >= 0 && c.status[k] !== st) continue;
    if (seg >= 0 && (c.rfmSegment[k] === noSegment || c.rfmSegment[k] !== seg)) continue;
    if (rel >= 0 && c.relationship[k] !== rel) continue;
    if (pl >= 0 && c.topPlay[k] !== pl) continue;
    if (q && !lowerIds()[k].includes(q)) continue;
    keep.push(k);
  }
  state.order = keep;
  state.page = 0;
  renderPage();
}

function renderPage() {
  const t = state.table;
  const c = t.columns;
  const n = t.names;
  const rows = state.order;
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  state.page = Math.min(state.page, pages - 1);
  const tb = $('clients').tBodies[0];
  tb.replaceChildren();
  for (const k of rows.slice(state.page * PAGE, state.page * PAGE + PAGE)) {
    const tr = el('tr', { tabIndex: 0 });
    tr.dataset.clientId = t.clientIds[k];
    const seg = c.rfmSegment[k] < n.rfmSegment.length ? words(n.rfmSegment[c.rfmSegment[k]]) : '–';
    const play = c.topPlay[k] < n.topPlay.length ? words(n.topPlay[c.topPlay[k]]) : '–';
    tr.append(
      el('td', {}, t.clientIds[k]),
      el('td', {}, label(n.status[c.status[k]])),
      el('td', { className: 'num' }, fixed(c.health[k])),
      el('td', { className: 'num' }, fixed(c.engagement[k])),
      el('td', { className: 'num' }, fixed(c.revenue[k], 2)),
      el('td', {}, day(c.lastActive[k])),
      el('td', {}, seg),
      el('td', {}, play),
    );
    tb.append(tr);
  }
  $('page').textContent = `${rows.length.toLocaleString('en-US')} clients · page ${state.page + 1} of ${pages}`;
  $('prev').disabled = state.page === 0;
  $('next').disabled = state.page >= pages - 1;
}

/** Closes the details and gives the focus back to the row that opened them. */
function closeDetail() {
  $('detail').hidden = true;
  // The row that opened them, or the row now showing that client, or the table.
  const id = state.opener?.dataset.clientId;
  const row = state.opener?.isConnected ? state.opener : [...document.querySelectorAll('tr[data-client-id]')].find((r) => r.dataset.clientId === id);
  (row ?? $('clients')).focus();
}

async function showDetail(id, opener) {
  const panel = $('detail');
  state.opener = opener;
  const w = state.worker;
  try {
    const x = await w.explain(id, state.scoreOptions);
    if (state.worker !== w) return;
    $('detail-title').textContent = `Client ${x.clientId}`;
    const body = $('detail-body');
    body.replaceChildren();
    const section = (title, ...children) => body.append(el('h3', {}, title), ...children);
    const list = (items) => {
      const ul = el('ul');
      for (const i of items) ul.append(el('li', {}, i));
      return ul;
    };
    section('Status', el('p', {}, `${label(x.status)} — ${x.statusReason.text}`), el('p', { className: 'meta' }, `active on ${x.activeDays} days from ${x.firstActive} to ${x.lastActive}; usually every ${fixed(x.cadenceDays)} days`));
    section(`Health ${fixed(x.health.score)}: chance of activity within ${x.health.horizonDays} days`, list(x.health.reasons.map((r) => r.text)));
    const comp = (obj) => {
      const tbl = el('table');
      tbl.append(el('caption', {}, 'components'));
      const head = el('tr');
      head.append(el('th', { scope: 'col' }, 'component'), el('th', { scope: 'col' }, 'value'), el('th', { scope: 'col' }, 'score'), el('th', { scope: 'col' }, 'weight'));
      tbl.append(head);
      for (const [k, v] of Object.entries(obj)) {
        const tr = el('tr');
        tr.append(el('td', {}, words(k.replace(/([A-Z])/g, '_$1'))), el('td', { className: 'num' }, fixed(v.raw, 2)), el('td', { className: 'num' }, fixed(v.score)), el('td', { className: 'num' }, fixed(v.weight, 2)));
        tbl.append(tr);
      }
      return tbl;
    };
    section(`Engagement ${fixed(x.engagement.score)}`, list(x.engagement.reasons.map((r) => r.text)), comp(x.engagement.components));
    const points = state.points?.get(x.clientId);
    if (points) section(`Over the last ${points.length} months (dots coloured by status)`, sparkline(points, state.ends));
    const eff = x.effectiveness;
    section(
      eff.score === undefined || eff.score === null ? 'Effective customer: not scored' : `Effective customer ${fixed(eff.score)}`,
      el('p', {}, `net value ${fixed(eff.netValue, 2)} after a cost to serve of ${fixed(eff.costToServe, 2)}`),
      eff.reasons.length ? list(eff.reasons.map((r) => r.text)) : el('p', { className: 'meta' }, 'No support ticket, feedback, referral or onboarding event to judge communication, informed use or collaboration by.'),
    );
    const r = x.relationship;
    section(`Relationship: ${words(r.type)}`, el('p', {}, r.reason.text), el('p', {}, r.quadrantReason.text), el('p', {}, r.longTerm.reason.text));
    if (x.rfm) section(`RFM ${x.rfm.code}: ${words(x.rfm.segment)}`, el('p', {}, x.rfm.reason.text));
    if (x.value) section('Customer-base model', el('p', {}, `P(alive) ${fixed(x.value.pAlive, 3)}, expected purchases ${fixed(x.value.expectedPurchases, 2)}${x.value.clv !== undefined ? `, lifetime value ${fixed(x.value.clv, 2)}` : ''}`));
    section('Next plays', list(x.plays.length ? x.plays.map((p) => `${words(p.play)}: ${p.reason}`) : ['none now']));
    panel.hidden = false;
    panel.focus();
  } catch (e) {
    if (state.worker === w) fail(e);
  }
}

function exportCsv() {
  const t = state.table;
  const c = t.columns;
  const n = t.names;
  const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = ['client_id,status,health,engagement,revenue,last_active,rfm_segment,top_play'];
  for (const k of state.order) {
    lines.push([t.clientIds[k], n.status[c.status[k]], c.health[k], c.engagement[k], c.revenue[k], day(c.lastActive[k]), n.rfmSegment[c.rfmSegment[k]] ?? '', n.topPlay[c.topPlay[k]] ?? ''].map(cell).join(','));
  }
  const a = el('a', { href: URL.createObjectURL(new Blob([lines.join('\n')], { type: 'text/csv' })), download: 'clients.csv' });
  a.click();
  URL.revokeObjectURL(a.href);
}

/** A user's file: JSON arrays go in as they are; CSV columns are guessed, then confirmed. */
async function readFile(file) {
  try {
    $('error').textContent = '';
    const bytes = new Uint8Array(await file.arrayBuffer());
    const head = new TextDecoder().decode(bytes.subarray(0, 65536)).replace(/^\uFEFF/, '');
    if (/^\s*\[/.test(head)) return loadBook({ name: 'file', label: file.name, bytes, json: true });
    const first = head.split(/\r?\n/, 1)[0];
    const delimiter = [',', ';', '\t'].sort((a, b) => first.split(b).length - first.split(a).length)[0];
    const header = splitCsvLine(first, delimiter).map((h) => h.trim());
    const { mapping, confident } = guessColumns(header);
    showMapping(header, mapping, delimiter, confident, (m) => loadBook({ name: 'file', label: file.name, bytes, csv: csvOptions(m, delimiter) }));
    if (confident) await loadBook({ name: 'file', label: file.name, bytes, csv: csvOptions(mapping, delimiter) });
  } catch (e) {
    fail(e);
  }
}

function showMapping(header, mapping, delimiter, confident, onScore) {
  const form = $('mapping');
  const fields = $('mapping-fields');
  fields.replaceChildren();
  const names = { clientId: 'client id', timestamp: 'date', kind: 'kind of event', value: 'amount', feature: 'feature' };
  for (const f of Object.keys(FIELDS)) {
    const s = el('select', { id: `map-${f}` });
    const optional = f !== 'clientId' && f !== 'timestamp';
    s.append(el('option', { value: '' }, optional ? (f === 'kind' ? 'none: every row is a purchase' : 'none') : 'choose a column'));
    for (const h of header) s.append(el('option', { value: h, selected: mapping[f] === h }, h));
    const l = el('label', {}, names[f]);
    l.append(s);
    fields.append(l);
  }
  $('mapping-note').textContent = confident ? 'Guessed from the column names and scored; correct a column and score again if needed.' : 'Not every column could be guessed: choose the client id and the date, then score.';
  form.hidden = false;
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const m = {};
    for (const f of Object.keys(FIELDS)) m[f] = $(`map-${f}`).value || undefined;
    if (!m.clientId || !m.timestamp) return fail(new Error('choose the columns of the client id and the date'));
    onScore(m);
  };
}

async function sample(name) {
  $('mapping').hidden = true;
  if (name === 'saas') {
    const { generateSaasEvents, init } = await import('../pkg/browser.js');
    await init();
    const d = generateSaasEvents(11, 3000);
    delete d.churnedOn;
    return loadBook({ name: 'sample-saas', label: 'the SaaS sample', columns: d });
  }
  const bytes = new Uint8Array(await (await fetch('../data/cdnow_sample_events.csv')).arrayBuffer());
  return loadBook({ name: 'sample-cdnow', label: 'the CDNOW sample', bytes, csv: { columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' } } });
}

function wire() {
  for (const k of WEIGHTS) {
    const l = el('label', {}, k);
    l.append(el('input', { type: 'number', id: `w-${k}`, min: '0', max: '10', step: '0.05', value: String(DEFAULT_WEIGHTS[k]) }));
    $('weight-fields').append(l);
    l.lastChild.addEventListener('change', () => state.source && score());
  }
  $('learn').addEventListener('click', learnWeights);
  $('file').addEventListener('change', (e) => e.target.files[0] && readFile(e.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) readFile(e.dataTransfer.files[0]);
  });
  for (const b of document.querySelectorAll('[data-sample]')) b.addEventListener('click', () => sample(b.dataset.sample).catch(fail));
  for (const id of ['as-of', 'business-model', 'horizon', 'model']) $(id).addEventListener('change', () => state.source && score());
  for (const id of ['f-status', 'f-segment', 'f-relationship', 'f-play']) $(id).addEventListener('change', applyView);
  // On a big book, a search waits for a pause in the typing.
  let typing;
  $('search').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(applyView, state.table?.clientIds.length > 100_000 ? 250 : 0);
  });
  for (const b of document.querySelectorAll('[data-sort]')) {
    b.addEventListener('click', () => {
      const key = b.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : -1 };
      applyView();
    });
  }
  $('prev').addEventListener('click', () => {
    state.page--;
    renderPage();
  });
  $('next').addEventListener('click', () => {
    state.page++;
    renderPage();
  });
  $('export').addEventListener('click', exportCsv);
  const open = (e) => {
    const tr = e.target.closest('tr[data-client-id]');
    if (tr && (e.type === 'click' || e.key === 'Enter')) showDetail(tr.dataset.clientId, tr);
  };
  for (const id of ['clients', 'winback']) {
    $(id).addEventListener('click', open);
    $(id).addEventListener('keydown', open);
  }
  $('close-detail').addEventListener('click', closeDetail);
  document.addEventListener('keydown', (e) => e.key === 'Escape' && !$('detail').hidden && closeDetail());
}

try {
  if (!window.Chart) throw new Error('the charting library (vendor/chart.umd.min.js) did not load: build the page with `bash scripts/build.sh`');
  wire();
  await sample('cdnow');
} catch (e) {
  fail(e);
}
