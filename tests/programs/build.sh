#!/usr/bin/env bash
# Builds the C test programs of tests/programs four times: three times for wasm32-wasi with scripts/wasi-cc
# (Debian's clang-19 and wasi-libc): artifacts/programs/wasm/NAME.wasm (-O1, with DWARF and a name section),
# artifacts/programs/wasm-simd/NAME.wasm (-O2 -msimd128: clang vectorises loops into v128 code) and
# artifacts/programs/wasm-O0/NAME.wasm (unoptimised: every variable in a stack frame in linear memory); and natively
# with gcc (artifacts/programs/native/NAME). Programs listed in WASM_ONLY use WASI directly and have no native build.
# Rebuilds only what is out of date. Fails (exit 1) if a compiler is missing: run scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
out=${WASMSHARP_PROGRAMS_OUT:-$root/artifacts/programs}
WASM_ONLY=" sandbox "

WASI_CC=$root/scripts/wasi-cc
CC_NATIVE=${CC_NATIVE:-gcc}
for tool in "${CLANG:-clang-19}" "$CC_NATIVE"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool not found; run scripts/install-deps.sh" >&2
    exit 1
  fi
done

mkdir -p "$out/wasm" "$out/wasm-simd" "$out/wasm-O0" "$out/native"
status=0
for src in *.c; do
  name=${src%.c}
  wasm=$out/wasm/$name.wasm
  if [ ! -e "$wasm" ] || [ "$src" -nt "$wasm" ] || [ common.h -nt "$wasm" ] || [ "$WASI_CC" -nt "$wasm" ]; then
    echo "build.sh: wasi-cc $src" >&2
    "$WASI_CC" -O1 -g -Wall -Werror -o "$wasm.tmp" "$src" && mv "$wasm.tmp" "$wasm" || status=1
  fi
  simd=$out/wasm-simd/$name.wasm
  if [ ! -e "$simd" ] || [ "$src" -nt "$simd" ] || [ common.h -nt "$simd" ] || [ "$WASI_CC" -nt "$simd" ]; then
    echo "build.sh: wasi-cc -O2 -msimd128 $src" >&2
    "$WASI_CC" -O2 -msimd128 -g -Wall -Werror -o "$simd.tmp" "$src" && mv "$simd.tmp" "$simd" || status=1
  fi
  o0=$out/wasm-O0/$name.wasm
  if [ ! -e "$o0" ] || [ "$src" -nt "$o0" ] || [ common.h -nt "$o0" ] || [ "$WASI_CC" -nt "$o0" ]; then
    echo "build.sh: wasi-cc -O0 $src" >&2
    "$WASI_CC" -O0 -Wall -Werror -o "$o0.tmp" "$src" && mv "$o0.tmp" "$o0" || status=1
  fi
  [[ "$WASM_ONLY" == *" $name "* ]] && continue
  native=$out/native/$name
  if [ ! -e "$native" ] || [ "$src" -nt "$native" ] || [ common.h -nt "$native" ]; then
    echo "build.sh: $CC_NATIVE $src" >&2
    "$CC_NATIVE" -O1 -g -Wall -Werror -o "$native.tmp" "$src" && mv "$native.tmp" "$native" || status=1
  fi
done
exit $status
