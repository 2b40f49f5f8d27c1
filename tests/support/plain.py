"""The needs and graduation decisions computed by plain Python over the same knowledge
tables: the floor the rules engine is measured against in bench/engine.py, and a second
opinion the tests compare the engine with."""

from __future__ import annotations

import operator
from typing import Any

from assistant.knowledge.loader import Knowledge

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
    change = payload.get("significant_change")
    follow_up = payload.get("follow_up")
    output: dict[str, Any] = {"graduated": False, "next_step": None, "missing": [], "path": []}
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
        output.update(
            next_step="evaluasi_ulang", missing=["significant_change"], path=["evaluasi_ulang"]
        )
    elif chosen is not None:
        step = table.step(chosen.to)
        path = [
            s.id
            for s in table.path(step.path)
            if s.order >= step.order and (s.id == step.id or not (s.conditional or s.choice))
        ]
        if chosen.graduated and follow_up:
            path += [s for s in table.option(follow_up).steps if s not in path]
            path.sort(key=lambda s: table.step(s).order)
        elif chosen.to == table.path("lulus")[0].id:
            output["missing"] = ["follow_up"]
        output.update(graduated=chosen.graduated, next_step=chosen.to, path=path)
    output["welfare_level"] = payload.get("welfare_level")
    programs = knowledge.programs.programs
    received = set(payload.get("other_programs") or [])
    referring = {o.id for o in table.follow_up_options if "rujukan_program_lanjutan" in o.steps}
    output["referrals"], output["alternatives"], notes = [], [], []
    if chosen is not None and chosen.graduated and follow_up in referring:
        wanted = [p for p in programs if set(p.welfare_levels) & set(table.referral_levels)]
        output["referrals"] = _eligible(wanted, payload, program, received, knowledge, notes)
    if chosen is not None and chosen.to == "pertimbangan_penghentian_bantuan":
        social = table.social_assistance
        flagged = any(payload.get(flag) is True for flag in social.when)
        wanted = [
            p
            for p in programs
            if set(p.welfare_levels) & set(table.alternative_levels)
            or (flagged and p.id in social.programs)
        ]
        output["alternatives"] = _eligible(wanted, payload, program, received, knowledge, notes)
    output["notes"] = sorted(notes)
    return output


def _eligible(
    wanted: list[Any],
    payload: dict[str, Any],
    own: str | None,
    received: set[str],
    knowledge: Knowledge,
    notes: list[tuple[str, str]],
) -> list[str]:
    """Program ids of ``wanted`` the household may use; notes (program, condition) added."""
    kinds = {p.id: p.kind for p in knowledge.programs.programs}
    region = payload.get("province")
    if region is not None:
        found = knowledge.regions.find(region)
        region = found.id if found else region
    out = []
    for program in wanted:
        if program.id == own or program.id in received:
            continue
        ruled_out = False
        own_notes = []
        for cond in program.eligibility:
            flags = [payload.get(f) for f in cond.any_of]
            if cond.effect == "catatan":
                if cond.fact == "catatan" or True in flags:
                    own_notes.append(cond.id)
                continue
            value = payload.get(cond.fact) if cond.fact != "province" else region
            if cond.fact == "head_age":
                low = cond.min if cond.min is not None else 0
                high = cond.max if cond.max is not None else 200
                if value is None:
                    own_notes.append(cond.id)
                elif not low <= value <= high:
                    ruled_out = True
            elif cond.fact == "province":
                if value is None:
                    own_notes.append(cond.id)
                elif value not in cond.regions:
                    ruled_out = True
            elif cond.fact == "gender":
                if value is None:
                    own_notes.append(cond.id)
                elif value not in cond.genders:
                    ruled_out = True
            elif cond.fact in ("disability", "elderly_member"):
                if value is None:
                    own_notes.append(cond.id)
                elif value != cond.value:
                    ruled_out = True
            elif cond.fact == "household_members":
                if True in flags:
                    continue
                if not cond.others and all(f is False for f in flags):
                    ruled_out = True
                elif cond.others or None in flags:
                    own_notes.append(cond.id)
            elif cond.fact == "other_programs":
                if payload.get("other_programs") is None:
                    own_notes.append(cond.id)
                elif any(kinds[p] in cond.exclude_kinds and p != program.id for p in received):
                    ruled_out = True
        if not ruled_out:
            out.append(program.id)
            notes.extend((program.id, n) for n in own_notes)
    return sorted(out)


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
        "path": output["path"],
        "welfare_level": output["welfare_level"],
        "referrals": sorted(output["referrals"]),
        "alternatives": sorted(output["alternatives"]),
        "notes": sorted((n["program"], n["condition"]) for n in output["program_notes"]),
    }
