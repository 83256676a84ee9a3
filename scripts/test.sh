#!/usr/bin/env bash
# Runs every check: the lints (fmt, clippy native and wasm32, docs), native Rust tests (unit,
# property, integration), then the built package in Node, the CLI, TypeScript type checks,
# headless Chromium (the demo page), workerd (the example Worker under wrangler dev), the
# property tests of hostile inputs, the packaging fixtures (the packed tarball installed into
# one small app per host) and a short native fuzzing run. Installs what is missing first. Each
# step is a script under scripts/ci/ that can be run alone.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh --browser
bash scripts/ci/lint.sh
echo "== native tests" >&2
cargo test --all-targets
echo "== build the package" >&2
bash scripts/build.sh
# The Worker example resolves the package through pkg/'s package.json, as an app would.
npm install --prefix worker --no-audit --no-fund --silent >&2
bash scripts/ci/types.sh
echo "== Node, CLI, browser and Worker tests" >&2
node --test --test-concurrency=1 tests/js/
bash scripts/ci/packaging.sh
bash scripts/ci/fuzz.sh
