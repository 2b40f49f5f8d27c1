#!/usr/bin/env bash
# Helpers to start the action server and the Rasa server; sourced by chat.sh and serve.sh.
# Ports: ACTION_PORT (default 5055), RASA_PORT (default 5005). Logs go to var/log/.

ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
export RASA_TELEMETRY_ENABLED=false
# Rasa 3.6 and TensorFlow print pages of deprecation warnings on start; keep the chat clean.
export PYTHONWARNINGS=ignore SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
mkdir -p var/log
# The Rasa server imports our WhatsApp channel (credentials.yml) from the project root.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

wait_for() {  # URL SECONDS WHAT
    local url=$1 seconds=$2 what=$3 i
    for ((i = 0; i < seconds * 2; i++)); do
        if curl -fsS "$url" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "[server] $what tidak menjawab di $url dalam $seconds detik; lihat var/log/" >&2
    return 1
}

start_action_server() {
    .venv/bin/python -m rasa_sdk --actions actions --port "$ACTION_PORT" \
        >var/log/actions.log 2>&1 &
    ACTION_PID=$!
    wait_for "http://localhost:$ACTION_PORT/health" 60 "server aksi"
}

# Rasa needs an endpoints file that points at our action server's port.
endpoints_file() {
    if [ "$ACTION_PORT" = 5055 ]; then
        echo endpoints.yml
    else
        sed "s#localhost:5055#localhost:$ACTION_PORT#" endpoints.yml >var/endpoints.yml
        echo var/endpoints.yml
    fi
}

stop_servers() {
    [ -n "${RASA_PID:-}" ] && kill "$RASA_PID" 2>/dev/null
    [ -n "${ACTION_PID:-}" ] && kill "$ACTION_PID" 2>/dev/null
    wait 2>/dev/null
    return 0
}
