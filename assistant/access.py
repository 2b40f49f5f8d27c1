"""Who may see and change what. Enforced by the casework service, never by the chat.

- admin: everything, and manages users.
- pendamping (facilitator): reads and writes only the households they accompany.
- pejabat_desa (village official): counts for their own village; reads its households,
  changes none; nothing of other villages.
- pelatih (trainer): works only in the sandbox database, where everything is allowed."""

from __future__ import annotations

from assistant.errors import InputError
from assistant.records import Beneficiary, User
from assistant.texts import text


class Forbidden(InputError):
    """The actor may not do this. The message says so without revealing the record."""


def can_read(actor: User, household: Beneficiary) -> bool:
    if actor.role in ("admin", "pelatih"):
        return True
    if actor.role == "pendamping":
        return household.facilitator_id == actor.id
    return actor.role == "pejabat_desa" and household.village_id == actor.village_id


def can_write(actor: User, household: Beneficiary) -> bool:
    if actor.role in ("admin", "pelatih"):
        return True
    return actor.role == "pendamping" and household.facilitator_id == actor.id


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden(text(f"access.{what}"), None)
