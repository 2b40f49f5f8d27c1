#!/usr/bin/env bash
# What the trainer studio (`make studio`) needs from Debian: Graphviz and fonts, and
# Chromium for its browser tests unless STUDIO_NO_BROWSER=1 (serving needs only dot).
# Idempotent; details in scripts/install_system.sh.
set -euo pipefail
if [ -n "${STUDIO_NO_BROWSER:-}" ]; then
    exec "$(dirname "$0")/install_system.sh" studio
fi
exec "$(dirname "$0")/install_system.sh" studio browser
