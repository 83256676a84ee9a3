#!/usr/bin/env bash
# Every lint CI runs on the Rust code: formatting, clippy (native and wasm32), docs.
set -euo pipefail
cd "$(dirname "$0")"
bash fmt.sh
bash clippy.sh
bash doc.sh
