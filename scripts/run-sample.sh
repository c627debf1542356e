#!/usr/bin/env bash
# Builds the wasmsharp CLI and the sample WASI program examples/hello.c (clang-19 --target=wasm32-wasi, from
# Debian's wasi-libc), then runs it on WasmSharp with a fresh host directory mapped to /data.
# Extra arguments replace the names greeted (default: World).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
dotnet build src/WasmSharp.Cli -c Release -nologo -v quiet -clp:NoSummary

out=artifacts/examples
mkdir -p "$out"
clang-19 --target=wasm32-wasi -O2 -o "$out/hello.wasm" examples/hello.c
rm -rf "$out/data"
mkdir -p "$out/data"

names=("$@")
[ ${#names[@]} -eq 0 ] && names=(World)
echo "wasmsharp run --dir $out/data::/data --env GREETING=Hello $out/hello.wasm ${names[*]}"
exec dotnet src/WasmSharp.Cli/bin/Release/net10.0/WasmSharp.Cli.dll run --dir "$out/data::/data" --env GREETING=Hello \
  "$out/hello.wasm" "${names[@]}"
