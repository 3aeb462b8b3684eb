#!/usr/bin/env bash
# Scale-out on one machine with Rasa's own mechanisms (make scale-up / make scale-down / scripts/scale.sh status;
# scripts/scale.sh install: only the Debian packages):
# PostgreSQL tracker store, Redis lock store, two Rasa processes and the action server, nginx in front; everything
# on 127.0.0.1. Debian's packages are installed when missing (as root). Data, logs, pid files and the generated
# passwords and Rasa's API token (rasa-api-token, mode 600) live in $SCALE_DIR (default var/scale, kept between runs);
# deploy/ holds the configuration. nginx publishes only the channels; behind it everything listens on 127.0.0.1,
# and Rasa's HTTP API also needs the token (other users of this machine reach 127.0.0.1 too).
# Settings (environment): SCALE_DIR, SCALE_MODEL (default: the current model, trained if needed) and the ports
# SCALE_NGINX_PORT (public), SCALE_RASA_A_PORT, SCALE_RASA_B_PORT, SCALE_ACTIONS_PORT, SCALE_NGINX_ACTIONS_PORT,
# SCALE_PG_PORT, SCALE_REDIS_PORT. Exit 3: a package is missing and this is not root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
: "${SCALE_DIR:=$ROOT/var/scale}"
: "${SCALE_NGINX_PORT:=58000}" "${SCALE_NGINX_ACTIONS_PORT:=58055}"
: "${SCALE_RASA_A_PORT:=58005}" "${SCALE_RASA_B_PORT:=58006}" "${SCALE_ACTIONS_PORT:=58056}"
: "${SCALE_PG_PORT:=58432}" "${SCALE_REDIS_PORT:=58379}"
: "${SCALE_TIMEOUT:=300}"
mkdir -p "$SCALE_DIR"
SCALE_DIR=$(cd "$SCALE_DIR" && pwd)
is_root() { [ "$(id -u)" = 0 ]; }

# PostgreSQL's files go in $SCALE_DIR, unless (as root) the postgres user cannot reach it, e.g. a checkout under
# /root: then in a folder of /var/tmp, whose path is kept in $SCALE_DIR/pg-location. `pg_paths new` may create it.
pg_paths() {
  if [ -f "$SCALE_DIR/pg-location" ]; then
    PGBASE=$(cat "$SCALE_DIR/pg-location")
  elif [ "${1:-}" = new ] && is_root && ! runuser -u postgres -- test -x "$SCALE_DIR"; then
    PGBASE=$(mktemp -d /var/tmp/scale-pg.XXXXXX); chmod 755 "$PGBASE"; echo "$PGBASE" >"$SCALE_DIR/pg-location"
  else
    PGBASE=$SCALE_DIR
  fi
  PGDATA=$PGBASE/pg
  PGRUN=$PGBASE/pg-run
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
nginx_bin() { command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true; }
redis_bin() { command -v redis-server || ls /usr/bin/redis-server 2>/dev/null || true; }

install_missing() {
  local missing=()
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  [ -n "$(redis_bin)" ] || missing+=(redis-server)
  [ -n "$(nginx_bin)" ] || missing+=(nginx)
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root; then
    echo "scale-up needs Debian's ${missing[*]}: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 3
  fi
  echo "installing ${missing[*]} (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}")
  "${apt[@]}" >"$SCALE_DIR/apt.log" 2>&1 || { apt-get -o DPkg::Lock::Timeout=300 update -q >>"$SCALE_DIR/apt.log" 2>&1 \
    && "${apt[@]}" >>"$SCALE_DIR/apt.log" 2>&1; } || { tail -20 "$SCALE_DIR/apt.log" >&2; exit 1; }
}

# PostgreSQL refuses to run as root: as root, its files belong to the postgres user the package created.
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

