#!/usr/bin/env bash
# `make serve`: the action server and the Rasa server, supervised (a server that dies is
# started again), in the foreground until Ctrl-C or SIGTERM, which stop both.
#
# Listens on 127.0.0.1 only: Rasa on RASA_PORT (5005) with the WhatsApp webhook, the REST
# channel (this machine only) and the HTTP API (token: RASA_AUTH_TOKEN or var/rasa-token);
# the action server on ACTION_PORT (5055), token ACTION_SERVER_TOKEN or var/action-token.
# The REST channel (this machine's own tools: the trainer studio, load tests) is served only
# with ASSISTANT_REST=1: then credentials.yml, whose REST channel needs REST_TOKEN (else
# $ASSISTANT_VAR_DIR/rest-token, made on first start); otherwise credentials.production.yml,
# WhatsApp only. ASSISTANT_CREDENTIALS names another file.
# More in scripts/servers.sh and the README ("Deploying").
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/servers.sh
if [ "${ASSISTANT_REST:-0}" = 1 ]; then
    CREDENTIALS=${ASSISTANT_CREDENTIALS:-credentials.yml}
else
    CREDENTIALS=${ASSISTANT_CREDENTIALS:-credentials.production.yml}
fi
[ -f "$CREDENTIALS" ] || die "berkas kanal $CREDENTIALS tidak ada (ASSISTANT_CREDENTIALS)."
[ -f models/assistant.tar.gz ] || die "model belum ada (models/assistant.tar.gz); jalankan 'make serve' atau 'make model'."

stopping=""
shutdown() {  # EXIT-CODE
    if [ -z "$stopping" ]; then
        stopping=1
        note "menghentikan server..."
        stop_servers
    fi
    exit "$1"
}
trap 'shutdown 130' INT
trap 'shutdown 143' TERM
trap 'shutdown 129' HUP
trap 'stop_servers' EXIT

if grep -q 'local_rest' "$CREDENTIALS"; then
    prepare_servers api rest
else
    prepare_servers api
fi
# Both at once: Rasa needs the action server only when a message comes.
start_action_server
start_rasa_server "$CREDENTIALS"
[ "${STUDIO:-1}" = 0 ] || start_studio_server
action_server_up
note "server aksi di http://$BIND:$ACTION_PORT (hanya untuk server Rasa; token di $ASSISTANT_VAR_DIR/action-token atau ACTION_SERVER_TOKEN)"
rasa_server_up
host="http://$BIND:$RASA_PORT"
note "Rasa di $host, kanal dari $CREDENTIALS:"
note "  WhatsApp: $host/webhooks/whatsapp/webhook (satu-satunya jalur untuk proxy HTTPS)"
if grep -q 'local_rest' "$CREDENTIALS"; then
    note "  REST (hanya alat di mesin ini, token di $ASSISTANT_VAR_DIR/rest-token atau REST_TOKEN): POST $host/webhooks/rest/webhook"
fi
note "  API HTTP: perlu ?token=... (RASA_AUTH_TOKEN atau $ASSISTANT_VAR_DIR/rasa-token)"
if [ "${STUDIO:-1}" != 0 ] && studio_server_up; then
    note "Studio pelatih di http://$BIND:$STUDIO_PORT/ (buka lewat tautan: .venv/bin/assistant --as ID_PELATIH trainer studio-link ID_PELATIH)"
fi
note "Log di $LOG_DIR/. Ctrl-C untuk berhenti."
# The supervisors run until stopped; if one ends anyway, stop everything and say so.
status=0
wait -n "${SUPERVISORS[@]}" || status=$?
note "pengawas server berhenti sendiri (kode $status); lihat $LOG_DIR/supervisor.log"
shutdown 1
