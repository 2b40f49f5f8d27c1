#!/usr/bin/env bash
# `make serve`: the action server and the Rasa server over HTTP (REST channel and the
# HTTP API on), in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/servers.sh
trap stop_servers EXIT
start_action_server
echo "[serve] server aksi di http://localhost:$ACTION_PORT" >&2
.venv-rasa/bin/rasa run -m models/assistant.tar.gz --enable-api --credentials credentials.yml \
    --endpoints "$(endpoints_file)" --port "$RASA_PORT" &
RASA_PID=$!
wait_for "http://localhost:$RASA_PORT/status" 180 "server Rasa"
echo "[serve] Rasa di http://localhost:$RASA_PORT (REST: POST /webhooks/rest/webhook). Ctrl-C untuk berhenti." >&2
wait "$RASA_PID"
