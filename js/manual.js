// Manual entry: loads nothing by itself. Call `initSync({ module })` with a WebAssembly.Module
// or bytes, or `await init(input)` with a URL, Response, bytes or Module.
import initWasm from './rapport.js';

export * from './rapport.js';
export function init(input) {
  return initWasm({ module_or_path: input }).then(() => undefined);
}
