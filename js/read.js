// Part of the binding layer: reads what callers pass in plain JavaScript, so that nothing they
// pass can throw through wasm frames (a getter that throws, a Proxy, a revoked Proxy, a
// detached buffer, a cycle). Rust calls `read(what, value)`, which never throws: it answers
// `{ ok: true, value }` or `{ ok: false, message, thrown }`, and Rust turns the second into a
// coded error, before any state is touched. These functions only read, copy and sort values by
// type; every check is made in Rust.

/** Non-finite numbers and big integers as text, so that Rust sees them and refuses them (JSON
 * would turn NaN and Infinity into null, which means "default"). */
function replacer(_key, v) {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  return v;
}

/** How a value arrives: `absent` (undefined or null), `array`, `object`, `string`, `number`,
 * or `other`. */
function kindOf(v) {
  if (v === undefined || v === null) return 'absent';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'object' ? 'object' : t === 'string' || t === 'number' ? t : 'other';
}

/** A value as JSON text (undefined when absent). Throws what reading it threw. */
function toJson(v) {
  return v === undefined || v === null ? undefined : JSON.stringify(v, replacer);
}

/** The UTF-8 of a string, with lone surrogates written as the 3-byte sequences UTF-8 forbids
 * (WTF-8), so that Rust's checks find them where a lossy conversion would hide them. */
function wtf8(s) {
  const out = new Uint8Array(s.length * 3);
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[j++] = c;
    else if (c < 0x800) (out[j++] = 0xc0 | (c >> 6)), (out[j++] = 0x80 | (c & 63));
    else if (c < 0x10000) (out[j++] = 0xe0 | (c >> 12)), (out[j++] = 0x80 | ((c >> 6) & 63)), (out[j++] = 0x80 | (c & 63));
    else (out[j++] = 0xf0 | (c >> 18)), (out[j++] = 0x80 | ((c >> 12) & 63)), (out[j++] = 0x80 | ((c >> 6) & 63)), (out[j++] = 0x80 | (c & 63));
  }
  return out.subarray(0, j);
}

/** Text as it should reach Rust: the string itself when it is well formed, else its WTF-8
 * bytes. Bytes (a Uint8Array or ArrayBuffer) are copied; anything else comes back as is, for
 * Rust to refuse. */
function text(v) {
  if (typeof v === 'string') return v.isWellFormed() ? v : wtf8(v);
  return bytes(v);
}

/** Bytes as a Uint8Array Rust can copy: views and buffers of any kind are copied here (a
 * detached one reads as empty); anything else comes back as is, for Rust to refuse. */
function bytes(v) {
  if (ArrayBuffer.isView(v)) return v.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  if (v instanceof ArrayBuffer && Object.prototype.toString.call(v) === '[object ArrayBuffer]') return v.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(v).slice();
  return v;
}

const TYPED = { Uint32Array, Float64Array, Uint8Array };

/** A typed array of type `name` as Rust can copy it: the array itself, an empty one when it is
 * detached, `null` when it is something else (a Proxy, another type), undefined when absent. */
function typed(v, name) {
  if (v === undefined || v === null) return undefined;
  if (ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === `[object ${name}]`) {
    return v.length === 0 ? new TYPED[name](0) : v;
  }
  return null;
}

/** An array of strings as a plain array: each well-formed string as is, anything else as null
 * (Rust names it); undefined when absent, null when not an array. */
function strings(v) {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return null;
  return Array.from(v, (s) => (typeof s === 'string' && s.isWellFormed() ? s : null));
}

/** The fields of a ColumnarEvents object, read once each. */
function columns(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  return {
    clientIds: strings(v.clientIds),
    featureNames: strings(v.featureNames),
    clientIndex: typed(v.clientIndex, 'Uint32Array'),
    featureIndex: typed(v.featureIndex, 'Uint32Array'),
    timestamps: typed(v.timestamps, 'Float64Array'),
    values: typed(v.values, 'Float64Array'),
    messages: typed(v.messages, 'Float64Array'),
    costs: typed(v.costs, 'Float64Array'),
    kinds: typed(v.kinds, 'Uint8Array'),
    reopened: typed(v.reopened, 'Uint8Array'),
  };
}

/** Model data: each column as a Float64Array copy (an array of numbers is copied, a non-number
 * becomes NaN and its index is listed), and the keys given. */
function modelColumns(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  const out = { keys, columns: {}, notNumbers: {} };
  for (const k of keys) {
    const c = v[k];
    if (c === undefined || c === null) continue;
    if (ArrayBuffer.isView(c) && Object.prototype.toString.call(c) === '[object Float64Array]') {
      out.columns[k] = c.byteLength === 0 ? new Float64Array(0) : c.slice();
    } else if (Array.isArray(c)) {
      const bad = c.findIndex((x) => typeof x !== 'number');
      if (bad >= 0) out.notNumbers[k] = bad;
      else out.columns[k] = Float64Array.from(c);
    } else {
      out.notNumbers[k] = -1;
    }
  }
  return out;
}

/** Another scorer's ledger, as its snapshot bytes. */
function snapshotOf(other) {
  return other.snapshot();
}

