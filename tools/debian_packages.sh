# Sourced by tools/open.sh and tools/test.sh: install_debian_packages MODE PACKAGE...
# Installs the Debian packages that are missing, with apt-get as root or through sudo. Without
# either, MODE "required" stops with the command to run, MODE "optional" says what is lost and goes on.
install_debian_packages() {
  local mode="$1"; shift
  local missing=() package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      if [ "$mode" = required ]; then
        echo "$0: please install these Debian packages first: sudo apt-get install ${missing[*]}" >&2
        exit 1
      fi
      echo "$0: not installing ${missing[*]} (needs root): grading refuses to run without bubblewrap;" \
           "install it with: sudo apt-get install ${missing[*]}" >&2
      return 0
    fi
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}
