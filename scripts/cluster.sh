#!/usr/bin/env bash
# Scale-out mode on one machine (README, "Scale-out mode"): N Rasa servers and M action
# servers behind nginx, Rasa's RedisLockStore and its SQL tracker store on PostgreSQL, the
# WhatsApp channel's shared state in Redis. Everything binds 127.0.0.1.
#
#   scripts/cluster.sh run     in the foreground until Ctrl-C / SIGTERM (`make serve-cluster`)
#   scripts/cluster.sh start   the same in the background; returns once everything answers
#   scripts/cluster.sh stop    stops what `start` started
#   scripts/cluster.sh purge   stop, then delete the cluster's databases (tests)
#
# Settings (environment):
#   ASSISTANT_RASA_SERVERS (2), ASSISTANT_ACTION_SERVERS (1): how many of each;
#   RASA_PORT (5005), ACTION_PORT (5055): nginx, the cluster's entry points;
#   ASSISTANT_RASA_PORTS, ASSISTANT_ACTION_PORTS: the servers' own ports, space separated
#     (default: the next ports after RASA_PORT and ACTION_PORT);
#   REDIS_PORT (6380), POSTGRES_PORT (5433);
#   ASSISTANT_PG_DATA: PostgreSQL's data folder (default $ASSISTANT_VAR_DIR/cluster/postgres;
#     as root /var/lib/pemberdayaan/postgres-<hash of the var folder>, owned by the
#     `postgres` user: PostgreSQL refuses to run as root, and var/ is readable by its owner only);
#   ASSISTANT_CREDENTIALS (credentials.yml), ASSISTANT_VAR_DIR, ASSISTANT_LOG_DIR as make serve.
# Secrets, as the other tokens (scripts/servers.sh): POSTGRES_PASSWORD or var/postgres-token,
# REDIS_PASSWORD or var/redis-token, created on the first start.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/servers.sh

CLUSTER_DIR="$ASSISTANT_VAR_DIR/cluster"
RUN_PID="$CLUSTER_DIR/run.pid"
READY="$CLUSTER_DIR/ready"
RASA_SERVERS=${ASSISTANT_RASA_SERVERS:-2}
ACTION_SERVERS=${ASSISTANT_ACTION_SERVERS:-1}
REDIS_PORT=${REDIS_PORT:-6380}
POSTGRES_PORT=${POSTGRES_PORT:-5433}
POSTGRES_USER=rasa
POSTGRES_DB=rasa
CREDENTIALS=${ASSISTANT_CREDENTIALS:-credentials.yml}
export REDIS_PORT POSTGRES_PORT POSTGRES_USER POSTGRES_DB

if [ "$(id -u)" -eq 0 ]; then
    hash=$(realpath -m "$ASSISTANT_VAR_DIR" | sha256sum | cut -c1-12)
    PG_DATA=${ASSISTANT_PG_DATA:-/var/lib/pemberdayaan/postgres-$hash}
else
    PG_DATA=${ASSISTANT_PG_DATA:-$CLUSTER_DIR/postgres}
fi

# ports BASE COUNT GIVEN: GIVEN, else BASE+1 .. BASE+COUNT
ports() {
    local base=$1 count=$2 given=$3 i
    if [ -n "$given" ]; then echo "$given"; return; fi
    for ((i = 1; i <= count; i++)); do printf '%s ' $((base + i)); done
}
read -r -a RASA_PORTS <<<"$(ports "$RASA_PORT" "$RASA_SERVERS" "${ASSISTANT_RASA_PORTS:-}")"
read -r -a ACTION_PORTS <<<"$(ports "$ACTION_PORT" "$ACTION_SERVERS" "${ASSISTANT_ACTION_PORTS:-}")"

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] || die "PostgreSQL tidak terpasang; jalankan scripts/install_services.sh (sebagai root)."
    echo "$dir"
}

nginx_bin() {
    command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } \
        || die "nginx tidak terpasang; jalankan scripts/install_services.sh (sebagai root)."
}

