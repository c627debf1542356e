#!/usr/bin/env bash
# Builds the wasmsharp CLI and the sample WASI program examples/hello.c (scripts/wasi-cc: clang-19 for wasm32-wasi,
# with Debian's wasi-libc), then runs it on WasmSharp with a fresh host directory mapped to /data.
# Extra arguments replace the names greeted (default: World).
# Standard output is the command line run and then the program's own output; the build says something only when
# it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if ! build_log=$(dotnet build src/WasmSharp.Cli -c Release -nologo -v quiet 2>&1); then
  echo "$build_log" >&2
  echo "error: building the wasmsharp command failed" >&2
  exit 1
fi

out=artifacts/examples
mkdir -p "$out"
scripts/wasi-cc -O2 -o "$out/hello.wasm" examples/hello.c
rm -rf "$out/data"
mkdir -p "$out/data"

names=("$@")
[ ${#names[@]} -eq 0 ] && names=(World)
echo "wasmsharp run --dir $out/data::/data --env GREETING=Hello $out/hello.wasm ${names[*]}"
exec src/WasmSharp.Cli/bin/Release/net10.0/wasmsharp run --dir "$out/data::/data" --env GREETING=Hello \
  "$out/hello.wasm" "${names[@]}"
