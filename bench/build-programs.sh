#!/usr/bin/env bash
# Builds every benchmark program in bench/programs four ways, skipping what is up to date:
#   wasm32-wasi at -O2, at -O0 and at -O2 -msimd128 ("O2-simd") with scripts/wasi-cc (Debian's clang-19 + lld-19 +
#   wasi-libc), and natively with gcc -O2.
# Output: artifacts/bench/{wasm-O2,wasm-O0,wasm-O2-simd}/NAME.wasm and artifacts/bench/native/NAME.
# Also builds the harness's process-measuring wrapper, bench/runners/measure.c, to artifacts/bench/measure.
# A program is rebuilt when its source, bench.h, or this script (the flags) is newer than its output.
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/.."

SRC=bench/programs
OUT=artifacts/bench
WASI_CC=scripts/wasi-cc
GCC=${GCC:-gcc}
# Default target features of clang-19 (no bulk memory, no SIMD): the code every Wasm engine must run. The O2-simd
# build adds only -msimd128, so that clang's loop and SLP vectorisers emit v128 code: set beside the O2 build of
# the same source, it shows what an engine gains from Wasm SIMD.
WASM_FLAGS=(-fuse-ld=lld -Wl,--strip-debug -Wall -Wextra -Werror)
# The harness's build names (its --opt values) and their compiler flags.
declare -A OPT_FLAGS=([O2]="-O2" [O0]="-O0" [O2-simd]="-O2 -msimd128")
NATIVE_FLAGS=(-O2 -Wall -Wextra -Werror)

mkdir -p "$OUT/wasm-O2" "$OUT/wasm-O0" "$OUT/wasm-O2-simd" "$OUT/native" "$OUT/tmp"

stale() { # stale OUTPUT SOURCE: true when OUTPUT is missing or older than its inputs
  [ ! -e "$1" ] || [ "$2" -nt "$1" ] || [ "$SRC/bench.h" -nt "$1" ] || [ "$SELF" -nt "$1" ] || [ "$WASI_CC" -nt "$1" ]
}

built=0
for src in "$SRC"/*.c; do
  name=$(basename "$src" .c)
  for opt in O2 O0 O2-simd; do
    out="$OUT/wasm-$opt/$name.wasm"
    if stale "$out" "$src"; then
      read -ra flags <<<"${OPT_FLAGS[$opt]}"
      # Built under its final file name (the linker records it as the module name), then moved into place.
      "$WASI_CC" "${WASM_FLAGS[@]}" "${flags[@]}" -o "$OUT/tmp/$name.wasm" "$src" -lm
      mv "$OUT/tmp/$name.wasm" "$out"
      built=$((built + 1))
    fi
  done
  out="$OUT/native/$name"
  if stale "$out" "$src"; then
    "$GCC" "${NATIVE_FLAGS[@]}" -o "$OUT/tmp/$name" "$src" -lm
    mv "$OUT/tmp/$name" "$out"
    built=$((built + 1))
  fi
done
measure=bench/runners/measure.c
if [ ! -e "$OUT/measure" ] || [ "$measure" -nt "$OUT/measure" ] || [ "$SELF" -nt "$OUT/measure" ]; then
  "$GCC" "${NATIVE_FLAGS[@]}" -o "$OUT/tmp/measure" "$measure"
  mv "$OUT/tmp/measure" "$OUT/measure"
  built=$((built + 1))
fi

[ "$built" -gt 0 ] && echo "build-programs: built $built binaries in $OUT" >&2
exit 0
