#!/usr/bin/env bash
# The generated TypeScript declarations compile, and the type tests hold (misuse does not
# compile). Needs the package built into pkg/ (bash scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== tsc" >&2
tsc -p tests/types
