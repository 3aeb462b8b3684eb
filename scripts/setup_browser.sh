#!/usr/bin/env bash
# Sets up what the browser tests (tests/e2e/test_widget.py, tests/staff/test_browser.py) need, idempotently:
#   - Debian's chromium, fonts-noto-cjk (Chinese) and fonts-noto-color-emoji (the bot's 📞 buttons) via apt, only
#     when missing and only as root;
#   - the PyPI package playwright in .venv, driving that chromium (/usr/bin/chromium).
# `playwright install` is never run: browsers cannot be downloaded here, Playwright uses the system chromium.
# Without root and without chromium it says so and exits 0: the browser tests then skip.
# CHROMIUM (default /usr/bin/chromium) is where the tests look for the browser.
set -euo pipefail
cd "$(dirname "$0")/.."

PLAYWRIGHT_VERSION="${PLAYWRIGHT_VERSION:-1.65.2}"
PY="${VENV:-.venv}/bin/python"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
for font in fonts-noto-cjk fonts-noto-color-emoji; do
  dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q "install ok installed" || missing+=("$font")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup_browser: installing ${missing[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif [ ! -x "$CHROMIUM" ]; then
    echo "setup_browser: $CHROMIUM is missing and this is not root, so it cannot be installed here." >&2
    echo "  As root run: apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk fonts-noto-color-emoji" >&2
    echo "  (or run this script as root). The browser tests will skip until then." >&2
  else
    echo "setup_browser: ${missing[*]} missing (not root): some characters in screenshots may show as boxes." >&2
  fi
fi

if [ ! -x "$PY" ]; then
  echo "setup_browser: $PY not found: run 'make venv' first" >&2
  [ -x "$CHROMIUM" ] && exit 1
  exit 0  # no browser either: the browser tests skip, saying why
fi
if [ "$("$PY" -c 'import importlib.metadata as m; print(m.version("playwright"))' 2>/dev/null)" != "$PLAYWRIGHT_VERSION" ]; then
  echo "setup_browser: installing playwright==$PLAYWRIGHT_VERSION into ${PY%/bin/python}"
  "$PY" -m pip install --quiet --disable-pip-version-check "playwright==$PLAYWRIGHT_VERSION"
  "$PY" -m pip check
fi
[ -x "$CHROMIUM" ] && echo "setup_browser: ready ($("$CHROMIUM" --version 2>/dev/null | head -1), playwright $PLAYWRIGHT_VERSION)"
exit 0
