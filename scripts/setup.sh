#!/usr/bin/env bash
# From a bare machine with Node ≥ 20 to a working checkout: installs what the build needs when it
# is missing, then `npm ci` (which builds the libtorch bridge and the TypeScript).
#
#   npm run setup         the build: a C++ compiler, Python 3 (node-gyp) and libtorch
#   npm run setup:test    also what the tests cross-check against: Debian's PyTorch and numpy
#                         (python3-torch, python3-numpy) and Chromium (the viewer's page)
#
# On Debian/Ubuntu the missing packages are installed with apt-get (through sudo when not run as
# root). Elsewhere install a C++17 compiler and Python 3 yourself and point LIBTORCH at an
# unpacked libtorch (a folder with include/ and lib/); the script then only runs `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done

have_libtorch() {
  if [ -n "${LIBTORCH:-}" ]; then [ -f "$LIBTORCH/include/ATen/core/dispatch/Dispatcher.h" ]; return; fi
  [ -f /usr/include/ATen/core/dispatch/Dispatcher.h ]
}

need=()
command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need+=(g++ make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
have_libtorch || need+=(libtorch-dev)
# Gloo's headers for c10d's CPU process group (multi-process training); a LIBTORCH elsewhere brings its own.
[ -n "${LIBTORCH:-}" ] || [ -f /usr/include/gloo/algorithm.h ] || need+=(libgloo-dev)
if [ "$with_tests" = 1 ]; then
  /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || need+=(python3-torch python3-numpy)
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi

if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: missing ${need[*]} and this is not a Debian/Ubuntu system (no apt-get)." >&2
    echo "       Install a C++17 compiler and Python 3, and set LIBTORCH=/path/to/libtorch (include/ and lib/)." >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      echo "setup: need root to install ${need[*]}: run as root, or: apt-get install ${need[*]}" >&2
      exit 1
    fi
  fi
  echo "setup: apt-get install ${need[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund
