#!/usr/bin/env bash
# Set up a fresh Debian machine for customs: the Debian packages it needs (when run as root),
# then a virtual environment inside the checkout (.venv) with the project installed, editable,
# with its test tools. Debian's own Python refuses `pip install` outside a virtual environment
# (externally-managed-environment), so nothing is installed into the system Python.
# Idempotent; safe to run again. Afterwards: `.venv/bin/customs ...`, or `. .venv/bin/activate`.
#   PYTHON=python3.12 bash scripts/setup.sh   # another interpreter (3.11 or later)
#   bash scripts/setup.sh --with-nginx        # also nginx, to test docs/deploy/nginx.conf
set -euo pipefail
cd "$(dirname "$0")/.."

with_nginx=0
for arg in "$@"; do
  case "$arg" in
    --with-nginx) with_nginx=1 ;;
    *) echo "setup: unknown option $arg (only --with-nginx)" >&2; exit 2 ;;
  esac
done

python_ok() {  # a Python 3.11 or later
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}
PY="${PYTHON:-python3}"
if ! python_ok "$PY" && python_ok /usr/bin/python3; then PY=/usr/bin/python3; fi
if ! python_ok "$PY"; then
  echo "setup: customs needs Python 3.11 or later; $PY is $("$PY" --version 2>&1 || echo absent)" \
       "(set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

need=()
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)          # the demo's outsider check
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)     # PKCS#11 tests
command -v redis-server >/dev/null 2>&1 || need+=(redis-server) # shared rate-limit counts
command -v curl >/dev/null 2>&1 || need+=(curl)                 # the README's HTTP steps
dpkg -s libengine-gost-openssl >/dev/null 2>&1 || need+=(libengine-gost-openssl)  # GOST signatures
[ -x /usr/bin/chromium ] || need+=(chromium)                    # the console's browser tests
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)         # (Selenium drives it)
"$PY" -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
[ "$with_nginx" = 1 ] && ! command -v nginx >/dev/null 2>&1 && need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install the Debian packages: sudo apt-get install ${need[*]}" >&2
  fi
fi

# A virtual environment that does not run (moved checkout, removed interpreter) is made anew.
if [ -e .venv ] && ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
  echo "setup: .venv does not work any more; making it again"
  rm -rf .venv
fi
if [ ! -e .venv ]; then
  if ! "$PY" -m venv .venv; then
    rm -rf .venv
    echo "setup: $PY cannot make a virtual environment; install python3-venv" \
         "(sudo apt-get install python3-venv) and run this again" >&2
    exit 1
  fi
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
echo "setup: done (customs $(.venv/bin/python -c 'import customs; print(customs.__version__)')" \
     "in $PWD/.venv; run .venv/bin/customs, or . .venv/bin/activate first)"
