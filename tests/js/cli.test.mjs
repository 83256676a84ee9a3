// The `rapport` command, run as a person would from the repository root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scorer } from '../../pkg/node.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAP = 'customer_id=clientId,date=timestamp,type=kind,amount=value';
const run = (...args) => spawnSync(process.execPath, ['pkg/cli/rapportjs.mjs', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
const tmp = mkdtempSync(join(tmpdir(), 'rapport-cli-'));
const file = (name, text) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

test('score prints the same report as the API, in json', () => {
  const r = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const s = new Scorer({ asOf: '1998-06-30' });
  s.ingestCsv(readFileSync(join(root, 'data/cdnow_sample_events.csv'), 'utf8'), {
    columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' },
  });
  assert.deepEqual(report, s.score());
});

test('table and csv formats list every client sorted by id, with the summary', () => {
  const t = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP);
  assert.equal(t.status, 0, t.stderr);
  const lines = t.stdout.split('\n');
  assert.match(lines[0], /^client\s+status\s+health\s+engaged\s+effective\s+net value/);
  assert.match(t.stdout, /Portfolio as of 1998-06-30: 2357 clients, 6919 events/);
  const c = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP, '--format', 'csv');
  assert.equal(c.status, 0, c.stderr);
  const rows = c.stdout.trim().split('\n');
  assert.equal(rows.length, 2358);
  assert.match(rows[0], /^client_id,status,status_reason,first_active,last_active/);
  const ids = rows.slice(1).map((r) => r.split(',')[0]);
  assert.deepEqual(ids, [...ids].sort());
  assert.match(c.stderr, /status: new 0, active \d+/);
});

function cdnowScorer() {
  const s = new Scorer({ asOf: '1998-06-30' });
  s.ingestCsv(readFileSync(join(root, 'data/cdnow_sample_events.csv'), 'utf8'), {
    columns: { clientId: 'customer_id', timestamp: 'date', kind: 'type', value: 'amount' },
  });
  return s;
}

test('csv and ndjson rows hold the table, decoded: names for codes, dates for days', () => {
  const s = cdnowScorer();
  const t = s.scoreTable();
  const n = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP, '--format', 'ndjson');
  assert.equal(n.status, 0, n.stderr);
  const rows = n.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, t.clientIds.length);
  assert.match(n.stderr, /Portfolio as of 1998-06-30: 2357 clients/);
  for (const k of [0, 17, 1000, rows.length - 1]) {
    const r = rows[k];
    const e = s.explain(t.clientIds[k]);
    assert.equal(r.clientId, e.clientId);
    assert.equal(r.status, e.status);
    assert.equal(r.statusReason, e.statusReason.code);
    assert.equal(r.lastActive, e.lastActive);
    assert.equal(r.engagement, e.engagement.score);
    assert.equal(r.netValue, e.effectiveness.netValue);
    assert.equal(r.relationship, e.relationship.type);
    assert.equal(r.quadrant, e.relationship.quadrant);
    assert.equal(r.rfm, e.rfm?.code ?? null);
    assert.equal(r.rfmSegment, e.rfm?.segment ?? null);
    assert.equal(r.topPlay, e.plays[0]?.play ?? null);
    assert.equal(r.healthy, e.relationship.healthy);
  }
  const c = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP, '--format', 'csv');
  const [head, first] = c.stdout.split('\n');
  const cells = Object.fromEntries(head.split(',').map((h, i) => [h, first.split(',')[i]]));
  assert.equal(cells.client_id, rows[0].clientId);
  assert.equal(cells.first_active, rows[0].firstActive);
  assert.equal(cells.rfm_segment, rows[0].rfmSegment);
  assert.equal(Number(cells.revenue), rows[0].revenue);
});

test('--reasons explains every client: the full result per ndjson line, the sentences in csv', () => {
  const s = cdnowScorer();
  const n = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP, '--format', 'ndjson', '--reasons');
  assert.equal(n.status, 0, n.stderr);
  const rows = n.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 2357);
  assert.deepEqual(rows, s.score().clients);
  const c = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP, '--format', 'csv', '--reasons');
  assert.match(c.stdout.split('\n')[0], /,status_reason_text,health_reasons,engagement_reasons,/);
  assert.match(c.stdout, /no activity for \d+ days, past the churn threshold/);
  const t = run('score', 'data/cdnow_sample_events.csv', '--as-of', '1998-06-30', '--map', MAP, '--reasons');
  assert.match(t.stdout.split('\n')[2], /(no activity|last active|first active|cancelled|back on)/);
});

test('json refuses a book past 200,000 clients up front, pointing to the streamed formats', () => {
  const lines = ['clientId,timestamp,kind'];
  for (let i = 0; i < 200_001; i++) lines.push(`c${i},2024-06-0${1 + (i % 9)},usage`);
  const big = file('wide.csv', lines.join('\n') + '\n');
  const r = run('score', big, '--format', 'json');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /TOO_LARGE/);
  assert.match(r.stderr, /--format ndjson/);
  const n = run('score', big, '--format', 'ndjson');
  assert.equal(n.status, 0, n.stderr);
  assert.equal(n.stdout.trim().split('\n').length, 200_001);
});

test('a bad file exits non-zero with code, row and field on stderr', () => {
  const bad = file('bad.csv', 'client,date,kind,amount\na,2024-01-01,usage,\nb,2024-01-02,purchase,-4\n');
  const r = run('score', bad, '--map', 'amount=value');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /NEGATIVE_VALUE at row 2, field amount/);
  const unknown = run('score', bad, '--map', 'amount=price');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /UNKNOWN_CONFIG_KEY at field columns\.price/);
  const lenient = run('score', bad, '--map', 'amount=value', '--lenient', '--format', 'json');
  assert.equal(lenient.status, 0, lenient.stderr);
  const w = JSON.parse(lenient.stdout).warnings.find((x) => x.code === 'ROWS_SKIPPED');
  assert.deepEqual(w.issues.map((i) => [i.row, i.field, i.code]), [[2, 'amount', 'NEGATIVE_VALUE']]);
});

test('rows are numbered across the whole file, also past the first batch', () => {
  const lines = ['clientId,timestamp,kind'];
  for (let i = 0; i < 120_000; i++) lines.push(`c${i % 500},2024-0${1 + (i % 6)}-1${i % 10},usage`);
  lines.push('late,2024-13-01,usage');
  const r = run('score', file('big.csv', lines.join('\n') + '\n'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /INVALID_TIMESTAMP at row 120001, field timestamp/);
});

test('usage errors exit 2', () => {
  assert.equal(run('score').status, 2);
  assert.equal(run('score', 'x.csv', '--format', 'xml').status, 2);
  assert.equal(run('frobnicate').status, 2);
  const missing = run('score', join(tmp, 'nope.csv'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no such file/);
});
