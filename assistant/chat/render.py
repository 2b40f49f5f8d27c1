"""Decisions rendered as short chat messages (phone-sized paragraphs)."""

from __future__ import annotations

from typing import Any

from assistant.casework.reports import VillageSummary, state_names
from assistant.common.money import format_rupiah
from assistant.common.texts import say, say_all, text
from assistant.decisions.inputs import RUPIAH_FIELDS
from assistant.knowledge.loader import Knowledge
from assistant.store.decision import Decision


def conflict_reply(
    decision: Decision, knowledge: Knowledge, lang: str = "id", protocol_sent: bool = False
) -> list[str]:
    """The answer to a conflict report, as a few short messages. A protocol already sent
    in this conversation (``protocol_sent``) is referred to, not repeated."""
    out = say(decision.output, lang)
    table = knowledge.conflicts
    category = table.category(out["category"])
    messages: list[str] = []
    already = out.get("safeguarding_protocol") and protocol_sent
    if out.get("safeguarding_protocol") and not protocol_sent:
        lines = [text("conflict.safeguarding_header", lang)]
        lines += [f"- {step}" for step in out["safeguarding_protocol"]]
        messages.append("\n".join(lines))
    summary = [
        *([text("conflict.safeguarding_already", lang)] if already else []),
        text("conflict.title", lang),
        text("conflict.type", lang, name=out["type_name"]),
        text("conflict.category", lang, category=category.id, meaning=category.meaning),
        text("conflict.parties", lang, parties=", ".join(out["parties"])),
    ]
    messages.append("\n".join(summary))
    options = [text("conflict.options_header", lang)]
    options += [f"{n}. {option}" for n, option in enumerate(out["options"], start=1)]
    messages.append("\n".join(options))
    step = next(s for s in out["steps"] if s["id"] == out["next_step"])
    source = table.type(out["type"]).source
    messages.append(
        "\n".join(
            [
                text("conflict.next_step", lang, name=step["name"], action=step["actions"][0]),
                text("conflict.source", lang, section=source.section, title=source.title),
                text("conflict.why_hint", lang),
            ]
        )
    )
    return messages


def explanation(decision: Decision | None, lang: str = "id") -> str:
    """The "kenapa?" answer: each rule that fired, in order, with its guideline section."""
    if decision is None:
        return text("explain.none", lang)
    lines = [text("explain.header", lang)]
    for n, fired in enumerate(decision.trace, start=1):
        lines.append(
            text(
                "explain.line",
                lang,
                n=n,
                because=say_all(fired.because, lang) or fired.rule,
                section=fired.source.section,
                title=fired.source.title,
            )
        )
    return "\n".join(lines)


