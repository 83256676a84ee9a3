#!/usr/bin/env bash
# Builds the npm package into pkg/: one wasm binary, wasm-bindgen's web glue, and thin
# per-host entries (node.js, workerd.js, browser.js, manual.js) with a hand-written package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-pack runs the first wasm-opt on PATH: use npm's binaryen (Debian's 108 emits modules
# that workerd refuses to start).
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
wasm-pack build --target web --release --no-pack --out-dir pkg --out-name rapport >&2
cp js/node.js js/workerd.js js/browser.js js/manual.js js/index.d.ts js/package.json pkg/
rm -f pkg/.gitignore
echo "built pkg/ ($(wc -c < pkg/rapport_bg.wasm) bytes of wasm, $(gzip -9c pkg/rapport_bg.wasm | wc -c) gzipped)" >&2
