"""Who may see and change what. Enforced by the casework service, never by the chat.

- admin: everything, and manages users.
- koordinator (district supervisor): manages the UMK of the villages of their district,
  signs off (or not) the end of a household's aid there, reads those households' audit.
- pendamping (facilitator): reads and writes only the households they accompany.
- pejabat_desa (village official): counts for their own village; reads its households,
  changes none; nothing of other villages.
- pelatih (trainer): works only in the sandbox database, on their own practice households
  (each trainer has their own sample households there)."""

from __future__ import annotations

from typing import Any

from assistant.common.errors import InputError
from assistant.common.texts import text
from assistant.store.records import Beneficiary, User, Village


class Forbidden(InputError):
    """The actor may not do this. The message says so without revealing the record."""


# --- who is who --------------------------------------------------------------------------


def accompanies(user: User) -> bool:
    """Accompanies households of their own: facilitators, and trainers in the sandbox."""
    return user.role in ("pendamping", "pelatih")


def is_admin(user: User) -> bool:
    return user.role == "admin"


def may_be_first_user(user: User) -> bool:
    """The very first user of an empty database must be an admin."""
    return is_admin(user)


# --- households ----------------------------------------------------------------------------


def household_scope(actor: User) -> dict[str, str | None] | None:
    """The households an actor may read, as store filters: all ({}), their own
    (facilitator), their village's (village), or none at all (None)."""
    if is_admin(actor):
        return {}
    if accompanies(actor):
        return {"facilitator": actor.id}
    if actor.role == "pejabat_desa" and actor.village_id:
        return {"village": actor.village_id}
    return None


def can_register(actor: User) -> bool:
    return accompanies(actor) or is_admin(actor)


def can_register_for(actor: User, facilitator: User) -> bool:
    """Whose household the actor may register: an admin for any facilitator, a facilitator
    or trainer only their own."""
    return accompanies(facilitator) and (is_admin(actor) or facilitator.id == actor.id)


def can_read(actor: User, household: Beneficiary) -> bool:
    if actor.role == "admin":
        return True
    if actor.role in ("pendamping", "pelatih"):  # a trainer: their own practice households
        return household.facilitator_id == actor.id
    return actor.role == "pejabat_desa" and household.village_id == actor.village_id


def can_write(actor: User, household: Beneficiary) -> bool:
    if actor.role == "admin":
        return True
    return actor.role in ("pendamping", "pelatih") and household.facilitator_id == actor.id


def can_assess(actor: User) -> bool:
    """Who records graduation assessments (on the households they may write)."""
    return actor.role in ("pendamping", "pelatih", "admin")


def works_in_sandbox(actor: User) -> bool:
    """Trainers read and write only the sandbox database, never the real one."""
    return actor.role == "pelatih"


def can_load_samples(actor: User, owner: User) -> bool:
    """Sample households belong to one trainer (in the sandbox only): the trainer loads
    their own, or an admin loads them for a trainer before a training."""
    return owner.role == "pelatih" and (actor.id == owner.id or actor.role == "admin")


def can_manage_users(actor: User) -> bool:
    return is_admin(actor)


def can_add_village(actor: User) -> bool:
    """Admins; trainers add practice villages in their sandbox."""
    return actor.role in ("admin", "pelatih")


def can_handle_safeguarding(actor: User) -> bool:
    """Reports of harm are read and closed by admins only."""
    return is_admin(actor)


def can_count_all(actor: User) -> bool:
    """Reports and exports over every household (trainers: of their sandbox)."""
    return actor.role in ("admin", "pelatih")


def official_village(actor: User) -> str | None:
    """The village a village official is registered with (None for anyone else)."""
    return actor.village_id if actor.role == "pejabat_desa" and actor.village_id else None


def can_set_umk(actor: User, village: Village) -> bool:
    """A village's UMK is the graduation threshold of every household there: only an
    admin, or the koordinator of the village's district, changes it (trainers only ever
    work in their sandbox)."""
    if actor.role in ("admin", "pelatih"):
        return True
    return (
        actor.role == "koordinator"
        and bool(actor.district)
        and bool(village.kabupaten)
        and actor.district.strip().lower() == village.kabupaten.strip().lower()
    )


