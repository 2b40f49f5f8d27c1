"""The needs and graduation decisions computed by plain Python over the same knowledge
tables: the floor the rules engine is measured against in bench/engine.py, and a second
opinion the tests compare the engine with."""

from __future__ import annotations

import operator
from typing import Any

from assistant.knowledge import Knowledge

_OPS = {"gt": operator.gt, "gte": operator.ge, "eq": operator.eq}


def needs(payload: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    signals = list(dict.fromkeys(payload["signals"]))
    employment = payload.get("employment")
    stage = payload.get("business_stage")
    by_signal = knowledge.needs.signals()
    models: list[str] = []
    follow_ups: list[dict[str, Any]] = []
    for signal in signals:
        row, entry = by_signal[signal]
        models.extend(m for m in entry.models if m not in models)
    for row in knowledge.needs.entries:
        present = [s.id for s in row.signals if s.id in signals]
        if not present:
            continue
        for item in row.considerations:
            triggers = item.when_signals or [s.id for s in row.signals]
            if item.recommends and set(triggers) & set(present):
                follow_up = {"model": item.recommends, "focus": item.focus, "reason": item.text}
                if follow_up not in follow_ups:
                    follow_ups.append(follow_up)
                if item.recommends not in models:
                    models.append(item.recommends)
    subs: list[str] = []
    missing: list[str] = []
    for model in models:
        for sub in knowledge.interventions.subs_of(model):
            if (employment and employment in sub.for_employment) or (
                stage and stage in sub.for_business_stage
            ):
                subs.append(sub.id)
        own = knowledge.interventions.subs_of(model)
        if any(s.for_employment for s in own) and not employment:
            missing.append("employment")
        if any(s.for_business_stage for s in own) and not stage:
            missing.append("business_stage")
    programs = [p.id for p in knowledge.programs.programs if set(p.models) & set(models)]
    priorities = [
        p.id
        for p in knowledge.priorities.priorities
        if {m for e in p.examples for m in e.models} & set(models)
    ]
    return {
        "interventions": sorted(models),
        "sub_models": sorted(subs),
        "follow_ups": sorted(f["model"] for f in follow_ups),
        "programs": sorted(programs),
        "priorities": sorted(priorities),
        "missing": sorted(set(missing)),
    }


def graduation(payload: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    table = knowledge.graduation
    state = payload.get("state") or table.initial_state
    program = payload.get("program")
    matrix_id = payload.get("matrix") or next(
        (m.id for m in table.matrices if program and m.program == program), table.default_matrix
    )
    matrix = table.matrix(matrix_id)
    results = []
    for indicator in matrix.indicators:
        right = payload[indicator.ref] if indicator.ref else indicator.value
        results.append(_OPS[indicator.op](payload[indicator.field], right))
    met = all(results)
    share = "all" if met else ("some" if any(results) else "none")
    change = payload.get("significant_change")
    output: dict[str, Any] = {"graduated": False, "next_step": None, "missing": []}
    chosen = None
    for transition in table.transitions:
        if (
            state in transition.from_states
            and transition.met == met
            and (transition.significant_change is None or transition.significant_change == change)
        ):
            chosen = transition
            break
    if chosen is None and not met and state in table.reevaluation_states and change is None:
        output.update(next_step="evaluasi_ulang", missing=["significant_change"])
    elif chosen is not None:
        output.update(graduated=chosen.graduated, next_step=chosen.to)
    levels = [
        level
        for level in table.levels
        if level.criteria_met == share and (not level.states or state in level.states)
    ]
    output["welfare_level"] = max(levels, key=lambda level: level.rank).id if levels else None
    serving = knowledge.programs.programs
    if chosen is not None and chosen.graduated:
        output["referrals"] = sorted(
            p.id
            for p in serving
            if set(p.welfare_levels) & set(table.referral_levels) and p.id != program
        )
    else:
        output["referrals"] = []
    if chosen is not None and chosen.to == "pertimbangan_penghentian_bantuan":
        output["alternatives"] = sorted(
            p.id
            for p in serving
            if set(p.welfare_levels) & set(table.alternative_levels) and p.id != program
        )
    else:
        output["alternatives"] = []
    return output


def engine_view(kind: str, output: dict[str, Any]) -> dict[str, Any]:
    """The engine's output reduced to what the plain functions compute, for comparison."""
    if kind == "needs":
        return {
            "interventions": sorted(i["id"] for i in output["interventions"]),
            "sub_models": sorted(output["sub_models"]),
            "follow_ups": sorted(f["model"] for f in output["follow_ups"]),
            "programs": sorted(output["programs"]),
            "priorities": sorted(output["priorities"]),
            "missing": sorted(output["missing"]),
        }
    return {
        "graduated": output["graduated"],
        "next_step": output["next_step"],
        "missing": output["missing"],
        "welfare_level": output["welfare_level"],
        "referrals": sorted(output["referrals"]),
        "alternatives": sorted(output["alternatives"]),
    }
