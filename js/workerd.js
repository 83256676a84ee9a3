// Cloudflare Workers (workerd) entry: wrangler hands over the .wasm as a compiled
// WebAssembly.Module (workerd cannot compile wasm from bytes at run time).
import module from './rapport_bg.wasm';
import { initSync } from './rapport.js';

initSync({ module });

export * from './rapport.js';
export const ready = Promise.resolve();
export function init() {
  return ready;
}
