#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6.21 supports 3.8–3.10, not 3.11).
# Looks at $PYTHON310, then python3.10 on PATH, then pyenv's installed versions.
set -u
is310() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for c in "${PYTHON310:-}" "$(command -v python3.10 2>/dev/null)"; do
  if is310 "$c"; then echo "$c"; exit 0; fi
done
for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  if is310 "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
error: Python 3.10 not found. Rasa 3.6.21 needs Python 3.10 (3.11 is not supported).
  Install it, e.g. `pyenv install 3.10` (or your OS package python3.10), or point PYTHON310=/path/to/python3.10.
MSG
exit 1
