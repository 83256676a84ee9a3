// Reading files and loading the package: the CLI runs from the package's cli/ folder, beside
// its entries (node.js, full/node.js).
import { openSync, readSync, closeSync, fstatSync, readFileSync, writeFileSync } from 'node:fs';

export const tty = process.stderr.isTTY;
export const progress = (msg) => tty && process.stderr.write(`\r\x1b[K${msg}`);
export const clearProgress = () => tty && process.stderr.write('\r\x1b[K');

/** A file the user named could not be read or written: a one-line message, exit 1. */
export class FileError extends Error {}

function fileError(e, file, verb) {
  const why = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied', ENOTDIR: 'a folder on the path is not a directory' }[e.code] ?? e.message;
  return new FileError(`cannot ${verb} ${file}: ${why}`);
}

/** The package's engine, or its full build with the customer-base models. */
export function load(full) {
  return import(new URL(full ? '../full/node.js' : '../node.js', import.meta.url));
}

/** Reads `file` in chunks of 4 MiB into a CsvReader of `scorer`, showing progress on a terminal;
 * returns what the scorer ingested. */
export function ingestFile(scorer, file, csvOptions) {
  let fd;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    throw fileError(e, file, 'open');
  }
  try {
    const size = fstatSync(fd).size;
    const reader = scorer.csvReader(csvOptions);
    const chunk = Buffer.allocUnsafe(4 << 20);
    let done = 0;
    for (;;) {
      let n;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw fileError(e, file, 'read');
      }
      if (n === 0) break;
      reader.push(chunk.subarray(0, n));
      done += n;
      progress(`rapportjs: read ${reader.rows.toLocaleString()} rows (${size ? Math.round((100 * done) / size) : 100}%)`);
    }
    return scorer.ingestCsvReader(reader);
  } finally {
    closeSync(fd);
  }
}

export function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw fileError(e, file, 'read');
  }
}

/** Scorer options from a JSON file: an object, or a FileError saying why not. */
export function readOptions(file) {
  let options;
  try {
    options = JSON.parse(readText(file));
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(`${file} is not valid JSON: ${e.message}`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new FileError(`${file} must hold a JSON object of options`);
  }
  return options;
}

export function writeText(file, text) {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw fileError(e, file, 'write');
  }
}

export function csvCell(v) {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
