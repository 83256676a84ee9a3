// A scorer in a Web Worker, so a page never blocks while a large book is read and scored.
// `createScorerWorker(options)` starts a module worker (`scorer-worker.js`, beside this file)
// holding one Scorer, and returns an object with the same methods, each returning a promise.
// Typed arrays of a result (the columns of `scoreTable`, a snapshot) are transferred, not
// copied; arguments are copied (the caller's arrays stay usable) unless `transfer` is asked.
// Errors arrive as Errors with the engine's `name`, `code`, `row` and `field`, so
// `isRapportError` works on them as on the engine's own.

import { buffers } from './transfer.js';

const METHODS = [
  'ingest',
  'ingestJson',
  'ingestCsv',
  'ingestColumns',
  'score',
  'scoreJson',
  'scoreTable',
  'explain',
  'explainMany',
  'portfolio',
  'history',
  'backtest',
  'snapshot',
  'mergeSnapshot',
];

/** An Error carrying what the worker reported. */
function revive(e) {
  const err = new Error(e.message);
  err.name = e.name;
  for (const k of ['code', 'row', 'field']) if (e[k] !== undefined) err[k] = e[k];
  return err;
}

/**
 * Starts a worker holding one Scorer made with `options`.
 * @param {object} [options] the Scorer's options.
 * @param {{ url?: string | URL, wasm?: string | URL }} [where] the worker script, and the
 *   .wasm it loads, when they are not served beside this file.
 */
export function createScorerWorker(options, where = {}) {
  const worker = new Worker(where.url ?? new URL('./scorer-worker.js', import.meta.url), { type: 'module' });
  const pending = new Map();
  let next = 0;
  let dead = null;
  const fail = (e) => {
    dead = e;
    for (const { reject } of pending.values()) reject(e);
    pending.clear();
  };
  worker.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    if (!p) return;
    pending.delete(data.id);
    if ('error' in data) p.reject(revive(data.error));
    else p.resolve(data.value);
  };
  worker.onerror = (e) => {
    e.preventDefault?.();
    fail(new Error(`the scorer worker failed: ${e.message ?? 'it could not start'}`));
  };
  const call = (method, args, transfer = false) => {
    if (dead) return Promise.reject(dead);
    const id = next++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ id, method, args }, transfer ? [...buffers(args)] : []);
      } catch (e) {
        // An argument that cannot be cloned (a function, a Proxy): refused here, nothing sent.
        pending.delete(id);
        reject(e);
      }
    });
  };
  const api = {
    /** Settles once the module is loaded and the Scorer made (rejects on a bad option). */
    ready: call('init', [options ?? {}, where.wasm ? String(where.wasm) : undefined]),
    /** Stops the worker; later calls reject. */
    terminate() {
      worker.terminate();
      fail(new Error('the scorer worker was terminated'));
    },
  };
  for (const m of METHODS) api[m] = (...args) => call(m, args);
  /** `ingestColumns`, handing the columns' buffers over to the worker instead of copying. */
  api.ingestColumnsTransfer = (columns, opts) => call('ingestColumns', [columns, opts], true);
  return api;
}
