#!/usr/bin/env bash
# `make lock`: write the hashed locks from the requirement files, with uv (in .venv, from
# requirements/dev.in). The bootstrap installs only from the locks (pip --require-hashes):
#
#   requirements/runtime.in -> runtime.lock   the core at run time (production installs this)
#   requirements/dev.in     -> dev.lock       run time + test tools (.venv, `make test`)
#   requirements/rasa.in    -> rasa.lock      Rasa 3.6 on Python 3.10 (.venv-rasa)
#
# Versions already locked are kept (the old lock's pins are the constraints) unless an .in
# file asks for others; UPGRADE=1 resolves afresh. For x86-64 Linux (manylinux 2.28).
set -euo pipefail
cd "$(dirname "$0")/.."
UV=.venv/bin/uv
[ -x "$UV" ] || { echo "[lock] uv belum ada di .venv; jalankan 'make bootstrap' dulu." >&2; exit 1; }
platform=x86_64-manylinux_2_28

pins_of() {  # LOCK...: the name==version lines of the locks that exist
    local lock
    for lock in "$@"; do
        [ -f "$lock" ] && grep -E '^[A-Za-z0-9._-]+==' "$lock" | sed 's/ *\\$//'
    done
    return 0
}

compile() {  # IN LOCK PYTHON-VERSION [LOCK-THAT-MUST-AGREE]
    local in=$1 lock=$2 version=$3 agree=${4:-} pins
    pins=.lock-pins.txt  # a fixed name: uv writes it into the lock's comments
    : >"$pins"
    if [ -z "${UPGRADE:-}" ]; then pins_of "$lock" >"$pins"; fi
    # dev.lock takes the run-time packages at exactly runtime.lock's versions
    if [ -n "$agree" ]; then pins_of "$agree" >>"$pins"; fi
    "$UV" pip compile "$in" -c "$pins" --python-version "$version" --python-platform "$platform" \
        --generate-hashes --no-header --quiet -o "$lock"
    rm -f "$pins"
    echo "[lock] $lock: $(grep -cE '^[A-Za-z0-9._-]+==' "$lock") paket" >&2
}

compile requirements/runtime.in requirements/runtime.lock 3.11
compile requirements/dev.in requirements/dev.lock 3.11 requirements/runtime.lock
compile requirements/rasa.in requirements/rasa.lock 3.10
