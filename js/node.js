// Node entry: compiles the module synchronously at import, so everything is ready at once.
import { readFileSync } from 'node:fs';
import { initSync } from './rapport.js';

initSync({ module: readFileSync(new URL('./rapport_bg.wasm', import.meta.url)) });

export * from './rapport.js';
/** Already resolved here; in browsers it waits for the module. Portable code can await it. */
export const ready = Promise.resolve();
/** A no-op here (the module is loaded at import); kept so portable code runs unchanged. */
export function init() {
  return ready;
}
