#!/usr/bin/env bash
# apt_install.sh PACKAGE...: install Debian packages the project's own scripts found missing
# (scripts/install_services.sh, scripts/install_studio.sh). Runs `apt-get update` once, then
# installs without recommends. Needs root (CI and the development machines run as root);
# otherwise prints the command to run and fails, so that nothing half-works silently.
set -euo pipefail

say() { printf '[install] %s\n' "$*" >&2; }

[ "$#" -gt 0 ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
    say "belum terpasang: $*. Jalankan sebagai root:"
    say "  apt-get update && apt-get install -y $*"
    exit 1
fi
command -v apt-get >/dev/null 2>&1 || { say "apt-get tidak ada; pasang $* dengan pengelola paket sistem ini."; exit 1; }
say "memasang $* dari paket Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
say "terpasang: $*"
