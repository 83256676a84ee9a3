// A Worker that scores events: POST a JSON array of events to /score (options as query
// parameters: asOf, mode) and get the report as JSON. Resolves `rapport` through the package's
// `workerd` export, which imports the .wasm as a module and instantiates it synchronously.
import { Scorer, isRapportError } from 'rapportjs';

/** Largest body accepted. A Worker has 128 MB of memory; events in wasm take far less than their JSON. */
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

async function readBody(request) {
  const declared = Number(request.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) return null;
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

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== '/score') {
      return json(200, { usage: 'POST a JSON array of events to /score?asOf=YYYY-MM-DD&mode=strict|lenient' });
    }
    if (request.method !== 'POST') return problem(405, 'METHOD_NOT_ALLOWED', 'use POST');
    const text = await readBody(request);
    if (text === null) return problem(413, 'TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    try {
      const options = {};
      for (const [k, v] of url.searchParams) options[k] = v;
      const scorer = new Scorer(options);
      scorer.ingestJson(text);
      return json(200, scorer.scoreJson());
    } catch (e) {
      if (isRapportError(e)) return problem(400, e.code, e.message, { row: e.row, field: e.field });
      return problem(500, 'INTERNAL', String(e));
    }
  },
};
