// Turns the CDNOW sample (whitespace-separated: master id, sample id, YYYYMMDD, CDs, dollars)
// into rapport's event CSV: one purchase per line, with the number of CDs as a usage-like
// "depth" signal left out (rapport's purchase value is the dollar amount).
// Usage: node scripts/cdnow-to-csv.mjs ../shared/data/CDNOW_sample.txt > data/cdnow_sample_events.csv
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2] ?? new URL('../../shared/data/CDNOW_sample.txt', import.meta.url), 'utf8');
const out = ['customer_id,date,type,amount'];
for (const line of text.split(/\r?\n/)) {
  const f = line.trim().split(/\s+/);
  if (f.length < 5) continue;
  const [, sampleId, ymd, , dollars] = f;
  out.push(`${Number(sampleId)},${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)},purchase,${dollars}`);
}
process.stdout.write(out.join('\n') + '\n');