def can_read_decision(
    asker_id: str, asker: User | None, decision_actor: str, subject: Beneficiary | None
) -> bool:
    """The "why?" of a decision: for whoever asked for it, an admin, and anyone who may
    read the household it concerns."""
    if decision_actor == asker_id:
        return True
    if asker is None:
        return False
    if asker.role == "admin":
        return True
    return subject is not None and can_read(asker, subject)


def can_use_studio(actor: User) -> bool:
    """The trainer studio (assistant/studio): trainers, and admins preparing a training.
    Whoever uses it practises in the sandbox only (see ``studio_persona``)."""
    return actor.role in ("pelatih", "admin")


# A studio persona's id: this prefix, a short nonce, a dot, then the real user's id.
STUDIO_PERSONA = "studio."


def studio_persona(actor: User, nonce: str) -> User:
    """The practice persona the studio speaks as for ``actor``: a trainer of the sandbox
    with the actor's name, so that an admin too only ever reaches practice data there.
    A new nonce is a fresh persona (the studio's "reset sandbox")."""
    require(can_use_studio(actor), "studio")
    return User(id=f"{STUDIO_PERSONA}{nonce}.{actor.id}", name=actor.name, role="pelatih")


def studio_persona_owner(persona_id: str) -> str | None:
    """The real user behind a studio persona id (None when it is not one)."""
    if not persona_id.startswith(STUDIO_PERSONA):
        return None
    _, _, owner = persona_id[len(STUDIO_PERSONA) :].partition(".")
    return owner or None


def supervises(actor: User, village: Village) -> bool:
    """A koordinator supervises the villages of their own district (kabupaten)."""
    return (
        actor.role == "koordinator"
        and bool(actor.district)
        and bool(village.kabupaten)
        and actor.district.strip().lower() == village.kabupaten.strip().lower()
    )


def can_sign_off(actor: User, village: Village) -> bool:
    """Ending a household's aid (3.3.7, the last step of the not-graduated path) is
    approved, rejected or sent back for one more evaluation by a second person: the
    koordinator of the household's district or an admin, never the facilitator alone."""
    return is_admin(actor) or supervises(actor, village)


def sees_sign_off_queue(actor: User) -> bool:
    """Who is shown the cases waiting for a sign-off (each still checked per village)."""
    return is_admin(actor) or actor.role == "koordinator"


def can_close_safeguarding(actor: User) -> bool:
    """A report of harm is closed by an admin, saying what was done about it."""
    return is_admin(actor)


def can_update_referral(actor: User, household: Beneficiary) -> bool:
    """A referral is recorded and updated by the household's facilitator or an admin."""
    return can_write(actor, household)


def can_read_audit(actor: User, household: Beneficiary, village: Village | None) -> bool:
    """A household's audit trail: an admin, the koordinator of its district, and its own
    facilitator."""
    if is_admin(actor) or (village is not None and supervises(actor, village)):
        return True
    return actor.role == "pendamping" and household.facilitator_id == actor.id


def gets_task_reminders(user: User) -> bool:
    """Who is sent their due tasks: facilitators of the real database (trainers' practice
    tasks live in the sandbox and are never pushed)."""
    return user.role == "pendamping"


def answers_tasks(user: User) -> bool:
    """Who finishes, postpones and refers by a task's number in the chat: facilitators
    (their own households, checked per task) and admins."""
    return user.role == "pendamping" or is_admin(user)


def gets_sign_off_notices(user: User) -> bool:
    """Who is told when cases start waiting for a sign-off: koordinators (their district's
    cases) and admins (the cases no koordinator supervises)."""
    return user.role == "koordinator" or is_admin(user)


def can_subscribe_summary(actor: User) -> bool:
    """A village official may subscribe to the weekly summary of their own village."""
    return official_village(actor) is not None


def require(allowed: bool, what: str, **details: Any) -> None:
    if not allowed:
        raise Forbidden(text(f"access.{what}", **details), None)
