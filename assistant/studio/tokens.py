"""Signed, expiring studio links: ``assistant trainer studio-link USER_ID`` prints one; the
studio server checks it on every request.

A token is ``<payload>.<signature>``, both URL-safe base64: the payload is
``<user id>|<expiry, unix seconds>``, the signature its HMAC-SHA256 under a secret kept in
``$ASSISTANT_VAR_DIR/studio-secret`` (created on first use, random, mode 0600, like the
servers' tokens). Whether the user may use the studio is checked again on every request,
so a link stops working the moment its user loses the trainer or admin role."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.common.paths import ROOT

DEFAULT_HOURS = 12  # one training day
MAX_HOURS = 24 * 7
SECRET_BYTES = 32


class TokenRefused(Exception):
    """The link cannot be used; ``reason`` is a key of ``studio.refused`` in texts.yml."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    user_id: str
    expires: int


def secret_path() -> Path:
    var = Path(os.environ.get("ASSISTANT_VAR_DIR", ROOT / "var"))
    return var / "studio-secret"


def load_secret(path: Path | None = None) -> bytes:
    """The signing secret; created (random, readable by its owner only) when missing."""
    path = path or secret_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < 32:
        raise TokenRefused("secret")
    return value.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


def sign(
    user_id: str, secret: bytes, hours: float = DEFAULT_HOURS, now: float | None = None
) -> str:
    if not 0 < hours <= MAX_HOURS:
        raise ValueError(f"hours must be in (0, {MAX_HOURS}]")
    expires = int((now if now is not None else time.time()) + hours * 3600)
    payload = f"{user_id}|{expires}".encode()
    return f"{_b64(payload)}.{_b64(_signature(secret, payload))}"


def verify(token: str | None, secret: bytes, now: float | None = None) -> Grant:
    """The grant a token carries, or ``TokenRefused`` ("missing", "forged", "expired")."""
    if not token:
        raise TokenRefused("missing")
    encoded, dot, signature = token.strip().partition(".")
    try:
        payload = _unb64(encoded)
        given = _unb64(signature)
    except (ValueError, TypeError):
        raise TokenRefused("forged") from None
    if not dot or not hmac.compare_digest(given, _signature(secret, payload)):
        raise TokenRefused("forged")
    user_id, _, expiry = payload.decode("utf-8", errors="replace").rpartition("|")
    if not user_id or not expiry.isdigit():
        raise TokenRefused("forged")
    if int(expiry) <= (now if now is not None else time.time()):
        raise TokenRefused("expired")
    return Grant(user_id, int(expiry))
