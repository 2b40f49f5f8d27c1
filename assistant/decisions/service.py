"""The service every front end shares (chat actions, CLI): validate, decide, store."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from assistant.common.errors import InputError, from_validation
from assistant.common.paths import database_path
from assistant.common.texts import text
from assistant.decisions.inputs import INPUTS
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.knowledge.models import Source
from assistant.store.db import Store
from assistant.store.decision import Decision, FiredRule
from rules.engine import engine_for

# Conclusions every decision of a kind reports, even when no rule set them.
OUTPUT_DEFAULTS: dict[str, dict[str, Any]] = {
    "conflict": {"safeguarding_protocol": None},
}


class Assistant:
    def __init__(self, store: Store | None = None, knowledge: Knowledge | None = None) -> None:
        self.knowledge = knowledge or default_knowledge()
        self.store = store or Store(database_path())
        self.engine = engine_for(self.knowledge)

    def validate(self, kind: str, payload: Mapping[str, Any], lang: str = "id") -> Any:
        """The input model of ``kind`` for ``payload``, or ``InputError`` in ``lang``."""
        if kind not in INPUTS:
            raise InputError(
                text("errors.unknown_kind", lang, kind=kind, kinds=", ".join(INPUTS)), "kind"
            )
        try:
            return INPUTS[kind].model_validate(payload, context={"knowledge": self.knowledge})
        except ValidationError as error:
            raise from_validation(error, lang) from error

    def evaluate(
        self, kind: str, payload: Mapping[str, Any], *, actor: str, channel: str
    ) -> Decision:
        """Validate ``payload`` and run the rules for ``kind``; nothing is stored."""
        data = self.validate(kind, payload)
        outcome = self.engine.run(kind, data)
        return Decision(
            id=uuid.uuid4().hex,
            kind=kind,
            created_at=datetime.now(UTC),
            actor=actor,
            channel=channel,
            knowledge_version=self.knowledge.version,
            input=data.model_dump(mode="json", exclude_none=True),
            output={**OUTPUT_DEFAULTS.get(kind, {}), **outcome.conclusions},
            fired=[f.rule for f in outcome.trace],
            citations=_unique_sources(f.source for f in outcome.trace),
            # built by the engine from validated knowledge: no need to validate again
            trace=[FiredRule.model_construct(**firing.public()) for firing in outcome.trace],
        )

    def decide(
        self, kind: str, payload: Mapping[str, Any], *, actor: str, channel: str
    ) -> Decision:
        """Validate ``payload``, run the rules for ``kind``, store and return the decision."""
        decision = self.evaluate(kind, payload, actor=actor, channel=channel)
        self.store.save_decision(decision)
        return decision

    def decision(self, decision_id: str) -> Decision | None:
        return self.store.get_decision(decision_id)


def _unique_sources(sources: Any) -> list[Source]:
    seen: list[Source] = []
    for source in sources:
        if source not in seen:
            seen.append(source)
    return seen
