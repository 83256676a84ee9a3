// The CLI on a book of a million clients: writes 3,000,000 synthetic events over 1,000,000
// clients as a CSV file (ISO timestamps), then times `rapportjs score FILE --format csv` and
// `--format ndjson --reasons` under /usr/bin/time (wall time, peak resident memory), output
// to /dev/null. Prints one JSON line.
// Usage: node benches/cli-million.mjs [CLIENTS] [EVENTS]
import { createWriteStream, mkdtempSync, rmSync, statSync, openSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEvents, eventKinds } from '../pkg/node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const [clients = '1000000', events = '3000000'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'rapport-cli-'));
const file = join(dir, 'events.csv');
try {
  const g = generateEvents(42, Number(clients), Number(events));
  const kinds = eventKinds();
  const w = createWriteStream(file);
  w.write('clientId,timestamp,kind,feature,value,messages,reopened,cost\n');
  const num = (v) => (Number.isNaN(v) ? '' : v);
  let buf = [];
  for (let i = 0; i < g.timestamps.length; i++) {
    const f = g.featureIndex[i] === 0xffffffff ? '' : g.featureNames[g.featureIndex[i]];
    const reopened = g.kinds[i] === 2 ? (g.reopened[i] ? 'true' : 'false') : '';
    buf.push(`${g.clientIds[g.clientIndex[i]]},${new Date(g.timestamps[i]).toISOString()},${kinds[g.kinds[i]]},${f},${num(g.values[i])},${num(g.messages[i])},${reopened},${num(g.costs[i])}`);
    if (buf.length === 100_000) {
      if (!w.write(buf.join('\n') + '\n')) await new Promise((r) => w.once('drain', r));
      buf = [];
    }
  }
  w.end(buf.join('\n') + '\n');
  await new Promise((r) => w.once('finish', r));

  const run = (...flags) => {
    const out = openSync('/dev/null', 'w');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, 'pkg/cli/rapportjs.mjs', 'score', file, ...flags], { cwd: root, stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
    const last = r.stderr.trim().split('\n').at(-1);
    const [seconds, kb] = last.split(' ').map(Number);
    if (r.status !== 0 || !Number.isFinite(seconds)) throw new Error(`the CLI failed (${r.status}): ${r.stderr.slice(-2000)}`);
    return { seconds, peakRssMb: Math.round(kb / 1024) };
  };
  console.log(
    JSON.stringify({
      clients: Number(clients),
      events: Number(events),
      csvMb: Math.round(statSync(file).size / 1e6),
      csv: run('--format', 'csv'),
      ndjsonReasons: run('--format', 'ndjson', '--reasons'),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
