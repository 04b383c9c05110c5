#!/usr/bin/env bash
# Installs everything swaprun needs to build and test on Debian 12, idempotently:
# Debian packages (only the missing ones) and the pinned ONNX Runtime oracle from npm.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  cmake g++ make pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libxsimd-dev libvulkan-volk-dev libvulkan-dev glslang-tools mesa-vulkan-drivers libstb-dev
  python3 python3-numpy python3-torch python3-onnx libonnx-testdata
  python3-pil
  ffmpeg
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: run as root to install Debian packages" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash "$root/tests/oracle/install.sh"
