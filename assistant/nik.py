"""NIK (national identity number) handling: only a salted hash is ever stored.

The salt comes from ``ASSISTANT_NIK_SALT`` or, failing that, from a file created once
beside the database (``<db>.salt``, readable by its owner only). Keep it out of backups of
the database: with the salt, a NIK could be found again by trying all possibilities."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from assistant.errors import InputError
from assistant.texts import text

_NIK = re.compile(r"^\d{16}$")


def normalise_nik(raw: str) -> str:
    nik = re.sub(r"[\s.-]", "", str(raw))
    if not _NIK.match(nik):
        raise InputError(text("casework.bad_nik"), "nik")
    return nik


def salt_for(database: Path) -> bytes:
    if os.environ.get("ASSISTANT_NIK_SALT"):
        return os.environ["ASSISTANT_NIK_SALT"].encode()
    path = Path(f"{database}.salt")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def nik_hash(nik: str, salt: bytes) -> str:
    return hmac.new(salt, normalise_nik(nik).encode(), hashlib.sha256).hexdigest()
