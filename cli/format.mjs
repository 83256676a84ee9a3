// How reports look on a terminal and as CSV.
import { csvCell } from './io.mjs';

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

/** The portfolio summary of a report, as lines. */
export function summaryLines(report) {
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
    `  stickiness (30 days): DAU ${fixed(st.dau, 1)}, WAU ${fixed(st.wau, 1)}, MAU ${st.mau}, DAU/MAU ${fixed(100 * st.dauMau, 1)}%, WAU/MAU ${fixed(100 * st.wauMau, 1)}%`,
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

const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The CSV columns: each score's components are the report's own, so a component added to a
 * score appears here by itself. */
function csvColumns(sample) {
  const eng = Object.keys(sample?.engagement.components ?? {}).map(snake);
  const eff = Object.keys(sample?.effectiveness.components ?? {}).map(snake);
  return ['client_id', 'status', 'status_reason', 'engagement', ...eng, 'first_active', 'last_active', 'days_since_last_activity', 'cadence_days', 'active_days', 'events', 'purchases', 'revenue', 'support_tickets', 'reasons', 'effectiveness', ...eff, 'cost', 'net_value', 'relationship', 'relationship_healthy', 'relationship_reason', 'loyalty_quadrant', 'long_term_worth_proposing', 'rfm_code', 'rfm_segment', 'plays', 'p_alive', 'expected_purchases', 'clv'];
}

function csvRow(c) {
  const e = c.effectiveness;
  const r = c.relationship;
  const scores = (components) => Object.values(components).map((k) => k.score);
  return [c.clientId, c.status, c.statusReason.text, c.engagement.score, ...scores(c.engagement.components), c.firstActive, c.lastActive, c.daysSinceLastActivity, c.cadenceDays, c.activeDays, c.events, c.purchases, c.revenue, c.supportTickets, c.engagement.reasons.map((x) => x.text).join('; '),
    e.score, ...scores(e.components), e.costToServe, e.netValue,
    r.type, r.healthy, r.reason.text, r.quadrant, r.longTerm.worthProposing, c.rfm?.code, c.rfm?.segment, c.plays.map((p) => p.play).join(' '),
    c.value?.pAlive, c.value?.expectedPurchases, c.value?.clv]
    .map(csvCell)
    .join(',');
}

function tableRow(c) {
  return [pad(c.clientId, 14), pad(c.status, 11), pad(fixed(c.engagement.score, 1), 7, true), pad(fixed(c.effectiveness.score, 1), 9, true), pad(fixed(c.effectiveness.netValue, 2), 11, true), pad(c.lastActive, 11, true), ' ' + pad(c.relationship.type, 12), pad(c.rfm ? `${c.rfm.code} ${c.rfm.segment}` : '-', 18), pad(c.plays[0]?.play ?? '-', 20), ' ' + c.statusReason.text].join(' ');
}

/** A report as `format` (table, json or csv): the lines for stdout, and those for stderr. */
export function scoreOutput(report, format) {
  if (format === 'json') return { out: [JSON.stringify(report, null, 2)], err: [] };
  if (format === 'csv') return { out: [csvColumns(report.clients[0]).join(','), ...report.clients.map(csvRow)], err: summaryLines(report) };
  const head = [pad('client', 14), pad('status', 11), pad('engaged', 7, true), pad('effective', 9, true), pad('net value', 11, true), pad('last active', 11, true), ' ' + pad('relationship', 12), pad('RFM', 18), pad('top play', 20), ' why'].join(' ');
  return { out: [head, ...report.clients.map(tableRow), '', ...summaryLines(report)], err: [] };
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
