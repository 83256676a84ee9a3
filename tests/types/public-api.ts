// Type-level tests of the generated declarations (pkg/index.d.ts): the public shape compiles,
// and misuse does not (each @ts-expect-error must meet an error, or tsc fails).
import {
  Scorer,
  generateEvents,
  isRapportError,
  eventKinds,
  init,
  type RawEvent,
  type ScorerOptions,
  type Report,
  type ClientScore,
  type Status,
  type ErrorCode,
  type IngestSummary,
  type ColumnarEvents,
  type CsvOptions,
  type EventKind,
  type RelationshipType,
  type LoyaltyQuadrant,
  type RfmSegment,
  type PlayKind,
  type History,
  type Point,
  type StatusReasonCode,
  type EngagementReasonCode,
  type WarningCode,
  type IngestOptions,
  type CsvReader,
  type Table,
  type Portfolio,
  type Backtest,
} from '../../pkg/index.js';
import { init as initManual } from '../../pkg/manual.js';
import { createScorerWorker, type ScorerWorker } from '../../pkg/worker.js';

async function main(): Promise<void> {
  await init();
  const options: ScorerOptions = {
    asOf: '2024-06-30',
    mode: 'lenient',
    period: 'month',
    activity: { minAtRiskDays: 5 },
    engagement: { windowDays: 60, weights: { recency: 2, trend: 0 }, features: ['search'] },
  };
  const scorer = new Scorer(options);
  const events: RawEvent[] = [
    { clientId: 'a', timestamp: '2024-06-01', kind: 'usage', feature: 'search' },
    { clientId: 7, timestamp: 1717200000000, kind: 'purchase', value: 12.5 },
    { clientId: 'b', timestamp: '2024-06-02', kind: 'support', messages: 3, reopened: true, cost: 8 },
  ];
  const summary: IngestSummary = scorer.ingest(events);
  const skipped: number = summary.skipped;
  const csv: CsvOptions = { columns: { clientId: 'customer_id', timestamp: 'date' }, delimiter: ';' };
  scorer.ingestCsv('customer_id;date;kind\n', csv);
  const cols: ColumnarEvents = generateEvents(1, 10, 100);
  scorer.ingestColumns(cols);
  const report: Report = scorer.score({ asOf: '2024-06-30' });
  const first: ClientScore | undefined = report.clients[0];
  const status: Status | undefined = first?.status;
  const score: number | undefined = first?.engagement.components.trend.score;
  const atRisk: number = report.portfolio.statusCounts.atRisk;
  const kinds: EventKind[] = eventKinds();
  const insights = new Scorer({
    businessModel: 'one_time',
    effectiveness: { ticketCost: 40, weights: { costToServe: 0.5 } },
    relationship: { longDays: 200, loyalDays: 90 },
    rfm: { bins: 4 },
    plays: { disabled: ['feedback_request'], usageLimits: { acme: 1000 } },
  }).score();
  const c = insights.clients[0];
  const kind: RelationshipType | undefined = c?.relationship.type;
  const quadrant: LoyaltyQuadrant | undefined = c?.relationship.quadrant;
  const segment: RfmSegment | undefined = c?.rfm?.segment;
  const play: PlayKind | undefined = c?.plays[0]?.play;
  const net: number | undefined = c?.effectiveness.netValue;
  const eff: number | undefined = c?.effectiveness.score;
  const marriages: number = insights.portfolio.relationships.marriage;
  const history: History = scorer.history({ period: 'month', periods: 6, from: '2024-01-01', alertDrop: 10 });
  const drop: number | undefined = history.alerts[0]?.drop;
  const retention: number[] | undefined = history.cohorts[0]?.retention;
  const point = history.clients[0]?.points[0];
  if (point !== null && point !== undefined) void point.status;
  // @ts-expect-error a period before the client's first activity is null, not a Point
  const noPoint: Point[] = history.clients[0]?.points ?? [];
  void [kind, quadrant, segment, play, net, eff, marriages, drop, retention, noPoint];
  const bytes: Uint8Array = scorer.snapshot();
  Scorer.fromSnapshot(bytes).merge(scorer);
  try {
    scorer.ingest([]);
  } catch (e) {
    if (isRapportError(e)) {
      const code: ErrorCode = e.code;
      const row: number | undefined = e.row;
      const field: string | undefined = e.field;
      void [code, row, field];
    }
  }
  void [skipped, status, score, atRisk, kinds];

  // Reason and warning codes are unions of their strings.
  const reasonCode: StatusReasonCode | undefined = report.clients[0]?.statusReason.code;
  const engagementCode: EngagementReasonCode | undefined = report.clients[0]?.engagement.reasons[0]?.code;
  const warning: WarningCode | undefined = report.warnings[0]?.code;
  const quadrantCode: Uppercase<LoyaltyQuadrant> | undefined = insights.clients[0]?.relationship.quadrantReason.code;
  const skippedCode: ErrorCode | undefined = summary.issues[0]?.code;
  const parts: IngestOptions = { rowOffset: 1000 };
  scorer.ingest(events, parts);
  const reader: CsvReader = scorer.csvReader({ columns: { clientId: 'id' } });
  reader.push('id,timestamp,kind\n');
  reader.push(new Uint8Array([97]));
  scorer.ingestCsvReader(reader);
  await initManual(new URL('https://example.com/rapport_bg.wasm'));
  void [reasonCode, engagementCode, warning, quadrantCode, skippedCode];
  // @ts-expect-error reason codes are a closed set
  const badReason: StatusReasonCode = 'SLEEPY';
  // @ts-expect-error warning codes are a closed set
  const badWarning: WarningCode = 'ODD';
  // @ts-expect-error the manual entry needs its input
  void initManual();
  void [badReason, badWarning];
  // @ts-expect-error unknown option keys are rejected by the types too
  new Scorer({ asof: '2024-06-30' });
  // @ts-expect-error mode is a closed set
  new Scorer({ mode: 'relaxed' });
  // @ts-expect-error the CSV column mapping is keyed by rapport's field names
  scorer.ingestCsv('', { columns: { customer: 'id' } });
  // @ts-expect-error statuses are a closed set
  const wrong: Status = 'sleeping';
  // @ts-expect-error codes are a closed set
  const nope: ErrorCode = 'OOPS';
  // @ts-expect-error business models are repeat or one_time
  new Scorer({ businessModel: 'sometimes' });
  // @ts-expect-error plays are a closed set
  new Scorer({ plays: { disabled: ['hug'] } });
  void [wrong, nope];

  // The columnar result: typed arrays per column, codes with their names.
  const table: Table = scorer.scoreTable({ asOf: '2024-06-30' });
  const ids: string[] = table.clientIds;
  const engagement: Float32Array = table.columns.engagement;
  const revenueCol: Float64Array = table.columns.revenue;
  const statusCodes: Uint8Array = table.columns.status;
  const statusName: Status | undefined = table.names.status[statusCodes[0] ?? 0];
  const playName: PlayKind | undefined = table.names.topPlay[table.columns.topPlay[0] ?? 0];
  const pAlive: Float64Array | undefined = table.columns.pAlive;
  const explained: ClientScore = scorer.explain(ids[0] ?? 'a');
  const many: ClientScore[] = scorer.explainMany(ids.slice(0, 10), { asOf: '2024-06-30' });
  const book: Portfolio = scorer.portfolio();
  void [engagement, revenueCol, statusName, playName, pAlive, explained, many, book];
  // The same scorer in a Web Worker: every method a promise.
  const w: ScorerWorker = createScorerWorker({ asOf: '2024-06-30' });
  await w.ready;
  await w.ingestColumns(generateEvents(1, 10, 100));
  const wt: Table = await w.scoreTable();
  const we: ClientScore = await w.explain(wt.clientIds[0] ?? 'a');
  const wb: Backtest = await w.backtest({ horizon: 30 });
  void wb;
  void we;
  // @ts-expect-error results arrive as promises
  const notYet: Table = w.scoreTable();
  void notYet;
  w.terminate();
  const bt: Backtest = scorer.backtest({ asOf: '2024-03-31', horizon: 90 });
  const auc: number | undefined = bt.scores[0]?.auc ?? undefined;
  const lift: number | null | undefined = bt.scores[0]?.liftTopDecile;
  void [auc, lift];
  const which: 'recency' | 'engagement' | string | undefined = bt.scores[0]?.score;
  void which;
  // @ts-expect-error the horizon is a number of days
  scorer.backtest({ horizon: '90 days' });
  // @ts-expect-error scores measured are a closed set
  const noScore: Backtest['scores'][number]['score'] = 'happiness';
  void noScore;
  // @ts-expect-error a client id is a string
  scorer.explain(7);
  // @ts-expect-error explainMany takes a list of ids
  scorer.explainMany('a');
  // @ts-expect-error the columns are fixed and typed
  void table.columns.happiness;
}

void main;
