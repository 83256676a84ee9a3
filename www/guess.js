// Which of a file's columns holds each field of an event, guessed from common names. Used by
// the demo page (and its tests) before anything is scored; the user can correct it.

/** The fields, each with the column names that usually hold it, most telling first. */
export const FIELDS = {
  clientId: ['clientid', 'client_id', 'customer_id', 'customerid', 'customer', 'cust', 'user_id', 'userid', 'user', 'client', 'account_id', 'account', 'id'],
  timestamp: ['timestamp', 'date', 'datetime', 'time', 'created_at', 'createdat', 'order_date', 'orderdate', 'event_time', 'occurred_at', 'day'],
  kind: ['kind', 'type', 'event', 'event_type', 'eventtype', 'action'],
  value: ['value', 'amount', 'revenue', 'price', 'total', 'spend', 'sales'],
  feature: ['feature', 'page', 'module'],
};

const norm = (s) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');

/**
 * Guesses the mapping of `header` (column names). Returns `{ mapping, confident }`: `mapping`
 * maps a field to a column name (or is missing the field), `confident` is true when the client
 * id and the timestamp were both found by name. Without a kind column every row is a purchase.
 */
export function guessColumns(header) {
  const cols = header.map((h) => ({ name: h, key: norm(h) }));
  const used = new Set();
  const mapping = {};
  for (const [field, names] of Object.entries(FIELDS)) {
    for (const n of names) {
      const hit = cols.find((c) => c.key === n && !used.has(c.name));
      if (hit) {
        mapping[field] = hit.name;
        used.add(hit.name);
        break;
      }
    }
  }
  return { mapping, confident: Boolean(mapping.clientId && mapping.timestamp) };
}

/** The fields of one CSV line (quotes as RFC 4180 has them; no line break inside a field). */
export function splitCsvLine(line, delimiter = ',') {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The CSV options of a mapping: rapport's `columns`, and `kind: 'purchase'` without a kind. */
export function csvOptions(mapping, delimiter = ',') {
  const columns = {};
  for (const [field, col] of Object.entries(mapping)) if (col) columns[field] = col;
  const o = { columns, delimiter };
  if (!mapping.kind) o.kind = 'purchase';
  return o;
}
