#!/usr/bin/env bash
# Starts the action server (5055), Rasa (5005: REST, socket.io, LINE; --enable-api) and the widget page (8080); Ctrl-C stops all.
# Safe by default: Rasa's HTTP API (trackers, model) answers only with the token in $RASA_API_TOKEN_FILE (generated
# on first start, mode 600); the action server and the page listen on 127.0.0.1; Rasa on $RASA_HOST (all
# interfaces: its channels are what firms use). ENDPOINTS names another endpoints file (tests: other ports).
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(scripts/train.sh)
mkdir -p var
export TRACKER_DB="${TRACKER_DB:-$PWD/var/tracker.db}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
token_file="${RASA_API_TOKEN_FILE:-$PWD/var/rasa-api-token}"
export RASA_API_TOKEN_FILE="$token_file"  # the staff relay (channels/handoff.py) checks the helper's calls with it
.venv/bin/python -m serving.api_token "$token_file"
pids=()
cleanup() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT
SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --actions actions --port "${ACTIONS_PORT:-5055}" &
pids+=($!)
# python -m serving = `rasa` with our fixes to Rasa (serving/: response validation, SQLite WAL)
.venv/bin/python -m serving run --model "$model" --enable-api --auth-token-file "$token_file" --cors "*" \
    -i "${RASA_HOST:-0.0.0.0}" --port "${RASA_PORT:-5005}" --credentials credentials.yml --endpoints "${ENDPOINTS:-endpoints.yml}" &
pids+=($!)
RASA_URL="${RASA_URL:-http://localhost:${RASA_PORT:-5005}}" .venv/bin/python scripts/serve_web.py --port "${WEB_PORT:-8080}" &
pids+=($!)
echo "starting: loading the model takes about 30 s; a line says when the bot answers"
# Rasa's port opens only once the model is loaded: print "ready" when it and the action server answer
if .venv/bin/python scripts/wait_ready.py --pid "${pids[0]}" --pid "${pids[1]}" \
    "http://127.0.0.1:${RASA_PORT:-5005}/" "http://127.0.0.1:${ACTIONS_PORT:-5055}/health"; then
  echo "ready: REST http://localhost:${RASA_PORT:-5005}/webhooks/rest/webhook · web widget http://localhost:${WEB_PORT:-8080}/ · Ctrl-C stops all"
fi
wait -n "${pids[@]}"
