#!/usr/bin/env bash
# `make chat`: the action server and the Rasa server in the background (supervised), and
# a terminal client in the foreground that talks to the REST channel with its token
# (scripts/terminal_chat.py); both servers stop when the client ends. All on 127.0.0.1.
#
# `make chat AS=628111` speaks as that registered user (facilitator journeys need one).
# Only the holder of the REST token ($ASSISTANT_VAR_DIR/rest-token, readable by its owner
# only) can speak through the channel, so no other local user or web page can speak as
# anyone (issue 22).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/servers.sh
[ -f models/assistant.tar.gz ] || die "model belum ada (models/assistant.tar.gz); jalankan 'make chat'."
trap stop_servers EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM
prepare_servers api rest
echo "[chat] menyalakan server aksi dan server Rasa..." >&2
start_action_server
start_rasa_server credentials.yml
action_server_up
echo "[chat] memuat model (sekitar 30 detik)..." >&2
rasa_server_up
.venv/bin/python scripts/terminal_chat.py --url "http://$(probe_host):$RASA_PORT" ${AS:+--as "$AS"}
