import { UsageError } from '../args.mjs';
import { csvCell, ingestFile, load } from '../io.mjs';

export default {
  name: 'summary',
  synopsis: 'summary TRANSACTIONS.csv --id COL --date COL [--amount COL] [--unit days|weeks] --end DATE [--calibration-end DATE]',
  description: `Writes the customer-base models' summary of a file of transactions as CSV
(id,frequency,recency,T,monetary_value, plus frequency_holdout,duration_holdout with a
calibration end); purchases on the same day count once.`,
  flags: {
    id: { type: 'string', arg: 'COL', help: 'the client id column' },
    date: { type: 'string', arg: 'COL', help: 'the date column' },
    amount: { type: 'string', arg: 'COL', help: 'the amount column' },
    unit: { type: 'string', key: 'unit', usage: true, arg: 'days|weeks', help: 'time unit (default days)' },
    end: { type: 'string', key: 'end', arg: 'DATE', help: 'end of observation' },
    'calibration-end': { type: 'string', key: 'calibrationEnd', arg: 'DATE', help: 'end of the calibration period (adds holdout columns)' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('give exactly one TRANSACTIONS.csv file');
    for (const f of ['id', 'date', 'end']) if (values[f] === undefined) throw new UsageError('summary needs --id, --date and --end');
    const { Scorer } = await load(true);
    const scorer = new Scorer();
    const columns = { clientId: values.id, timestamp: values.date };
    if (values.amount) columns.value = values.amount;
    ingestFile(scorer, positionals[0], { columns, kind: 'purchase' });
    const rows = scorer.summary({ end: values.end, calibrationEnd: values['calibration-end'], unit: values.unit ?? 'days' });
    const holdout = values['calibration-end'] !== undefined;
    const out = [['id', 'frequency', 'recency', 'T', 'monetary_value', ...(holdout ? ['frequency_holdout', 'duration_holdout'] : [])].join(',')];
    for (const r of rows) {
      out.push([csvCell(r.id), r.frequency, r.recency, r.T, r.monetaryValue, ...(holdout ? [r.frequencyHoldout, r.durationHoldout] : [])].join(','));
    }
    return { out, err: [] };
  },
};
