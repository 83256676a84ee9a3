#!/usr/bin/env node
// The `rapport` command: scores a CSV file of events with no code. A thin shell over the
// package's public API (pkg/node.js); all checks and scoring happen there.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const USAGE = `Usage: rapport score EVENTS.csv [options]
       rapport history EVENTS.csv [options] [--period week|month] [--periods N] [--from DATE]
                       [--to DATE] [--alert-drop POINTS] [--cohort-months N]
       rapport summary TRANSACTIONS.csv --id COL --date COL [--amount COL] [--unit days|weeks]
                       --end DATE [--calibration-end DATE]
       rapport fit MODEL FILE [--columns OURS=THEIRS,...] [--horizon N] [--params NAME=VALUE,...]
                       [--out PREDICTIONS.csv]

summary writes the customer-base models' summary of a file of transactions as CSV
(id,frequency,recency,T,monetary_value, plus frequency_holdout,duration_holdout with a
calibration end); purchases on the same day count once.

fit fits MODEL (bgnbd, mbgnbd, pareto-nbd, gamma-gamma, bgbb, sbg) to a summary table and prints
the fit as JSON. --columns maps our column names (id, frequency, recency, T, monetary, weight,
periods, survivors) to the file's; --params skips fitting and predicts with the given
parameters; --out writes one row per input row (id,p_alive,expected_purchases over --horizon
periods; gamma-gamma id,expected_spend; sbg period,survival,retention for --horizon periods).

score scores every client in a CSV file of events (one event per row, with a header) and prints
the per-client results, sorted by client id, and the portfolio summary: activity status,
engagement, effective-customer score and net value, relationship type, RFM segment and the
top recommended play.

history prints the portfolio per period (status counts, mean engagement and effectiveness),
segment and status migrations between two dates (default: the first period's end and the last
day), alerts for clients whose scores fell by --alert-drop points (default 20), and monthly
cohort retention for the last --cohort-months cohorts (default 12); --format json prints
everything, per-client series included.

Options (score and history):
  --as-of DATE           score as of this date (default: the day of the latest event)
  --business-model M     repeat (default: subscriptions, repeat purchase) or one_time (a single
                         purchase is the norm, e.g. a once-in-a-lifetime trip)
  --model MODEL          add P(alive), expected purchases over a year and lifetime value per
                         client from a customer-base model fitted to the file (bgnbd, mbgnbd,
                         pareto-nbd; weekly time unit)
  --options FILE.json    scorer options as JSON (weights, thresholds, plays; see docs/scoring.md)
  --map THEIRS=OURS,...  read column THEIRS as rapport's field OURS
                         (fields: clientId, timestamp, kind, feature, value, messages, reopened, cost)
  --lenient              skip bad rows and report them instead of stopping at the first
  --format FORMAT        table (default), json (the full report), or csv (per-client rows on
                         stdout, the portfolio summary on stderr)
  --delimiter CHAR       field delimiter (default ,)
  -h, --help             show this help

Exit status: 0 on success, 1 when the input or options are rejected (the error's code, row
and field go to stderr), 2 on a usage error.`;

function fail(e, isRapportError) {
  if (isRapportError(e)) {
    const where = [e.row !== undefined ? `row ${e.row}` : null, e.field !== undefined ? `field ${e.field}` : null].filter(Boolean).join(', ');
    process.stderr.write(`rapport: ${e.code}${where ? ` at ${where}` : ''}\n  ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}

function pairs(text, flag) {
  const out = {};
  for (const pair of text.split(',')) {
    const [k, v] = pair.split('=');
    if (!k || v === undefined || v === '') usage(`${flag} takes NAME=VALUE pairs, got "${pair}"`);
    out[k.trim()] = v.trim();
  }
  return out;
}

function readInput(file) {
  if (!existsSync(file)) {
    process.stderr.write(`rapport: cannot open ${file}: no such file\n`);
    process.exit(1);
  }
  return readFileSync(file, 'utf8');
}

async function loadFull() {
  const full = new URL('../pkg/full/node.js', import.meta.url);
  if (!existsSync(fileURLToPath(full))) {
    process.stderr.write('rapport: the package is not built yet; run: bash scripts/build.sh\n');
    process.exit(1);
  }
  return import(full);
}

