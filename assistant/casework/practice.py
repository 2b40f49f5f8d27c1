"""The trainers' practice material: the sample villages and households of
``samples.yml``, loaded into a sandbox and replayed along their path. Part of
:class:`assistant.casework.service.Casework`; the choice between the real database and
the sandbox is :mod:`assistant.casework.workspaces`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from assistant.casework import access
from assistant.casework.access import require
from assistant.decisions.service import Assistant
from assistant.knowledge.loader import Knowledge
from assistant.store.db import Store
from assistant.store.records import (
    Beneficiary,
    User,
    Village,
)

SAMPLES = Path(__file__).with_name("samples.yml")


class Practice:
    """Seeding a sandbox with the sample households."""

    # set by Casework.__init__
    store: Store
    knowledge: Knowledge
    assistant: Assistant

    def seed_samples(self, trainer: User) -> list[tuple[Beneficiary, str]]:
        """Load the sample villages and households (assistant/casework/samples.yml) into this
        (sandbox) database once, each brought to the point of the path it shows."""
        require(access.can_load_samples(trainer, trainer), "trainer")
        samples = yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))
        with self.store.transaction():  # all the samples or none
            return self._seed(trainer, samples)

    def _seed(self, trainer: User, samples: dict[str, Any]) -> list[tuple[Beneficiary, str]]:
        for village in samples["villages"]:
            if self.store.get_village(village["id"]) is None:
                self.store.add_village(Village.model_validate(village))
        shown = []
        existing = {h.name: h for h in self.store.list_beneficiaries(facilitator=trainer.id)}
        for item in samples["households"]:
            household = existing.get(item["name"])
            if household is None:
                household = self.register(
                    trainer,
                    name=item["name"],
                    village_id=item["village"],
                    gender=item["gender"],
                    disability=item.get("disability", False),
                    program=item.get("program"),
                    facilitator_id=trainer.id,
                )
                for step in item["history"]:
                    self._replay(trainer, household.id, step)
            shown.append((self.store.get_beneficiary(household.id) or household, item["shows"]))
        return shown

    def _replay(self, actor: User, household_id: str, step: dict[str, Any]) -> None:
        if "assess" in step:
            facts = step["assess"]
            self.assess(
                actor,
                household_id,
                income=facts["income"],
                mindset_changed=facts["mindset"],
                significant_change=facts.get("change"),
                assessed_on=date.today() - timedelta(days=facts["days_ago"]),
                channel="contoh",
            )
        else:
            task = next(
                t for t in self.store.open_tasks(beneficiary=household_id) if t.step == step["done"]
            )
            self.complete_task(actor, task.id, follow_up=step.get("follow_up"))
