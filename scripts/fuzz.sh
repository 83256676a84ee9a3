#!/usr/bin/env bash
# Native fuzzing of the core's entry points (fuzz/fuzz_targets/: events as JSON and as CSV in
# chunks, snapshot bytes, options, model inputs) with libFuzzer through cargo fuzz, under
# AddressSanitizer. cargo fuzz needs nightly flags; on the stable toolchain RUSTC_BOOTSTRAP=1
# lets them through. Each target runs for FUZZ_SECONDS (default 30), starting from the seeds in
# fuzz/seeds/ and the corpus kept in fuzz/corpus/ between runs; a crash stops the script and
# leaves its input in fuzz/artifacts/.
#   bash scripts/fuzz.sh                  # every target, 30 s each
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh snapshot
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-30}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked >&2
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(events_json events_csv snapshot options models)
cd fuzz
cargo fuzz build -O >&2
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  out=$(cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1) || {
    echo "$out" | tail -40 >&2
    echo "fuzz: $t found a crash (see fuzz/artifacts/$t/)" >&2
    exit 1
  }
  runs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
  echo "fuzz: $t: $runs runs in ${seconds} s, no crash" >&2
done
