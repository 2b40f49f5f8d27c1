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
