// Types of the manual entry: the generated declarations, and a loader that needs the module.
export * from './rapport.js';
/** Loads the module from `input` (a URL, Response, bytes or WebAssembly.Module); call it, or
 * `initSync({ module })`, before anything else. */
export function init(input: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;