async function summaryCommand(argv) {
  const o = { unit: 'days' };
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--id') o.id = value();
    else if (a === '--date') o.date = value();
    else if (a === '--amount') o.amount = value();
    else if (a === '--unit') o.unit = value();
    else if (a === '--end') o.end = value();
    else if (a === '--calibration-end') o.calibrationEnd = value();
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 1) usage('give exactly one TRANSACTIONS.csv file');
  if (!o.id || !o.date || !o.end) usage('summary needs --id, --date and --end');
  if (!['days', 'weeks'].includes(o.unit)) usage(`--unit must be days or weeks, got "${o.unit}"`);
  const text = readInput(files[0]);
  const { Scorer, isRapportError } = await loadFull();
  try {
    const scorer = new Scorer();
    const columns = { clientId: o.id, timestamp: o.date };
    if (o.amount) columns.value = o.amount;
    scorer.ingestCsv(text, { columns, kind: 'purchase' });
    const rows = scorer.summary({ end: o.end, calibrationEnd: o.calibrationEnd, unit: o.unit });
    const holdout = o.calibrationEnd !== undefined;
    const out = [['id', 'frequency', 'recency', 'T', 'monetary_value', ...(holdout ? ['frequency_holdout', 'duration_holdout'] : [])].join(',')];
    for (const r of rows) {
      out.push([csvCell(r.id), r.frequency, r.recency, r.T, r.monetaryValue, ...(holdout ? [r.frequencyHoldout, r.durationHoldout] : [])].join(','));
    }
    process.stdout.write(out.join('\n') + '\n');
  } catch (e) {
    fail(e, isRapportError);
  }
}

async function fitCommand(argv) {
  const o = { columns: {}, horizon: 1 };
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--columns') o.columns = pairs(value(), '--columns');
    else if (a === '--horizon') o.horizon = Number(value());
    else if (a === '--params') o.params = Object.fromEntries(Object.entries(pairs(value(), '--params')).map(([k, v]) => [k, Number(v)]));
    else if (a === '--out') o.out = value();
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 2) usage('fit takes a MODEL and a FILE');
  const [model, file] = files;
  if (!Number.isFinite(o.horizon) || o.horizon < 0) usage('--horizon must be a non-negative number');
  const text = readInput(file);
  const { readModelTable, fitModel, predictModel, isRapportError } = await loadFull();
  try {
    const table = readModelTable(text, model, { columns: o.columns });
    let params = o.params;
    if (!params) {
      const fit = fitModel(model, table.data);
      params = fit.params;
      process.stdout.write(JSON.stringify(fit, null, 2) + '\n');
    } else {
      process.stdout.write(JSON.stringify({ model, params }, null, 2) + '\n');
    }
    if (o.out) {
      const p = predictModel(model, params, table.data, { horizon: o.horizon });
      const lines = [];
      if (model === 'sbg') {
        lines.push('period,survival,retention');
        p.survival.forEach((s, t) => lines.push([t, s, t === 0 ? '' : p.retention[t - 1]].join(',')));
      } else if (model === 'gamma-gamma') {
        lines.push('id,expected_spend');
        table.ids.forEach((id, i) => lines.push([csvCell(id), p.expectedSpend[i]].join(',')));
      } else {
        lines.push('id,p_alive,expected_purchases');
        table.ids.forEach((id, i) => lines.push([csvCell(id), p.pAlive[i], p.expectedPurchases[i]].join(',')));
      }
      writeFileSync(o.out, lines.join('\n') + '\n');
    }
  } catch (e) {
    fail(e, isRapportError);
  }
}

function usage(msg) {
  if (msg) process.stderr.write(`rapport: ${msg}\n\n`);
  process.stderr.write(USAGE + '\n');
  process.exit(msg ? 2 : 0);
}

function parseArgs(argv, allowHistory = false) {
  const opts = { format: 'table', lenient: false, map: {}, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '-h' || a === '--help') usage();
    else if (a === '--as-of') opts.asOf = value();
    else if (a === '--business-model') opts.businessModel = value();
    else if (a === '--model') opts.model = value();
    else if (a === '--options') opts.optionsFile = value();
    else if (allowHistory && a === '--period') opts.period = value();
    else if (allowHistory && a === '--periods') opts.periods = Number(value());
    else if (allowHistory && a === '--from') opts.from = value();
    else if (allowHistory && a === '--to') opts.to = value();
    else if (allowHistory && a === '--alert-drop') opts.alertDrop = Number(value());
    else if (allowHistory && a === '--cohort-months') opts.cohortMonths = Number(value());
    else if (a === '--lenient') opts.lenient = true;
    else if (a === '--format') opts.format = value();
    else if (a === '--delimiter') opts.delimiter = value();
    else if (a === '--map') {
      for (const pair of value().split(',')) {
        const [theirs, ours] = pair.split('=');
        if (!theirs || !ours) usage(`--map takes THEIR_COLUMN=OUR_FIELD pairs, got "${pair}"`);
        opts.map[ours.trim()] = theirs.trim();
      }
    } else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else opts.files.push(a);
  }
  if (!['table', 'json', 'csv'].includes(opts.format)) usage(`--format must be table, json or csv, got "${opts.format}"`);
  if (opts.businessModel !== undefined && !['repeat', 'one_time'].includes(opts.businessModel)) usage(`--business-model must be repeat or one_time, got "${opts.businessModel}"`);
  if (opts.model !== undefined && !['bgnbd', 'mbgnbd', 'pareto-nbd'].includes(opts.model)) usage(`--model must be bgnbd, mbgnbd or pareto-nbd, got "${opts.model}"`);
  if (opts.period !== undefined && !['week', 'month'].includes(opts.period)) usage(`--period must be week or month, got "${opts.period}"`);
  return opts;
}

