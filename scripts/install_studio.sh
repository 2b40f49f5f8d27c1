#!/usr/bin/env bash
# Install what the trainer studio (assistant/studio/, `make studio`) and its browser tests
# need from Debian's packages: Graphviz (`dot` draws the decision path as SVG, PNG and PDF
# on the server) and Chromium (the headless browser the tests drive through Playwright;
# Playwright never downloads a browser of its own here). Fonts with Indonesian-ready Latin
# glyphs come along so that the diagrams and screenshots read well.
# Idempotent: does nothing when the programs are there; runs `apt-get update` once, only
# when something is missing. Needs root (CI and the development machines run as root);
# otherwise says what to run. STUDIO_NO_BROWSER=1 skips Chromium (serving needs only dot).
set -euo pipefail

say() { printf '[install] %s\n' "$*" >&2; }

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if [ -z "${STUDIO_NO_BROWSER:-}" ]; then
    command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ "${#missing[@]}" -eq 0 ] && exit 0

"$(dirname "$0")/apt_install.sh" "${missing[@]}"
