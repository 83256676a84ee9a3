import { INPUT_FLAGS, UsageError } from '../args.mjs';
import { load, progress } from '../io.mjs';
import { historyOutput } from '../format.mjs';
import { scorerFor } from './shared.mjs';

export default {
  name: 'history',
  synopsis: 'history EVENTS.csv [options]',
  description: `Prints the portfolio per period (status counts, mean engagement and effectiveness), segment
and status migrations between two dates (default: the first period's end and the last day),
alerts for clients whose scores fell by --alert-drop points (default 20), and monthly cohort
retention for the last --cohort-months cohorts (default 12); --format json prints everything,
per-client series included.`,
  flags: {
    ...INPUT_FLAGS,
    period: { type: 'string', key: 'period', usage: true, arg: 'week|month', help: 'period of the history' },
    periods: { type: 'string', number: true, key: 'periods', usage: true, arg: 'N', help: 'number of periods' },
    from: { type: 'string', key: 'from', arg: 'DATE', help: 'start of the comparison' },
    to: { type: 'string', key: 'to', arg: 'DATE', help: 'end of the comparison' },
    'alert-drop': { type: 'string', number: true, key: 'alertDrop', usage: true, arg: 'POINTS', help: 'fall that raises an alert' },
    'cohort-months': { type: 'string', number: true, key: 'cohortMonths', usage: true, arg: 'N', help: 'cohorts in the retention table' },
    format: { type: 'string', arg: 'FORMAT', help: 'table (default), json or csv' },
  },
  async run({ values, positionals }) {
    const format = values.format ?? 'table';
    if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be table, json or csv, got "${format}"`);
    if (positionals.length !== 1) throw new UsageError('give exactly one EVENTS.csv file');
    const options = {
      period: values.period,
      periods: values.periods,
      from: values.from,
      to: values.to,
      alertDrop: values['alert-drop'],
      cohortMonths: values['cohort-months'],
      clients: format === 'json',
    };
    const scorer = scorerFor(positionals[0], values, await load(false), (s) => s.history(options));
    progress(`rapportjs: scoring ${scorer.clientCount.toLocaleString()} clients over time…`);
    const h = scorer.history(options);
    return { out: historyOutput(h, format), err: [] };
  },
};
