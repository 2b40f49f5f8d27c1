#!/usr/bin/env bash
# `make chat`: the action server in the background, `rasa shell` in the foreground;
# the action server stops when the shell ends.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/servers.sh
trap stop_servers EXIT
# `make chat AS=628111` talks as that registered user (facilitator journeys need one).
export ASSISTANT_CHAT_USER="${AS:-}"
echo "[chat] menyalakan server aksi..." >&2
start_action_server
echo "[chat] memuat model (sekitar 20 detik). Ketik pesan; /stop untuk keluar." >&2
.venv-rasa/bin/rasa shell -m models/assistant.tar.gz --endpoints "$(endpoints_file)" \
    --port "$RASA_PORT" --quiet
