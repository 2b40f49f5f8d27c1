"""Program self-review (seed 2.2 "Hasil Analisis"): the ten stage checks -> a score, the
category (kurang / cukup / sangat komprehensif) and, for each missing check, the steps of
the stage guide (3.4) with their standard practice and output documents. When a studied
program is named, the study's verdict is given with what the study is and is not (1.4,
2.2: not a program evaluation, sampled regions only) and with the notes on ticks of the
2.2 table that the program's own text in 2.1 contradicts (kept as the guideline has them)."""

from __future__ import annotations

from typing import Any

from durable.lang import c, m

from assistant.common.texts import phrase
from assistant.decisions.inputs import ProgramReviewInput
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models.programs import Program
from assistant.knowledge.models.review import ReviewCategory, ReviewCheck
from rules.engine import Fire, RuleBook

CHECK = "cek"
SCORE = "skor"
PROGRAM = "program"


def facts(data: ProgramReviewInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    checks = [{"t": CHECK, "check": key, "ok": value} for key, value in data.checks.items()]
    return checks + ([{"t": PROGRAM, "program": data.program}] if data.program else [])


def define(knowledge: Knowledge, book: RuleBook) -> None:
    table = knowledge.review
    stages = knowledge.stages

    for check in table.checks:

        @book.rule(
            f"tinjauan.{check.id}.ada",
            (m.t == CHECK) & (m.check == check.id) & (m.ok == True),  # noqa: E712
            source=check.source,
        )
        def covered(fire: Fire, row: ReviewCheck = check) -> None:
            fire.add("covered", row.id)
            fire.because(phrase("because.tinjauan_ada", name=row.name))

        @book.rule(
            f"tinjauan.{check.id}.belum",
            (m.t == CHECK) & (m.check == check.id) & (m.ok == False),  # noqa: E712
            source=stages.step(check.steps[0]).source,
        )
        def gap(fire: Fire, row: ReviewCheck = check) -> None:
            fire.add("gaps", row.id)
            steps = ", ".join(stages.step(step).name for step in row.steps)
            fire.because(phrase("because.tinjauan_belum", name=row.name, steps=steps))

    aliases = [f"k{i}" for i in range(len(table.checks))]
    conditions = [
        getattr(c, alias) << ((m.t == CHECK) & (m.check == check.id))
        for alias, check in zip(aliases, table.checks, strict=True)
    ]

    @book.rule("tinjauan.skor", *conditions, source=table.categories[0].source)
    def score(fire: Fire, names: list[str] = aliases) -> None:
        total = sum(1 for alias in names if fire.matched(alias)["ok"])
        fire.conclude(score=total)
        fire.derive({"t": SCORE, "score": total})
        fire.because(phrase("because.tinjauan_skor", score=total, total=len(names)))

    for program in knowledge.programs.programs:
        if program.checks is None or program.assessed is None:
            continue

        @book.rule(
            f"tinjauan.kajian.{program.id}",
            (m.t == PROGRAM) & (m.program == program.id),
            source=table.categories[0].source,
        )
        def compare(fire: Fire, row: Program = program) -> None:
            study = row.checks.model_dump() if row.checks else {}
            fire.conclude(
                study={
                    "program": row.id,
                    "category": row.assessed,
                    "score": sum(1 for ok in study.values() if ok),
                }
            )
            fire.because(phrase("because.tinjauan_kajian", program=row.name, category=row.assessed))

    studied = [p.id for p in knowledge.programs.programs if p.assessed is not None]
    if studied:

        @book.rule(
            "tinjauan.catatan_kajian",
            (m.t == PROGRAM) & _any_program(studied),
            source=table.caveats[0].source,
        )
        def caveats(fire: Fire) -> None:
            fire.conclude(
                caveats=[{"id": c.id, "name": c.name, "text": c.text} for c in table.caveats]
            )
            fire.because(
                *[phrase("because.tinjauan_catatan", text=c.text) for c in table.caveats[:2]]
            )

    for program in knowledge.programs.programs:
        if not program.study_notes:
            continue

        @book.rule(
            f"tinjauan.catatan_centang.{program.id}",
            (m.t == PROGRAM) & (m.program == program.id),
            source=program.study_notes[0].source,
        )
        def ticks(fire: Fire, row: Program = program) -> None:
            fire.conclude(study_notes=[{"check": n.check, "text": n.text} for n in row.study_notes])
            fire.because(
                *[
                    phrase("because.tinjauan_catatan_centang", program=row.name, text=n.text)
                    for n in row.study_notes
                ]
            )

    for category in table.categories:

        @book.rule(
            f"tinjauan.kategori.{category.id}",
            (m.t == SCORE) & (m.score >= category.min) & (m.score <= category.max),
            source=category.source,
        )
        def settle(fire: Fire, row: ReviewCategory = category) -> None:
            fire.conclude(category=row.id, category_name=row.name, category_meaning=row.meaning)
            fire.because(
                phrase("because.tinjauan_kategori", name=row.name, min=row.min, max=row.max)
            )


def _any_program(ids: list[str]) -> Any:
    condition = m.program == ids[0]
    for other in ids[1:]:
        condition = condition | (m.program == other)
    return condition


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    table = knowledge.review
    stages = knowledge.stages
    gaps = conclusions.get("gaps", [])
    return {
        "score": conclusions.get("score"),
        "category": conclusions.get("category"),
        "category_name": conclusions.get("category_name"),
        "category_meaning": conclusions.get("category_meaning"),
        "covered": conclusions.get("covered", []),
        "study": conclusions.get("study"),
        "caveats": conclusions.get("caveats", []),
        "study_notes": conclusions.get("study_notes", []),
        "gaps": [
            {
                "check": check.id,
                "name": check.name,
                "steps": [
                    {
                        "id": step.id,
                        "stage": step.stage,
                        "name": step.name,
                        "practice": list(step.practice),
                        "outputs": list(step.outputs),
                    }
                    for step in (stages.step(s) for s in check.steps)
                ],
            }
            for check in table.checks
            if check.id in gaps
        ],
    }