def graduation_reply(
    decision: Decision, knowledge: Knowledge, lang: str = "id", ask_follow_up: bool = True
) -> list[str]:
    """The answer to a graduation check: the verdict and what was assessed, a welfare level
    only when recorded from data, the next step with the facilitator's role, the graduate's
    choice of follow-up (asked when missing), and referrals or alternatives that fit the
    household, with what to check."""
    out = say(decision.output, lang)
    table = knowledge.graduation
    verdict = "graduation.passed" if out["graduated"] else "graduation.not_passed"
    lines = [text(verdict, lang)]
    matrix_row = table.matrix(out["matrix"]) if out.get("matrix") else None
    for criterion in out["criteria"]:
        mark = "✓" if criterion["met"] else "✗"
        compared = _compared(matrix_row, criterion.get("id"), decision.input, lang)
        lines.append(f"{mark} {criterion['name']}{compared}")
    if out.get("criteria") and out.get("state"):
        met = sum(1 for criterion in out["criteria"] if criterion["met"])
        matrix = matrix_row.name if matrix_row else ""
        state = state_names(knowledge).get(out["state"], out["state"])
        lines.append(
            text(
                "graduation.assessed",
                lang,
                met=met,
                total=len(out["criteria"]),
                matrix=matrix,
                state=state,
            )
        )
    if out.get("welfare_level") and out.get("welfare_level_source"):
        # a level only with the data it was recorded from (older decisions inferred one)
        level = table.level(out["welfare_level"])
        source = out["welfare_level_source"]
        lines.append(text("graduation.level", lang, level=level.name, source=source))
    if out.get("dtsen_decile"):
        lines.append(text("graduation.decile", lang, decile=out["dtsen_decile"]))
    messages = ["\n".join(lines)]
    if out.get("next_step"):
        step = table.step(out["next_step"])
        path = " → ".join(table.step(s).name for s in out["path"])
        messages.append(
            "\n".join(
                [text("graduation.next", lang, step=step.name, summary=step.summary)]
                + [f"- {role}" for role in step.roles]
                + [text("graduation.path", lang, path=path)]
            )
        )
    if "follow_up" in out.get("missing", []) and ask_follow_up:
        options = [table.option(o) for o in out.get("follow_up_options", [])]
        listed = "\n".join(f"{n}. {o.name}" for n, o in enumerate(options, start=1))
        messages.append(text("graduation.ask_follow_up", lang, options=listed))
    elif out.get("follow_up"):
        messages.append(
            text("graduation.follow_up", lang, option=table.option(out["follow_up"]).name)
        )
    messages += _program_lists(out, knowledge, lang)
    source = table.step(out["next_step"]).source if out.get("next_step") else table.levels[0].source
    messages.append(
        text("conflict.source", lang, section=source.section, title=source.title)
        + " "
        + text("conflict.why_hint", lang)
    )
    return messages


def _compared(
    matrix: Any, criterion: str | None, inputs: dict[str, Any], lang: str
) -> str:
    """The amounts a criterion compared, as people write them: " (Rp 2.700.000; UMK
    Rp 2.500.000)". Empty for a criterion against a fixed value (yes/no)."""
    indicator = next((i for i in getattr(matrix, "indicators", []) if i.id == criterion), None)
    if indicator is None or indicator.ref is None:
        return ""
    value, ref = inputs.get(indicator.field), inputs.get(indicator.ref)
    if not isinstance(value, int | float) or not isinstance(ref, int | float):
        return ""
    show = format_rupiah if indicator.field in RUPIAH_FIELDS else str
    return " " + text(
        "graduation.compared",
        lang,
        value=show(value),
        ref_name=text(f"fields.{indicator.ref}", lang),
        ref=show(ref),
    )


def _program_lists(out: dict[str, Any], knowledge: Knowledge, lang: str) -> list[str]:
    """Referrals or alternatives with the notes of what to check, and the programs left
    out because the household does not meet their conditions."""
    names = {p.id: p.name for p in knowledge.programs.programs}
    messages = []
    for key in ("referrals", "alternatives"):
        if out.get(key):
            programs = ", ".join(names[p] for p in out[key])
            lines = [text(f"graduation.{key}", lang, programs=programs)]
            if key == "alternatives" and out.get("social_assistance"):
                social = ", ".join(names[p] for p in out["social_assistance"])
                lines.append(text("graduation.social_assistance", lang, programs=social))
            notes = [n for n in out.get("program_notes", []) if n["program"] in out[key]]
            if notes:
                lines.append(text("graduation.notes", lang))
                lines += [f"- {n['text']}" for n in notes]
            messages.append("\n".join(lines))
    listed = set(out.get("referrals", [])) | set(out.get("alternatives", []))
    left_out = [
        names[pid]
        for pid in dict.fromkeys(e["program"] for e in out.get("excluded", []))
        if pid not in listed
    ]
    if left_out:
        messages.append(text("graduation.excluded", lang, programs=", ".join(left_out)))
    return messages


