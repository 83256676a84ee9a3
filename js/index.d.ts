// Types of every entry point: the generated declarations plus the entry's loader.
export * from './rapport.js';
/** Browser: fetches and compiles the module (once). Node and Workers: already done; resolves at once. */
export function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** Resolves when the module is ready. */
export const ready: Promise<void>;
