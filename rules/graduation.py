"""Graduation (seed 3.3.7; default criterion of PENA, 2.1.1): an assessment and the case's
current state -> each indicator met or not, graduated or not, the next step and the path
that follows. Rules are generated from ``knowledge/graduation.yml`` and ``programs.yml``.

- No welfare label is inferred: a ladder level is reported only when the input carries
  one recorded from data (with its source); a DTSEN decile is reported as a decile.
- A graduate chooses the follow-up (continued mentoring, referral, or both); until the
  choice is given the decision asks for it (``missing``).
- Referrals (when chosen) and the alternatives named when ending aid is considered are
  candidates filtered by each program's eligibility: a condition the household fails
  rules a program out (the reason is in the trace and in ``excluded``); a fact that is
  unknown leaves the program in with a note saying what to check.
- A household with elderly or disabled members keeps social assistance among the
  alternatives (2.1.1, PENA)."""

from __future__ import annotations

from typing import Any

from durable.lang import c, m

from assistant.common.texts import Phrase, phrase
from assistant.decisions.inputs import GraduationInput
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models import Basis
from assistant.knowledge.models.graduation import (
    FollowUpOption,
    GraduationTable,
    Indicator,
    IndicatorMatrix,
    Transition,
)
from assistant.knowledge.models.programs import Condition, Program
from rules.engine import Fire, RuleBook

ASSESSMENT = "asesmen"
CRITERION = "kriteria"
RESULT = "hasil"
STEP = "langkah"
CANDIDATE = "kandidat"
RECEIVED = "diterima"
UNKNOWN = "tidak_diketahui"
REFERRAL = "rujukan"
ALTERNATIVE = "alternatif"

# indicator operator -> (durable_rules comparison, its negation)
_COMPARE = {
    "gt": (lambda a, b: a > b, lambda a, b: a <= b),
    "gte": (lambda a, b: a >= b, lambda a, b: a < b),
    "eq": (lambda a, b: a == b, lambda a, b: a != b),
}
# input fields handed to the rules as they are (None becomes UNKNOWN)
_AS_IS = ("follow_up", "welfare_level", "welfare_level_source", "dtsen_decile", "province")
_FLAGS = ("disability", "elderly_member", "gender")


def matrix_for(data: GraduationInput, table: GraduationTable, knowledge: Knowledge) -> str:
    """The indicator matrix that applies: asked for, else the program's own, else the default."""
    if data.matrix:
        return data.matrix
    own = [mx.id for mx in table.matrices if data.program and mx.program == data.program]
    return own[0] if own else table.default_matrix


def facts(data: GraduationInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    table = knowledge.graduation
    assessment = {
        key: value
        for key, value in data.model_dump(exclude={"matrix", "other_programs"}).items()
        if value is not None
    }
    assessment.update(
        t=ASSESSMENT,
        state=data.state or table.initial_state,
        significant_change=UNKNOWN if data.significant_change is None else data.significant_change,
        program=data.program or UNKNOWN,
        matrix=matrix_for(data, table, knowledge),
        head_age_known=data.head_age is not None,
        head_age=data.head_age if data.head_age is not None else 0,
        other_programs_known=data.other_programs is not None,
    )
    for key in (*_AS_IS, *_FLAGS):
        if assessment.get(key) is None:
            assessment[key] = UNKNOWN
    programs = knowledge.programs
    received = [
        {"t": RECEIVED, "program": pid, "kind": programs.program(pid).kind}
        for pid in data.other_programs or []
    ]
    return [assessment, *received]


def _side(indicator: Indicator) -> Any:
    return getattr(m, indicator.ref) if indicator.ref else indicator.value


def _any(attribute: str, values: list[Any]) -> Any:
    condition = getattr(m, attribute) == values[0]
    for value in values[1:]:
        condition = condition | (getattr(m, attribute) == value)
    return condition


def _none(attribute: str, values: list[Any]) -> Any:
    condition = getattr(m, attribute) != values[0]
    for value in values[1:]:
        condition = condition & (getattr(m, attribute) != value)
    return condition


def _with_basis(sentence: Phrase, basis: Basis | None) -> list[Phrase]:
    """A "because" followed by the basis of a value the guideline does not state."""
    if basis is None:
        return [sentence]
    label = phrase(f"because.dasar_{basis.kind}")
    return [sentence, phrase("because.dasar", label=label, reason=basis.reason)]


def define(knowledge: Knowledge, book: RuleBook) -> None:
    table = knowledge.graduation
    for matrix in table.matrices:
        _define_matrix(book, matrix)
    for transition in table.transitions:
        _define_transition(book, table, transition)
    _define_missing_change(book, table)
    _define_follow_up(book, table)
    _define_welfare(book, table)
    _define_candidates(book, knowledge)
    for program in knowledge.programs.programs:
        for condition in program.eligibility:
            _define_condition(book, program, condition)
    _define_already_received(book, knowledge)


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
                fire.because(phrase(key, name=row.name))

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
            phrase("because.graduasi_nilai", met=len(met), total=len(results), matrix=row.name)
        )


