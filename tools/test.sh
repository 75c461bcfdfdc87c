#!/usr/bin/env bash
# Installs what the tests need and runs them: Debian packages (bubblewrap for the grading sandbox,
# chromium for the browser tests in tests/browser), the Python packages in .venv, then pytest.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(bubblewrap chromium)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
  if [ "${sudo[0]:-}" = none ]; then
    echo "tools/test.sh: please install these Debian packages first: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
