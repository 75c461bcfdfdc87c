# Sourced by tools/open.sh and tools/test.sh: install_python_packages REQUIREMENTS_FILE
# Makes .venv and installs the requirements into it, unless the same requirements were installed
# there already (pip takes most of a minute even when everything is present).
install_python_packages() {
  local requirements="$1"
  local stamp=".venv/.installed-$(basename "$requirements")"
  local digest
  digest="$(cat requirements*.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
  [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && return 0
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$digest" > "$stamp"
}