def _define_transition(book: RuleBook, table: GraduationTable, transition: Transition) -> None:
    assessment = (m.t == ASSESSMENT) & _any("state", transition.from_states)
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
        # the usual path from the step on; branch steps and chosen steps only as targets
        path = [
            s.id
            for s in table.path(step.path)
            if s.order >= step.order and (s.id == step.id or not (s.conditional or s.choice))
        ]
        fire.conclude(
            graduated=row.graduated,
            next_step=row.to,
            path=path,
            transition=row.id,
            state=fire.matched("case")["state"],
        )
        fire.derive({"t": STEP, "to": row.to, "graduated": row.graduated})
        basis = row.basis.get("row") or row.basis.get("from_states")
        fire.because(*_with_basis(phrase("because.kutipan", text=row.summary), basis))


def _define_missing_change(book: RuleBook, table: GraduationTable) -> None:
    reevaluation = table.step("evaluasi_ulang")

    @book.rule(
        "graduasi.perubahan_belum_dinilai",
        c.result << ((m.t == RESULT) & (m.met == False)),  # noqa: E712 - durable_rules expression
        c.case
        << (
            (m.t == ASSESSMENT)
            & _any("state", table.reevaluation_states)
            & (m.significant_change == UNKNOWN)
        ),
        source=reevaluation.source,
    )
    def ask(fire: Fire) -> None:
        fire.conclude(
            graduated=False,
            next_step=reevaluation.id,
            path=[reevaluation.id],
            state=fire.matched("case")["state"],
        )
        fire.add("missing", "significant_change")
        fire.because(phrase("because.graduasi_perubahan_belum_dinilai"))


def _define_follow_up(book: RuleBook, table: GraduationTable) -> None:
    """The graduate's choice extends the path; without it, it is asked for."""
    announce = table.path("lulus")[0]
    order = {s.id: (s.path, s.order) for s in table.steps}
    for option in table.follow_up_options:

        @book.rule(
            f"graduasi.tindak_lanjut.{option.id}",
            c.step << ((m.t == STEP) & (m.graduated == True)),  # noqa: E712
            c.case << ((m.t == ASSESSMENT) & (m.follow_up == option.id)),
            source=option.source,
        )
        def follow(fire: Fire, row: FollowUpOption = option) -> None:
            path = list(fire.conclusions.get("path", []))
            path += [s for s in row.steps if s not in path]
            fire.conclude(path=sorted(path, key=lambda s: order[s]), follow_up=row.id)
            names = ", ".join(table.step(s).name for s in row.steps)
            fire.because(
                *_with_basis(
                    phrase("because.graduasi_tindak_lanjut", option=row.name, steps=names),
                    row.basis.get("row"),
                )
            )

    @book.rule(
        "graduasi.tindak_lanjut.belum_dipilih",
        c.step << ((m.t == STEP) & (m.to == announce.id)),
        c.case << ((m.t == ASSESSMENT) & (m.follow_up == UNKNOWN)),
        source=table.follow_up_options[0].source,
    )
    def ask(fire: Fire) -> None:
        fire.add("missing", "follow_up")
        fire.conclude(follow_up_options=[o.id for o in table.follow_up_options])
        fire.because(phrase("because.graduasi_tindak_lanjut_belum_dipilih"))


