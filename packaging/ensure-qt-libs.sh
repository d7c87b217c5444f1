#!/usr/bin/env bash
# Qt's xcb (desktop) and offscreen (tests) platform plugins load system libraries that a bare
# Debian/Ubuntu image may lack. Ask the plugins themselves what is missing (every "not found"
# that ldd reports on them), install the packages that provide those libraries, and check again.
# Quiet and a no-op when nothing is missing; without root or password-less sudo it prints the
# exact apt-get command and carries on.
#
#   packaging/ensure-qt-libs.sh [PYTHON]      PYTHON: the venv's interpreter (default .venv/bin/python)
#   packaging/ensure-qt-libs.sh --packages LIB...   print the packages for these sonames, no install
set -euo pipefail

# soname -> Debian package, for everything Qt's platform plugins link against.
declare -A PACKAGE_OF=(
  [libxcb.so.1]=libxcb1
  [libxcb-cursor.so.0]=libxcb-cursor0
  [libxcb-icccm.so.4]=libxcb-icccm4
  [libxcb-image.so.0]=libxcb-image0
  [libxcb-keysyms.so.1]=libxcb-keysyms1
  [libxcb-randr.so.0]=libxcb-randr0
  [libxcb-render.so.0]=libxcb-render0
  [libxcb-render-util.so.0]=libxcb-render-util0
  [libxcb-shape.so.0]=libxcb-shape0
  [libxcb-shm.so.0]=libxcb-shm0
  [libxcb-sync.so.1]=libxcb-sync1
  [libxcb-util.so.1]=libxcb-util1
  [libxcb-xfixes.so.0]=libxcb-xfixes0
  [libxcb-xinerama.so.0]=libxcb-xinerama0
  [libxcb-xinput.so.0]=libxcb-xinput0
  [libxcb-xkb.so.1]=libxcb-xkb1
  [libxcb-glx.so.0]=libxcb-glx0
  [libX11.so.6]=libx11-6
  [libX11-xcb.so.1]=libx11-xcb1
  [libXext.so.6]=libxext6
  [libXrender.so.1]=libxrender1
  [libSM.so.6]=libsm6
  [libICE.so.6]=libice6
  [libxkbcommon.so.0]=libxkbcommon0
  [libxkbcommon-x11.so.0]=libxkbcommon-x11-0
  [libEGL.so.1]=libegl1
  [libGL.so.1]=libgl1
  [libGLX.so.0]=libglx0
  [libOpenGL.so.0]=libopengl0
  [libfontconfig.so.1]=libfontconfig1
  [libfreetype.so.6]=libfreetype6
  [libdbus-1.so.3]=libdbus-1-3
  [libglib-2.0.so.0]=libglib2.0-0
  [libgthread-2.0.so.0]=libglib2.0-0
  [libgobject-2.0.so.0]=libglib2.0-0
  [libgio-2.0.so.0]=libglib2.0-0
)
# What to install when a library is in no table and apt-file cannot say: the usual Qt set.
USUAL=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0
  libx11-xcb1 libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0)
PLUGINS=(libqxcb.so libqoffscreen.so)

# The packages for the sonames given, one per line (sorted, unique).
packages_for() {
  local lib pkg unknown=0
  {
    for lib in "$@"; do
      pkg="${PACKAGE_OF[$lib]:-}"
      if [ -z "$pkg" ] && command -v apt-file >/dev/null; then
        pkg="$(apt-file search -l -x "/${lib//./\\.}\$" 2>/dev/null | head -n 1 || true)"
      fi
      if [ -n "$pkg" ]; then echo "$pkg"; else unknown=1; fi
    done
    [ "$unknown" = 0 ] || printf '%s\n' "${USUAL[@]}"
  } | sort -u
}

if [ "${1:-}" = "--packages" ]; then
  shift
  packages_for "$@"
  exit 0
fi

python="${1:-.venv/bin/python}"
command -v ldd >/dev/null || exit 0  # not glibc Linux: nothing we can check
qt="$("$python" -c 'import PySide6, os; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt"))' 2>/dev/null)" || {
  echo "warning: PySide6 is not importable by $python; cannot check Qt's system libraries" >&2
  exit 0
}

# Every library the platform plugins need that the dynamic loader cannot find.
missing() {
  local plugin
  for plugin in "${PLUGINS[@]}"; do
    if [ -e "$qt/plugins/platforms/$plugin" ]; then ldd "$qt/plugins/platforms/$plugin"; fi
  done | awk '/=> not found/ {print $1}' | sort -u
}

mapfile -t libs < <(missing)
[ ${#libs[@]} -eq 0 ] && exit 0

mapfile -t pkgs < <(packages_for "${libs[@]}")
echo "Qt needs system libraries that are missing: ${libs[*]}" >&2
install=(apt-get install -y -qq --no-install-recommends "${pkgs[@]}")
if ! command -v apt-get >/dev/null; then
  echo "warning: no apt-get here; install the packages that provide them with your package manager" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "warning: not root; to install them, run:  sudo apt-get update && sudo ${install[*]}" >&2
  exit 0
fi
echo "installing: ${pkgs[*]}" >&2
"${sudo[@]}" apt-get update -qq >/dev/null || true
if ! out="$("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" 2>&1)"; then
  echo "$out" >&2
  echo "warning: apt-get could not install ${pkgs[*]}" >&2
fi

mapfile -t still < <(missing)
if [ ${#still[@]} -ne 0 ]; then
  echo "warning: still missing after installing ${pkgs[*]}: ${still[*]}" >&2
  exit 0
fi
echo "Qt's platform plugins now find every library they need." >&2
