#!/usr/bin/env bash
# Installs what building and testing rapport needs, skipping whatever is already there:
# the wasm32 target, wasm-pack, the wasm-bindgen CLI matching Cargo.toml's pin, the npm
# dev dependencies (binaryen's wasm-opt, wrangler, playwright-core, typescript) and, with
# --browser, Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { echo "setup: $*" >&2; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi

cargo_install() { # name [version]
  local args=("$1")
  [ -n "${2:-}" ] && args+=(--version "$2")
  # --locked keeps the tool's tested dependency set; if a locked dependency has since been
  # yanked from the registry, fall back to a fresh resolution.
  cargo install "${args[@]}" --locked >&2 || cargo install "${args[@]}" >&2
}

if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack (about 2 minutes)"
  cargo_install wasm-pack
fi

want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (about 2 minutes)"
  cargo_install wasm-bindgen-cli "$want"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/wrangler ] || [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund >&2
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium >&2
fi
