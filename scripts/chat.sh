#!/usr/bin/env bash
# `make chat`: the action server in the background (supervised), `rasa shell` in the
# foreground on 127.0.0.1; the action server stops when the shell ends.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/servers.sh
[ -f models/assistant.tar.gz ] || die "model belum ada (models/assistant.tar.gz); jalankan 'make chat'."
trap stop_servers EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM
# `make chat AS=628111` talks as that registered user (facilitator journeys need one), in
# this terminal's conversation only: a fresh random id that the shell uses and the action
# server compares (actions/common.py, sender_of). Another sender on the same port - even
# one naming itself "cmdline" - speaks as itself.
export ASSISTANT_CHAT_USER="${AS:-}"
ASSISTANT_CHAT_CONVERSATION="terminal-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
export ASSISTANT_CHAT_CONVERSATION
prepare_servers
echo "[chat] menyalakan server aksi..." >&2
start_action_server
action_server_up
echo "[chat] memuat model (sekitar 20 detik). Ketik pesan; /stop untuk keluar." >&2
"${RASA_CLI[@]}" shell -m models/assistant.tar.gz --endpoints endpoints.yml \
    --interface "$BIND" --port "$RASA_PORT" \
    --conversation-id @env:ASSISTANT_CHAT_CONVERSATION --quiet