def _define_welfare(book: RuleBook, table: GraduationTable) -> None:
    """A ladder level only from data recorded with its source; a decile as a decile."""
    ladder = table.levels[0].source

    @book.rule(
        "graduasi.tingkat.dicatat",
        (m.t == ASSESSMENT) & (m.welfare_level != UNKNOWN),
        source=ladder,
    )
    def recorded(fire: Fire) -> None:
        case = fire.fact
        level = table.level(case["welfare_level"])
        fire.conclude(welfare_level=level.id, welfare_level_source=case["welfare_level_source"])
        fire.because(
            phrase(
                "because.graduasi_tingkat_dicatat",
                name=level.name,
                source=case["welfare_level_source"],
            )
        )

    @book.rule(
        "graduasi.desil_dtsen",
        (m.t == ASSESSMENT) & (m.dtsen_decile != UNKNOWN),
        source=ladder,
    )
    def decile(fire: Fire) -> None:
        fire.conclude(dtsen_decile=fire.fact["dtsen_decile"])
        fire.because(phrase("because.graduasi_desil", decile=fire.fact["dtsen_decile"]))


def _define_candidates(book: RuleBook, knowledge: Knowledge) -> None:
    table = knowledge.graduation
    programs = knowledge.programs.programs

    def serving(levels: list[str]) -> list[str]:
        return [p.id for p in programs if set(p.welfare_levels) & set(levels)]

    referrals = serving(table.referral_levels)
    alternatives = serving(table.alternative_levels)
    social = table.social_assistance
    extra_social = [p for p in social.programs if p not in alternatives]
    referral_step = table.step("rujukan_program_lanjutan")
    ending_step = table.step("pertimbangan_penghentian_bantuan")
    referring = [o.id for o in table.follow_up_options if referral_step.id in o.steps]

    def propose(fire: Fire, ids: list[str], purpose: str) -> None:
        own = fire.matched("case")["program"]
        for pid in ids:
            if pid == own:
                continue
            fire.add("candidates", {"program": pid, "purpose": purpose})
            fire.derive({"t": CANDIDATE, "program": pid, "purpose": purpose})

    @book.rule(
        "graduasi.rujukan_program",
        c.step << ((m.t == STEP) & (m.graduated == True)),  # noqa: E712 - durable_rules expression
        c.case << ((m.t == ASSESSMENT) & _any("follow_up", referring)),
        source=referral_step.source,
    )
    def refer(fire: Fire) -> None:
        propose(fire, referrals, REFERRAL)
        fire.because(
            *_with_basis(phrase("because.graduasi_rujukan"), table.basis.get("referral_levels"))
        )

    @book.rule(
        "graduasi.program_alternatif",
        c.step << ((m.t == STEP) & (m.to == ending_step.id)),
        c.case << (m.t == ASSESSMENT),
        source=ending_step.source,
    )
    def alternatives_for(fire: Fire) -> None:
        propose(fire, alternatives, ALTERNATIVE)
        basis = table.basis.get("alternative_levels")
        fire.because(*_with_basis(phrase("because.graduasi_alternatif"), basis))

    flagged = (m.t == ASSESSMENT) & _any(social.when[0], [True])
    for flag in social.when[1:]:
        flagged = flagged | ((m.t == ASSESSMENT) & (getattr(m, flag) == True))  # noqa: E712

    @book.rule(
        "graduasi.bansos_masih_dibutuhkan",
        c.step << ((m.t == STEP) & (m.to == ending_step.id)),
        c.case << flagged,
        source=social.source,
    )
    def keep_social(fire: Fire) -> None:
        propose(fire, extra_social, ALTERNATIVE)
        own = fire.matched("case")["program"]
        fire.conclude(social_assistance=[p for p in social.programs if p != own])
        fire.because(
            *_with_basis(
                phrase("because.graduasi_bansos", text=social.text.strip()),
                social.basis.get("programs"),
            )
        )


