import { pairs, UsageError } from '../args.mjs';
import { csvCell, load, readText, writeText } from '../io.mjs';

/** Prediction rows as CSV for `model`. */
function predictionLines(model, p, ids) {
  if (model === 'sbg') {
    return ['period,survival,retention', ...Array.from(p.survival, (s, t) => [t, s, t === 0 ? '' : p.retention[t - 1]].join(','))];
  }
  if (model === 'gamma-gamma') {
    return ['id,expected_spend', ...ids.map((id, i) => [csvCell(id), p.expectedSpend[i]].join(','))];
  }
  return ['id,p_alive,expected_purchases', ...ids.map((id, i) => [csvCell(id), p.pAlive[i], p.expectedPurchases[i]].join(','))];
}

export default {
  name: 'fit',
  synopsis: 'fit MODEL FILE [--columns OURS=THEIRS,...] [--horizon N] [--params NAME=VALUE,...] [--out PREDICTIONS.csv]',
  description: `Fits MODEL (bgnbd, mbgnbd, pareto-nbd, gamma-gamma, bgbb, sbg) to a summary table and prints
the fit as JSON. --columns maps our column names (id, frequency, recency, T, monetary, weight,
periods, survivors) to the file's; --params skips fitting and predicts with the given
parameters; --out writes one row per input row (id,p_alive,expected_purchases over --horizon
periods; gamma-gamma id,expected_spend; sbg period,survival,retention for --horizon periods).`,
  flags: {
    columns: { type: 'string', multiple: true, arg: 'OURS=THEIRS,...', help: 'map our column names to the file\'s' },
    horizon: { type: 'string', number: true, key: 'horizon', usage: true, arg: 'N', help: 'periods ahead for predictions (default 1)' },
    params: { type: 'string', multiple: true, arg: 'NAME=VALUE,...', help: 'predict with these parameters instead of fitting' },
    out: { type: 'string', arg: 'PREDICTIONS.csv', help: 'write the predictions' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  async run({ values, positionals }) {
    if (positionals.length !== 2) throw new UsageError('fit takes a MODEL and a FILE');
    const [model, file] = positionals;
    const params = values.params && Object.fromEntries(pairs(values.params, 'params').map(([k, v]) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--params ${k} takes a number, got "${v}"`);
      return [k, n];
    }));
    const text = readText(file);
    const { readModelTable, fitModel, predictModel } = await load(true);
    const table = readModelTable(text, model, { columns: Object.fromEntries(pairs(values.columns, 'columns')) });
    const out = [];
    let used = params;
    if (!used) {
      const fit = fitModel(model, table.data);
      used = fit.params;
      out.push(JSON.stringify(fit, null, 2));
    } else {
      out.push(JSON.stringify({ model, params: used }, null, 2));
    }
    if (values.out) {
      const p = predictModel(model, used, table.data, { horizon: values.horizon ?? 1 });
      writeText(values.out, predictionLines(model, p, table.ids).join('\n') + '\n');
    }
    return { out, err: [] };
  },
};
