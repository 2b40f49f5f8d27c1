"""Rulesets of the assistant, one module per decision kind. Only this package imports
durable_rules; ``rules.engine`` is the door the rest of the project goes through."""

from __future__ import annotations

from rules import (
    approach,
    conflict,
    graduation,
    needs,
    program_review,
    safeguarding,
    sustainability,
)
from rules.engine import Ruleset

# decision kind -> how its input becomes facts, the rules that decide, the output shape
RULESETS: dict[str, Ruleset] = {
    "approach": Ruleset(approach.define, approach.facts, approach.summarise),
    "needs": Ruleset(needs.define, needs.facts, needs.summarise),
    "conflict": Ruleset(conflict.define, conflict.facts, conflict.summarise),
    "graduation": Ruleset(graduation.define, graduation.facts, graduation.summarise),
    "program_review": Ruleset(
        program_review.define, program_review.facts, program_review.summarise
    ),
    "sustainability": Ruleset(
        sustainability.define, sustainability.facts, sustainability.summarise
    ),
    "safeguarding": Ruleset(safeguarding.define, safeguarding.facts, safeguarding.summarise),
}
