#!/usr/bin/env bash
# Set up a fresh Debian machine for customs: system packages, then the Python package.
# Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(softhsm2)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)  # shared rate-limit counts
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install the Debian packages: ${need[*]} (sudo apt-get install ...)" >&2
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
echo "setup: done (customs $(python3 -c 'import customs; print(customs.__version__)'))"