secrets() {
  local file=$SCALE_DIR/secrets.env
  if [ ! -f "$file" ]; then
    (umask 077; printf 'POSTGRES_PASSWORD=%s\nREDIS_PASSWORD=%s\n' \
      "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >"$file")
  fi
  # shellcheck disable=SC1090
  . "$file"
  export POSTGRES_PASSWORD REDIS_PASSWORD
}

start_postgres() {
  local bin; bin=$(pg_bin)
  mkdir -p "$PGRUN"
  is_root && chown postgres: "$PGRUN"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"; chmod 700 "$PGDATA"
    is_root && chown postgres: "$PGDATA"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$PGRUN/pwfile"; chmod 600 "$PGRUN/pwfile"
    is_root && chown postgres: "$PGRUN/pwfile"
    as_pg "$bin/initdb" -D "$PGDATA" -U rasa --pwfile="$PGRUN/pwfile" --auth=scram-sha-256 -E UTF8 \
      --locale=C.UTF-8 >"$SCALE_DIR/initdb.log" 2>&1 || { rm -f "$PGRUN/pwfile"; cat "$SCALE_DIR/initdb.log" >&2; exit 1; }
    rm -f "$PGRUN/pwfile"
  fi
  as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGRUN/postgres.log" -w -t 60 status >/dev/null 2>&1 && return 0
  as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGRUN/postgres.log" -w -t 60 \
    -o "-p $SCALE_PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGRUN" start >/dev/null 2>&1 \
    || { tail -20 "$PGRUN/postgres.log" >&2; exit 1; }
  local psql=("$bin/psql" -h 127.0.0.1 -p "$SCALE_PG_PORT" -U rasa -d postgres -tAq)
  PGPASSWORD=$POSTGRES_PASSWORD "${psql[@]}" -c "select 1 from pg_database where datname = 'rasa'" | grep -q 1 \
    || PGPASSWORD=$POSTGRES_PASSWORD "${psql[@]}" -c "create database rasa"
}

start_redis() {
  [ -f "$SCALE_DIR/redis.pid" ] && kill -0 "$(cat "$SCALE_DIR/redis.pid")" 2>/dev/null && return 0
  (umask 077; cat >"$SCALE_DIR/redis.conf" <<EOF
bind 127.0.0.1
port $SCALE_REDIS_PORT
protected-mode yes
daemonize yes
pidfile $SCALE_DIR/redis.pid
logfile $SCALE_DIR/redis.log
dir $SCALE_DIR
save ""
appendonly no
requirepass $REDIS_PASSWORD
EOF
)
  "$(redis_bin)" "$SCALE_DIR/redis.conf" >>"$SCALE_DIR/redis.log" 2>&1
}

# A Python server in its own session (so scale-down can end it with its children), its pid in $SCALE_DIR.
start_bg() {
  local name=$1; shift
  [ -f "$SCALE_DIR/$name.pid" ] && kill -0 "$(cat "$SCALE_DIR/$name.pid")" 2>/dev/null && return 0
  setsid "$@" >"$SCALE_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$SCALE_DIR/$name.pid"
}

rasa_env() {
  export PYTHONPATH=$ROOT RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SANIC_HOST=127.0.0.1
  export ACTION_ENDPOINT_URL=http://127.0.0.1:$SCALE_NGINX_ACTIONS_PORT/webhook
  export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=$SCALE_PG_PORT POSTGRES_DB=rasa POSTGRES_USER=rasa
  export REDIS_HOST=127.0.0.1 REDIS_PORT=$SCALE_REDIS_PORT REDIS_DB=1
  # the handoff queue (issue 16) in the same PostgreSQL, so every Rasa process and the staff helper share it;
  # RASA_API_TOKEN_FILE: the staff relay checks the helper's calls with Rasa's own token
  export HANDOFF_DB=postgresql://rasa:$POSTGRES_PASSWORD@127.0.0.1:$SCALE_PG_PORT/rasa
  export RASA_API_TOKEN_FILE=$SCALE_DIR/rasa-api-token
  # what `make staff` needs to serve this stack's queue: `set -a; . var/scale/staff.env; set +a; make staff`;
  # RASA_ENDPOINTS and POSTGRES_*: the staff pages read the tracker store the Rasa processes write
  (umask 077; printf 'HANDOFF_DB=%s\nSTAFF_DB=%s\nRASA_URL=http://127.0.0.1:%s\nRASA_API_TOKEN_FILE=%s\n' \
    "$HANDOFF_DB" "$HANDOFF_DB" "$SCALE_RASA_A_PORT" "$RASA_API_TOKEN_FILE" >"$SCALE_DIR/staff.env"
   printf 'RASA_ENDPOINTS=%s\nPOSTGRES_HOST=%s\nPOSTGRES_PORT=%s\nPOSTGRES_DB=%s\nPOSTGRES_USER=%s\nPOSTGRES_PASSWORD=%s\n' \
    "$ROOT/deploy/endpoints-scale.yml" "$POSTGRES_HOST" "$POSTGRES_PORT" "$POSTGRES_DB" "$POSTGRES_USER" \
    "$POSTGRES_PASSWORD" >>"$SCALE_DIR/staff.env")
}

start_nginx() {
  mkdir -p "$SCALE_DIR/nginx-tmp"
  sed -e "s|@SCALE_DIR@|$SCALE_DIR|g" -e "s|@NGINX_PORT@|$SCALE_NGINX_PORT|g" \
      -e "s|@NGINX_ACTIONS_PORT@|$SCALE_NGINX_ACTIONS_PORT|g" -e "s|@ACTIONS_PORT@|$SCALE_ACTIONS_PORT|g" \
      -e "s|@RASA_A_PORT@|$SCALE_RASA_A_PORT|g" -e "s|@RASA_B_PORT@|$SCALE_RASA_B_PORT|g" \
      deploy/nginx.conf >"$SCALE_DIR/nginx.conf"
  [ -f "$SCALE_DIR/nginx.pid" ] && kill -0 "$(cat "$SCALE_DIR/nginx.pid")" 2>/dev/null && return 0
  # daemons get no inherited stdout/stderr: a caller reading our output through a pipe would wait for them
  "$(nginx_bin)" -e "$SCALE_DIR/nginx-error.log" -p "$SCALE_DIR" -c "$SCALE_DIR/nginx.conf" \
    >>"$SCALE_DIR/nginx-error.log" 2>&1 || { tail -5 "$SCALE_DIR/nginx-error.log" >&2; exit 1; }
}

http_ok() { .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" 2>/dev/null; }

# A real turn through nginx: REST channel, a Rasa process, the action server (via nginx), PostgreSQL, Redis.
answers() {
  .venv/bin/python - "$1" <<'PY' 2>/dev/null
import json, sys, urllib.request
body = json.dumps({"sender": "scale-up-check", "message": "電話呢？"}).encode()
request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=30) as response:
    sys.exit(0 if any(m.get("text") for m in json.loads(response.read())) else 1)
PY
}

wait_ready() {
  local deadline=$((SECONDS + SCALE_TIMEOUT)) name port
  for name in rasa-a rasa-b actions; do
    case $name in
      rasa-a) port=$SCALE_RASA_A_PORT ;; rasa-b) port=$SCALE_RASA_B_PORT ;; actions) port=$SCALE_ACTIONS_PORT ;;
    esac
    until http_ok "http://127.0.0.1:$port/$([ $name = actions ] && echo health)"; do
      if ! kill -0 "$(cat "$SCALE_DIR/$name.pid")" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
        echo "$name did not come up (log: $SCALE_DIR/$name.log):" >&2; tail -20 "$SCALE_DIR/$name.log" >&2; exit 1
      fi
      sleep 1
    done
  done
  until answers "http://127.0.0.1:$SCALE_NGINX_PORT/webhooks/rest/webhook"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "no answer through nginx (logs in $SCALE_DIR)" >&2; tail -5 "$SCALE_DIR/nginx-error.log" >&2; exit 1
    fi
    sleep 1
  done
}

