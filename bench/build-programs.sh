#!/usr/bin/env bash
# Builds every benchmark program in bench/programs three ways, skipping what is up to date:
#   wasm32-wasi at -O2 and at -O0 with scripts/wasi-cc (Debian's clang-19 + lld-19 + wasi-libc), and natively with gcc -O2.
# Output: artifacts/bench/{wasm-O2,wasm-O0}/NAME.wasm and artifacts/bench/native/NAME.
# Also builds the harness's process-measuring wrapper, bench/runners/measure.c, to artifacts/bench/measure.
# A program is rebuilt when its source, bench.h, or this script (the flags) is newer than its output.
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/.."

SRC=bench/programs
OUT=artifacts/bench
WASI_CC=scripts/wasi-cc
GCC=${GCC:-gcc}
# Default target features of clang-19 (no bulk memory, no SIMD): the code every Wasm engine must run.
WASM_FLAGS=(-fuse-ld=lld -Wl,--strip-debug -Wall -Wextra -Werror)
NATIVE_FLAGS=(-O2 -Wall -Wextra -Werror)

mkdir -p "$OUT/wasm-O2" "$OUT/wasm-O0" "$OUT/native" "$OUT/tmp"

stale() { # stale OUTPUT SOURCE: true when OUTPUT is missing or older than its inputs
  [ ! -e "$1" ] || [ "$2" -nt "$1" ] || [ "$SRC/bench.h" -nt "$1" ] || [ "$SELF" -nt "$1" ] || [ "$WASI_CC" -nt "$1" ]
}

built=0
for src in "$SRC"/*.c; do
  name=$(basename "$src" .c)
  for opt in O2 O0; do
    out="$OUT/wasm-$opt/$name.wasm"
    if stale "$out" "$src"; then
      # Built under its final file name (the linker records it as the module name), then moved into place.
      "$WASI_CC" "${WASM_FLAGS[@]}" "-$opt" -o "$OUT/tmp/$name.wasm" "$src" -lm
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
