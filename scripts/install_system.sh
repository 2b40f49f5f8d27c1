#!/usr/bin/env bash
# install_system.sh GROUP...: install the Debian packages that a group of the project's
# commands needs, only those that are missing, with one `apt-get update` and one install
# for all groups together (scripts/apt_install.sh: needs root, else prints the apt line).
#
#   studio    Graphviz (`dot` draws the trainer studio's decision paths as SVG, PNG, PDF;
#             the studio's unit tests draw too) and a font with Indonesian-ready glyphs
#   browser   Debian's Chromium, the headless browser the studio's browser tests drive
#             through Playwright (Playwright never downloads a browser of its own here)
#   services  Redis, PostgreSQL and nginx for scale-out mode and its tests
#             (scripts/cluster.sh runs private copies of them under var/)
#   all       every group: `make test` runs this first, so that no check finds a program
#             missing that only a later stage would have installed
set -euo pipefail

want_studio="" want_browser="" want_services=""
for group in "$@"; do
    case "$group" in
        studio) want_studio=1 ;;
        browser) want_browser=1 ;;
        services) want_services=1 ;;
        all) want_studio=1 want_browser=1 want_services=1 ;;
        *) printf '[install] kelompok tidak dikenal: %s (studio, browser, services, all)\n' "$group" >&2; exit 2 ;;
    esac
done

missing=()
if [ -n "$want_studio" ]; then
    command -v dot >/dev/null 2>&1 || missing+=(graphviz)
    [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
fi
if [ -n "$want_browser" ]; then
    command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
services_missing=""
if [ -n "$want_services" ]; then
    command -v redis-server >/dev/null 2>&1 || { missing+=(redis-server); services_missing=1; }
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { missing+=(nginx); services_missing=1; }
    compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || { missing+=(postgresql); services_missing=1; }
fi
[ "${#missing[@]}" -eq 0 ] && exit 0

"$(dirname "$0")/apt_install.sh" "${missing[@]}"
if [ -n "$services_missing" ]; then
    # Debian starts the packaged services after installing them; scale-out mode runs its
    # own private ones under var/, so the system-wide ones are stopped again where possible.
    for service in redis-server nginx postgresql; do
        if command -v service >/dev/null 2>&1; then
            service "$service" stop >/dev/null 2>&1 || true
        fi
    done
fi
