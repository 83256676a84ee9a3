import { INPUT_FLAGS, UsageError } from '../args.mjs';
import { load, progress } from '../io.mjs';
import { scoreLines, summaryLines } from '../format.mjs';
import { scorerFor } from './shared.mjs';

const FORMATS = ['table', 'csv', 'ndjson', 'json'];

export default {
  name: 'score',
  synopsis: 'score EVENTS.csv [options]',
  description: `Scores every client in a CSV file of events (one event per row, with a header) and prints the
per-client results, sorted by client id, and the portfolio summary: activity status, health
(the chance in percent of activity within --horizon days), engagement, effective-customer score
and net value, relationship type, RFM segment and the top recommended play. The summary says
which profile of the book set the windows and the health model. Rows are written as they are made, so a book of any size fits in
memory; --reasons adds every sentence that explains them.`,
  flags: {
    ...INPUT_FLAGS,
    model: { type: 'string', key: 'customerBase.model', usage: true, arg: 'MODEL', help: 'add P(alive), expected purchases over a year and lifetime value per client from a customer-base model fitted to the file (bgnbd, mbgnbd, pareto-nbd; weekly time unit)' },
    horizon: { type: 'string', number: true, key: 'horizon', usage: true, arg: 'DAYS', help: 'days ahead the health score speaks of (default: from the book\'s profile, twice its typical cadence rounded up to a week, 14 to 364)' },
    format: { type: 'string', arg: 'FORMAT', help: 'table (default), csv or ndjson (one row or JSON object per client on stdout, the portfolio summary on stderr), or json (the whole report as one document, for books of up to 200,000 clients)' },
    reasons: { type: 'boolean', help: 'explain each client: the sentence behind each code in table and csv, the full result (every component, reason and play) per line in ndjson' },
  },
  async run({ values, positionals }) {
    const format = values.format ?? 'table';
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}, got "${format}"`);
    if (positionals.length !== 1) throw new UsageError('give exactly one EVENTS.csv file');
    // The customer-base models live in the full build; the engine alone does the rest.
    const mod = await load(values.model !== undefined);
    const options = {};
    if (values.model !== undefined) options.customerBase = { model: values.model };
    if (values.horizon !== undefined) options.horizon = values.horizon;
    const scorer = scorerFor(positionals[0], values, mod, (s) => s.scoreTable(options));
    progress(`rapportjs: scoring ${scorer.clientCount.toLocaleString()} clients…`);
    if (format === 'json') {
      try {
        return { out: [JSON.stringify(scorer.score(options), null, 2)], err: [] };
      } catch (e) {
        if (e?.code === 'TOO_LARGE') e.message += '; --format ndjson or csv streams a book of any size';
        throw e;
      }
    }
    const table = scorer.scoreTable(options);
    const out = scoreLines(scorer, table, format, { reasons: values.reasons, options });
    return format === 'table' ? { out, err: [] } : { out, err: summaryLines(table) };
  },
};
