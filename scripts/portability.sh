#!/usr/bin/env bash
# Builds the library and the programs with clang++ (Debian's clang) and cross-compiles
# them for 64-bit ARM with g++-aarch64-linux-gnu, both with -Wall -Wextra -Wpedantic
# -Werror as the main build: a compile check of what the default g++ x86-64 build does
# not see (clang's diagnostics, the NEON kernels, no x86-only code outside the ISA
# files). Tests are not built. Build directories: build-clang/, build-aarch64/.
#   scripts/portability.sh [clang] [aarch64]     (both without arguments)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
targets=(swaprun_shared swaprun_static swaprun swapconv)
jobs="${SWAPRUN_JOBS:-2}"
which=("$@")
((${#which[@]})) || which=(clang aarch64)

for kind in "${which[@]}"; do
  case "$kind" in
    clang)
      command -v clang++ >/dev/null || { echo "portability: clang++ is not installed" >&2; exit 1; }
      CC=clang CXX=clang++ cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release \
        -DSWAPRUN_BUILD_TESTS=OFF >/dev/null
      cmake --build build-clang -j"$jobs" --target "${targets[@]}"
      ;;
    aarch64)
      command -v aarch64-linux-gnu-g++ >/dev/null ||
        { echo "portability: g++-aarch64-linux-gnu is not installed" >&2; exit 1; }
      # swaprun embeds models converted at build time, by a swapconv that runs here.
      host_swapconv="$root/build/bin/swapconv"
      if [[ ! -x "$host_swapconv" ]]; then
        cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
        cmake --build build -j"$jobs" --target swapconv
      fi
      cmake -S . -B build-aarch64 -DCMAKE_BUILD_TYPE=Release -DSWAPRUN_BUILD_TESTS=OFF \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/aarch64-linux-gnu.cmake" \
        -DSWAPRUN_HOST_SWAPCONV="$host_swapconv" >/dev/null
      cmake --build build-aarch64 -j"$jobs" --target "${targets[@]}"
      file build-aarch64/lib/libswaprun.so.* | grep -q "ARM aarch64" ||
        { echo "portability: build-aarch64/lib/libswaprun.so is not an ARM64 library" >&2; exit 1; }
      ;;
    *)
      echo "usage: scripts/portability.sh [clang] [aarch64]" >&2
      exit 2
      ;;
  esac
  echo "portability: $kind: ok"
done
