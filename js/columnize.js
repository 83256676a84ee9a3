// Part of the binding layer: turns an array of event objects into typed columns in one pass
// of plain JavaScript, so the objects cross into wasm as a handful of arrays rather than one
// boundary call per field. It only sorts values by type; every check is made in Rust. A row
// whose fields are not of the plain expected types is listed in `slow` and read in Rust field by
// field, so its error (or its acceptance) is exactly what the per-object path gives.
// The flag bits come from the core (`input::records::flags`) as `F`.
const NONE = 0xffffffff;

export function columnize(events, F) {
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
  for (let i = 0; i < n; i++) {
    const e = events[i];
    if (e === null || typeof e !== 'object' || Array.isArray(e)) {
      slow.push(i);
      continue;
    }
    const c = e.clientId;
    const t = e.timestamp;
    const k = e.kind;
    const f = e.feature;
    const v = e.value;
    const m = e.messages;
    const cost = e.cost;
    const r = e.reopened;
    let bits = 0;
    if (typeof c === 'string') clientIndex[i] = intern(clientSeen, clientIds, c);
    else if (isNum(c) && Number.isSafeInteger(c)) clientIndex[i] = intern(clientSeen, clientIds, String(c));
    else if (absent(c)) clientIndex[i] = NONE;
    else {
      slow.push(i);
      continue;
    }
    if (isNum(t)) timestamps[i] = t;
    else if (typeof t === 'string' && !t.includes('\n')) {
      bits |= F.TIMESTAMP_TEXT;
      timestampTexts.push(t);
    } else if (absent(t)) timestamps[i] = NaN, (bits |= F.NO_TIMESTAMP);
    else {
      slow.push(i);
      if (bits & F.TIMESTAMP_TEXT) timestampTexts.pop();
      continue;
    }
    const fast =
      (typeof k === 'string' || absent(k)) &&
      (typeof f === 'string' || absent(f)) &&
      (isNum(v) || absent(v)) &&
      (isNum(m) || absent(m)) &&
      (isNum(cost) || absent(cost)) &&
      (typeof r === 'boolean' || absent(r));
    if (!fast) {
      slow.push(i);
      if (bits & F.TIMESTAMP_TEXT) timestampTexts.pop();
      continue;
    }
    kindIndex[i] = absent(k) ? NONE : intern(kindSeen, kinds, k);
    featureIndex[i] = absent(f) ? NONE : intern(featureSeen, features, f);
    if (isNum(v)) (values[i] = v), (bits |= F.VALUE);
    if (isNum(m)) (messages[i] = m), (bits |= F.MESSAGES);
    if (isNum(cost)) (costs[i] = cost), (bits |= F.COST);
    if (typeof r === 'boolean') bits |= r ? F.REOPENED_GIVEN | F.REOPENED_TRUE : F.REOPENED_GIVEN;
    flags[i] = bits;
  }
  return {
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
  };
}
