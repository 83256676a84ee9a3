// How reports look on a terminal and as CSV.
import { csvCell } from './io.mjs';
import { columns, explanations, rowObject } from './table.mjs';

function pad(s, n, right = false) {
  s = String(s);
  if (s.length > n) s = s.slice(0, n - 1) + '…';
  return right ? s.padStart(n) : s.padEnd(n);
}

const fixed = (x, digits) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-');

function counts(o) {
  return Object.entries(o)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
}

/** The portfolio summary of a report or a score table, as lines. */
export function summaryLines(report) {
  const p = report.portfolio;
  const c = p.statusCounts;
  const st = p.stickiness;
  const lines = [
    `Portfolio as of ${report.asOf}: ${p.clients} clients, ${p.events} events`,
    `  status: new ${c.new}, active ${c.active}, at risk ${c.atRisk}, dormant ${c.dormant}, churned ${c.churned}, resurrected ${c.resurrected}`,
    ...(p.health ? [`  health: mean ${p.health.mean}, median ${p.health.median} (chance in percent of activity within ${report.profile.health.horizonDays} days)`] : []),
    `  engagement: mean ${p.engagement.mean}, median ${p.engagement.median}`,
    p.effectiveness ? `  effectiveness: mean ${p.effectiveness.mean}, median ${p.effectiveness.median}` : '  effectiveness: unknown (no support, onboarding, feedback or feature data)',
    `  relationships (${p.businessModel} business): ${counts(p.relationships)}`,
    `  loyalty and profitability: ${counts(p.loyaltyQuadrants)}`,
    `  RFM segments: ${counts(p.rfmSegments)}`,
    `  stickiness (30 days): DAU ${fixed(st.dau, 1)}, WAU ${fixed(st.wau, 1)}, MAU ${st.mau}, DAU/MAU ${fixed(100 * st.dauMau, 1)}%, WAU/MAU ${fixed(100 * st.wauMau, 1)}%`,
    `  lifecycle by ${p.lifecycle.period} (start: new/returning/resurrecting/dormant):`,
    ...p.lifecycle.periods.map((x) => `    ${x.start}: ${x.new}/${x.returning}/${x.resurrecting}/${x.dormant}`),
    ...(report.profile ? profileLines(report.profile) : []),
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

/** The sentences of one explained client, as extra CSV columns. */
const REASON_COLUMNS = ['status_reason_text', 'health_reasons', 'engagement_reasons', 'effectiveness_reasons', 'relationship_reason_text', 'quadrant_reason_text', 'long_term_reason_text', 'rfm_reason_text', 'plays'];

function reasonCells(c) {
  const r = c.relationship;
  const texts = (reasons) => reasons.map((x) => x.text).join('; ');
  return [c.statusReason.text, texts(c.health.reasons), texts(c.engagement.reasons), texts(c.effectiveness.reasons), r.reason.text, r.quadrantReason.text, r.longTerm.reason.text, c.rfm?.reason.text, c.plays.map((p) => `${p.play}: ${p.reason}`).join('; ')];
}

function tableLine(row, why) {
  const rfm = row.rfm ? `${row.rfm} ${row.rfmSegment}` : '-';
  return [pad(row.clientId, 14), pad(row.status, 11), pad(fixed(row.health, 1), 6, true), pad(fixed(row.engagement, 1), 7, true), pad(fixed(row.effectiveness, 1), 9, true), pad(fixed(row.netValue, 2), 11, true), pad(row.lastActive, 11, true), ' ' + pad(row.relationship, 12), pad(rfm, 18), pad(row.topPlay ?? '-', 20), ' ' + why].join(' ');
}

/** The lines of a score table as `format` (table, csv or ndjson), made one client at a time;
 * with `reasons`, each client's explanation comes from `explainMany`, a few thousand at a time. */
export function* scoreLines(scorer, table, format, { reasons = false, options } = {}) {
  const cols = columns(table);
  const explained = reasons ? explanations(scorer, table, options) : null;
  if (format === 'csv') yield ['client_id', ...cols.map((c) => c.header), ...(reasons ? REASON_COLUMNS : [])].join(',');
  if (format === 'table') yield [pad('client', 14), pad('status', 11), pad('health', 6, true), pad('engaged', 7, true), pad('effective', 9, true), pad('net value', 11, true), pad('last active', 11, true), ' ' + pad('relationship', 12), pad('RFM', 18), pad('top play', 20), ' why'].join(' ');
  for (let k = 0; k < table.clientIds.length; k++) {
    const c = explained?.next().value;
    if (format === 'ndjson') {
      yield JSON.stringify(c ?? rowObject(table, cols, k));
    } else if (format === 'csv') {
      yield [table.clientIds[k], ...cols.map((col) => col.read(k)), ...(c ? reasonCells(c) : [])].map(csvCell).join(',');
    } else {
      const row = rowObject(table, cols, k);
      yield tableLine(row, c ? c.statusReason.text : row.statusReason.toUpperCase());
    }
  }
  if (format === 'table') yield* ['', ...summaryLines(table)];
}

/** A history as `format`. */
export function historyOutput(h, format) {
  if (format === 'json') return [JSON.stringify(h, null, 2)];
  const head = ['end', 'clients', 'new', 'active', 'at_risk', 'dormant', 'churned', 'resurrected', 'engagement', 'effectiveness'];
  const rows = h.portfolio.map((p) => [p.end, p.clients, p.statusCounts.new, p.statusCounts.active, p.statusCounts.atRisk, p.statusCounts.dormant, p.statusCounts.churned, p.statusCounts.resurrected, p.engagement.mean, p.effectiveness?.mean ?? '-']);
  if (format === 'csv') return [head.join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  const width = (i) => (i === 0 ? 10 : i === head.length - 1 ? 13 : 11);
  const out = [`History by ${h.period}:`, '  ' + head.map((x, i) => pad(x, width(i), i > 0)).join(' ')];
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

/** A backtest as `format` (table, json or csv): one line per score, baselines marked. */
export function backtestOutput(b, format) {
  if (format === 'json') return [JSON.stringify(b, null, 2)];
  const head = ['score', 'baseline', 'clients', 'auc', 'lift_top_decile', 'brier', 'calibration_error'];
  const rows = b.scores.map((s) => [s.score, s.baseline, s.clients, s.auc, s.liftTopDecile, s.brier, s.calibrationError]);
  if (format === 'csv') return [head.join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  const lines = [
    `backtest as of ${b.asOf}: ${b.clients.toLocaleString('en-US')} clients, ${b.activeAfter.toLocaleString('en-US')} (${fixed(100 * b.baseRate, 1)}%) active in the ${b.horizon} days to ${b.outcomeEnd}`,
    '',
    `${pad('score', 20)} ${pad('AUC', 6, true)} ${pad('lift@10%', 9, true)} ${pad('Brier', 7, true)} ${pad('calib.', 7, true)}`,
  ];
  for (const s of b.scores) {
    const name = s.baseline ? `${s.score} (baseline)` : s.score;
    lines.push(`${pad(name, 20)} ${pad(fixed(s.auc, 3), 6, true)} ${pad(fixed(s.liftTopDecile, 2), 9, true)} ${pad(fixed(s.brier, 3), 7, true)} ${pad(fixed(s.calibrationError, 3), 7, true)}`);
  }
  lines.push('', 'AUC: the chance a client active after scores above one who is not (0.5 is a coin toss).');
  if (b.holdout) lines.push('', ...holdoutLines(b.holdout, b.outcomeEnd));
  if (b.fit) lines.push('', ...fitLines(b.fit));
  return lines;
}

/** The customer-base model's forecast of the window against the purchases made in it. */
function holdoutLines(h, end) {
  const lines = [
    `${h.model} forecast of purchase days to ${end}: ${fixed(h.predicted, 1)} expected, ${h.actual.toLocaleString('en-US')} made (${h.clients.toLocaleString('en-US')} clients with a purchase)`,
    `${pad('repeat purchases', 17)} ${pad('clients', 8, true)} ${pad('expected', 9, true)} ${pad('made', 7, true)}`,
  ];
  for (const g of h.groups) lines.push(`${pad(`${g.repeatPurchases}${g.andMore ? '+' : ''}`, 17)} ${pad(g.clients.toLocaleString('en-US'), 8, true)} ${pad(fixed(g.predicted, 2), 9, true)} ${pad(fixed(g.actual, 2), 7, true)}`);
  lines.push('(per client, on average, in each group of repeat purchases before the day scored)');
  return lines;
}

/** What `backtest --fit` learned, and the options that pass it back. */
function fitLines(f) {
  const h = f.health;
  const e = f.engagement;
  const skip = new Set(['stepDays', 'windowDays', 'intercept', 'cancelled']);
  const weights = (w) => Object.entries(w).filter(([k, v]) => typeof v === 'number' && !skip.has(k)).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `health weights (${h.source}, per ${h.weights.stepDays}-day step): AUC after ${fixed(h.auc, 3)}, the prior's ${fixed(h.priorAuc, 3)}`,
    `  weights: ${weights(h.weights)}`,
    ...(h.standardErrors ? [`  standard errors: ${weights(h.standardErrors)}`] : []),
    `engagement weights learned on ${e.from} to ${e.to} (${e.clients} clients): AUC after ${fixed(e.auc, 3)}, the defaults' ${fixed(e.defaultAuc, 3)}`,
    `  weights: ${weights(e.weights)}`,
    `  coefficients per 100 points: ${weights(e.coefficients)}`,
    `  standard errors: ${weights(e.standardErrors)}`,
    '',
    'as options (save to a file and pass it with --options FILE):',
    JSON.stringify({ health: { weights: h.weights }, engagement: { weights: e.weights } }),
  ];
}

/** The book's profile and health model, as summary lines. */
export function profileLines(p) {
  const s = p.signals;
  const signals = Object.entries(s).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ');
  const h = p.health;
  return [
    `  profile: ${signals || 'no events'}; typical cadence ${p.cadenceDays} days (${p.cadenceClients} clients)`,
    `    windows: engagement ${p.windowDays} days, recency half-life ${p.recencyHalfLifeDays}, frequency target ${p.frequencyTargetDays} active days, default cadence ${p.defaultCadenceDays}`,
    `    health: within ${h.horizonDays} days, ${h.source === 'learned' ? `learned from ${h.rows.toLocaleString('en-US')} client-steps of ${h.stepDays} days at ${h.cuts} past cut days` : h.source === 'given' ? 'weights given in the options' : `the prior (${h.note ?? 'too little past'})`}`,
  ];
}
