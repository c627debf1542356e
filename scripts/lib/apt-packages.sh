# Sourced by scripts/install-deps.sh and bench/install-deps.sh: installs the Debian packages whose command or file
# is missing, with apt-get (as root, or through sudo), and does nothing when everything is there.
#
#   install_missing_packages LABEL "what:debian-package" ...
#
# "what" is a command name, or a file when it is an absolute path. LABEL prefixes the messages.
install_missing_packages() {
  local label=$1 pair what pkg candidate
  shift
  local missing=()
  for pair in "$@"; do
    what=${pair%%:*} pkg=${pair#*:}
    if [[ "$what" == /* ]]; then [ -e "$what" ] && continue; else command -v "$what" >/dev/null 2>&1 && continue; fi
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing packages (${missing[*]}) and no apt-get to install them; please install them by hand" >&2
    return 1
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "error: need root or sudo to install: ${missing[*]}" >&2
      return 1
    fi
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when one of the packages has no install candidate yet.
  for pkg in "${missing[@]}"; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      echo "$label: apt-get update" >&2
      "${sudo[@]}" apt-get update -qq
      break
    fi
  done
  echo "$label: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
