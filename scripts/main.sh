#!/usr/bin/env bash
# The main job on the embedded default: export the reference generators, convert them,
# run them, and report parameters, MACs, ms per frame and the error against ONNX Runtime.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
/usr/bin/python3 "$root/tools/model_report.py" --bin "$root/build/bin" --work "$root/build/report" "$@"
