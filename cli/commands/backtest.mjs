import { INPUT_FLAGS, UsageError } from '../args.mjs';
import { load, progress } from '../io.mjs';
import { backtestOutput } from '../format.mjs';
import { scorerFor } from './shared.mjs';

export default {
  name: 'backtest',
  synopsis: 'backtest EVENTS.csv [--as-of DATE] [--horizon DAYS] [options]',
  description: `Does each score predict anything on this file? Scores every client as of --as-of (default:
--horizon days before the latest event) from the events up to it, then measures each score and
the baselines (recency, frequency, RFM sum) against who was active in the --horizon days after
(default 90): AUC, lift in the top decile, and for probabilities the Brier score and the
calibration error. --model adds the customer-base model's P(alive) and expected purchases;
--fit learns the weights of health and engagement from the events up to --as-of and measures
them after it beside the defaults, printing them as options to pass back (--options FILE).`,
  flags: {
    ...INPUT_FLAGS,
    horizon: { type: 'string', number: true, key: 'horizon', usage: true, arg: 'DAYS', help: 'days after --as-of in which a client counts as active' },
    model: { type: 'string', key: 'customerBase.model', usage: true, arg: 'MODEL', help: 'measure a customer-base model fitted to the events up to --as-of too (bgnbd, mbgnbd, pareto-nbd)' },
    fit: { type: 'boolean', help: 'learn the weights of health and engagement from the events up to --as-of, and print them with their standard errors and AUC beside the defaults' },
    format: { type: 'string', arg: 'FORMAT', help: 'table (default), json or csv' },
  },
  async run({ values, positionals }) {
    const format = values.format ?? 'table';
    if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be table, json or csv, got "${format}"`);
    if (positionals.length !== 1) throw new UsageError('give exactly one EVENTS.csv file');
    const options = { asOf: values['as-of'], horizon: values.horizon };
    if (values.model !== undefined) options.customerBase = { model: values.model };
    if (values.fit) options.fit = true;
    const { ['as-of']: _asOf, ...rest } = values;
    const scorer = scorerFor(positionals[0], rest, await load(values.model !== undefined), (s) => s.backtest(options));
    progress(`rapportjs: backtesting ${scorer.clientCount.toLocaleString()} clients…`);
    return { out: backtestOutput(scorer.backtest(options), format), err: [] };
  },
};
