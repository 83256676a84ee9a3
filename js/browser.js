// Browser and bundler entry: the module is fetched and compiled asynchronously (browsers refuse
// large synchronous compiles on the main thread). Await `init()` (or `ready`) before use.
import initWasm from './rapport.js';

export * from './rapport.js';

let loading;
/** Loads the module once; `input` may be a URL, a Response, bytes or a WebAssembly.Module. */
export function init(input) {
  loading ??= initWasm({ module_or_path: input ?? new URL('./rapport_bg.wasm', import.meta.url) });
  return loading.then(() => undefined);
}
/** Resolves once `init()` has loaded the module. */
export const ready = new Promise((resolve, reject) => {
  queueMicrotask(() => {
    if (!loading) init().then(resolve, reject);
    else loading.then(() => resolve(undefined), reject);
  });
});
