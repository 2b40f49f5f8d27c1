"""A decision as the assistant records it: inputs, conclusions, the rules that fired and
their citations, the knowledge version, who asked and through which channel, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from assistant.common.texts import say, say_all
from assistant.knowledge.models import Source


class FiredRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str
    source: Source
    facts: list[dict[str, Any]]
    conclusion: dict[str, Any]
    # phrases (assistant.common.texts.phrase); a plain sentence in decisions stored before
    because: list[dict[str, Any]] | str


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    created_at: datetime
    actor: str
    channel: str
    knowledge_version: str
    input: dict[str, Any]
    output: dict[str, Any]
    fired: list[str]
    citations: list[Source]
    trace: list[FiredRule]

    def public(self, lang: str = "id") -> dict[str, Any]:
        """The JSON of ``assistant decide``: the conclusions at top level, then the record,
        with every phrase written out in ``lang`` (each firing keeps its phrases too)."""
        return {
            **say(self.output, lang),
            "decision_id": self.id,
            "kind": self.kind,
            "fired": self.fired,
            "citations": [c.model_dump() for c in self.citations],
            "trace": [
                t.model_dump(mode="json")
                | {"because": say_all(t.because, lang), "phrases": t.because}
                for t in self.trace
            ],
            "knowledge_version": self.knowledge_version,
        }
