#!/usr/bin/env bash
# Runs every test: native Rust (unit, property, integration), then the built package in Node,
# the CLI, TypeScript type checks, headless Chromium (the demo page) and workerd (the example
# Worker under wrangler dev). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh --browser
echo "== native tests" >&2
cargo test --all-targets
echo "== build the package" >&2
bash scripts/build.sh
# The Worker example resolves `rapport` through pkg/'s package.json, as an app would.
npm install --prefix worker --no-audit --no-fund --silent >&2
echo "== TypeScript types" >&2
tsc -p tests/types
echo "== Node, CLI, browser and Worker tests" >&2
node --test --test-concurrency=1 tests/js/
