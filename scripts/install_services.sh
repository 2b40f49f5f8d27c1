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

"$(dirname "$0")/apt_install.sh" "${missing[@]}"
# Debian starts the packaged services after installing them; scale-out mode runs its own
# private ones under var/, so the system-wide ones are stopped again where possible.
for service in redis-server nginx postgresql; do
    if command -v service >/dev/null 2>&1; then
        service "$service" stop >/dev/null 2>&1 || true
    fi
done
