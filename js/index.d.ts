// Types of the host entries (Node, Workers, browsers): the generated declarations plus the
// entry's loader.
export * from './rapport.js';
/** Browsers and bundlers: loads the module on the first call (from `input`, or from the .wasm
 * beside the entry). Node and Workers: already loaded at import; resolves at once. */
export function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** Settles when the module is ready (browsers: after the first `init()`). */
export const ready: Promise<void>;
