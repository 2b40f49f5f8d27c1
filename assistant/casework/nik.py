"""NIK (national identity number) handling: only a salted hash is ever stored.

The salt comes from ``ASSISTANT_NIK_SALT`` or, failing that, from a file created once
beside the database (``<db>.salt``, readable by its owner only). Keep it out of backups of
the database: with the salt, a NIK could be found again by trying all possibilities.

The salt is never silently replaced: a new salt would make every stored hash unmatchable,
so a known NIK would register as a second household. When the database holds hashes and
the salt is missing or damaged, the assistant refuses to start and says what to restore."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from assistant.common.errors import InputError
from assistant.common.texts import text

_NIK = re.compile(r"[0-9]{16}", re.ASCII)
_SEPARATORS = re.compile(r"[ \t.-]")
MIN_SALT_CHARS = 32


class SaltError(InputError):
    """The NIK salt is missing, empty or too short: nothing that hashes a NIK may run."""


def normalise_nik(raw: str) -> str:
    """The 16 ASCII digits of a NIK (spaces, dots and dashes between them allowed)."""
    nik = _SEPARATORS.sub("", str(raw))
    if not _NIK.fullmatch(nik):
        raise InputError(text("casework.bad_nik"), "nik")
    return nik


def salt_for(database: Path, hashes_exist: bool = False) -> bytes:
    """The salt for ``database``; created (atomically) only while no NIK hash exists."""
    configured = os.environ.get("ASSISTANT_NIK_SALT")
    if configured is not None:
        if len(configured.strip()) < MIN_SALT_CHARS:
            raise SaltError(text("nik.salt_env_short", chars=MIN_SALT_CHARS), "salt")
        return configured.strip().encode()
    path = Path(f"{database}.salt")
    if not path.exists():
        if hashes_exist:
            raise SaltError(text("nik.salt_missing", path=path), "salt")
        _create(path)
    salt = path.read_text(encoding="ascii", errors="replace").strip()
    if len(salt) < MIN_SALT_CHARS:
        raise SaltError(text("nik.salt_damaged", path=path, chars=MIN_SALT_CHARS), "salt")
    return salt.encode()


def _create(path: Path) -> None:
    """Write a new salt to a private temporary file, then link it into place: readers never
    see an empty or half-written salt, and of two processes racing, one salt wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        temporary.unlink(missing_ok=True)


def nik_hash(nik: str, salt: bytes) -> str:
    return hmac.new(salt, normalise_nik(nik).encode(), hashlib.sha256).hexdigest()
