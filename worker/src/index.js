// A Worker that scores events: POST a JSON array of events to /score (options as query
// parameters: asOf, mode, periods, …) and get every client's scores back as JSON columns with
// the portfolio (`scoreTable`), or with `?client=ID` one client's full explanation (every
// component, reason and play). Resolves `rapportjs` through the package's `workerd` export,
// which imports the .wasm as a module and instantiates it synchronously.
import { Scorer, isRapportError } from 'rapportjs';

/**
 * Largest body accepted. A Worker has 128 MB of memory; the engine reads JSON element by
 * element into a batch of about 40 bytes an event (plus each distinct id once), and the body
 * itself is held as bytes and copied once into wasm memory, so 8 MB of events stays far inside the limit.
 */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

function json(status, body) {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

function problem(status, code, message, extra = {}) {
  return json(status, { error: { code, message, ...extra } });
}

/** How long a refused body may take to arrive before it is cut off. */
const DRAIN_MS = 1000;

/** Reads and drops what is left of a refused body, for at most DRAIN_MS: an honest client then
 * reads the answer on an orderly connection, and one whose Content-Length lies (announcing
 * bytes it never sends) is cut off instead of waited for. */
async function drain(request) {
  if (!request.body || request.bodyUsed) return;
  const reader = request.body.getReader();
  const deadline = Date.now() + DRAIN_MS;
  for (;;) {
    const left = deadline - Date.now();
    const r = left > 0 ? await Promise.race([reader.read(), new Promise((res) => setTimeout(() => res(null), left))]) : null;
    if (r === null) {
      reader.cancel().catch(() => {});
      return;
    }
    if (r.done) return;
  }
}

/** A refusal before the body is read. */
async function refuse(request, status, code, message) {
  await drain(request);
  const r = problem(status, code, message);
  r.headers.set('connection', 'close');
  return r;
}

/** The declared body length: a number, `null` when absent, `NaN` when it is no length. */
function declaredLength(request) {
  const h = request.headers.get('content-length');
  if (h === null) return null;
  return /^\d{1,16}$/.test(h.trim()) ? Number(h.trim()) : NaN;
}

/** The body's bytes (the engine reads UTF-8 itself), or `null` once it passes MAX_BODY_BYTES
 * (reading stops there). A body of a declared length (already checked against the limit) is
 * read whole; one without is read chunk by chunk and cut off at the limit. */
async function readBody(request, declared) {
  if (!request.body) return new Uint8Array(0);
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

/** The code of a categorical column for "none". */
const NONE = 255;

/** A column of `scoreTable` as a JSON array: scores to one decimal (the float32 nearest it),
 * unknown values and "none" codes as null, days as epoch milliseconds. */
function jsonColumn(name, col, named) {
  const out = new Array(col.length);
  if (named) {
    for (let k = 0; k < col.length; k++) out[k] = col[k] === NONE ? null : col[k];
  } else if (col instanceof Float32Array) {
    for (let k = 0; k < col.length; k++) out[k] = Number.isNaN(col[k]) ? null : Math.round(col[k] * 10) / 10;
  } else if (name === 'rfm') {
    for (let k = 0; k < col.length; k++) out[k] = col[k] === 0 ? null : col[k];
  } else {
    for (let k = 0; k < col.length; k++) out[k] = Number.isNaN(col[k]) ? null : col[k];
  }
  return out;
}

/** A table as JSON: `clientIds`, and per column one array in the same order; the codes of a
 * categorical column index its `names`. */
function tableJson(t) {
  const columns = {};
  for (const [name, col] of Object.entries(t.columns)) columns[name] = jsonColumn(name, col, name in t.names);
  return { asOf: t.asOf, clientIds: t.clientIds, columns, names: t.names, portfolio: t.portfolio, profile: t.profile, customerBase: t.customerBase, warnings: t.warnings };
}

/** Query parameters as options: a value that reads as a JSON number or boolean is one
 * (`periods=5`), anything else is text (`asOf=2024-06-30`); the engine checks every key. */
function options(url) {
  const o = {};
  for (const [k, v] of url.searchParams) {
    if (k === 'client') continue;
    let value = v;
    if (/^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false)$/.test(v)) value = JSON.parse(v);
    o[k] = value;
  }
  return o;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== '/score') {
      return json(200, { usage: 'POST a JSON array of events to /score?asOf=YYYY-MM-DD&mode=strict|lenient: every client as columns, and the portfolio; add &client=ID for one client explained' });
    }
    if (request.method !== 'POST') return problem(405, 'METHOD_NOT_ALLOWED', 'use POST');
    const declared = declaredLength(request);
    if (Number.isNaN(declared)) return refuse(request, 400, 'INVALID_ARGUMENT', 'the Content-Length header is not a length');
    if (declared !== null && declared > MAX_BODY_BYTES) {
      return refuse(request, 413, 'TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    const body = await readBody(request, declared);
    if (body === null) return problem(413, 'TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    let scorer;
    try {
      scorer = new Scorer(options(url));
      scorer.ingestJson(body);
      const client = url.searchParams.get('client');
      return json(200, client === null ? tableJson(scorer.scoreTable()) : scorer.explain(client));
    } catch (e) {
      if (isRapportError(e)) {
        const status = e.code === 'UNKNOWN_CLIENT' ? 404 : 400;
        return problem(status, e.code, e.message, { row: e.row, field: e.field });
      }
      return problem(500, 'INTERNAL', String(e));
    } finally {
      // The ledger lives in wasm memory: give it back now rather than when collected.
      scorer?.free();
    }
  },
};
