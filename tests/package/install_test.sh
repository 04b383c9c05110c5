#!/usr/bin/env bash
# Installs swaprun into a temporary prefix and builds the examples against it four
# ways (CMake package shared and static, pkg-config shared and static), then runs
# each build: swap_face on the sample portrait with seeded test models, run_model on
# a raw .swpk.
#   install_test.sh BUILD_DIR WORK_DIR MODELS_TOOL   (run from the project root)
set -euo pipefail
build="$1"
work="$2"
models_tool="$3"
root="$(pwd)"
prefix="$work/prefix"
rm -rf "$work"
mkdir -p "$work"

fail() {
  echo "install_test: $*" >&2
  exit 1
}

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
libdir="$(dirname "$(find "$prefix" -name 'libswaprun.a' | head -1)")"
[ -n "$libdir" ] || fail "libswaprun.a was not installed"
for f in include/swaprun/swaprun.h include/swaprun/swaprun.hpp include/swaprun/pipeline.h \
         bin/swaprun bin/swapconv; do
  [ -e "$prefix/$f" ] || fail "$f was not installed"
done
for f in libswaprun.so libswaprun.so.0 pkgconfig/swaprun.pc cmake/swaprun/swaprunConfig.cmake \
         cmake/swaprun/swaprunConfigVersion.cmake; do
  [ -e "$libdir/$f" ] || fail "$libdir/$f was not installed"
done

"$models_tool" "$work/models" >/dev/null
image="$root/data/astronaut.png"

# Runs one build's two programs; $1 names the build, $2 its directory, $3 "shared"
# or "static" (what the programs must, or must not, load at run time).
check_build() {
  local name="$1" dir="$2" kind="$3"
  for program in swap_face run_model; do
    # Captured first: grep -q may stop reading early, and pipefail would see ldd's SIGPIPE.
    local libraries
    libraries="$(ldd "$dir/$program")"
    if grep -q libswaprun <<<"$libraries"; then
      [ "$kind" = shared ] || fail "$name: $program loads libswaprun.so"
    else
      [ "$kind" = static ] || fail "$name: $program does not load libswaprun.so"
    fi
  done
  local out="$work/$name.png"
  "$dir/swap_face" "$work/models" "$image" "$image" "$out" >"$work/$name.swap.log" 2>&1 ||
    fail "$name: swap_face failed: $(cat "$work/$name.swap.log")"
  grep -q "^1 face(s) found" "$work/$name.swap.log" ||
    fail "$name: swap_face: $(cat "$work/$name.swap.log")"
  [ -s "$out" ] || fail "$name: swap_face wrote no image"
  cmp -s "$out" "$image" && fail "$name: the output image is the input"
  "$dir/run_model" "$work/models/inswapper_128.swpk" >"$work/$name.run.log" 2>&1 ||
    fail "$name: run_model failed: $(cat "$work/$name.run.log")"
  grep -q "^output .* \[1, 3, 128, 128\] min" "$work/$name.run.log" ||
    fail "$name: run_model: $(cat "$work/$name.run.log")"
  # A damaged model: a clear message and a non-zero exit.
  head -c 1000 "$work/models/inswapper_128.swpk" >"$work/cut.swpk"
  if "$dir/run_model" "$work/cut.swpk" >"$work/$name.cut.log" 2>&1; then
    fail "$name: run_model accepted a truncated model"
  fi
  grep -q "SWR_ERROR_FORMAT" "$work/$name.cut.log" || fail "$name: $(cat "$work/$name.cut.log")"
  echo "install_test: $name: ok"
}

# find_package(swaprun CONFIG)
for link in shared static; do
  cmake -S "$root/examples" -B "$work/cmake-$link" -DCMAKE_PREFIX_PATH="$prefix" \
    -DSWAPRUN_LINK="$link" -DCMAKE_BUILD_TYPE=Release >"$work/cmake-$link.log" 2>&1 ||
    fail "cmake-$link: configure failed: $(cat "$work/cmake-$link.log")"
  cmake --build "$work/cmake-$link" -j2 >>"$work/cmake-$link.log" 2>&1 ||
    fail "cmake-$link: build failed: $(tail -30 "$work/cmake-$link.log")"
  check_build "cmake-$link" "$work/cmake-$link" "$link"
done

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ "$(pkg-config --modversion swaprun)" = "$(sed -n 's/^Version: //p' "$libdir/pkgconfig/swaprun.pc")" ] ||
  fail "pkg-config does not read swaprun.pc"
stb_include=/usr/include
cflags="$(pkg-config --cflags swaprun)"
for link in shared static; do
  dir="$work/pkgconfig-$link"
  mkdir -p "$dir"
  if [ "$link" = shared ]; then
    libs="$(pkg-config --libs swaprun) -Wl,-rpath,$libdir"
  else
    # -Bstatic picks libswaprun.a over the .so; the private libraries stay shared.
    libs="-Wl,-Bstatic $(pkg-config --libs-only-L swaprun) -lswaprun -Wl,-Bdynamic \
          $(pkg-config --static --libs swaprun | sed 's/-lswaprun//; s/-L[^ ]*//g')"
  fi
  cc -c -w -I"$stb_include" "$root/examples/stb_implementation.c" -o "$dir/stb.o"
  # shellcheck disable=SC2086
  cc -std=c99 -Wall -Wextra -Wpedantic -Werror $cflags "$root/examples/swap_face.c" "$dir/stb.o" \
    -o "$dir/swap_face" $libs -lm 2>"$dir/build.log" ||
    fail "pkgconfig-$link: swap_face: $(cat "$dir/build.log")"
  # shellcheck disable=SC2086
  c++ -std=c++20 -Wall -Wextra -Wpedantic -Werror $cflags "$root/examples/run_model.cpp" \
    -o "$dir/run_model" $libs 2>"$dir/build.log" ||
    fail "pkgconfig-$link: run_model: $(cat "$dir/build.log")"
  check_build "pkgconfig-$link" "$dir" "$link"
done
