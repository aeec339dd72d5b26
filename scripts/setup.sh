#!/usr/bin/env bash
# Set up Campus Twin in ./.venv on a fresh Debian machine with Python >= 3.11.
#   scripts/setup.sh          runtime packages (the twin, the app and sweeps: '.[all]')
#   scripts/setup.sh test     + test packages and Debian's chromium/chromium-driver for browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-run}
PY=${PYTHON:-python3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "setup: need root (or sudo) to run: $*" >&2; return 1; fi; }
apt_updated=0
apt_install() {
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: Python >= 3.11 is needed; $PY is $("$PY" --version 2>&1)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    "$PY" -m venv .venv
  fi
fi

stamp=.venv/.installed-$want
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  if [ "$want" = test ]; then
    .venv/bin/python -m pip install -q -e '.[all,test]'
  else
    .venv/bin/python -m pip install -q -e '.[all]'   # the twin, the app ([app]) and sweeps ([sweep])
  fi
  touch "$stamp"
fi

if [ "$want" = test ] && [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium and chromium-driver for the browser tests" >&2
  apt_install chromium chromium-driver
fi
if [ "$want" = test ] && ! command -v pdftoppm >/dev/null; then
  echo "setup: installing Debian's poppler-utils (pdftoppm) for the PDF page screenshots" >&2
  apt_install poppler-utils
fi
