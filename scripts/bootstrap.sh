#!/usr/bin/env bash
# Create or refresh both environments. Idempotent: reinstalls only when the files that
# describe an environment changed (a stamp file inside each environment records their hash).
#
#   .venv       core: Python 3.11 or 3.12, our package (editable) and requirements/dev.lock
#               (BOOTSTRAP_RUNTIME_ONLY=1: requirements/runtime.lock, for a production host)
#   .venv-rasa  Rasa Open Source 3.6.21 on Python 3.10, requirements/rasa.lock
#
# Both install from hashed locks only (pip --require-hashes): every machine gets the same
# tree. `make lock` writes the locks from the .in files.
#
# Override the interpreters with CORE_PYTHON=/path/to/python3.11 RASA_PYTHON=/path/to/python3.10.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] GAGAL: %s\n' "$*" >&2; exit 1; }

# Print the first interpreter whose version is one of the given minor versions.
find_python() {
    local version candidate found
    local pyenv_root
    pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for version in "$@"; do
        for candidate in "python$version" "$pyenv_root"/versions/"$version".*/bin/python"$version" \
                         "/usr/local/bin/python$version" "/usr/bin/python$version" python3; do
            command -v "$candidate" >/dev/null 2>&1 || continue
            found=$("$candidate" -c 'import sys, venv; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
            if [ "$found" = "$version" ]; then
                command -v "$candidate"
                return 0
            fi
        done
    done
    return 1
}

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# make_env DIR PYTHON STAMP INSTALL-COMMAND...
make_env() {
    local dir=$1 python=$2 stamp=$3
    shift 3
    if [ -f "$dir/.bootstrap-stamp" ] && [ "$(cat "$dir/.bootstrap-stamp")" = "$stamp" ] \
        && "$dir/bin/python" -c 'import sys' >/dev/null 2>&1; then
        return 0
    fi
    if ! "$dir/bin/python" -c 'import sys' >/dev/null 2>&1; then
        say "membuat $dir dengan $python"
        rm -rf "$dir"
        "$python" -m venv "$dir"
        "$dir/bin/python" -m pip install --quiet --upgrade pip wheel
    fi
    say "memasang paket ke $dir (hanya saat berkas kebutuhan berubah)"
    "$@"
    echo "$stamp" > "$dir/.bootstrap-stamp"
}

# durable-rules 2.0.28 is C code from before gcc 14, which turned some warnings into errors
# (incompatible pointer types, implicit declarations, int conversions, return mismatches).
# They stay warnings, as with every gcc before 14. Its setup.py overwrites CFLAGS, so the
# flags ride on CC, which it keeps. gcc 12 accepts the first four (and, with them made
# errors, still builds it without one); the last two exist from gcc 14 on.
compiler=${CC:-gcc}
gcc_major=$($compiler -dumpversion 2>/dev/null | cut -d. -f1 || echo 0)
core_cc="$compiler -Wno-error=incompatible-pointer-types -Wno-error=implicit-function-declaration -Wno-error=int-conversion -Wno-error=implicit-int"
if [ "${gcc_major:-0}" -ge 14 ] 2>/dev/null; then
    core_cc="$core_cc -Wno-error=return-mismatch -Wno-error=declaration-missing-parameter-type"
fi

core_python=${CORE_PYTHON:-$(find_python 3.11 3.12 || true)}
[ -n "$core_python" ] || die "Python 3.11 atau 3.12 tidak ditemukan. Pasang salah satunya (mis. 'pyenv install 3.11') atau set CORE_PYTHON=/jalur/ke/python3.11."
rasa_python=${RASA_PYTHON:-$(find_python 3.10 || true)}
[ -n "$rasa_python" ] || die "Python 3.10 tidak ditemukan (Rasa 3.6 hanya jalan di 3.10). Pasang Python 3.10 (mis. 'pyenv install 3.10') atau set RASA_PYTHON=/jalur/ke/python3.10."

core_lock=requirements/dev.lock
[ -z "${BOOTSTRAP_RUNTIME_ONLY:-}" ] || core_lock=requirements/runtime.lock
core_stamp=$(stamp_of "$core_lock" pyproject.toml)
make_env .venv "$core_python" "$core_stamp" \
    env CC="$core_cc" sh -c ".venv/bin/python -m pip install --quiet --require-hashes -r $core_lock && .venv/bin/python -m pip install --quiet --no-deps -e ."

rasa_stamp=$(stamp_of requirements/rasa.lock)
make_env .venv-rasa "$rasa_python" "$rasa_stamp" \
    .venv-rasa/bin/python -m pip install --quiet --require-hashes -r requirements/rasa.lock
