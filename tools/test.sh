#!/usr/bin/env bash
# Installs what the tests need and runs them: Debian packages (bubblewrap for the grading sandbox,
# chromium for the browser tests in tests/browser), the Python packages in .venv, then pytest.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/debian_packages.sh
source tools/debian_packages.sh
install_debian_packages required bubblewrap chromium

# shellcheck source=tools/venv.sh
source tools/venv.sh
install_python_packages requirements-dev.txt
export VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m pytest "$@"
