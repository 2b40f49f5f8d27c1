#!/usr/bin/env bash
# Redis, PostgreSQL and nginx from Debian for scale-out mode and its tests
# (scripts/cluster.sh). Idempotent; details in scripts/install_system.sh.
set -euo pipefail
exec "$(dirname "$0")/install_system.sh" services
