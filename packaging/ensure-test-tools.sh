#!/usr/bin/env bash
# The launcher tests run a private session bus (dbus-daemon, Debian's `dbus`) and call it with
# `gdbus` (Debian's `libglib2.0-bin`). Install what is missing, as ensure-qt-libs.sh does:
# quiet and a no-op when both are there; without root or password-less sudo it prints the
# exact apt-get command and carries on (the launcher tests then fail, saying what is missing).
set -euo pipefail

declare -A PACKAGE_OF=([dbus-daemon]=dbus [gdbus]=libglib2.0-bin)
pkgs=()
for tool in "${!PACKAGE_OF[@]}"; do
  command -v "$tool" >/dev/null || pkgs+=("${PACKAGE_OF[$tool]}")
done
[ ${#pkgs[@]} -eq 0 ] && exit 0

install=(apt-get install -y -qq --no-install-recommends "${pkgs[@]}")
if ! command -v apt-get >/dev/null; then
  echo "warning: no apt-get here; install ${pkgs[*]} (dbus-daemon, gdbus) for the launcher tests" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "warning: not root; for the launcher tests run:  sudo apt-get update && sudo ${install[*]}" >&2
  exit 0
fi
echo "installing: ${pkgs[*]}" >&2
"${sudo[@]}" apt-get update -qq >/dev/null || true
if ! out="$("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" 2>&1)"; then
  echo "$out" >&2
  echo "warning: apt-get could not install ${pkgs[*]}" >&2
fi
