#!/usr/bin/env bash
# Installs the system tools WasmSharp's scripts need, with apt-get (Debian/Ubuntu).
# Idempotent and quiet: does nothing when every tool is already there.
# The .NET 10 SDK (`dotnet`) is a prerequisite, not installed here.
set -euo pipefail

# "command:debian-package" pairs; a package is installed when its command is missing.
REQUIRED=(
  "wast2json:wabt"
  "wat2wasm:wabt"
)

missing=()
for pair in "${REQUIRED[@]}"; do
  cmd=${pair%%:*} pkg=${pair#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && [[ " ${missing[*]} " != *" $pkg "* ]]; then
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
