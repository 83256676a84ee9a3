// Browser and bundler entry: the module is fetched and compiled asynchronously (browsers refuse
// large synchronous compiles on the main thread). Nothing is fetched at import: the first
// `init(input?)` loads the module (from `input`, or from the .wasm beside this file), and later
// calls return the same promise. `ready` settles with that first load.
import initWasm from './rapport.js';

export * from './rapport.js';

let settle;
let loading;
/** Settles when the first `init()` has loaded the module. */
export const ready = new Promise((resolve, reject) => (settle = { resolve, reject }));
// A failed load is reported once, by the promise `init()` returned; `ready` alone does not
// raise an unhandled rejection.
ready.catch(() => {});

/** Loads the module once; `input` may be a URL, a Response, bytes or a WebAssembly.Module. */
export function init(input) {
  loading ??= initWasm({ module_or_path: input ?? new URL('./rapport_bg.wasm', import.meta.url) }).then(
    () => settle.resolve(),
    (e) => {
      settle.reject(e);
      throw e;
    },
  );
  return loading;
}
