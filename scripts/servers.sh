#!/usr/bin/env bash
# Helpers to run the action server and the Rasa server; sourced by chat.sh and serve.sh.
#
# Safe by default (README, "Deploying"):
# - every server binds 127.0.0.1. ASSISTANT_BIND=<address> overrides, with a warning;
# - the Rasa HTTP API needs a token: RASA_AUTH_TOKEN, else $ASSISTANT_VAR_DIR/rasa-token;
# - the action server needs a token: ACTION_SERVER_TOKEN, else $ASSISTANT_VAR_DIR/action-token
#   (scripts/action_server.py checks it, Rasa sends it from endpoints.yml);
#   a missing token file is created on the first start (random, readable by its owner only);
# - secrets reach the servers through the environment, never their command line (which
#   every local user can read with `ps`);
# - both servers are supervised: when one dies it is started again after 1, 2, 4 ... 60 s
#   (back to 1 s once it ran for 5 minutes), each restart logged in $LOG_DIR/supervisor.log.
# Ports: ACTION_PORT (5055), RASA_PORT (5005). Files: ASSISTANT_VAR_DIR (var/),
# logs ASSISTANT_LOG_DIR ($ASSISTANT_VAR_DIR/log/).

ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
ASSISTANT_VAR_DIR=${ASSISTANT_VAR_DIR:-$PWD/var}
LOG_DIR=${ASSISTANT_LOG_DIR:-$ASSISTANT_VAR_DIR/log}
BIND=${ASSISTANT_BIND:-127.0.0.1}
# endpoints.yml reads ACTION_PORT and ACTION_SERVER_TOKEN from the environment.
export ACTION_PORT RASA_PORT ASSISTANT_VAR_DIR
export RASA_TELEMETRY_ENABLED=false
# The largest request body Rasa's web server takes (Sanic reads SANIC_* variables): a
# WhatsApp message is at most 4,096 characters; its webhook JSON stays far below this.
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-262144}
# Rasa 3.6 and TensorFlow print pages of deprecation warnings on start; keep the chat clean.
export PYTHONWARNINGS=ignore SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
# The Rasa server imports our channels (credentials.yml) from the project root.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
MIN_TOKEN_LENGTH=16
SUPERVISORS=()

note() { printf '[server] %s\n' "$*" >&2; }
die() { printf '[server] GAGAL: %s\n' "$*" >&2; exit 1; }

# One line in the supervisor log and on the terminal.
log_event() {
    printf '%s %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*" >>"$LOG_DIR/supervisor.log"
    note "$*"
}

# ensure_token VARIABLE FILE: the token in VARIABLE, else FILE's first line; FILE is
# created (random, mode 0600) when neither exists. Exports VARIABLE.
ensure_token() {
    local variable=$1 file=$2 token fresh
    token=${!variable:-}
    if [ -z "$token" ]; then
        if [ ! -s "$file" ]; then
            fresh="$file.new.$$"
            (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$fresh" && echo >>"$fresh")
            mv -n "$fresh" "$file"
            rm -f "$fresh"
            note "token baru dibuat di $file (hanya bisa dibaca pemiliknya)"
        fi
        if [ -n "$(find "$file" -perm /077)" ]; then
            chmod 600 "$file"
            note "PERINGATAN: $file bisa dibaca pengguna lain; izinnya sekarang 600. Ganti tokennya bila perlu."
        fi
        token=$(head -n 1 "$file")
    fi
    [ "${#token}" -ge "$MIN_TOKEN_LENGTH" ] \
        || die "$variable terlalu pendek (${#token} karakter); pakai minimal $MIN_TOKEN_LENGTH karakter acak."
    export "$variable=$token"
}

# prepare_servers [api] [rest]: log folder, the action server's token, with `api` the token
# of Rasa's HTTP API, with `rest` the REST channel's (REST_TOKEN, else
# $ASSISTANT_VAR_DIR/rest-token); warns when ASSISTANT_BIND opens the servers beyond this
# machine. Every file the servers make is their owner's only (umask 077).
prepare_servers() {
    umask 077
    mkdir -p "$ASSISTANT_VAR_DIR" "$LOG_DIR"
    chmod 700 "$ASSISTANT_VAR_DIR" 2>/dev/null || true
    ensure_token ACTION_SERVER_TOKEN "$ASSISTANT_VAR_DIR/action-token"
    local wanted
    for wanted in "$@"; do
        case "$wanted" in
            api) ensure_token RASA_AUTH_TOKEN "$ASSISTANT_VAR_DIR/rasa-token" ;;
            rest) ensure_token REST_TOKEN "$ASSISTANT_VAR_DIR/rest-token" ;;
        esac
    done
    case "$BIND" in
        127.* | ::1 | localhost) ;;
        *)
            log_event "PERINGATAN: ASSISTANT_BIND=$BIND - server terbuka di luar mesin ini." \
                "Hanya token yang melindunginya; pasang firewall (README, Deploying)."
            ;;
    esac
}