def _range(value: dict[str, Any]) -> str:
    low, high = _num(value["min"]), _num(value["max"])
    return f"{low}-{high} {value['unit']}" if low != high else f"{low} {value['unit']}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def approach_reply(decision: Decision, knowledge: Knowledge, lang: str = "id") -> list[str]:
    out = say(decision.output, lang)
    approaches = out["approaches"]
    if not approaches:
        return [text("approach.none", lang)]
    first = approaches[0]
    head = (
        text("approach.combine", lang, names=" + ".join(a["name"] for a in approaches[:2]))
        if out.get("combine")
        else text("approach.recommended", lang, name=first["name"])
    )
    lines = [head]
    for approach in approaches[:3]:
        lines.append(f"*{approach['name']}*: {approach['summary']}")
        lines += [f"- {reason}" for reason in approach["reasons"]]
    source = next(a for a in knowledge.approaches.approaches if a.id == first["id"]).source
    return [
        "\n".join(lines),
        text("approach.aims", lang, aims=" ".join(first["aims"])),
        text("conflict.source", lang, section=source.section, title=source.title)
        + " "
        + text("conflict.why_hint", lang),
    ]


def needs_reply(decision: Decision, knowledge: Knowledge, lang: str = "id") -> list[str]:
    out = say(decision.output, lang)
    interventions = knowledge.interventions
    needs_source = knowledge.needs.entries[0].source
    names = {m.id: m.name for m in interventions.models}
    subs = {s.id: s.name for s in interventions.sub_models}
    lines = [text("needs.models", lang)]
    for item in out["interventions"]:
        line = f"- *{item['name']}*"
        if item["sub_models"]:
            line += " (" + ", ".join(subs[s] for s in item["sub_models"]) + ")"
        lines.append(line)
    messages = ["\n".join(lines)]
    if out["follow_ups"]:
        follow = [text("needs.follow_ups", lang)]
        follow += [f"- {names[f['model']]}: {f['focus']}" for f in out["follow_ups"]]
        messages.append("\n".join(follow))
    guides = [text("needs.guides", lang)]
    for item in out["interventions"]:
        guide = item["guide"]
        if guide:
            split = ", ".join(f"{d['name'].lower()} {d['percent']}%" for d in guide["delivery"])
            guides.append(
                f"- {guide['name']}: {_range(guide['duration'])}, {_range(guide['sessions'])} "
                f"x {_range(guide['hours_per_session'])}; {split}"
            )
    if len(guides) > 1:
        messages.append("\n".join(guides))
    activities = [text("needs.activities", lang)] + [f"- {a}" for a in out["activities"][:6]]
    messages.append("\n".join(activities))
    programs = {p.id: p.name for p in knowledge.programs.programs}
    priorities = {p.id: p.name for p in knowledge.priorities.priorities}
    tail = []
    if out["programs"]:
        tail.append(
            text(
                "needs.programs", lang, programs=", ".join(programs[p] for p in out["programs"][:8])
            )
        )
    if out["priorities"]:
        tail.append(
            text(
                "needs.priorities",
                lang,
                priorities=", ".join(priorities[p] for p in out["priorities"]),
            )
        )
    tail.append(
        text("conflict.source", lang, section=needs_source.section, title=needs_source.title)
        + " "
        + text("conflict.why_hint", lang)
    )
    messages.append("\n".join(tail))
    considerations = [text("needs.considerations", lang)]
    considerations += [f"- {c}" for c in out["considerations"]]
    messages.append("\n".join(considerations))
    return messages


def program_card(program_id: str, knowledge: Knowledge, lang: str = "id") -> list[str]:
    program = knowledge.programs.program(program_id)
    models = {m.id: m.name for m in knowledge.interventions.models}
    models |= {m.id: m.name for m in knowledge.interventions.other_models}
    first = [f"*{program.name}* - {program.full_name}"]
    first.append(text(f"program.scope_{program.scope}", lang))
    if program.ministry:
        first.append(text("program.ministry", lang, ministry=program.ministry))
    first.append(text("program.aims", lang, aims=" ".join(program.aims[:2])))
    first.append(text("program.targets", lang, targets=" ".join(program.targets[:3])))
    if program.eligibility:
        first.append(text("program.eligibility", lang))
        first += [f"- {condition.text}" for condition in program.eligibility]
    second = []
    if program.models or program.other_models:
        used = [*program.models, *program.other_models]
        second.append(text("program.models", lang, models=", ".join(models[m] for m in used)))
    if program.graduation:
        second.append(text("program.graduation", lang, graduation=program.graduation))
    if program.assessed:
        second.append(text(f"program.assessed_{program.assessed}", lang))
        second.append(text("program.study_caveat", lang, region=program.region or "-"))
        second += [text("program.study_note", lang, text=n.text) for n in program.study_notes]
    second.append(
        text("conflict.source", lang, section=program.source.section, title=program.source.title)
    )
    messages = ["\n".join(first), "\n".join(second)]
    if program.good_practices:
        messages.append(
            "\n".join([text("program.good", lang)] + [f"- {g}" for g in program.good_practices])
        )
    if program.challenges:
        messages.append(
            "\n".join([text("program.challenges", lang)] + [f"- {c}" for c in program.challenges])
        )
    if program.exit_strategy:
        messages.append(
            "\n".join([text("program.exit", lang)] + [f"- {e}" for e in program.exit_strategy])
        )
    return messages


