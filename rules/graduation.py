"""Graduation (seed 3.3.7; default criterion of PENA, 2.1.1): an assessment and the case's
current state -> each indicator met or not, graduated or not, the welfare level, the next
step and the path that follows, referrals for graduates and alternative programs when
ending aid is considered. Rules are generated from ``knowledge/graduation.yml``."""

from __future__ import annotations

from typing import Any

from durable.lang import c, m

from assistant.inputs import GraduationInput
from assistant.knowledge import Knowledge
from assistant.knowledge_models.graduation import (
    GraduationTable,
    Indicator,
    IndicatorMatrix,
    Transition,
    WelfareLevel,
)
from assistant.texts import text
from rules.engine import Fire, RuleBook

ASSESSMENT = "asesmen"
CRITERION = "kriteria"
RESULT = "hasil"
STEP = "langkah"
UNKNOWN = "tidak_diketahui"

# indicator operator -> (durable_rules comparison, its negation)
_COMPARE = {
    "gt": (lambda a, b: a > b, lambda a, b: a <= b),
    "gte": (lambda a, b: a >= b, lambda a, b: a < b),
    "eq": (lambda a, b: a == b, lambda a, b: a != b),
}


def matrix_for(data: GraduationInput, table: GraduationTable, knowledge: Knowledge) -> str:
    """The indicator matrix that applies: asked for, else the program's own, else the default."""
    if data.matrix:
        return data.matrix
    own = [mx.id for mx in table.matrices if data.program and mx.program == data.program]
    return own[0] if own else table.default_matrix


