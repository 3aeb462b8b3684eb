#!/usr/bin/env bash
# Debian's fonts-noto-cjk (Noto Sans CJK TC), which `make line-richmenu` draws the rich menu with: installed with
# apt when missing and this is root; otherwise says how and exits 1. RICHMENU_FONT (a font file) skips the check.
set -euo pipefail
[ -n "${RICHMENU_FONT:-}" ] && [ -f "$RICHMENU_FONT" ] && exit 0
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "line-richmenu needs Debian's fonts-noto-cjk: sudo apt-get install --no-install-recommends fonts-noto-cjk" >&2
  echo "  (or set RICHMENU_FONT to a font file with Traditional Chinese)" >&2
  exit 1
fi
echo "installing fonts-noto-cjk (apt)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null 2>&1 || {
  apt-get -o DPkg::Lock::Timeout=600 update -qq && \
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null; }
