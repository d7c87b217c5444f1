#!/usr/bin/env bash
# The OCR engine for scanned PDFs and images: Tesseract with its English model. It is not a
# Python wheel, so the set-up installs the Debian packages the way ensure-qt-libs.sh installs
# Qt's libraries. Quiet and a no-op when `tesseract` already reads English; without apt-get,
# root or password-less sudo it prints the one command to run and carries on (the app then
# records scans as "needs OCR" and says what to install).
#
#   packaging/ensure-ocr.sh
set -euo pipefail

PACKAGES=(tesseract-ocr tesseract-ocr-eng)

reads_english() {
  command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx eng
}

reads_english && exit 0
hint="sudo apt-get update && sudo apt-get install -y ${PACKAGES[*]}"
if ! command -v apt-get >/dev/null; then
  echo "warning: OCR needs Tesseract with English (e.g. brew install tesseract); scans wait until it is installed" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "warning: OCR needs Tesseract; to install it, run:  $hint" >&2
  exit 0
fi
echo "installing the OCR engine: ${PACKAGES[*]}" >&2
"${sudo[@]}" apt-get update -qq >/dev/null || true
if ! out="$("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" 2>&1)"; then
  echo "$out" >&2
  echo "warning: apt-get could not install ${PACKAGES[*]}; to try again, run:  $hint" >&2
  exit 0
fi
reads_english || echo "warning: tesseract is installed but does not list English; run:  $hint" >&2
