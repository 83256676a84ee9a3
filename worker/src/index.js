// A Worker that scores events: POST a JSON array of events to /score (options as query
// parameters: asOf, mode, periods, …) and get the report as JSON. Resolves `rapportjs` through
// the package's `workerd` export, which imports the .wasm as a module and instantiates it
// synchronously.
import { Scorer, isRapportError } from 'rapportjs';

/**
 * Largest body accepted. A Worker has 128 MB of memory; the engine reads JSON element by
 * element into a batch of about 40 bytes an event (plus each distinct id once), and the body
 * itself is held as text and then as UTF-8, so 8 MB of events stays far inside the limit.
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

/** The body as text, or `null` once it passes MAX_BODY_BYTES (reading stops there). */
async function readBody(request) {
  if (!request.body) return '';
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
  return new TextDecoder().decode(all);
}

/** Query parameters as options: a value that reads as a JSON number or boolean is one
 * (`periods=5`), anything else is text (`asOf=2024-06-30`); the engine checks every key. */
function options(url) {
  const o = {};
  for (const [k, v] of url.searchParams) {
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
      return json(200, { usage: 'POST a JSON array of events to /score?asOf=YYYY-MM-DD&mode=strict|lenient' });
    }
    if (request.method !== 'POST') return problem(405, 'METHOD_NOT_ALLOWED', 'use POST');
    const declared = declaredLength(request);
    if (Number.isNaN(declared)) return refuse(request, 400, 'INVALID_ARGUMENT', 'the Content-Length header is not a length');
    if (declared !== null && declared > MAX_BODY_BYTES) {
      return refuse(request, 413, 'TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    const text = await readBody(request);
    if (text === null) return problem(413, 'TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    try {
      const scorer = new Scorer(options(url));
      scorer.ingestJson(text);
      return json(200, scorer.scoreJson());
    } catch (e) {
      if (isRapportError(e)) return problem(400, e.code, e.message, { row: e.row, field: e.field });
      return problem(500, 'INTERNAL', String(e));
    }
  },
};
