"""Registering and finding people, villages and households: users, villages and their UMK,
households with their hashed NIK, search by name, a household's history. Part of
:class:`assistant.casework.service.Casework`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from assistant.casework import access
from assistant.casework.access import Forbidden, require
from assistant.casework.nik import nik_hash
from assistant.common.errors import InputError
from assistant.common.free_text import refusal_in_name
from assistant.common.limits import MAX_MATCH_TOKENS, MAX_NAME
from assistant.common.money import parse_rupiah
from assistant.common.texts import text
from assistant.decisions.service import Assistant
from assistant.knowledge.loader import Knowledge
from assistant.reading.words import find_person, normalise
from assistant.store.db import Store
from assistant.store.records import (
    Beneficiary,
    User,
    Village,
)


def plain_name(name: str) -> None:
    """A name is shown to other people (a koordinator's notice, an admin's list): it may not
    hold line breaks, control or bidirectional-override characters (issue 22, finding 6)."""
    if refusal_in_name(name) is not None:
        raise InputError(text("casework.name_characters"), "name")


class Registry:
    """Users, villages (and their UMK) and households, each read only by who may."""

    # set by Casework.__init__
    store: Store
    knowledge: Knowledge
    assistant: Assistant

    def hash_nik(self, nik: str) -> str:
        return nik_hash(nik, self._salt)

    # --- people and places ---------------------------------------------------------

    def user(self, user_id: str) -> User:
        found = self.store.get_user(user_id)
        if found is None:
            raise InputError(text("casework.unknown_user", user=user_id), "user")
        return found

    def add_user(self, actor: User | None, user: User) -> User:
        """Admins add users; the very first user of an empty database must be an admin."""
        if actor is None:
            require(self.store.count_users() == 0 and access.may_be_first_user(user), "users")
        else:
            require(access.can_manage_users(actor), "users")
        if user.village_id and self.store.get_village(user.village_id) is None:
            raise InputError(text("casework.unknown_village", village=user.village_id), "village")
        plain_name(user.name)
        self.store.add_user(user)
        return user

    def users(self, actor: User) -> list[User]:
        require(access.can_manage_users(actor), "users")
        return self.store.list_users()

    def add_village(self, actor: User, village: Village) -> Village:
        require(access.can_add_village(actor), "villages")
        plain_name(village.name)
        self.store.add_village(village, by=actor.id)
        return village

    def village(self, village_id: str) -> Village:
        found = self.store.get_village(village_id)
        if found is None:
            raise InputError(text("casework.unknown_village", village=village_id), "village")
        return found

    def set_umk(self, actor: User, village_id: str, umk: Any, year: int | None = None) -> Village:
        """Change a village's UMK (its admin or its district's koordinator only: the UMK is
        the graduation threshold of every household there). The change is kept with who
        made it, when, the old and new value and the year it applies to."""
        village = self.village(village_id)
        require(access.can_set_umk(actor, village), "umk")
        amount = parse_rupiah(umk, "umk")
        if amount <= 0:
            raise InputError(text("errors.greater_than", field="UMK", gt=0), "umk")
        if year is not None and not 1900 <= year <= date.today().year + 1:
            raise InputError(text("casework.bad_year", year=year), "tahun")
        self.store.set_umk(village_id, amount, year or date.today().year, by=actor.id)
        return self.village(village_id)

    def may_set_umk(self, actor: User, village: Village) -> bool:
        return access.can_set_umk(actor, village)

    def umk_history(self, actor: User, village_id: str) -> list[Any]:
        village = self.village(village_id)
        require(access.can_set_umk(actor, village), "umk")
        return self.store.umk_history(village_id)

    # --- households ----------------------------------------------------------------

    def register(
        self,
        actor: User,
        *,
        name: str,
        village_id: str,
        gender: str,
        enrolled_on: date | None = None,
        nik: str | None = None,
        disability: bool = False,
        household_head: bool = True,
        program: str | None = None,
        facilitator_id: str | None = None,
        head_age: int | None = None,
        elderly_member: bool | None = None,
        other_programs: list[str] | None = None,
    ) -> Beneficiary:
        require(access.can_register(actor), "register")
        facilitator_id = facilitator_id or actor.id
        if not access.is_admin(actor) and facilitator_id != actor.id:
            raise Forbidden(text("access.write"), "facilitator")
        facilitator = self.store.get_user(facilitator_id)
        if facilitator is None or not access.accompanies(facilitator):
            raise InputError(
                text("casework.unknown_facilitator", user=facilitator_id), "facilitator"
            )
        self.village(village_id)
        if not name.strip() or len(name.strip()) > MAX_NAME:
            raise InputError(text("casework.bad_name", chars=MAX_NAME), "name")
        plain_name(name)
        if program is not None and program not in self.knowledge.programs.ids:
            raise InputError(text("errors.unknown_program", program=program), "program")
        for received in other_programs or []:
            if received not in self.knowledge.programs.ids:
                raise InputError(text("errors.unknown_program", program=received), "program")
        if head_age is not None and not 0 <= head_age <= 130:
            raise InputError(text("casework.bad_age"), "usia")
        hashed = self.hash_nik(nik) if nik else None
        if hashed:
            existing = self.store.find_beneficiary_by_nik(hashed)
            if existing is not None:
                # never an oracle: another facilitator's household is not named
                if access.can_read(actor, existing):
                    raise InputError(
                        text("casework.duplicate_nik_yours", household=existing.id), "nik"
                    )
                raise InputError(text("casework.duplicate_nik"), "nik")
        household = Beneficiary(
            id=f"rt-{uuid.uuid4().hex[:8]}",
            name=name.strip(),
            village_id=village_id,
            facilitator_id=facilitator_id,
            gender=gender,  # type: ignore[arg-type]
            disability=disability,
            household_head=household_head,
            nik_hash=hashed,
            enrolled_on=enrolled_on or date.today(),
            program=program,
            state=self.knowledge.graduation.initial_state,
            state_since=datetime.now(),
            head_age=head_age,
            elderly_member=elderly_member,
            other_programs=other_programs,
        )
        self.store.add_beneficiary(household)
        return household

    def find_by_nik(self, actor: User, nik: str) -> Beneficiary | None:
        household = self.store.find_beneficiary_by_nik(self.hash_nik(nik))
        if household is None or not access.can_read(actor, household):
            return None
        return household

    def household(self, actor: User, household_id: str) -> Beneficiary:
        """A household the actor may read; otherwise the same answer as "not found"."""
        found = self.store.get_beneficiary(household_id)
        if found is None or not access.can_read(actor, found):
            raise Forbidden(text("casework.unknown_household", household=household_id), "household")
        return found

    def households(
        self, actor: User, name: str | None = None, limit: int | None = None
    ) -> list[Beneficiary]:
        scope = self._scope(actor)
        if scope is None:
            return []
        return self.store.list_beneficiaries(name_like=name, limit=limit, **scope)

    def count_households(self, actor: User) -> int:
        scope = self._scope(actor)
        return 0 if scope is None else self.store.count_households(**scope)

    @staticmethod
    def _scope(actor: User) -> dict[str, str | None] | None:
        """The households an actor may read, as store filters (None: none at all)."""
        return access.household_scope(actor)

    def household_named(self, actor: User, message: str) -> Beneficiary | None:
        """The one household the actor may read that ``message`` names ("cek bu siti"),
        found without listing every household: a name search first, then the closest."""
        words = [w for w in normalise(message).split() if len(w) >= 3][:MAX_MATCH_TOKENS]
        scope = self._scope(actor)
        if scope is None:
            return None
        candidates = self.store.beneficiaries_named(words, **scope)
        if not candidates and access.accompanies(actor):
            # a misspelt name ("bu sity"): a facilitator's own caseload is small enough
            candidates = self.store.list_beneficiaries(facilitator=actor.id)[:500]
        found = find_person(message, [(h.id, h.name) for h in candidates])
        return next((h for h in candidates if h.id == found), None)

    def history(self, actor: User, household_id: str) -> dict[str, Any]:
        household = self.household(actor, household_id)
        return {
            "household": household,
            "assessments": self.store.assessments_of(household.id),
            "transitions": self.store.transitions_of(household.id),
            "tasks": self.store.open_tasks(beneficiary=household.id),
        }

    # --- the graduation path -------------------------------------------------------
