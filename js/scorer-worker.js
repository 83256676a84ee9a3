// The worker side of `createScorerWorker` (worker.js): loads the module, holds one Scorer, and
// answers each message `{ id, method, args }` with `{ id, value }` or `{ id, error }`. The
// typed arrays of a result are transferred to the page.
import { init, Scorer } from './browser.js';
import { buffers } from './transfer.js';

let scorer = null;

function report(e) {
  const out = { name: e?.name ?? 'Error', message: String(e?.message ?? e) };
  for (const k of ['code', 'row', 'field']) if (e?.[k] !== undefined) out[k] = e[k];
  return out;
}

async function answer({ method, args }) {
  if (method === 'init') {
    await init(args[1]);
    scorer = new Scorer(args[0]);
    return undefined;
  }
  if (!scorer) throw new Error('the scorer is not ready');
  if (typeof scorer[method] !== 'function') throw new Error(`no method ${method}`);
  return scorer[method](...args);
}

self.onmessage = async ({ data }) => {
  try {
    const value = await answer(data);
    // A snapshot's bytes and a table's columns are views of their own buffers: hand them over.
    self.postMessage({ id: data.id, value }, [...buffers(value)]);
  } catch (e) {
    self.postMessage({ id: data.id, error: report(e) });
  }
};
