import { INPUT_FLAGS, UsageError } from '../args.mjs';
import { load, progress } from '../io.mjs';
import { scoreOutput } from '../format.mjs';
import { scorerFor } from './shared.mjs';

export default {
  name: 'score',
  synopsis: 'score EVENTS.csv [options]',
  description: `Scores every client in a CSV file of events (one event per row, with a header) and prints the
per-client results, sorted by client id, and the portfolio summary: activity status,
engagement, effective-customer score and net value, relationship type, RFM segment and the
top recommended play.`,
  flags: {
    ...INPUT_FLAGS,
    model: { type: 'string', key: 'customerBase.model', usage: true, arg: 'MODEL', help: 'add P(alive), expected purchases over a year and lifetime value per client from a customer-base model fitted to the file (bgnbd, mbgnbd, pareto-nbd; weekly time unit)' },
    format: { type: 'string', arg: 'FORMAT', help: 'table (default), json (the full report), or csv (per-client rows on stdout, the portfolio summary on stderr)' },
  },
  async run({ values, positionals }) {
    const format = values.format ?? 'table';
    if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be table, json or csv, got "${format}"`);
    if (positionals.length !== 1) throw new UsageError('give exactly one EVENTS.csv file');
    // The customer-base models live in the full build; the engine alone does the rest.
    const mod = await load(values.model !== undefined);
    const options = values.model !== undefined ? { customerBase: { model: values.model } } : undefined;
    const scorer = scorerFor(positionals[0], values, mod, (s) => s.score(options));
    progress(`rapportjs: scoring ${scorer.clientCount.toLocaleString()} clients…`);
    const report = scorer.score(options);
    return scoreOutput(report, format);
  },
};
