"""Which database a person works in: the real one, or the sandbox for trainers (and the
studio's personas). Seeding goes through here, in one transaction."""

from __future__ import annotations

from pathlib import Path

from assistant.casework import access
from assistant.casework.access import Forbidden, require, works_in_sandbox
from assistant.casework.service import Casework
from assistant.common.texts import text
from assistant.store.db import Store
from assistant.store.records import (
    Beneficiary,
    User,
)


class Workspaces:
    """The one router between the real database and the trainers' sandbox, for the CLI
    and the chat alike: trainers always work in the sandbox, everyone else in the real
    database; practice material (the sample households) is only ever written to the
    sandbox, whoever loads it. A user's record is copied into the sandbox when they
    enter it."""

    def __init__(self, database: Path, sandbox: Path) -> None:
        self.main = Casework(Store(database))
        self._sandbox_path = sandbox
        self._sandbox: Casework | None = None

    def sandbox(self) -> Casework:
        if self._sandbox is None:
            self._sandbox = Casework(Store(self._sandbox_path), self.main.knowledge)
        return self._sandbox

    def user(self, user_id: str | None) -> User | None:
        """A user of the real database; a trainer studio persona (``studio.<nonce>.<id>``,
        see ``access.studio_persona``) is its owner's practice persona, a sandbox trainer."""
        if not user_id:
            return None
        owner_id = access.studio_persona_owner(user_id)
        if owner_id is not None:
            owner = self.main.store.get_user(owner_id)
            if owner is None or not access.can_use_studio(owner):
                return None
            nonce = user_id[len(access.STUDIO_PERSONA) :].partition(".")[0]
            return access.studio_persona(owner, nonce)
        return self.main.store.get_user(user_id)

    def for_user(self, user: User | None) -> Casework:
        """Where this user's work is read and written."""
        if user is not None and works_in_sandbox(user):
            return self.practice(user)
        return self.main

    def practice(self, user: User) -> Casework:
        """The sandbox, with the user's record copied in (trainers; admins loading the
        samples)."""
        practice = self.sandbox()
        practice.store.mirror_user(user)
        return practice

    def seed_samples(
        self, actor: User, trainer: User | None = None
    ) -> list[tuple[Beneficiary, str]]:
        """Load a trainer's sample households into the sandbox, never the real database:
        the trainer's own, or, by an admin preparing a training, those of ``trainer``."""
        owner = trainer or actor
        if not access.can_load_samples(actor, owner):
            if access.is_admin(actor) and trainer is None:
                raise Forbidden(text("access.trainer_for_whom"), "untuk")
            require(False, "trainer")
        return self.practice(owner).seed_samples(owner)

    def close(self) -> None:
        self.main.store.close()
        if self._sandbox is not None:
            self._sandbox.store.close()


def open_casework(
    database: Path, sandbox: Path, actor_id: str | None
) -> tuple[Casework, User | None]:
    """The casework for an actor (see :class:`Workspaces`)."""
    rooms = Workspaces(database, sandbox)
    actor = rooms.user(actor_id)
    work = rooms.for_user(actor)
    if work is not rooms.main:
        rooms.main.store.close()
    return work, actor