# The address to probe the servers at (a server on 0.0.0.0 answers on 127.0.0.1 too).
probe_host() {
    case "$BIND" in
        0.0.0.0 | "::" | "[::]") echo 127.0.0.1 ;;
        *:*) echo "[${BIND#[}" | sed 's/]*$/]/' ;;
        *) echo "$BIND" ;;
    esac
}

wait_for() {  # URL SECONDS WHAT
    local url=$1 seconds=$2 what=$3 i
    for ((i = 0; i < seconds * 2; i++)); do
        if curl -fsS "$url" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    note "$what tidak menjawab di $url dalam $seconds detik; lihat $LOG_DIR/"
    return 1
}

# The rasa command, as production runs it (scripts/rasa_cli.py: the run-time fixes of
# scripts/rasa_runtime.py, quiet start-up, and an argument @env:NAME becomes the value of
# $NAME inside the process, so tokens and the chat's conversation id stay out of `ps`).
# An array, not a function: the supervisor must be the parent of the server process itself.
RASA_CLI=(.venv-rasa/bin/python scripts/rasa_cli.py)

# Supervisor state (per supervisor subshell): the running server and the back-off pause.
_child=""
_pause=""

_stop_child() {
    local i
    if [ -n "$_pause" ]; then kill "$_pause" 2>/dev/null || true; fi
    if [ -n "$_child" ] && kill -0 "$_child" 2>/dev/null; then
        kill -TERM "$_child" 2>/dev/null || true
        for ((i = 0; i < 40; i++)); do  # 20 s to stop cleanly, then KILL
            kill -0 "$_child" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$_child" 2>/dev/null || true
        wait "$_child" 2>/dev/null || true
    fi
}

# supervise NAME COMMAND...: run COMMAND (output appended to $LOG_DIR/NAME.log) and start
# it again whenever it exits. Run it in the background; TERM stops it and COMMAND.
supervise() {
    local name=$1 delay=1 started status
    shift
    set +e  # nothing that fails here (a full disk, a lost log folder) may end the supervision
    trap '_stop_child; exit 0' TERM
    trap '' INT  # Ctrl-C is for the script that started us: it stops everything in order
    while :; do
        started=$SECONDS
        "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
        _child=$!
        status=0
        wait "$_child" || status=$?
        _child=""
        if ((SECONDS - started >= 300)); then delay=1; fi
        log_event "$name berhenti (kode $status); dinyalakan lagi dalam $delay detik (log: $LOG_DIR/$name.log)"
        sleep "$delay" &
        _pause=$!
        wait "$_pause" || true
        _pause=""
        delay=$((delay * 2 > 60 ? 60 : delay * 2))
    done
}

# in_background NAME COMMAND...: a supervisor in its own process group (job control on
# while it starts), so that Ctrl-C reaches only the script, which stops everything in order.
in_background() {
    set -m
    supervise "$@" &
    SUPERVISORS+=("$!")
    set +m
}

start_action_server() {
    # The action server needs no token of Rasa's API: the supervised command drops it.
    in_background actions env -u RASA_AUTH_TOKEN ASSISTANT_BIND="$BIND" \
        .venv/bin/python scripts/action_server.py --port "$ACTION_PORT"
}

action_server_up() {
    wait_for "http://$(probe_host):$ACTION_PORT/health" 60 "server aksi"
}

# ASSISTANT_MODEL: another trained model to serve (an experiment, bench/turn_cost.py --model).
start_rasa_server() {  # CREDENTIALS
    in_background rasa "${RASA_CLI[@]}" run -m "${ASSISTANT_MODEL:-models/assistant.tar.gz}" --enable-api \
        --auth-token @env:RASA_AUTH_TOKEN --interface "$BIND" --port "$RASA_PORT" \
        --credentials "$1" --endpoints endpoints.yml
}

rasa_server_up() {
    # /version answers without the token, and only once the model is loaded.
    wait_for "http://$(probe_host):$RASA_PORT/version" 300 "server Rasa"
}

# Stop the supervisors, which stop their servers; safe to call more than once.
stop_servers() {
    local pid
    for pid in "${SUPERVISORS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${SUPERVISORS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    SUPERVISORS=()
    return 0
}

# The trainer studio (assistant/studio, `make studio`): a web page on STUDIO_PORT (5010), on
# the same address as the other servers; it reaches Rasa's REST channel on this machine and
# needs no server token (each request carries a signed link's token).
STUDIO_PORT=${STUDIO_PORT:-5010}
export STUDIO_PORT

start_studio_server() {
    in_background studio env -u ACTION_SERVER_TOKEN -u RASA_AUTH_TOKEN ASSISTANT_BIND="$BIND" \
        .venv/bin/python -m assistant.studio.server --port "$STUDIO_PORT"
}

studio_server_up() {
    wait_for "http://$(probe_host):$STUDIO_PORT/health" 60 "studio pelatih"
}