def _candidate(program: Program) -> Any:
    return c.cand << ((m.t == CANDIDATE) & (m.program == program.id))


def _define_condition(book: RuleBook, program: Program, condition: Condition) -> None:
    """Rules for one eligibility condition: it rules the program out, or it is noted."""
    rule_id = f"graduasi.syarat.{program.id}.{condition.id}"
    case = m.t == ASSESSMENT
    fails: Any = None
    unknown: Any = None
    noted: Any = None
    if condition.fact == "head_age":
        low = condition.min if condition.min is not None else 0
        high = condition.max if condition.max is not None else 200
        fails = (m.head_age_known == True) & ((m.head_age < low) | (m.head_age > high))  # noqa: E712
        unknown = m.head_age_known == False  # noqa: E712
    elif condition.fact == "province":
        fails = (m.province != UNKNOWN) & _none("province", condition.regions)
        unknown = m.province == UNKNOWN
    elif condition.fact == "gender":
        fails = (m.gender != UNKNOWN) & _none("gender", list(condition.genders))
        unknown = m.gender == UNKNOWN
    elif condition.fact in ("disability", "elderly_member"):
        fails = getattr(m, condition.fact) == (not condition.value)
        unknown = getattr(m, condition.fact) == UNKNOWN
    elif condition.fact == "household_members":
        qualifies = _any(condition.any_of[0], [True])
        for flag in condition.any_of[1:]:
            qualifies = qualifies | (getattr(m, flag) == True)  # noqa: E712
        not_yet = _none(condition.any_of[0], [True])
        for flag in condition.any_of[1:]:
            not_yet = not_yet & (getattr(m, flag) != True)  # noqa: E712
        if condition.effect == "catatan":
            noted = qualifies
        elif condition.others:
            unknown = not_yet
        else:
            fails = _any(condition.any_of[0], [False])
            for flag in condition.any_of[1:]:
                fails = fails & (getattr(m, flag) == False)  # noqa: E712
            unknown = not_yet & _any_flag_unknown(condition)
    elif condition.fact == "other_programs":
        unknown = m.other_programs_known == False  # noqa: E712

    if condition.effect == "catatan":
        _define_note(book, rule_id, program, condition, case & noted if noted is not None else None)
        return
    if condition.fact == "other_programs":
        _define_other_programs(book, rule_id, program, condition)
    elif fails is not None:
        _define_fail(book, rule_id, program, condition, case & fails)
    if unknown is not None:
        _define_unknown(book, rule_id, program, condition, case & unknown)


def _any_flag_unknown(condition: Condition) -> Any:
    unknown = _any(condition.any_of[0], [UNKNOWN])
    for flag in condition.any_of[1:]:
        unknown = unknown | (getattr(m, flag) == UNKNOWN)
    return unknown


def _define_fail(
    book: RuleBook, rule_id: str, program: Program, condition: Condition, case: Any
) -> None:
    @book.rule(
        f"{rule_id}.tidak_memenuhi", _candidate(program), c.case << case, source=condition.source
    )
    def rule_out(fire: Fire, row: Program = program, item: Condition = condition) -> None:
        purpose = fire.matched("cand")["purpose"]
        reason = phrase(f"graduation.ineligible.{item.fact}", program=row.name, text=item.text)
        fire.add(
            "excluded",
            {"program": row.id, "purpose": purpose, "condition": item.id, "reason": reason},
        )
        fire.because(*_with_basis(reason, next(iter(item.basis.values()), None)))


def _define_other_programs(
    book: RuleBook, rule_id: str, program: Program, condition: Condition
) -> None:
    @book.rule(
        f"{rule_id}.tidak_memenuhi",
        _candidate(program),
        c.got
        << ((m.t == RECEIVED) & (m.program != program.id) & _any("kind", condition.exclude_kinds)),
        source=condition.source,
    )
    def rule_out(fire: Fire, row: Program = program, item: Condition = condition) -> None:
        purpose = fire.matched("cand")["purpose"]
        reason = phrase("graduation.ineligible.other_programs", program=row.name, text=item.text)
        entry = {"program": row.id, "purpose": purpose, "condition": item.id, "reason": reason}
        fire.add("excluded", entry)
        fire.because(*_with_basis(reason, next(iter(item.basis.values()), None)))