/** Splits CSV text (after its header) into pieces of about `size` characters, each ending at a
 * line break outside quotes, so a large file is ingested in batches with progress between. */
function* pieces(text, start, size) {
  let from = start;
  while (from < text.length) {
    let to = Math.min(text.length, from + size);
    if (to < text.length) {
      let quotes = 0;
      for (let i = from; i < to; i++) if (text.charCodeAt(i) === 34) quotes++;
      while (to < text.length) {
        const c = text.charCodeAt(to);
        if (c === 34) quotes++;
        to++;
        if (c === 10 && quotes % 2 === 0) break;
      }
    }
    yield [from, to];
    from = to;
  }
}

function pad(s, n, right = false) {
  s = String(s);
  if (s.length > n) s = s.slice(0, n - 1) + '…';
  return right ? s.padStart(n) : s.padEnd(n);
}

function csvCell(v) {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function counts(o) {
  return Object.entries(o)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
}

function summaryLines(report) {
  const p = report.portfolio;
  const c = p.statusCounts;
  const st = p.stickiness;
  const lines = [
    `Portfolio as of ${report.asOf}: ${p.clients} clients, ${p.events} events`,
    `  status: new ${c.new}, active ${c.active}, at risk ${c.atRisk}, dormant ${c.dormant}, churned ${c.churned}, resurrected ${c.resurrected}`,
    `  engagement: mean ${p.engagement.mean}, median ${p.engagement.median}`,
    p.effectiveness ? `  effectiveness: mean ${p.effectiveness.mean}, median ${p.effectiveness.median}` : '  effectiveness: unknown (no support, onboarding, feedback or feature data)',
    `  relationships (${p.businessModel} business): ${counts(p.relationships)}`,
    `  loyalty and profitability: ${counts(p.loyaltyQuadrants)}`,
    `  RFM segments: ${counts(p.rfmSegments)}`,
    `  stickiness (30 days): DAU ${st.dau.toFixed(1)}, WAU ${st.wau.toFixed(1)}, MAU ${st.mau}, DAU/MAU ${(100 * st.dauMau).toFixed(1)}%, WAU/MAU ${(100 * st.wauMau).toFixed(1)}%`,
    `  lifecycle by ${p.lifecycle.period} (start: new/returning/resurrecting/dormant):`,
    ...p.lifecycle.periods.map((x) => `    ${x.start}: ${x.new}/${x.returning}/${x.resurrecting}/${x.dormant}`),
  ];
  if (report.customerBase) {
    const b = report.customerBase;
    const params = Object.entries(b.params).map(([k, v]) => `${k} ${+v.toPrecision(4)}`).join(', ');
    lines.push(`  customer-base model ${b.model} (${b.unit}): ${params}${b.fit ? `, log-likelihood ${b.fit.logLikelihood.toFixed(2)}` : ''}`);
  }
  for (const w of report.warnings) {
    lines.push(`  warning ${w.code}: ${w.message}`);
    for (const i of w.issues) lines.push(`    row ${i.row}${i.field ? `, field ${i.field}` : ''}: ${i.code}: ${i.message}`);
  }
  return lines;
}

// A closed pipe (`rapport … | head`) is the reader's choice, not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

/** Builds a scorer from the command's options and ingests the file in batches, numbering rows
 * file-wide. Returns the scorer and the skipped rows. */
function loadScorer(opts, { Scorer, isRapportError }) {
  const file = opts.files[0];
  let scorerOptions = {};
  if (opts.optionsFile) {
    try {
      scorerOptions = JSON.parse(readInput(opts.optionsFile));
    } catch (e) {
      process.stderr.write(`rapport: ${opts.optionsFile} is not valid JSON: ${e.message}\n`);
      process.exit(1);
    }
  }
  scorerOptions.mode = opts.lenient ? 'lenient' : scorerOptions.mode ?? 'strict';
  if (opts.asOf) scorerOptions.asOf = opts.asOf;
  if (opts.businessModel) scorerOptions.businessModel = opts.businessModel;
  const scorer = new Scorer(scorerOptions);
  const csvOptions = { columns: opts.map };
  if (opts.delimiter) csvOptions.delimiter = opts.delimiter;
  const text = readFileSync(file, 'utf8');
  const headerEnd = text.indexOf('\n') + 1 || text.length;
  const header = text.slice(0, headerEnd);
  let rowsBefore = 0;
  let skipped = 0;
  const issues = [];
  for (const [from, to] of pieces(text, headerEnd, 4 << 20)) {
    let sum;
    try {
      sum = scorer.ingestCsv(header + text.slice(from, to), csvOptions);
    } catch (e) {
      if (isRapportError(e) && e.row !== undefined) e.row += rowsBefore;
      if (isRapportError(e) && e.code === 'EMPTY_INPUT' && rowsBefore > 0) continue;
      throw e;
    }
    for (const i of sum.issues) issues.push({ ...i, row: i.row + rowsBefore });
    skipped += sum.skipped;
    rowsBefore += sum.rows;
    progress(`rapport: read ${rowsBefore.toLocaleString()} rows (${Math.round((100 * to) / text.length)}%)`);
  }
  if (rowsBefore === 0) scorer.ingestCsv(header, csvOptions); // reports EMPTY_INPUT
  return { scorer, skipped, issues };
}

async function loadEngine() {
  const pkg = new URL('../pkg/node.js', import.meta.url);
  if (!existsSync(fileURLToPath(pkg))) {
    process.stderr.write('rapport: the package is not built yet; run: bash scripts/build.sh\n');
    process.exit(1);
  }
  return import(pkg);
}

const tty = process.stderr.isTTY;
const progress = (msg) => tty && process.stderr.write(`\r\x1b[K${msg}`);

function scoreOutput(report, opts) {
  const out = [];
  if (opts.format === 'json') {
    out.push(JSON.stringify(report, null, 2));
  } else if (opts.format === 'csv') {
    const cols = ['client_id', 'status', 'status_reason', 'engagement', 'recency', 'frequency', 'breadth', 'depth', 'trend', 'first_active', 'last_active', 'days_since_last_activity', 'cadence_days', 'active_days', 'events', 'purchases', 'revenue', 'support_tickets', 'reasons', 'effectiveness', 'communication', 'informed', 'collaboration', 'feedback', 'cost_to_serve', 'cost', 'net_value', 'relationship', 'relationship_healthy', 'relationship_reason', 'loyalty_quadrant', 'long_term_worth_proposing', 'rfm_code', 'rfm_segment', 'plays', 'p_alive', 'expected_purchases', 'clv'];
    out.push(cols.join(','));
    for (const c of report.clients) {
      const k = c.engagement.components;
      const e = c.effectiveness;
      const ek = e.components;
      const r = c.relationship;
      out.push(
        [c.clientId, c.status, c.statusReason.text, c.engagement.score, k.recency.score, k.frequency.score, k.breadth.score, k.depth.score, k.trend.score, c.firstActive, c.lastActive, c.daysSinceLastActivity, c.cadenceDays, c.activeDays, c.events, c.purchases, c.revenue, c.supportTickets, c.engagement.reasons.map((x) => x.text).join('; '),
          e.score, ek.communication.score, ek.informed.score, ek.collaboration.score, ek.feedback.score, ek.costToServe.score, e.costToServe, e.netValue,
          r.type, r.healthy, r.reason.text, r.quadrant, r.longTerm.worthProposing, c.rfm?.code, c.rfm?.segment, c.plays.map((p) => p.play).join(' '),
          c.value?.pAlive, c.value?.expectedPurchases, c.value?.clv]
          .map(csvCell)
          .join(','),
      );
    }
    process.stderr.write(summaryLines(report).join('\n') + '\n');
  } else {
    out.push([pad('client', 14), pad('status', 11), pad('engaged', 7, true), pad('effective', 9, true), pad('net value', 11, true), pad('last active', 11, true), ' ' + pad('relationship', 12), pad('RFM', 18), pad('top play', 20), ' why'].join(' '));
    for (const c of report.clients) {
      const eff = c.effectiveness.score;
      out.push(
        [pad(c.clientId, 14), pad(c.status, 11), pad(c.engagement.score.toFixed(1), 7, true), pad(eff === undefined ? '-' : eff.toFixed(1), 9, true), pad(c.effectiveness.netValue.toFixed(2), 11, true), pad(c.lastActive, 11, true), ' ' + pad(c.relationship.type, 12), pad(c.rfm ? `${c.rfm.code} ${c.rfm.segment}` : '-', 18), pad(c.plays[0]?.play ?? '-', 20), ' ' + c.statusReason.text].join(' '),
      );
    }
    out.push('', ...summaryLines(report));
  }
  return out;
}

function historyOutput(h, opts) {
  if (opts.format === 'json') return [JSON.stringify(h, null, 2)];
  const out = [`History by ${h.period}:`];
  const head = ['end', 'clients', 'new', 'active', 'at_risk', 'dormant', 'churned', 'resurrected', 'engagement', 'effectiveness'];
  const rows = h.portfolio.map((p) => [p.end, p.clients, p.statusCounts.new, p.statusCounts.active, p.statusCounts.atRisk, p.statusCounts.dormant, p.statusCounts.churned, p.statusCounts.resurrected, p.engagement.mean, p.effectiveness?.mean ?? '-']);
  if (opts.format === 'csv') {
    return [head.join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  }
  const width = (i) => (i === 0 ? 10 : i === head.length - 1 ? 13 : 11);
  out.push('  ' + head.map((x, i) => pad(x, width(i), i > 0)).join(' '));
  for (const r of rows) out.push('  ' + r.map((x, i) => pad(x, width(i), i > 0)).join(' '));
  out.push('', `Segment migrations ${h.transitions.from} → ${h.transitions.to} (clients who moved):`);
  for (const m of h.transitions.segments.filter((m) => m.from !== m.to)) out.push(`  ${m.from} → ${m.to}: ${m.clients}`);
  out.push('', 'Status migrations (clients who moved):');
  for (const m of h.transitions.statuses.filter((m) => m.from !== m.to)) out.push(`  ${m.from} → ${m.to}: ${m.clients}`);
  out.push('', `Alerts (${h.alerts.length}):`);
  for (const a of h.alerts.slice(0, 50)) out.push(`  ${a.clientId}: ${a.score} ${a.from} → ${a.to} (−${a.drop})`);
  if (h.alerts.length > 50) out.push(`  … ${h.alerts.length - 50} more (--format json lists all)`);
  out.push('', 'Cohort retention (share active in each month since the first):');
  for (const c of h.cohorts) out.push(`  ${c.month} (${c.clients}): ${c.retention.map((x) => `${Math.round(100 * x)}%`).join(' ')}`);
  return out;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '-h' || command === '--help') usage();
  if (command === 'summary') return summaryCommand(rest);
  if (command === 'fit') return fitCommand(rest);
  if (command !== 'score' && command !== 'history') usage(`unknown command "${command}"`);
  const opts = parseArgs(rest, command === 'history');
  if (opts.files.length !== 1) usage('give exactly one EVENTS.csv file');
  if (!existsSync(opts.files[0])) {
    process.stderr.write(`rapport: cannot open ${opts.files[0]}: no such file\n`);
    process.exit(1);
  }
  // The customer-base models live in the full build; the engine alone does the rest.
  const mod = opts.model ? await loadFull() : await loadEngine();
  const { isRapportError } = mod;
  try {
    const { scorer, skipped, issues } = loadScorer(opts, mod);
    progress(`rapport: scoring ${scorer.clientCount.toLocaleString()} clients…`);
    let out;
    if (command === 'history') {
      const h = scorer.history({ period: opts.period, periods: opts.periods, from: opts.from, to: opts.to, alertDrop: opts.alertDrop, cohortMonths: opts.cohortMonths, clients: opts.format === 'json' });
      out = historyOutput(h, opts);
    } else {
      const report = scorer.score(opts.model ? { customerBase: { model: opts.model } } : undefined);
      // Row numbers in the report's skipped-row list are per batch; list them file-wide instead.
      const w = report.warnings.find((x) => x.code === 'ROWS_SKIPPED');
      if (w) {
        w.message = `${skipped} rows were skipped in lenient mode; the first ${Math.min(issues.length, 100)} are listed`;
        w.issues = issues.slice(0, 100).map((i) => ({ ...i, message: i.message.replace(/^batch \d+: /, '') }));
      }
      out = scoreOutput(report, opts);
    }
    if (tty) process.stderr.write('\r\x1b[K');
    process.stdout.write(out.join('\n') + '\n');
  } catch (e) {
    if (tty) process.stderr.write('\r\x1b[K');
    fail(e, isRapportError);
  }
}

main();
