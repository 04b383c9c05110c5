#!/usr/bin/python3
"""`swapconv --info` on a full-size generator must report its budget: parameters (the
graph's constants) and multiply-accumulates per frame, within a relative tolerance.

usage: check_info.py SWAPCONV MODEL.onnx PARAMS MACS TOLERANCE
"""
import re
import subprocess
import sys

swapconv, model, params, macs, tolerance = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
out = subprocess.run([swapconv, "--info", model], capture_output=True, text=True)
if out.returncode != 0:
    sys.exit(f"FAILED: swapconv --info exited {out.returncode}: {out.stderr}")
got_params = int(re.search(r"^parameters: .*\((\d+)\)", out.stdout, re.M).group(1))
got_macs = int(re.search(r"^MACs: .*\((\d+)\)", out.stdout, re.M).group(1))
print(f"{model}: {got_params / 1e6:.2f}M parameters (budget {params / 1e6:.1f}M), "
      f"{got_macs / 1e9:.2f} GMACs (budget {macs / 1e9:.1f} G)")
failed = False
for name, got, want in (("parameters", got_params, params), ("MACs", got_macs, macs)):
    if abs(got - want) > tolerance * want:
        print(f"FAILED: {name} {got} is more than {tolerance:.1%} from {want:.0f}")
        failed = True
sys.exit(1 if failed else 0)