def _define_unknown(
    book: RuleBook, rule_id: str, program: Program, condition: Condition, case: Any
) -> None:
    @book.rule(
        f"{rule_id}.belum_diketahui", _candidate(program), c.case << case, source=condition.source
    )
    def note(fire: Fire, row: Program = program, item: Condition = condition) -> None:
        message = phrase(f"graduation.check.{item.fact}", program=row.name, text=item.text)
        fire.add(
            "notes", {"program": row.id, "condition": item.id, "fact": item.fact, "text": message}
        )
        fire.because(message)


def _define_note(
    book: RuleBook, rule_id: str, program: Program, condition: Condition, case: Any
) -> None:
    conditions = [_candidate(program)] + ([c.case << case] if case is not None else [])

    @book.rule(f"{rule_id}.catatan", *conditions, source=condition.source)
    def note(fire: Fire, row: Program = program, item: Condition = condition) -> None:
        message = phrase("graduation.check.catatan", program=row.name, text=item.text)
        fire.add(
            "notes", {"program": row.id, "condition": item.id, "fact": "catatan", "text": message}
        )
        fire.because(message)


def _define_already_received(book: RuleBook, knowledge: Knowledge) -> None:
    @book.rule(
        "graduasi.sudah_diterima",
        c.cand << (m.t == CANDIDATE),
        c.got << ((m.t == RECEIVED) & (m.program == c.cand.program)),
        source=knowledge.graduation.step("pertimbangan_penghentian_bantuan").source,
    )
    def already(fire: Fire) -> None:
        candidate = fire.matched("cand")
        name = knowledge.programs.program(candidate["program"]).name
        reason = phrase("graduation.ineligible.received", program=name)
        fire.add(
            "excluded",
            {
                "program": candidate["program"],
                "purpose": candidate["purpose"],
                "condition": "sudah_diterima",
                "reason": reason,
            },
        )
        fire.because(*_with_basis(reason, knowledge.graduation.basis.get("alternative_levels")))


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    order = knowledge.programs.ids
    candidates = conclusions.get("candidates", [])
    excluded = _unique(conclusions.get("excluded", []), ("program", "purpose", "condition"))

    def listed(purpose: str) -> list[str]:
        proposed = {item["program"] for item in candidates if item["purpose"] == purpose}
        out = {item["program"] for item in excluded if item["purpose"] == purpose}
        return [pid for pid in order if pid in proposed and pid not in out]

    referrals = listed(REFERRAL)
    alternatives = listed(ALTERNATIVE)
    shown = set(referrals) | set(alternatives)
    notes = _unique(
        [n for n in conclusions.get("notes", []) if n["program"] in shown], ("program", "condition")
    )
    notes.sort(key=lambda n: order.index(n["program"]))
    return {
        "graduated": conclusions.get("graduated", False),
        "next_step": conclusions.get("next_step"),
        "path": conclusions.get("path", []),
        "transition": conclusions.get("transition"),
        "state": conclusions.get("state"),
        "matrix": conclusions.get("matrix"),
        "criteria": conclusions.get("criteria", []),
        "criteria_met": conclusions.get("criteria_met"),
        "welfare_level": conclusions.get("welfare_level"),
        "welfare_level_source": conclusions.get("welfare_level_source"),
        "dtsen_decile": conclusions.get("dtsen_decile"),
        "follow_up": conclusions.get("follow_up"),
        "follow_up_options": conclusions.get("follow_up_options", []),
        "referrals": referrals,
        "alternatives": alternatives,
        "program_notes": notes,
        "excluded": excluded,
        "social_assistance": [
            p for p in conclusions.get("social_assistance", []) if p in alternatives
        ],
        "missing": conclusions.get("missing", []),
    }


def _unique(items: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for item in items:
        key = tuple(item[k] for k in keys)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
