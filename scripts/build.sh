#!/usr/bin/env bash
# Builds the npm package `rapportjs` into pkg/: one wasm binary per build, wasm-bindgen's web
# glue, thin per-host entries (node.js, workerd.js, browser.js, manual.js) with their
# declarations, the CLI, and a hand-written package.json. `npm pack pkg` makes the tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-pack runs the first wasm-opt on PATH: use npm's binaryen (Debian's 108 emits modules
# that workerd refuses to start).
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Two builds of one crate: the engine (`rapportjs`), small for the edge, and the engine with the
# customer-base models (`rapportjs/full`). Each directory gets the same per-host entries.
# From an empty pkg/, so that nothing a former build left (a removed snippet) is packed.
rm -rf pkg
wasm-pack build --target web --release --no-pack --out-dir pkg --out-name rapport -- --no-default-features >&2
wasm-pack build --target web --release --no-pack --out-dir pkg/full --out-name rapport -- --features models >&2
for dir in pkg pkg/full; do
  # wasm-bindgen declares `[Symbol.dispose]()`, which TypeScript only knows with lib esnext:
  # a strict app on es2022 would fail on our declarations. The method stays at run time.
  sed -i '/\[Symbol\.dispose\](): void;/d' "$dir/rapport.d.ts"
  cp js/node.js js/workerd.js js/browser.js js/manual.js js/index.d.ts js/manual.d.ts js/worker.js js/worker.d.ts js/scorer-worker.js js/transfer.js "$dir/"
  rm -f "$dir/.gitignore"
  echo "built $dir/ ($(wc -c < "$dir/rapport_bg.wasm") bytes of wasm, $(gzip -9c "$dir/rapport_bg.wasm" | wc -c) gzipped)" >&2
done
rm -rf pkg/cli && cp -r cli pkg/cli
cp js/package.json js/README.md LICENSE-MIT LICENSE-APACHE pkg/
# The demo page's charting library (Chart.js, MIT), served with the page: nothing is fetched
# from another origin.
mkdir -p www/vendor && cp node_modules/chart.js/dist/chart.umd.min.js www/vendor/
