#!/usr/bin/env bash
# Installs what the tests need and runs them: Debian packages (bubblewrap for the grading sandbox,
# chromium for the browser tests in tests/browser), the Python packages in .venv, then pytest.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/debian_packages.sh
source tools/debian_packages.sh
install_debian_packages required bubblewrap chromium

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
