#!/usr/bin/env bash
# Installs the course into .venv (and bubblewrap, for grading) and opens it: JupyterLab by default, `notebook` for Notebook 7.
# Extra arguments go to Jupyter (e.g. --port 8890 --no-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
app="lab"
if [ "${1:-}" = "notebook" ] || [ "${1:-}" = "lab" ]; then app="$1"; shift; fi

# The grading sandbox needs bubblewrap; a student's machine without root only loses grading.
# shellcheck source=tools/debian_packages.sh
source tools/debian_packages.sh
install_debian_packages optional bubblewrap

# shellcheck source=tools/venv.sh
source tools/venv.sh
install_python_packages requirements.txt
# Jupyter and what it starts (formgrader runs alembic, nbgrader's commands) find the venv's programs.
export VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH"
# The nbgrader exchange (nbgrader_config.py points it here) must exist before formgrader opens.
mkdir -p exchange
as_root=()
# Jupyter refuses to run as root (as in many course containers) unless told to.
[ "$(id -u)" -eq 0 ] && as_root=(--allow-root)
exec .venv/bin/jupyter "$app" "${as_root[@]}" "$@"
