"""Decisions rendered as short chat messages (phone-sized paragraphs)."""

from __future__ import annotations

from assistant.decision import Decision
from assistant.knowledge import Knowledge
from assistant.texts import text


def conflict_reply(decision: Decision, knowledge: Knowledge, lang: str = "id") -> list[str]:
    """The answer to a conflict report, as a few short messages."""
    out = decision.output
    table = knowledge.conflicts
    category = table.category(out["category"])
    messages: list[str] = []
    if out.get("safeguarding_protocol"):
        lines = [text("conflict.safeguarding_header", lang)]
        lines += [f"- {step}" for step in out["safeguarding_protocol"]]
        messages.append("\n".join(lines))
    summary = [
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
                because=fired.because or fired.rule,
                section=fired.source.section,
                title=fired.source.title,
            )
        )
    return "\n".join(lines)


def graduation_reply(decision: Decision, knowledge: Knowledge, lang: str = "id") -> list[str]:
    """The answer to a graduation check: the verdict, the criteria, the next step with the
    facilitator's role, and referrals or alternatives."""
    out = decision.output
    table = knowledge.graduation
    verdict = "graduation.passed" if out["graduated"] else "graduation.not_passed"
    lines = [text(verdict, lang)]
    for criterion in out["criteria"]:
        mark = "✓" if criterion["met"] else "✗"
        lines.append(f"{mark} {criterion['name']}")
    if out.get("welfare_level"):
        level = next(x for x in table.levels if x.id == out["welfare_level"])
        lines.append(text("graduation.level", lang, level=level.name))
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
    names = {p.id: p.name for p in knowledge.programs.programs}
    if out.get("referrals"):
        listed = ", ".join(names[p] for p in out["referrals"][:6])
        messages.append(text("graduation.referrals", lang, programs=listed))
    if out.get("alternatives"):
        listed = ", ".join(names[p] for p in out["alternatives"][:6])
        messages.append(text("graduation.alternatives", lang, programs=listed))
    source = table.step(out["next_step"]).source if out.get("next_step") else table.levels[0].source
    messages.append(
        text("conflict.source", lang, section=source.section, title=source.title)
        + " "
        + text("conflict.why_hint", lang)
    )
    return messages