up() {
  install_missing
  pg_paths new
  secrets
  local model=${SCALE_MODEL:-}
  [ -n "$model" ] || model=$(scripts/train.sh config.yml)
  start_postgres
  start_redis
  rasa_env
  start_bg actions .venv/bin/rasa run actions --actions actions --port "$SCALE_ACTIONS_PORT"
  # Both processes may create the tracker store's tables at once: Rasa logs the loser's error and carries on.
  .venv/bin/python -m serving.api_token "$SCALE_DIR/rasa-api-token"
  start_bg rasa-a .venv/bin/python -m serving run --model "$model" --enable-api -i 127.0.0.1 \
    --auth-token-file "$SCALE_DIR/rasa-api-token" \
    --port "$SCALE_RASA_A_PORT" --credentials credentials.yml --endpoints deploy/endpoints-scale.yml
  start_bg rasa-b .venv/bin/python -m serving run --model "$model" --enable-api -i 127.0.0.1 \
    --auth-token-file "$SCALE_DIR/rasa-api-token" \
    --port "$SCALE_RASA_B_PORT" --credentials credentials.yml --endpoints deploy/endpoints-scale.yml
  start_nginx
  wait_ready
  echo "scale-up: http://127.0.0.1:$SCALE_NGINX_PORT/webhooks/rest/webhook (nginx) -> Rasa :$SCALE_RASA_A_PORT," \
       ":$SCALE_RASA_B_PORT; actions :$SCALE_ACTIONS_PORT via :$SCALE_NGINX_ACTIONS_PORT; PostgreSQL" \
       ":$SCALE_PG_PORT; Redis :$SCALE_REDIS_PORT; files in $SCALE_DIR"
}

stop_pidfile() {
  local file=$SCALE_DIR/$1.pid pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    if [ "$2" = group ]; then kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"; else kill -TERM "$pid"; fi
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      if [ "$2" = group ]; then kill -KILL -- "-$pid" 2>/dev/null || true; else kill -KILL "$pid" || true; fi
    fi
  fi
  rm -f "$file"
}

down() {
  pg_paths
  stop_pidfile nginx single
  stop_pidfile rasa-a group
  stop_pidfile rasa-b group
  stop_pidfile actions group
  stop_pidfile redis single
  local bin; bin=$(pg_bin)
  if [ -n "$bin" ] && [ -f "$PGDATA/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
  fi
  echo "scale-down: stopped (data kept in $SCALE_DIR)"
}

status() {
  local name
  pg_paths
  for name in nginx rasa-a rasa-b actions redis; do
    if [ -f "$SCALE_DIR/$name.pid" ] && kill -0 "$(cat "$SCALE_DIR/$name.pid")" 2>/dev/null; then
      echo "$name: running (pid $(cat "$SCALE_DIR/$name.pid"))"
    else
      echo "$name: stopped"
    fi
  done
  if [ -f "$PGDATA/postmaster.pid" ]; then echo "postgres: running"; else echo "postgres: stopped"; fi
}

case "${1:-}" in
  up) up ;;
  install) install_missing ;;  # only the Debian packages (tests/postgres.py: a throwaway PostgreSQL for tests)
  down) down ;;
  status) status ;;
  *) echo "usage: scripts/scale.sh up|down|status|install" >&2; exit 2 ;;
esac
