#!/bin/sh
# Install the ONNX Runtime oracle's node modules (onnxruntime-node, CPU only).
# Idempotent and callable from any directory; does nothing once installed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if [ -d node_modules/onnxruntime-node ]; then
    exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install.sh: npm not found on PATH" >&2; exit 1; }

# The package's postinstall would otherwise try to fetch CUDA provider
# binaries; the oracle only uses the CPU provider bundled in the package.
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund
else
    npm install --no-audit --no-fund
fi

[ -d node_modules/onnxruntime-node ] || { echo "install.sh: onnxruntime-node missing after npm install" >&2; exit 1; }
