"""Conflict triage through the real durable_rules engine (seed 3.3.5)."""

from __future__ import annotations

import pytest

from assistant.common.errors import InputError
from assistant.decisions.inputs import ConflictInput
from rules.engine import Engine, RuleError, Ruleset, engine_for


def decide(knowledge, **payload):
    data = ConflictInput.model_validate(payload, context={"knowledge": knowledge})
    return engine_for(knowledge).run("conflict", data)


@pytest.mark.parametrize(
    ("conflict_type", "category"),
    [
        ("komunikasi", "kecil"),
        ("kepentingan", "sedang"),
        ("teknis_operasional", "sedang"),
        ("sosial_budaya", "besar"),
    ],
)
def test_each_type_gets_its_category_from_the_framework(knowledge, conflict_type, category):
    outcome = decide(knowledge, type=conflict_type)
    assert outcome.conclusions["category"] == category
    row = knowledge.conflicts.type(conflict_type)
    assert outcome.conclusions["options"] == row.options
    assert outcome.conclusions["parties"] == row.parties
    assert f"konflik.tipe.{conflict_type}" in [f.rule for f in outcome.trace]


@pytest.mark.parametrize("escalation", [{"scope": "banyak_pihak"}, {"threatens_program": True}])
def test_many_parties_or_a_threat_to_the_program_make_it_large(knowledge, escalation):
    outcome = decide(knowledge, type="komunikasi", **escalation)
    assert outcome.conclusions["category"] == "besar"
    fired = [f.rule for f in outcome.trace]
    # forward chaining: the type gives kecil, the escalation derives besar, both settle
    assert "konflik.kategori.kecil" in fired and "konflik.kategori.besar" in fired


def test_a_small_scope_never_lowers_the_category(knowledge):
    assert (
        decide(knowledge, type="sosial_budaya", scope="individu").conclusions["category"] == "besar"
    )


def test_safeguarding_sets_the_protocol_whatever_the_type(knowledge):
    for conflict_type in ("komunikasi", "teknis_operasional"):
        outcome = decide(knowledge, type=conflict_type, safeguarding=True)
        protocol = outcome.conclusions["safeguarding_protocol"]
        assert protocol == [step.text for step in knowledge.safeguarding.protocol]
        assert "konflik.perlindungan" in [f.rule for f in outcome.trace]
    assert "safeguarding_protocol" not in decide(knowledge, type="komunikasi").conclusions


def test_every_fired_rule_is_cited(knowledge):
    outcome = decide(knowledge, type="kepentingan", scope="banyak_pihak", safeguarding=True)
    for firing in outcome.trace:
        assert knowledge.sources.knows(firing.source)
        assert firing.because
    assert outcome.conclusions["steps"][0]["id"] == outcome.conclusions["next_step"]


def test_unknown_type_is_refused_before_the_engine(service):
    with pytest.raises(InputError) as caught:
        service.decide("conflict", {"type": "perang"}, actor="t", channel="test")
    assert caught.value.field == "type"
    assert "tidak dikenal" in caught.value.message
    assert service.store.count_decisions() == 0


def test_an_exception_inside_a_rule_surfaces_to_the_caller(knowledge):
    from durable.lang import m

    def define(_knowledge, book):
        @book.rule("uji.meledak", m.t == "x", source=knowledge.conflicts.types[0].source)
        def explode(fire):
            raise ZeroDivisionError("pembagi nol di dalam aturan")

    engine = Engine(
        knowledge=knowledge, rulesets={"uji": Ruleset(define=define, facts=lambda d, k: [d])}
    )
    with pytest.raises(RuleError, match="pembagi nol") as caught:
        engine.run("uji", {"t": "x"})
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
    assert engine.open_sessions() == 0


def test_ten_thousand_decisions_leave_no_sessions_behind(knowledge):
    engine = engine_for(knowledge)
    types = [t.id for t in knowledge.conflicts.types]
    scopes = [None] + [s.id for s in knowledge.conflicts.scopes]
    session_ids = []
    for i in range(10_000):
        payload = {
            "type": types[i % len(types)],
            "safeguarding": i % 3 == 0,
            "threatens_program": i % 5 == 0,
        }
        if scopes[i % len(scopes)]:
            payload["scope"] = scopes[i % len(scopes)]
        session_ids.append(decide(knowledge, **payload).session_id)
    assert len(set(session_ids)) == 10_000
    assert engine.open_sessions() == 0
    # ask durable_rules itself: none of the sessions holds state any more
    assert [sid for sid in session_ids if engine.session_exists("conflict", sid)] == []
