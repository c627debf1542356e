#!/usr/bin/env bash
# Builds WasmSharp in Release and runs every test: the C test programs (tests/programs/build.sh, for wasm32-wasi
# and natively), the unit tests (dotnet test, which runs those programs both ways and compares them), and the
# WebAssembly spec testsuite (wasmsharp wast ../shared/testsuite/core as Wasm 2.0, then the multi-memory proposal
# and component model scripts; read in place), once on the interpreter and
# twice on the native engine (--engine llvm, with explicit bounds checks and with guard pages). If WASI_TESTSUITE names a
# checkout of WebAssembly/wasi-testsuite (prod/testsuite-base branch), its preview1 tests run too.
# The last line of output is the grand total, "N passed, N failed, N skipped"; the exit code is 1 if anything
# failed. A step that breaks down without results (build error, crash) counts as one failure.
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=../shared/testsuite/core
CLI=src/WasmSharp.Cli/bin/Release/net10.0/WasmSharp.Cli.dll

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
finish() {
  echo
  echo "$passed passed, $failed failed, $skipped skipped"
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}
broken() { # a step that produced no results
  echo "error: $*" >&2
  failed=$((failed + 1))
}

scripts/install-deps.sh || { broken "installing dependencies failed"; finish; }

echo "== build (Release)"
if ! dotnet build WasmSharp.slnx -c Release -nologo -v quiet -clp:NoSummary; then
  broken "build failed"
  finish
fi

echo "== C test programs (clang-19 for wasm32-wasi, gcc natively)"
if ! tests/programs/build.sh; then
  broken "building the C test programs failed (the program tests will fail too)"
fi

echo "== unit tests"
set +e
dotnet test WasmSharp.slnx -c Release --no-build --nologo --logger trx --results-directory "$work/trx"
test_status=$?
set -e
shopt -s nullglob
trx_files=("$work"/trx/*.trx)
if [ ${#trx_files[@]} -eq 0 ]; then
  broken "dotnet test produced no results (exit code $test_status)"
else
  u_total=0 u_passed=0 u_failed=0
  for trx in "${trx_files[@]}"; do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    attr() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]\+' || echo 0; }
    u_total=$((u_total + $(attr total)))
    u_passed=$((u_passed + $(attr passed)))
    u_failed=$((u_failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  done
  if [ "$test_status" -ne 0 ] && [ "$u_failed" -eq 0 ]; then
    broken "dotnet test failed (exit code $test_status) without a failing test"
  fi
  echo "unit tests: $u_passed passed, $u_failed failed, $((u_total - u_passed - u_failed)) skipped"
  passed=$((passed + u_passed))
  failed=$((failed + u_failed))
  skipped=$((skipped + u_total - u_passed - u_failed))
fi

if [ -n "${WASI_TESTSUITE:-}" ]; then
  echo "== wasi-testsuite ($WASI_TESTSUITE)"
  set +e
  python3 scripts/wasi-testsuite.py "$WASI_TESTSUITE" | tee "$work/wasi.log"
  set -e
  totals=$(tail -n 1 "$work/wasi.log")
  if [[ "$totals" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    skipped=$((skipped + BASH_REMATCH[3]))
  else
    broken "the wasi-testsuite runner ended without a totals line"
  fi
fi

if [ ! -d "$SUITE" ]; then
  broken "spec testsuite not found at $SUITE (expected next to the repository, in ../shared/testsuite)"
  finish
fi
# The spec suite once per engine: the interpreter, then native code with explicit bounds checks (the default),
# then native code relying on guard pages. The 2.0 suite runs as Wasm 2.0 (--features none: what 3.0 allows it
# calls malformed or invalid); the Wasm 3.0 proposals' scripts (multi-memory, exception handling with its legacy
# form, tail calls; a module with GC types or typed references is skipped and says so; the native tier hands
# modules with exceptions or tail calls to the interpreter) and the component model's run with the default
# features, the threads proposal's memory.wast with shared memory types only.
# The component model's scripts run whole: values/, resources/, binary/, validation/, linking/ and async/ (whose
# commands that need what is not built yet, blocking, streams, futures and waitable sets, are skipped and say so).
COMPONENTS=../shared/testsuite/component-model
PROPOSALS=../shared/testsuite/proposals
later_suites=("$PROPOSALS/multi-memory" "$PROPOSALS/exception-handling" "$PROPOSALS/tail-call")
for folder in values resources binary validation linking async; do later_suites+=("$COMPONENTS/$folder"); done
if [ ! -d "$COMPONENTS" ] || [ ! -d "$PROPOSALS" ]; then
  broken "component model or proposals testsuite not found at $COMPONENTS, $PROPOSALS"
  later_suites=()
fi
run_wast() { # engine options, then wast arguments
  local engine=$1
  shift
  echo "== spec tests ($*, --engine $engine)"
  set +e
  # shellcheck disable=SC2086 # the engine's options are words
  dotnet "$CLI" wast --engine $engine "$@" | tee "$work/wast.log"
  wast_status=${PIPESTATUS[0]}
  set -e
  totals=$(tail -n 1 "$work/wast.log")
  if [[ "$totals" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
    skipped=$((skipped + BASH_REMATCH[3]))
    if [ "$wast_status" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
      broken "wasmsharp wast --engine $engine exited with $wast_status"
    fi
  else
    broken "wasmsharp wast --engine $engine ended without a totals line (exit code $wast_status)"
  fi
}
for engine in "interp" "llvm" "llvm --bounds-checks guard-pages"; do
  run_wast "$engine" --features none "$SUITE"
  if [ ${#later_suites[@]} -gt 0 ]; then
    run_wast "$engine" "${later_suites[@]}"
    # Shared memory types alone: the threads proposal's memory.wast predates multi-memory (it wants a second memory
    # invalid), and its other scripts use atomics, which are not built.
    run_wast "$engine" --features shared-memory "$PROPOSALS/threads/memory.wast"
  fi
done
finish
