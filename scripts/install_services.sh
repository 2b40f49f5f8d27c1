#!/usr/bin/env bash
# Install the servers that scale-out mode and its tests run (scripts/cluster.sh):
# Redis, PostgreSQL and nginx, from Debian's packages. Idempotent: does nothing when their
# programs are already there; runs `apt-get update` once, only when something is missing.
# Needs root (CI and the development machines run as root); otherwise says what to run.
set -euo pipefail

say() { printf '[install] %s\n' "$*" >&2; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    say "belum terpasang: ${missing[*]}. Jalankan sebagai root:"
    say "  apt-get update && apt-get install -y ${missing[*]}"
    exit 1
fi
command -v apt-get >/dev/null 2>&1 || { say "apt-get tidak ada; pasang ${missing[*]} dengan pengelola paket sistem ini."; exit 1; }
say "memasang ${missing[*]} dari paket Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian starts the packaged services after installing them; scale-out mode runs its own
# private ones under var/, so the system-wide ones are stopped again where possible.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for service in redis-server nginx postgresql; do
    if command -v service >/dev/null 2>&1; then
        service "$service" stop >/dev/null 2>&1 || true
    fi
done
say "terpasang: ${missing[*]}"
