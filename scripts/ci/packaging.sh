#!/usr/bin/env bash
# Packaging: packs pkg/ and installs the tarball into one small app per host (Node ESM and
# require, TypeScript, Vite build and dev, webpack, esbuild, Rollup, Next.js, wrangler dev),
# each showing a real Scorer result in Node, Chromium or workerd. Needs the package built
# (bash scripts/build.sh). Fixture dependencies are kept in target/packaging/ between runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== packaging fixtures" >&2
node --test --test-concurrency=1 tests/packaging/