# as_postgres COMMAND...: as the `postgres` user when we are root, else as ourselves.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# --- PostgreSQL (pg_ctl, not supervised: it stops last, cleanly) ---------------------------

start_postgres() {
    local bin secret
    bin=$(pg_bin)
    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
        note "membuat basis data PostgreSQL di $PG_DATA"
        if [ "$(id -u)" -eq 0 ]; then
            id -u postgres >/dev/null 2>&1 || die "pengguna sistem 'postgres' tidak ada (paket postgresql membuatnya)."
            install -d -m 755 "$(dirname "$PG_DATA")"
            install -d -m 700 -o postgres -g postgres "$PG_DATA"
            secret="$(dirname "$PG_DATA")/.pw.$$"
            install -m 600 -o postgres -g postgres /dev/null "$secret"
        else
            mkdir -p "$PG_DATA" && chmod 700 "$PG_DATA"
            secret="$CLUSTER_DIR/.pw.$$"
            (umask 077 && : >"$secret")
        fi
        printf '%s\n' "$POSTGRES_PASSWORD" >"$secret"
        as_postgres "$bin/initdb" -D "$PG_DATA" -U "$POSTGRES_USER" --pwfile="$secret" \
            --auth=scram-sha-256 --encoding=UTF8 --no-locale >"$LOG_DIR/postgres-initdb.log" 2>&1 \
            || { rm -f "$secret"; die "initdb gagal; lihat $LOG_DIR/postgres-initdb.log"; }
        rm -f "$secret"
        echo "include_if_exists = 'pemberdayaan.conf'" >>"$PG_DATA/postgresql.conf"
    fi
    # Our settings, written at every start: loopback TCP only, no Unix socket.
    cat >"$PG_DATA/pemberdayaan.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = ''
max_connections = 200
EOF
    chmod 644 "$PG_DATA/pemberdayaan.conf"
    as_postgres "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 120 start >/dev/null \
        || die "PostgreSQL tidak mau menyala; lihat $PG_DATA/server.log"
    if [ -z "$(psql_rasa postgres -tAc "select 1 from pg_database where datname = '$POSTGRES_DB'")" ]; then
        psql_rasa postgres -qc "create database $POSTGRES_DB" >/dev/null
    fi
}

psql_rasa() {  # DATABASE ARGS...
    local database=$1
    shift
    PGPASSWORD=$POSTGRES_PASSWORD PGCONNECT_TIMEOUT=5 "$(pg_bin)/psql" -h 127.0.0.1 \
        -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$database" -v ON_ERROR_STOP=1 "$@"
}

