#!/usr/bin/env bash
# Installs the system tools WasmSharp's scripts need, with apt-get (Debian/Ubuntu).
# Idempotent and quiet: does nothing when every tool is already there.
# The .NET 10 SDK (`dotnet`) is a prerequisite, not installed here.
set -euo pipefail

# "what:debian-package" pairs; a package is installed when what is missing: a command, or a file (absolute path).
# clang-19, lld-19 (wasm-ld), wasi-libc and the wasm32 compiler runtime build the C test programs and the sample
# for wasm32-wasi; gcc builds the same programs natively to compare with. binaryen (wasm-opt) is an ordinary tool of
# a Wasm developer, installed so that the tests run where it is (scripts/wasi-cc keeps clang from running it).
# libllvm19 (libLLVM.so.19.1) and lld-19 (ld.lld-19) are the native tier's (src/WasmSharp.Llvm), loaded at run time.
REQUIRED=(
  "clang-19:clang-19"
  "wasm-ld-19:lld-19"
  "/usr/lib/wasm32-wasi/libc.a:wasi-libc"
  "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a:libclang-rt-19-dev-wasm32"
  "gcc:gcc"
  "wasm-opt:binaryen"
  "/usr/lib/x86_64-linux-gnu/libLLVM.so.19.1:libllvm19"
  "ld.lld-19:lld-19"
)

source "$(dirname "$(realpath "$0")")/lib/apt-packages.sh"
install_missing_packages install-deps "${REQUIRED[@]}"
