"""Rulesets of the assistant, one module per decision kind. Only this package imports
durable_rules; ``rules.engine`` is the door the rest of the project goes through."""

from __future__ import annotations

from rules import conflict
from rules.engine import Ruleset

# decision kind -> how its input becomes facts, and the rules that decide on them
RULESETS: dict[str, Ruleset] = {
    "conflict": Ruleset(define=conflict.define, facts=conflict.facts),
}