stop_postgres() {
    [ -s "$PG_DATA/postmaster.pid" ] || return 0
    as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# Rasa creates its tables when it starts; two servers starting at once would race, so the
# tables are made here first, once, by the same code.
create_tracker_tables() {
    .venv-rasa/bin/python - <<'EOF' >>"$LOG_DIR/cluster.log" 2>&1 || die "tabel tracker Rasa tidak bisa dibuat; lihat $LOG_DIR/cluster.log"
import os, warnings
warnings.simplefilter("ignore")
from rasa.core.tracker_store import SQLTrackerStore
store = SQLTrackerStore(
    dialect="postgresql", host=f"127.0.0.1:{os.environ['POSTGRES_PORT']}",
    db=os.environ["POSTGRES_DB"], username=os.environ["POSTGRES_USER"],
    password=os.environ["POSTGRES_PASSWORD"],
)
store.engine.dispose()
EOF
}

# --- Redis and nginx (supervised) --------------------------------------------------------

write_redis_conf() {
    mkdir -p "$CLUSTER_DIR/redis"
    (umask 077 && cat >"$CLUSTER_DIR/redis.conf" <<EOF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
requirepass $REDIS_PASSWORD
dir $CLUSTER_DIR/redis
appendonly yes
appendfsync everysec
save ""
daemonize no
logfile ""
EOF
    )
}

write_nginx_conf() {
    local port rasa_upstream="" action_upstream=""
    for port in "${RASA_PORTS[@]}"; do rasa_upstream+="        server 127.0.0.1:$port;"$'\n'; done
    for port in "${ACTION_PORTS[@]}"; do action_upstream+="        server 127.0.0.1:$port;"$'\n'; done
    mkdir -p "$CLUSTER_DIR/nginx"
    sed -e "s|@CLUSTER_DIR@|$CLUSTER_DIR|g" -e "s|@LOG_DIR@|$LOG_DIR|g" \
        -e "s|@RASA_PORT@|$RASA_PORT|g" -e "s|@ACTION_PORT@|$ACTION_PORT|g" \
        deploy/nginx/cluster.conf.template \
        | awk -v rasa="$rasa_upstream" -v actions="$action_upstream" \
            '/@RASA_SERVERS@/ {printf "%s", rasa; next} /@ACTION_SERVERS@/ {printf "%s", actions; next} {print}' \
            >"$CLUSTER_DIR/nginx.conf"
    "$(nginx_bin)" -t -q -c "$CLUSTER_DIR/nginx.conf" -p "$CLUSTER_DIR/nginx" \
        -e "$LOG_DIR/nginx-error.log" >>"$LOG_DIR/cluster.log" 2>&1 \
        || die "konfigurasi nginx salah; lihat $LOG_DIR/cluster.log"
}

# --- run / start / stop ------------------------------------------------------------------

REDIS_SUPERVISOR=""
stopping=""

stop_all() {
    [ -n "$stopping" ] && return 0
    stopping=1
    rm -f "$READY"
    note "menghentikan klaster..."
    stop_servers  # nginx, the Rasa servers, the action servers
    if [ -n "$REDIS_SUPERVISOR" ]; then
        kill -TERM "$REDIS_SUPERVISOR" 2>/dev/null || true
        wait "$REDIS_SUPERVISOR" 2>/dev/null || true
    fi
    stop_postgres
    rm -f "$RUN_PID"
}

run() {
    local i port bin
    if grep -q 'local_rest' "$CREDENTIALS" 2>/dev/null; then
        prepare_servers api rest
    else
        prepare_servers api
    fi
    mkdir -p "$CLUSTER_DIR"
    ensure_token POSTGRES_PASSWORD "$ASSISTANT_VAR_DIR/postgres-token"
    ensure_token REDIS_PASSWORD "$ASSISTANT_VAR_DIR/redis-token"
    [ -f "$CREDENTIALS" ] || die "berkas kanal $CREDENTIALS tidak ada (ASSISTANT_CREDENTIALS)."
    [ -f models/assistant.tar.gz ] || die "model belum ada (models/assistant.tar.gz); jalankan 'make model'."
    command -v redis-server >/dev/null || die "redis-server tidak terpasang; jalankan scripts/install_services.sh (sebagai root)."
    echo $$ >"$RUN_PID"
    rm -f "$READY"
    trap 'stop_all; exit 130' INT
    trap 'stop_all; exit 143' TERM
    trap 'stop_all; exit 129' HUP
    trap 'stop_all' EXIT

    start_postgres
    create_tracker_tables
    write_redis_conf
    in_background redis redis-server "$CLUSTER_DIR/redis.conf"
    REDIS_SUPERVISOR=${SUPERVISORS[-1]}
    SUPERVISORS=()
    for ((i = 0; i < 60; i++)); do
        REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
        sleep 0.5
    done
    ((i < 60)) || die "Redis tidak menjawab; lihat $LOG_DIR/redis.log"

    write_nginx_conf
    bin=$(nginx_bin)
    in_background nginx "$bin" -c "$CLUSTER_DIR/nginx.conf" -p "$CLUSTER_DIR/nginx" \
        -e "$LOG_DIR/nginx-error.log" -g "daemon off;"
    i=0
    for port in "${ACTION_PORTS[@]}"; do
        i=$((i + 1))
        in_background "actions-$i" env -u RASA_AUTH_TOKEN -u POSTGRES_PASSWORD -u REDIS_PASSWORD \
            ASSISTANT_BIND="$BIND" .venv/bin/python scripts/action_server.py --port "$port"
    done
    # The Rasa servers reach the action servers through nginx (ACTION_PORT).
    i=0
    for port in "${RASA_PORTS[@]}"; do
        i=$((i + 1))
        in_background "rasa-$i" env RASA_PORT="$port" WHATSAPP_INSTANCE="rasa-$i" \
            REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/1" \
            "${RASA_CLI[@]}" run -m models/assistant.tar.gz --enable-api \
            --auth-token @env:RASA_AUTH_TOKEN --interface "$BIND" --port "$port" \
            --credentials "$CREDENTIALS" --endpoints deploy/endpoints.cluster.yml
    done
    for port in "${ACTION_PORTS[@]}"; do
        wait_for "http://127.0.0.1:$port/health" 120 "server aksi :$port" || exit 1
    done
    for port in "${RASA_PORTS[@]}"; do
        wait_for "http://127.0.0.1:$port/version" 600 "server Rasa :$port" || exit 1
    done
    wait_for "http://127.0.0.1:$RASA_PORT/version" 30 "nginx (Rasa)" || exit 1
    wait_for "http://127.0.0.1:$ACTION_PORT/health" 30 "nginx (server aksi)" || exit 1
    note "klaster siap: Rasa lewat nginx di http://127.0.0.1:$RASA_PORT (${#RASA_PORTS[@]} server:" \
        "${RASA_PORTS[*]}), server aksi lewat nginx di :$ACTION_PORT (${ACTION_PORTS[*]})," \
        "Redis :$REDIS_PORT, PostgreSQL :$POSTGRES_PORT ($PG_DATA). Log di $LOG_DIR/."
    touch "$READY"
    local status=0
    wait -n "${SUPERVISORS[@]}" "$REDIS_SUPERVISOR" || status=$?
    note "pengawas server berhenti sendiri (kode $status); lihat $LOG_DIR/supervisor.log"
    exit 1
}

running_pid() {
    local pid
    pid=$(cat "$RUN_PID" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

start() {
    local pid i
    pid=$(running_pid)
    [ -z "$pid" ] || die "klaster sudah berjalan (pid $pid); 'scripts/cluster.sh stop' dulu."
    mkdir -p "$LOG_DIR" "$CLUSTER_DIR"
    rm -f "$READY"
    setsid bash scripts/cluster.sh run </dev/null >>"$LOG_DIR/cluster.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 1800; i++)); do  # 15 minutes: two models loading on a busy machine
        if [ -f "$READY" ]; then
            note "klaster berjalan (pid $pid); 'scripts/cluster.sh stop' untuk berhenti."
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$LOG_DIR/cluster.log" >&2 || true
            die "klaster gagal menyala; lihat $LOG_DIR/"
        fi
        sleep 0.5
    done
    kill -TERM "$pid" 2>/dev/null || true
    die "klaster tidak siap dalam 15 menit; lihat $LOG_DIR/"
}

stop() {
    local pid i
    pid=$(running_pid)
    if [ -z "$pid" ]; then
        stop_postgres  # left by a run that was killed
        return 0
    fi
    kill -TERM "$pid"
    for ((i = 0; i < 240; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        note "klaster tidak berhenti dalam 2 menit; dihentikan paksa"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        stop_postgres
    fi
    note "klaster berhenti"
}

purge() {
    stop
    stop_postgres
    rm -rf "$PG_DATA" "$CLUSTER_DIR"
    rm -f "$ASSISTANT_VAR_DIR/postgres-token" "$ASSISTANT_VAR_DIR/redis-token"
}

case "${1:-}" in
    run) run ;;
    start) start ;;
    stop) stop ;;
    purge) purge ;;
    *) die "pakai: scripts/cluster.sh run|start|stop|purge" ;;
esac
