// Types of `rapportjs/worker`: a Scorer in a Web Worker, every method returning a promise.
import type {
  ScorerOptions,
  RawEvent,
  IngestOptions,
  IngestSummary,
  CsvOptions,
  ColumnarEvents,
  ScoreOptions,
  Report,
  Table,
  ClientScore,
  Portfolio,
  HistoryOptions,
  History,
  BacktestOptions,
  Backtest,
} from './rapport.js';

/** A Scorer living in a Web Worker. Results' typed arrays are transferred to the page. */
export interface ScorerWorker {
  /** Settles once the module is loaded and the Scorer made; rejects on a bad option. */
  readonly ready: Promise<void>;
  ingest(events: RawEvent[], options?: IngestOptions): Promise<IngestSummary>;
  ingestJson(text: string | Uint8Array, options?: IngestOptions): Promise<IngestSummary>;
  ingestCsv(text: string | Uint8Array, options?: CsvOptions): Promise<IngestSummary>;
  /** Copies the columns to the worker: the caller's arrays stay usable. */
  ingestColumns(columns: ColumnarEvents, options?: IngestOptions): Promise<IngestSummary>;
  /** Hands the columns' buffers to the worker (no copy): the caller's arrays are detached. */
  ingestColumnsTransfer(columns: ColumnarEvents, options?: IngestOptions): Promise<IngestSummary>;
  score(options?: ScoreOptions): Promise<Report>;
  scoreJson(options?: ScoreOptions): Promise<string>;
  scoreTable(options?: ScoreOptions): Promise<Table>;
  explain(clientId: string, options?: ScoreOptions): Promise<ClientScore>;
  explainMany(clientIds: string[], options?: ScoreOptions): Promise<ClientScore[]>;
  portfolio(options?: ScoreOptions): Promise<Portfolio>;
  history(options?: HistoryOptions): Promise<History>;
  backtest(options?: BacktestOptions): Promise<Backtest>;
  snapshot(): Promise<Uint8Array>;
  mergeSnapshot(bytes: Uint8Array | ArrayBuffer): Promise<void>;
  /** Stops the worker; later calls reject. */
  terminate(): void;
}

/**
 * Starts a module worker holding one Scorer made with `options`. `where.url` is the worker
 * script and `where.wasm` the module, when they are not served beside this file.
 */
export function createScorerWorker(options?: ScorerOptions, where?: { url?: string | URL; wasm?: string | URL }): ScorerWorker;
