// Node entry: compiles the module synchronously at import, so everything is ready at once (and
// `require()` works on Node 20.19+: there is no top-level await).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initSync } from './rapport.js';

function wasmBytes() {
  try {
    return readFileSync(new URL('./rapport_bg.wasm', import.meta.url));
  } catch (first) {
    // Some bundlers rewrite the URL above into one of their own assets: Next.js (Turbopack)
    // makes it "/_next/static/media/…", which is no file. The module's own location still is.
    const here = String(import.meta.url);
    if (!here.startsWith('file:')) throw first;
    return readFileSync(fileURLToPath(here.slice(0, here.lastIndexOf('/') + 1) + 'rapport_bg.wasm'));
  }
}

initSync({ module: wasmBytes() });

export * from './rapport.js';
/** Already resolved here; in browsers it waits for the first `init()`. Portable code can await it. */
export const ready = Promise.resolve();
/** A no-op here (the module is loaded at import); kept so portable code runs unchanged. */
export function init() {
  return ready;
}
