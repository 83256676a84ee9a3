// Type-level tests of the `rapportjs/full` declarations: the models' API.
import { fitModel, predictModel, readModelTable, Scorer, type Fit, type ModelName, type Predictions, type ClientSummary } from '../../pkg/full/index.js';

const model: ModelName = 'pareto-nbd';
const table = readModelTable('id,frequency,recency,T\n', model, { columns: { id: 'ID' } });
const fit: Fit = fitModel(model, { frequency: new Float64Array([1, 2]), recency: [1, 2], T: [3, 4] });
const r: number | undefined = fit.params['r'];
const se: number | null | undefined = fit.standardErrors['r'];
const p: Predictions = predictModel(model, fit.params, table.data, { horizon: 52 });
const alive: Float64Array | undefined = p.pAlive;
const rows: ClientSummary[] = new Scorer().summary({ end: '2024-06-30', calibrationEnd: '2024-01-01', unit: 'weeks' });
const report = new Scorer().score({ customerBase: { model: 'pareto-nbd', unit: 'days', horizon: 365, spendParams: { p: 6, q: 4, v: 15 } } });
const clv: number | undefined = report.clients[0]?.value?.clv;
const fitted: number | undefined = report.customerBase?.params['r'];
void [r, se, alive, rows, clv, fitted];

// @ts-expect-error models are a closed set
fitModel('weibull', {});
// @ts-expect-error summary units are days or weeks
new Scorer().summary({ unit: 'months' });
