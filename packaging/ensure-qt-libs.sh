#!/usr/bin/env bash
# Qt's offscreen and xcb platforms need a few shared libraries that a bare Debian image may lack.
# Install them only when they are missing and we are allowed to (root with apt-get).
set -euo pipefail
need=()
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0; do
  ldconfig -p | grep -q "$lib" || need+=("$lib")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "warning: missing system libraries for Qt: ${need[*]} (install them with your package manager)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 \
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 \
  libxcb-randr0 libxcb-render-util0 libxcb-image0 >/dev/null
