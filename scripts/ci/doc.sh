#!/usr/bin/env bash
# The API documentation builds without a warning (broken links included), natively and for
# wasm32, where the bindings are.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTDOCFLAGS="-D warnings"
echo "== cargo doc" >&2
cargo doc --no-deps --quiet
cargo doc --no-deps --quiet --target wasm32-unknown-unknown
