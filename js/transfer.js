// What the page and the scorer's worker (worker.js, scorer-worker.js) share: the buffers of
// the typed arrays in a message, so that they are transferred rather than copied.

/** The buffers of the typed arrays in `value`, a level or two down (columns, a table). */
export function buffers(value, out = new Set(), depth = 0) {
  if (ArrayBuffer.isView(value)) out.add(value.buffer);
  else if (value instanceof ArrayBuffer) out.add(value);
  else if (value && typeof value === 'object' && depth < 3) for (const v of Object.values(value)) buffers(v, out, depth + 1);
  return out;
}
