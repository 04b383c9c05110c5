#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time:
#   run_fuzzer.sh TARGET SECONDS CORPUS_DIR FINDINGS_DIR SEED_DIR [REGRESSION_DIR]
# The regression inputs run first (each must pass), then the fuzzer runs from the seeds
# and the corpus. Any crash, leak, timeout or out-of-memory fails with the input saved in
# FINDINGS_DIR. The last line gives the executions run, for docs/hardening.md.
set -euo pipefail
target="$1" seconds="$2" corpus="$3" findings="$4" seeds="$5" regressions="${6:-}"
mkdir -p "$corpus" "$findings"
name="$(basename "$target")"
if [ -n "$regressions" ] && [ -d "$regressions" ]; then
  mapfile -t inputs < <(find "$regressions" -type f | sort)
  if ((${#inputs[@]})); then
    "$target" -runs=0 "${inputs[@]}" >/dev/null 2>&1 || {
      echo "$name: a regression input in $regressions fails again" >&2
      "$target" -runs=0 "${inputs[@]}"
      exit 1
    }
  fi
fi
log="$findings/last_run.log"
status=0
# A run from a fixed seed is reproducible only from the same starting corpus, in the same
# order, in the same process image. So it starts from an empty corpus; the seeds go in as
# a sorted list (libFuzzer reads a directory in the file system's order, which differs
# between machines); and the target runs from the build directory with relative paths, a
# fixed environment and no address randomization (setarch -R), because pointer
# comparisons feed the mutations (the build strips source paths: CMakeLists.txt).
if [ "${SWAPRUN_FUZZ_SEED:-0}" != 0 ]; then
  rm -rf "$corpus"
  mkdir -p "$corpus"
fi
workdir="$(dirname "$(dirname "$findings")")"
relative() { realpath -m --relative-to="$workdir" "$1"; }
seed_list="$findings/seed_inputs.txt"
(cd "$workdir" && find "$(relative "$seeds")" -type f ! -name '.*' | LC_ALL=C sort | paste -sd, -) \
  >"$seed_list"
fixed_layout=(setarch -R)
if ! setarch -R true 2>/dev/null; then
  echo "$name: setarch -R is not available: this run's mutations depend on the address layout" >&2
  fixed_layout=()
fi
# -timeout: one input may take at most 10 s; -rss_limit_mb and -malloc_limit_mb: 2 GB;
# -max_len covers the seeds (the ONNX ones reach a few kB).
# SWAPRUN_FUZZ_SEED: libFuzzer's random seed (0 or unset: a new one each run);
# SWAPRUN_FUZZ_RUNS: executions at most (-1 or unset: until the time is up).
# -reload=0: the corpus is not re-read while the run goes on (nothing else writes to it).
(cd "$workdir" &&
  env -i PATH=/usr/local/bin:/usr/bin:/bin ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
    "${fixed_layout[@]}" "./$(relative "$target")" "$(relative "$corpus")" \
    -seed_inputs="@$(relative "$seed_list")" -reload=0 -seed="${SWAPRUN_FUZZ_SEED:-0}" \
    -runs="${SWAPRUN_FUZZ_RUNS:--1}" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$(relative "$findings")/") >"$log" 2>&1 || status=$?
runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
if ((status != 0)); then
  tail -n 60 "$log" >&2
  echo "$name: FAILED (exit $status); the input is saved in $findings/" >&2
  exit 1
fi
echo "$name: ${runs:-?} executions in ${seconds} s, no findings"
