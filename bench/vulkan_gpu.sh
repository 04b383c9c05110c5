#!/usr/bin/env bash
# The Vulkan checks and timings for a machine with a GPU, in one run: lists the
# devices, runs the Vulkan test suite (every shader against the reference kernels,
# small models against the CPU context), then bench/compare on the three generators
# (ONNX Runtime's Python package as the oracle, so the machine needs Python with numpy,
# torch, onnx and onnxruntime but not Node.js) at fp16 and fp32, and each generator's
# per-op device times. Everything it prints goes to files in OUT_DIR too.
#
#   bench/vulkan_gpu.sh OUT_DIR [--bin DIR] [--threads N] [--python PY] [--no-inswapper]
#
# --bin: swaprun, swapconv and vulkan_test, built elsewhere if need be (default
# build/bin); --threads: the CPU threads of both runtimes' CPU columns (default: all
# cores); --no-inswapper: the live models only (inswapper_128's export and runs take
# about 80 s). Each step runs even when an earlier one failed; the exit status is 1 if
# any step failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  echo "usage: bench/vulkan_gpu.sh OUT_DIR [--bin DIR] [--threads N] [--python PY] [--no-inswapper]" >&2
  exit 2
}
(($# >= 1)) || usage
out="$1"
shift
bin="$root/build/bin"
threads="$(nproc)"
python="python3"
inswapper=1
while (($#)); do
  case "$1" in
    --bin) bin="$(cd "${2:?--bin needs a folder}" && pwd)" || exit 2; shift 2 ;;
    --threads) threads="${2:?--threads needs a count}"; shift 2 ;;
    --python) python="${2:?--python needs a program}"; shift 2 ;;
    --no-inswapper) inswapper=0; shift ;;
    *) usage ;;
  esac
done
mkdir -p "$out" || exit 1
out="$(cd "$out" && pwd)"
work="$root/build/gpu"
fixtures="$root/build/fixtures"
mkdir -p "$work" "$fixtures"
failed=0

# step NAME SECONDS COMMAND...: runs COMMAND under a time limit, its output into
# OUT_DIR/NAME.log and onto the terminal.
step() {
  local name="$1" seconds="$2"
  shift 2
  echo "== $name: $*"
  local start=$SECONDS
  timeout --kill-after=10 "$seconds" "$@" 2>&1 | tee "$out/$name.log"
  local status=${PIPESTATUS[0]}
  echo "== $name: exit status $status after $((SECONDS - start)) s"
  ((status == 0)) || failed=1
}

{
  date -u +"%Y-%m-%dT%H:%M:%SZ"
  uname -srm
  grep -m1 "model name" /proc/cpuinfo
  echo "cores: $(nproc)"
  command -v nvidia-smi >/dev/null &&
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  "$python" -c 'import onnxruntime, torch; print("onnxruntime", onnxruntime.__version__, "torch", torch.__version__)'
} 2>&1 | tee "$out/machine.txt"

step devices 60 "$bin/swaprun" devices
step vulkan_test 300 "$bin/vulkan_test" --gtest_output="xml:$out/vulkan_test.xml"

compare() {  # compare NAME PRECISION MODELS ROUNDS
  step "$1" 600 "$python" "$root/bench/compare" --oracle python --bin "$bin" --fixtures "$fixtures" \
    --work "$work" --threads "$threads" --models "$3" --vulkan "$2" --rounds "$4" --repeat 10 \
    --json "$out/$1.json"
}
compare compare_live_fp16 fp16 live_mini,live_base 3

for model in live_mini live_base; do
  for precision in fp16 fp32; do
    step "profile_${model}_$precision" 120 "$bin/swaprun" infer "$work/${model}_op13.swpk" \
      --input "target=$fixtures/$model.target.npy" --input "source=$fixtures/$model.source.npy" \
      --device vulkan --precision "$precision" --repeat 10 --profile
  done
done

compare compare_live_fp32 fp32 live_mini,live_base 2
if ((inswapper)); then
  compare compare_inswapper_fp16 fp16 inswapper_128 2
  compare compare_inswapper_fp32 fp32 inswapper_128 1
fi
exit "$failed"
