// Command-line arguments, parsed by node:util's parseArgs in strict mode from each command's
// table of flags. A flag the table does not list, a missing value or a number that is not one
// is a usage error (exit 2).
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** The flags every scoring command takes. */
export const INPUT_FLAGS = {
  'as-of': { type: 'string', key: 'asOf', arg: 'DATE', help: 'score as of this date (default: the day of the latest event)' },
  'business-model': { type: 'string', key: 'businessModel', usage: true, arg: 'M', help: 'repeat (default: subscriptions, repeat purchase) or one_time (a single purchase is the norm)' },
  options: { type: 'string', arg: 'FILE.json', help: 'scorer options as JSON (weights, thresholds, plays; see docs/scoring.md)' },
  map: { type: 'string', multiple: true, arg: 'THEIRS=OURS,...', help: 'read column THEIRS as rapport\'s field OURS (clientId, timestamp, kind, feature, value, messages, reopened, cost)' },
  kind: { type: 'string', arg: 'KIND', help: 'the kind of every row, for a file with no kind column (e.g. purchase)' },
  lenient: { type: 'boolean', help: 'skip bad rows and report them instead of stopping at the first' },
  delimiter: { type: 'string', key: 'delimiter', usage: true, arg: 'CHAR', help: 'field delimiter (default ,)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** Parses `argv` against `flags`; returns the values (numbers converted) and the positionals. */
export function parse(flags, argv) {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e.message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const values = { ...parsed.values };
  for (const [name, f] of Object.entries(flags)) {
    if (f.number && values[name] !== undefined) {
      const n = Number(values[name]);
      if (values[name].trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} takes a number, got "${values[name]}"`);
      values[name] = n;
    }
  }
  return { values, positionals: parsed.positionals };
}

/** `A=B,C=D` (flags given several times add up) as pairs. */
export function pairs(texts, flag) {
  const out = [];
  for (const text of [texts].flat().filter((t) => t !== undefined)) {
    for (const pair of text.split(',')) {
      const i = pair.indexOf('=');
      const [k, v] = i < 0 ? [pair, ''] : [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
      if (!k || !v) throw new UsageError(`--${flag} takes NAME=VALUE pairs, got "${pair}"`);
      out.push([k, v]);
    }
  }
  return out;
}

/** The help lines of a table of flags, wrapped to 96 columns. */
export function helpLines(flags) {
  const heads = Object.entries(flags).map(([name, f]) => [`${f.short ? `-${f.short}, ` : '    '}--${name}${f.arg ? ` ${f.arg}` : ''}`, f.help]);
  const width = Math.min(30, Math.max(...heads.map((h) => h[0].length)));
  const lines = [];
  for (const [head, help] of heads) {
    const words = help.split(' ');
    let line = `  ${head.padEnd(width)}  `;
    const indent = ' '.repeat(width + 4);
    if (head.length > width) {
      lines.push(`  ${head}`);
      line = indent;
    }
    for (const w of words) {
      if (line.length + w.length > 96 && line.trim()) {
        lines.push(line.trimEnd());
        line = indent;
      }
      line += w + ' ';
    }
    lines.push(line.trimEnd());
  }
  return lines;
}