// Events: an array of event objects sorted into typed columns in one pass, so the objects
// cross into wasm as a handful of arrays rather than one boundary call per field. A row whose
// fields are not of the plain expected types (or whose text is not well formed) is listed in
// `slow` and sent as its JSON text, which Rust reads as `ingestJson` would, so its error is
// exactly that path's. A row whose reading throws (a getter, a Proxy) is listed with the
// message instead. The flag bits come from the core (`input::records::flags`) as `F`.
const NONE = 0xffffffff;

function columnize(events, F) {
  if (!Array.isArray(events)) return null;
  const n = events.length;
  const clientIds = [];
  const clientSeen = new Map();
  const clientIndex = new Uint32Array(n);
  const kinds = [];
  const kindSeen = new Map();
  const kindIndex = new Uint32Array(n);
  const features = [];
  const featureSeen = new Map();
  const featureIndex = new Uint32Array(n);
  const timestamps = new Float64Array(n);
  const timestampTexts = [];
  const values = new Float64Array(n);
  const messages = new Float64Array(n);
  const costs = new Float64Array(n);
  const flags = new Uint8Array(n);
  const slow = [];
  const slowJson = [];
  const slowThrew = [];
  const intern = (seen, list, key) => {
    let i = seen.get(key);
    if (i === undefined) {
      i = list.length;
      list.push(key);
      seen.set(key, i);
    }
    return i;
  };
  const isNum = (v) => typeof v === 'number';
  const absent = (v) => v === undefined || v === null;
  const text = (v) => typeof v === 'string' && v.isWellFormed();
  /** Lists row `i` to be read as JSON, or with what reading it threw. */
  const slowly = (i, e) => {
    slow.push(i);
    try {
      slowJson.push(JSON.stringify(e, replacer) ?? 'null');
      slowThrew.push('');
    } catch (err) {
      slowJson.push('');
      slowThrew.push(`reading the event threw: ${err?.message ?? err}`);
    }
  };
  for (let i = 0; i < n; i++) {
    let e, c, t, k, f, v, m, cost, r;
    try {
      e = events[i];
      if (e === null || typeof e !== 'object' || Array.isArray(e)) {
        slowly(i, e);
        continue;
      }
      ({ clientId: c, timestamp: t, kind: k, feature: f, value: v, messages: m, cost, reopened: r } = e);
    } catch (err) {
      slow.push(i);
      slowJson.push('');
      slowThrew.push(`reading the event threw: ${err?.message ?? err}`);
      continue;
    }
    const fast =
      (text(c) || (isNum(c) && Number.isSafeInteger(c)) || absent(c)) &&
      (isNum(t) || (text(t) && !t.includes('\n')) || absent(t)) &&
      (text(k) || absent(k)) &&
      (text(f) || absent(f)) &&
      (isNum(v) || absent(v)) &&
      (isNum(m) || absent(m)) &&
      (isNum(cost) || absent(cost)) &&
      (typeof r === 'boolean' || absent(r));
    if (!fast) {
      slowly(i, e);
      continue;
    }
    let bits = 0;
    clientIndex[i] = absent(c) ? NONE : intern(clientSeen, clientIds, typeof c === 'string' ? c : String(c));
    if (isNum(t)) timestamps[i] = t;
    else if (absent(t)) bits |= F.NO_TIMESTAMP;
    else (bits |= F.TIMESTAMP_TEXT), timestampTexts.push(t);
    kindIndex[i] = absent(k) ? NONE : intern(kindSeen, kinds, k);
    featureIndex[i] = absent(f) ? NONE : intern(featureSeen, features, f);
    if (isNum(v)) (values[i] = v), (bits |= F.VALUE);
    if (isNum(m)) (messages[i] = m), (bits |= F.MESSAGES);
    if (isNum(cost)) (costs[i] = cost), (bits |= F.COST);
    if (typeof r === 'boolean') bits |= r ? F.REOPENED_GIVEN | F.REOPENED_TRUE : F.REOPENED_GIVEN;
    flags[i] = bits;
  }
  return {
    rows: n,
    // An array changed by a getter while it was read has another length now.
    lengthAfter: events.length,
    clientIds,
    clientIndex,
    kinds,
    kindIndex,
    features,
    featureIndex,
    timestamps,
    timestampTexts: timestampTexts.join('\n'),
    values,
    messages,
    costs,
    flags,
    slow: Uint32Array.from(slow),
    slowJson,
    slowThrew,
  };
}

const READERS = { kindOf, toJson, text, bytes, strings, columns, modelColumns, snapshotOf, columnize };

/** Runs reader `what` on `v` (and `extra`), catching whatever it throws. */
export function read(what, v, extra) {
  try {
    return { ok: true, value: READERS[what](v, extra) };
  } catch (e) {
    let message;
    try {
      message = String(e?.message ?? e);
    } catch {
      message = 'an exception that cannot be shown';
    }
    return { ok: false, message, thrown: e };
  }
}

/** Whether a thrown value is a RapportError (an `Error` named `RapportError` with a `code`). */
export function isRapportError(e) {
  try {
    return e instanceof Error && e.name === 'RapportError' && typeof e.code === 'string';
  } catch {
    return false;
  }
}