def facts(data: GraduationInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    table = knowledge.graduation
    assessment = data.model_dump(exclude={"matrix"})
    assessment.update(
        t=ASSESSMENT,
        state=data.state or table.initial_state,
        significant_change=UNKNOWN if data.significant_change is None else data.significant_change,
        program=data.program or UNKNOWN,
        matrix=matrix_for(data, table, knowledge),
    )
    return [assessment]


def _side(indicator: Indicator) -> Any:
    return getattr(m, indicator.ref) if indicator.ref else indicator.value


def define(knowledge: Knowledge, book: RuleBook) -> None:
    table = knowledge.graduation
    for matrix in table.matrices:
        _define_matrix(book, matrix)
    for transition in table.transitions:
        _define_transition(book, table, transition)
    _define_missing_change(book, table)
    for level in table.levels:
        _define_level(book, table, level)
    _define_referrals(book, knowledge)


def _define_matrix(book: RuleBook, matrix: IndicatorMatrix) -> None:
    for indicator in matrix.indicators:
        holds, fails = _COMPARE[indicator.op]
        for met, compare in ((True, holds), (False, fails)):
            outcome = "terpenuhi" if met else "tidak_terpenuhi"

            @book.rule(
                f"graduasi.{matrix.id}.{indicator.id}.{outcome}",
                (m.t == ASSESSMENT)
                & (m.matrix == matrix.id)
                & compare(getattr(m, indicator.field), _side(indicator)),
                source=matrix.source,
            )
            def judge(fire: Fire, row: Indicator = indicator, ok: bool = met) -> None:
                fire.derive({"t": CRITERION, "indicator": row.id, "met": ok})
                key = "because.graduasi_indikator_ya" if ok else "because.graduasi_indikator_tidak"
                fire.because(text(key, name=row.name))

    aliases = [f"k{i}" for i in range(len(matrix.indicators))]
    conditions = [
        getattr(c, alias) << ((m.t == CRITERION) & (m.indicator == indicator.id))
        for alias, indicator in zip(aliases, matrix.indicators, strict=True)
    ]

    @book.rule(f"graduasi.{matrix.id}.nilai", *conditions, source=matrix.source)
    def weigh(fire: Fire, row: IndicatorMatrix = matrix, names: list[str] = aliases) -> None:
        results = [fire.matched(alias) for alias in names]
        met = [r for r in results if r["met"]]
        share = "all" if len(met) == len(results) else ("some" if met else "none")
        fire.conclude(
            matrix=row.id,
            criteria=[
                {"id": ind.id, "name": ind.name, "met": r["met"]}
                for ind, r in zip(row.indicators, results, strict=True)
            ],
            criteria_met=share,
        )
        fire.derive({"t": RESULT, "met": share == "all", "share": share})
        fire.because(
            text("because.graduasi_nilai", met=len(met), total=len(results), matrix=row.name)
        )


def _define_transition(book: RuleBook, table: GraduationTable, transition: Transition) -> None:
    state = m.state == transition.from_states[0]
    for other in transition.from_states[1:]:
        state = state | (m.state == other)
    assessment = (m.t == ASSESSMENT) & state
    if transition.significant_change is not None:
        assessment = assessment & (m.significant_change == transition.significant_change)

    @book.rule(
        f"graduasi.transisi.{transition.id}",
        c.result << ((m.t == RESULT) & (m.met == transition.met)),
        c.case << assessment,
        source=transition.source,
    )
    def move(fire: Fire, row: Transition = transition) -> None:
        step = table.step(row.to)
        path = [
            s.id
            for s in table.path(step.path)
            if s.order >= step.order and (not s.conditional or s.id == step.id)
        ]
        fire.conclude(graduated=row.graduated, next_step=row.to, path=path, transition=row.id)
        fire.derive({"t": STEP, "to": row.to, "graduated": row.graduated})
        fire.because(row.summary)


def _define_missing_change(book: RuleBook, table: GraduationTable) -> None:
    state = m.state == table.reevaluation_states[0]
    for other in table.reevaluation_states[1:]:
        state = state | (m.state == other)
    reevaluation = table.step("evaluasi_ulang")

    @book.rule(
        "graduasi.perubahan_belum_dinilai",
        c.result << ((m.t == RESULT) & (m.met == False)),  # noqa: E712 - durable_rules expression
        c.case << ((m.t == ASSESSMENT) & state & (m.significant_change == UNKNOWN)),
        source=reevaluation.source,
    )
    def ask(fire: Fire) -> None:
        fire.conclude(
            graduated=False,
            next_step=reevaluation.id,
            path=[reevaluation.id],
            missing=["significant_change"],
        )
        fire.because(text("because.graduasi_perubahan_belum_dinilai"))


def _define_level(book: RuleBook, table: GraduationTable, level: WelfareLevel) -> None:
    result = c.result << ((m.t == RESULT) & (m.share == level.criteria_met))
    conditions = [result]
    if level.states:
        state = m.state == level.states[0]
        for other in level.states[1:]:
            state = state | (m.state == other)
        conditions.append(c.case << ((m.t == ASSESSMENT) & state))
    ranks = {row.id: row.rank for row in table.levels}

    @book.rule(f"graduasi.tingkat.{level.id}", *conditions, source=level.source)
    def place(fire: Fire, row: WelfareLevel = level) -> None:
        current = fire.conclusions.get("welfare_level")
        if current is None or ranks[current] < row.rank:
            fire.conclude(welfare_level=row.id)
        fire.because(text("because.graduasi_tingkat", name=row.name, description=row.description))


def _define_referrals(book: RuleBook, knowledge: Knowledge) -> None:
    table = knowledge.graduation
    programs = knowledge.programs.programs

    def serving(levels: list[str]) -> list[str]:
        return [p.id for p in programs if set(p.welfare_levels) & set(levels)]

    referrals = serving(table.referral_levels)
    alternatives = serving(table.alternative_levels)
    referral_step = table.step("rujukan_program_lanjutan")
    ending_step = table.step("pertimbangan_penghentian_bantuan")

    @book.rule(
        "graduasi.rujukan_program",
        c.step << ((m.t == STEP) & (m.graduated == True)),  # noqa: E712 - durable_rules expression
        c.case << (m.t == ASSESSMENT),
        source=referral_step.source,
    )
    def refer(fire: Fire) -> None:
        own = fire.matched("case")["program"]
        fire.conclude(referrals=[p for p in referrals if p != own])
        fire.because(text("because.graduasi_rujukan"))

    @book.rule(
        "graduasi.program_alternatif",
        c.step << ((m.t == STEP) & (m.to == ending_step.id)),
        c.case << (m.t == ASSESSMENT),
        source=ending_step.source,
    )
    def alternatives_for(fire: Fire) -> None:
        own = fire.matched("case")["program"]
        fire.conclude(alternatives=[p for p in alternatives if p != own])
        fire.because(text("because.graduasi_alternatif"))


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    return {
        "graduated": conclusions.get("graduated", False),
        "next_step": conclusions.get("next_step"),
        "path": conclusions.get("path", []),
        "transition": conclusions.get("transition"),
        "welfare_level": conclusions.get("welfare_level"),
        "matrix": conclusions.get("matrix"),
        "criteria": conclusions.get("criteria", []),
        "criteria_met": conclusions.get("criteria_met"),
        "referrals": conclusions.get("referrals", []),
        "alternatives": conclusions.get("alternatives", []),
        "missing": conclusions.get("missing", []),
    }
