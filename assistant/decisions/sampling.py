"""Varied, valid decision inputs generated from the knowledge tables (deterministic: the
same seed gives the same inputs). Used by the benchmarks, the differential tests and the
flow diagrams."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models.interventions import BUSINESS_STAGES, EMPLOYMENT_STATUSES


def conflict(rng: random.Random, kb: Knowledge) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": rng.choice([t.id for t in kb.conflicts.types]),
        "threatens_program": rng.random() < 0.2,
        "safeguarding": rng.random() < 0.15,
    }
    if rng.random() < 0.8:
        payload["scope"] = rng.choice([s.id for s in kb.conflicts.scopes])
    return payload


def approach(rng: random.Random, kb: Knowledge) -> dict[str, Any]:
    conditions = [c.id for c in kb.approaches.conditions]
    groups = [g.id for g in kb.approaches.groups]
    payload = {
        "conditions": rng.sample(conditions, rng.randint(0, 3)),
        "groups": rng.sample(groups, rng.randint(0, 2)),
    }
    if not payload["conditions"] and not payload["groups"]:
        payload["conditions"] = [rng.choice(conditions)]
    return payload


def needs(rng: random.Random, kb: Knowledge) -> dict[str, Any]:
    payload: dict[str, Any] = {"signals": rng.sample(sorted(kb.needs.signals()), rng.randint(1, 4))}
    if rng.random() < 0.6:
        payload["employment"] = rng.choice(EMPLOYMENT_STATUSES)
    if rng.random() < 0.6:
        payload["business_stage"] = rng.choice(BUSINESS_STAGES)
    return payload


def graduation(rng: random.Random, kb: Knowledge) -> dict[str, Any]:
    umk = rng.choice([2_100_000, 2_500_000, 3_200_000, 4_900_000])
    payload: dict[str, Any] = {
        "income_monthly": round(umk * rng.uniform(0.3, 1.6), -3),
        "umk": umk,
        "mindset_changed": rng.random() < 0.6,
        "state": rng.choice(sorted(kb.graduation.states())),
    }
    if rng.random() < 0.7:
        payload["significant_change"] = rng.random() < 0.5
    if rng.random() < 0.5:
        payload["program"] = rng.choice([p.id for p in kb.programs.programs])
    return payload


def program_review(rng: random.Random, kb: Knowledge) -> dict[str, Any]:
    return {"checks": {c.id: rng.random() < 0.6 for c in kb.review.checks}}


def sustainability(rng: random.Random, kb: Knowledge) -> dict[str, Any]:
    ids = kb.sustainability.parameter_ids()
    return {
        "parameters": {p: rng.random() < 0.7 for p in rng.sample(ids, rng.randint(1, len(ids)))}
    }


GENERATORS: dict[str, Callable[[random.Random, Knowledge], dict[str, Any]]] = {
    "approach": approach,
    "needs": needs,
    "conflict": conflict,
    "graduation": graduation,
    "program_review": program_review,
    "sustainability": sustainability,
}


def stream(kind: str, kb: Knowledge, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    while True:
        yield GENERATORS[kind](rng, kb)
