#!/usr/bin/env bash
# A short native fuzzing smoke run in CI: every cargo-fuzz target for FUZZ_SECONDS (default 10)
# under AddressSanitizer. Longer runs: FUZZ_SECONDS=600 bash scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== native fuzzing (smoke)" >&2
FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash scripts/fuzz.sh
