// Rows of a score table (`scorer.scoreTable()`), one client at a time: as CSV cells, as an
// object for NDJSON, as a line of the terminal table. Columns are the table's own, so a column
// added to the table appears here by itself; codes become their names, days become dates.

/** Columns holding a day (epoch milliseconds at UTC midnight) and those holding 0 or 1. */
const DATES = new Set(['firstActive', 'lastActive']);
const FLAGS = new Set(['healthy', 'worthProposing']);
/** The code of a categorical column for "none". */
const NONE = 255;

const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

/** A reader of one column: its value at row `k` as JSON would hold it (null when unknown). */
function reader(table, name) {
  const col = table.columns[name];
  const names = table.names[name];
  if (names) return (k) => (col[k] === NONE ? null : names[col[k]]);
  if (DATES.has(name)) return (k) => day(col[k]);
  if (FLAGS.has(name)) return (k) => col[k] === 1;
  if (name === 'rfm') return (k) => (col[k] === 0 ? null : String(col[k]));
  if (col instanceof Float32Array) {
    // Scores are kept to one decimal: the float's nearest one-decimal number is the score.
    return (k) => (Number.isNaN(col[k]) ? null : Math.round(col[k] * 10) / 10);
  }
  return (k) => (Number.isNaN(col[k]) ? null : col[k]);
}

/** The table's columns, each with its CSV header and its reader. */
export function columns(table) {
  return Object.keys(table.columns).map((name) => ({ name, header: snake(name), read: reader(table, name) }));
}

/** Row `k` as an object: the client id, then every column. */
export function rowObject(table, cols, k) {
  const o = { clientId: table.clientIds[k] };
  for (const c of cols) o[c.name] = c.read(k);
  return o;
}

/** The explanations of the table's clients, `size` at a time, in the table's order. */
export function* explanations(scorer, table, options, size = 2000) {
  for (let k = 0; k < table.clientIds.length; k += size) {
    yield* scorer.explainMany(table.clientIds.slice(k, k + size), options);
  }
}
