"""Program self-review (seed 2.2 "Hasil Analisis"): the ten stage checks -> a score, the
category (kurang / cukup / sangat komprehensif) and, for each missing check, the steps of
the stage guide (3.4) with their standard practice and output documents."""

from __future__ import annotations

from typing import Any

from durable.lang import c, m

from assistant.inputs import ProgramReviewInput
from assistant.knowledge import Knowledge
from assistant.knowledge_models.programs import Program
from assistant.knowledge_models.review import ReviewCategory, ReviewCheck
from assistant.texts import text
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
            fire.because(text("because.tinjauan_ada", name=row.name))

        @book.rule(
            f"tinjauan.{check.id}.belum",
            (m.t == CHECK) & (m.check == check.id) & (m.ok == False),  # noqa: E712
            source=stages.step(check.steps[0]).source,
        )
        def gap(fire: Fire, row: ReviewCheck = check) -> None:
            fire.add("gaps", row.id)
            steps = ", ".join(stages.step(step).name for step in row.steps)
            fire.because(text("because.tinjauan_belum", name=row.name, steps=steps))

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
        fire.because(text("because.tinjauan_skor", score=total, total=len(names)))

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
            fire.because(text("because.tinjauan_kajian", program=row.name, category=row.assessed))

    for category in table.categories:

        @book.rule(
            f"tinjauan.kategori.{category.id}",
            (m.t == SCORE) & (m.score >= category.min) & (m.score <= category.max),
            source=category.source,
        )
        def settle(fire: Fire, row: ReviewCategory = category) -> None:
            fire.conclude(category=row.id, category_name=row.name, category_meaning=row.meaning)
            fire.because(text("because.tinjauan_kategori", name=row.name, min=row.min, max=row.max))


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
