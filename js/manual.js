// Manual entry: loads nothing by itself. Pass the module to `init(input)` (a URL, Response,
// bytes or WebAssembly.Module), or to `initSync({ module })` (bytes or a WebAssembly.Module).
import initWasm from './rapport.js';

export * from './rapport.js';

/** Loads the module from `input`; resolves once it is ready. */
export function init(input) {
  if (input === undefined) return Promise.reject(new TypeError('init(input) needs the .wasm: a URL, Response, bytes or WebAssembly.Module'));
  return initWasm({ module_or_path: input }).then(() => undefined);
}
