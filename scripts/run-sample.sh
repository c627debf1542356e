#!/usr/bin/env bash
# Builds the wasmsharp CLI, compiles examples/fib.wat with wat2wasm and runs fib(20) on it.
# Extra arguments replace the default "--invoke fib 20", e.g. scripts/run-sample.sh --invoke fib_iter 90
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
dotnet build src/WasmSharp.Cli -c Release -nologo -v quiet -clp:NoSummary

mkdir -p artifacts/examples
wat2wasm examples/fib.wat -o artifacts/examples/fib.wasm

args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--invoke fib 20)
echo "wasmsharp run artifacts/examples/fib.wasm ${args[*]}"
exec dotnet src/WasmSharp.Cli/bin/Release/net10.0/WasmSharp.Cli.dll run artifacts/examples/fib.wasm "${args[@]}"
