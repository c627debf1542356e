#!/usr/bin/env bash
# Installs what the benchmarks need, and does nothing when it is already there:
#   - Debian packages: clang-19, lld-19, wasi-libc, the wasm32 compiler-rt builtins (the Wasm builds),
#     gcc (the native builds and the measuring wrapper), Node.js and npm (the V8 engines, the npm modules);
#   - the npm packages whose .wasm files the start-up figure loads (bench/startup/modules.json), into the
#     git-ignored artifacts/bench/npm.
# The .NET 10 SDK is a prerequisite; NuGet packages (Wasmtime, ScottPlot, BenchmarkDotNet) come with dotnet build.
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/.."

# "path-or-command:debian-package" pairs; a package is installed when its path or command is missing.
REQUIRED=(
  "clang-19:clang-19"
  "wasm-ld-19:lld-19"
  "/usr/lib/wasm32-wasi/libc.a:wasi-libc"
  "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a:libclang-rt-19-dev-wasm32"
  "gcc:gcc"
  "node:nodejs"
  "npm:npm"
)

source scripts/lib/apt-packages.sh
install_missing_packages bench/install-deps "${REQUIRED[@]}"

# npm packages of the start-up figure: installed when one of their files is missing.
NPM_DIR=artifacts/bench/npm
mapfile -t modules < <(node -e '
  const m = require(process.argv[1]).modules;
  for (const x of m) console.log(x.package + " " + x.file);' "$PWD/bench/startup/modules.json")
packages=()
for line in "${modules[@]}"; do
  pkg=${line%% *} file=${line#* }
  [ -e "$NPM_DIR/node_modules/$file" ] || packages+=("$pkg")
done
if [ ${#packages[@]} -gt 0 ]; then
  echo "bench/install-deps: npm install ${packages[*]}" >&2
  mkdir -p "$NPM_DIR"
  [ -e "$NPM_DIR/package.json" ] || echo '{ "private": true }' > "$NPM_DIR/package.json"
  # Only the .wasm files are used: no install scripts, no audit.
  (cd "$NPM_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "${packages[@]}" >/dev/null)
fi
