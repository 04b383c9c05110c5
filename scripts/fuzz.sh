#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/, clang with ASan and UBSan) and runs each of
# them for a bounded time: 60 s under the ctest label `fuzz` (the default), 30 min each
# under `fuzz-long` (scripts/fuzz.sh --long). Any crash, leak, timeout or out-of-memory
# fails the run; the input that caused it is saved in build-fuzz/fuzz_findings/TARGET/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
label=fuzz
for arg in "$@"; do
  case "$arg" in
    --long) label=fuzz-long ;;
    *) echo "usage: scripts/fuzz.sh [--long]" >&2; exit 2 ;;
  esac
done

# Warnings are the g++ build's business (-Werror there); clang here only instruments.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSWAPRUN_FUZZ=ON -DSWAPRUN_BUILD_TESTS=OFF -DSWAPRUN_WERROR=OFF >/dev/null
targets=(fuzz_corpora)
for source in "$root"/fuzz/fuzz_*.cpp; do
  name="$(basename "$source" .cpp)"
  [ "$name" = fuzz_seeds ] || targets+=("$name")
done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
cd "$build"
ctest --output-on-failure -j"$(nproc)" -L "^${label}\$"
# The executions each target ran (the figures docs/hardening.md quotes).
for log in "$build"/fuzz_findings/*/last_run.log; do
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  echo "fuzz_$(basename "$(dirname "$log")"): ${runs:-?} executions"
done
