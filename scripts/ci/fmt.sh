#!/usr/bin/env bash
# Formatting: the code is as `cargo fmt` writes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
echo "== cargo fmt --check" >&2
cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --check
