"""The one-page PDF handout of a decision (A4, matplotlib): the decision and its id, the
conclusions, the path drawn, and each step with its guideline section and heading."""

from __future__ import annotations

import io
import textwrap
from typing import Any

from assistant.common.texts import text
from assistant.store.decision import Decision

A4 = (8.27, 11.69)
MAX_STEP_LINES = 22
MAX_OUTPUT_LINES = 6


def handout(
    decision: Decision,
    picture: bytes,
    steps: list[dict[str, Any]],
    output: dict[str, Any],
    lang: str,
) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=A4)
    try:
        figure.text(
            0.06,
            0.965,
            text("studio.handout.title", lang, kind=decision.kind),
            fontsize=15,
            weight="bold",
            va="top",
        )
        figure.text(
            0.06,
            0.94,
            text(
                "studio.handout.id",
                lang,
                id=decision.id,
                date=decision.created_at.strftime("%Y-%m-%d %H:%M"),
            ),
            fontsize=8,
            va="top",
            color="#444444",
        )
        lines = [f"{k}: {v}" for k, v in list(output.items())[:MAX_OUTPUT_LINES]]
        figure.text(
            0.06,
            0.92,
            "\n".join(textwrap.shorten(x, 110) for x in lines),
            fontsize=8,
            va="top",
            family="DejaVu Sans",
        )
        image = mpimg.imread(io.BytesIO(picture), format="png")
        axes = figure.add_axes((0.04, 0.45, 0.92, 0.36))
        axes.imshow(image)
        axes.axis("off")
        figure.text(
            0.06, 0.435, text("studio.handout.steps", lang), fontsize=11, weight="bold", va="top"
        )
        rows: list[str] = []
        for step in steps:
            rows.extend(
                textwrap.wrap(
                    f"{step['n']}. {step['because']} [{step['section']} {step['heading']}]",
                    width=115,
                    subsequent_indent="    ",
                )
            )
        if len(rows) > MAX_STEP_LINES:
            rows = rows[: MAX_STEP_LINES - 1] + [text("studio.handout.more", lang)]
        figure.text(0.06, 0.41, "\n".join(rows), fontsize=7.5, va="top", linespacing=1.4)
        figure.text(
            0.06,
            0.03,
            text("studio.handout.footer", lang, version=decision.knowledge_version),
            fontsize=7,
            color="#666666",
        )
        out = io.BytesIO()
        figure.savefig(out, format="pdf")
        return out.getvalue()
    finally:
        plt.close(figure)
