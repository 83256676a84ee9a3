// What the scoring commands share: a scorer built from the flags, with the file ingested.
import { pairs } from '../args.mjs';
import { ingestFile, readOptions } from '../io.mjs';

/** The CSV options the flags ask for. `--map theirs=ours` maps the file's column to our field. */
export function csvOptions(values) {
  const o = { columns: Object.fromEntries(pairs(values.map, 'map').map(([theirs, ours]) => [ours, theirs])) };
  if (values.delimiter !== undefined) o.delimiter = values.delimiter;
  if (values.kind !== undefined) o.kind = values.kind;
  return o;
}

/** A scorer with the flags' options, and the file ingested into it. `check(scorer)`, called on
 * the scorer while it is still empty, lets the core refuse the command's own options before
 * the file is read (an empty scorer then answers EMPTY_INPUT, which is expected). */
export function scorerFor(file, values, { Scorer }, check = () => {}) {
  const options = values.options ? readOptions(values.options) : {};
  if (values.lenient) options.mode = 'lenient';
  if (values['as-of'] !== undefined) options.asOf = values['as-of'];
  if (values['business-model'] !== undefined) options.businessModel = values['business-model'];
  const scorer = new Scorer(options);
  try {
    check(scorer);
  } catch (e) {
    if (e?.code !== 'EMPTY_INPUT') throw e;
  }
  ingestFile(scorer, file, csvOptions(values));
  return scorer;
}
