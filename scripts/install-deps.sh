#!/usr/bin/env bash
# Installs the system tools WasmSharp's scripts need, with apt-get (Debian/Ubuntu).
# Idempotent and quiet: does nothing when every tool is already there.
# The .NET 10 SDK (`dotnet`) is a prerequisite, not installed here.
set -euo pipefail

# "what:debian-package" pairs; a package is installed when what is missing: a command, or a file (absolute path).
# clang-19, lld-19 (wasm-ld), wasi-libc and the wasm32 compiler runtime build the C test programs and the sample
# for wasm32-wasi; gcc builds the same programs natively to compare with.
REQUIRED=(
  "wast2json:wabt"
  "wat2wasm:wabt"
  "clang-19:clang-19"
  "wasm-ld-19:lld-19"
  "/usr/lib/wasm32-wasi/libc.a:wasi-libc"
  "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a:libclang-rt-19-dev-wasm32"
  "gcc:gcc"
)

missing=()
for pair in "${REQUIRED[@]}"; do
  what=${pair%%:*} pkg=${pair#*:}
  if [[ "$what" == /* ]]; then present() { [ -e "$1" ]; }; else present() { command -v "$1" >/dev/null 2>&1; }; fi
  if ! present "$what" && [[ " ${missing[*]} " != *" $pkg "* ]]; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing packages (${missing[*]}) and no apt-get to install them; please install them by hand" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "error: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# Refresh the package lists only when one of the packages has no install candidate yet.
for pkg in "${missing[@]}"; do
  candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    echo "install-deps: apt-get update" >&2
    "${SUDO[@]}" apt-get update -qq
    break
  fi
done

echo "install-deps: installing ${missing[*]}" >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
