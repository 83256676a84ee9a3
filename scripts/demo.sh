#!/usr/bin/env bash
# The main job: builds the package, scores the CDNOW sample with the CLI (printing the
# portfolio summary), then serves the demo page at http://127.0.0.1:${PORT:-8080}/www/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
bash scripts/build.sh
echo "== rapportjs score data/cdnow_sample_events.csv (first clients and the summary)"
node pkg/cli/rapportjs.mjs score data/cdnow_sample_events.csv --as-of 1998-06-30 \
  --map customer_id=clientId,date=timestamp,type=kind,amount=value > /tmp/rapport-demo.txt
head -n 11 /tmp/rapport-demo.txt
echo "…"
sed -n '/^Portfolio/,$p' /tmp/rapport-demo.txt
exec node scripts/serve.mjs "${PORT:-8080}"
