#!/usr/bin/env bash
# Clippy with warnings as errors: natively (every target, tests and benches included), and for
# wasm32 in both package builds, the engine (no models) and the full one.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
echo "== clippy, native" >&2
cargo clippy --all-targets -- -D warnings
echo "== clippy, wasm32 engine" >&2
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings
echo "== clippy, wasm32 full" >&2
cargo clippy --lib --target wasm32-unknown-unknown --features models -- -D warnings