def stage_card(stage_id: str, knowledge: Knowledge, lang: str = "id") -> list[str]:
    table = knowledge.stages
    stage = next(s for s in table.stages if s.id == stage_id)
    steps = [s for s in table.steps if s.stage == stage_id]
    cited = steps[0].source if steps else stage.source
    first = [text("stage.title", lang, order=stage.order, name=stage.name), stage.aim]
    first += [f"- {a}" for a in stage.activities]
    first.append(text("stage.steps", lang, count=len(steps)))
    messages = ["\n".join(first)]
    for n, step in enumerate(steps, start=1):
        lines = [f"{n}. *{step.name}*"]
        lines += [f"- {p}" for p in step.practice]
        lines.append(text("stage.outputs", lang, outputs="; ".join(step.outputs)))
        messages.append("\n".join(lines))
    messages.append(text("conflict.source", lang, section=cited.section, title=cited.title))
    return messages


def review_reply(decision: Decision, knowledge: Knowledge, lang: str = "id") -> list[str]:
    out = say(decision.output, lang)
    review_source = knowledge.review.categories[0].source
    lines = [
        text("review.score", lang, score=out["score"], category=out["category_name"]),
        out["category_meaning"],
    ]
    if out.get("study"):
        lines.append(
            text(
                "review.study", lang, category=out["study"]["category"], score=out["study"]["score"]
            )
        )
        region = knowledge.programs.program(out["study"]["program"]).region or "-"
        lines.append(text("review.study_region", lang, region=region))
    messages = ["\n".join(lines)]
    if out.get("caveats") or out.get("study_notes"):
        notes = [text("review.caveats", lang)]
        notes += [f"- {caveat['text']}" for caveat in out.get("caveats", [])]
        notes += [
            text("review.study_note", lang, text=note["text"])
            for note in out.get("study_notes", [])
        ]
        messages.append("\n".join(notes))
    for gap in out["gaps"]:
        gap_lines = [text("review.gap", lang, name=gap["name"])]
        for step in gap["steps"][:2]:
            gap_lines.append(f"- {step['name']}: " + "; ".join(step["outputs"][:3]))
        messages.append("\n".join(gap_lines))
    messages.append(
        text("conflict.source", lang, section=review_source.section, title=review_source.title)
        + " "
        + text("conflict.why_hint", lang)
    )
    return messages


def village_reply(summary: VillageSummary, knowledge: Knowledge, lang: str = "id") -> str:
    """A village official's summary of their own village, in one message."""
    if summary.total == 0:
        return text("village.none", lang, village=summary.village)
    names = state_names(knowledge)
    lines = [
        text(
            "village.header",
            lang,
            village=summary.village,
            total=summary.total,
            women=summary.women,
            men=summary.men,
            disabled=summary.disabled,
        ),
        text("village.graduated", lang, count=summary.graduated),
        text("village.reevaluation_due", lang, count=summary.reevaluation_due),
        text("village.by_state", lang),
    ]
    lines += [
        text(
            "village.state_line",
            lang,
            name=names.get(state, state),
            count=count,
            women=women,
            men=men,
            disabled=disabled,
        )
        for state, count, women, men, disabled in summary.by_state
    ]
    lines.append(text("village.readonly", lang))
    return "\n".join(lines)
