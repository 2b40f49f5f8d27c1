"""The dialogue suite's data (tests/dialogues/*.yml), without servers: every file follows the
format of tests/support/dialogues.py, there are enough dialogues for every journey and role,
and no message is a copy of an NLU training example."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.support.dialogues import (
    DIALOGUES,
    ROLES,
    DialogueFormatError,
    load_all,
    load_file,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FILES = (
    "greeting_and_menu",
    "approach",
    "needs",
    "graduation",
    "conflict",
    "safeguarding",
    "program_and_stage",
    "review",
    "tasks",
    "village_official",
    "trainer",
    "interruptions_and_corrections",
    "noise_and_fallback",
    "english",
)
MINIMUM = 150
# Replies of one or two words as typed ("ya", "batal", "2,6 jt", "jadwal saya") are the closed
# vocabulary of answers and commands: they cannot avoid the training data. Longer ones must.
EXEMPT_WORDS = 2
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def normalise(message: str) -> str:
    """Lowercase, punctuation removed, whitespace collapsed."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", message.lower()).split())


def training_examples() -> dict[str, str]:
    """Every "- " example line of every YAML file under data/ (data/nlu.yml and data/nlu/*),
    entity annotations reduced to their text, normalised -> the file it came from."""
    found: dict[str, str] = {}
    for path in sorted(DATA.rglob("*.y*ml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                example = _ANNOTATION.sub(r"\1", stripped[2:])
                found.setdefault(normalise(example), str(path.relative_to(ROOT)))
    return found


@pytest.fixture(scope="module")
def dialogues():
    return load_all()


def test_every_file_loads_and_follows_the_format(dialogues):
    assert {d.file for d in dialogues} == set(FILES), "one file per journey or topic"
    assert all(d.turns and d.expect is not None for d in dialogues)


def test_there_are_enough_dialogues_for_every_journey_and_role(dialogues):
    assert len(dialogues) >= MINIMUM, f"{len(dialogues)} dialogues, want >= {MINIMUM}"
    per_file = Counter(d.file for d in dialogues)
    assert min(per_file.values()) >= 8, per_file
    assert set(ROLES) - {"admin"} <= {d.role for d in dialogues}
    assert sum(len(d.turns) > 1 for d in dialogues) >= MINIMUM * 0.6, "mostly multi-turn"


def test_no_message_is_a_copy_of_a_training_example(dialogues):
    examples = training_examples()
    assert len(examples) > 500, "the NLU training data was not found under data/"
    copies = [
        f"{d.id}: {turn.say!r} (in {examples[normalise(turn.say)]})"
        for d in dialogues
        for turn in d.turns
        if len(turn.say.split()) > EXEMPT_WORDS and normalise(turn.say) in examples
    ]
    assert not copies, "dialogue messages copied from the training data:\n" + "\n".join(copies)


def test_names_are_unique_per_file_and_ids_are_unique(dialogues):
    ids = Counter(d.id for d in dialogues)
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- name: x\n  as: kades\n  turns: [{say: hi}]\n  expect: {}\n", "as: must be one of"),
        ("- name: x\n  as: stranger\n  turns: []\n  expect: {}\n", "turns must be a non-empty"),
        ("- name: x\n  as: stranger\n  turns: [{say: hi}]\n", "states its outcome"),
        ("- name: x\n  as: stranger\n  turns: [{sya: hi}]\n  expect: {}\n", "unknown key(s)"),
        (
            "- name: x\n  as: stranger\n  households: [{name: A}]\n  turns: [{say: hi}]\n"
            "  expect: {}\n",
            "for a pendamping only",
        ),
        (
            "- name: x\n  as: stranger\n  turns: [{say: hi}]\n  expect: {decisions: [{kind: x}]}\n",
            "decision kind must be",
        ),
        (
            "- name: x\n  as: stranger\n  turns: [{say: hi}]\n  expect: {tasks: {$most: 1}}\n",
            "a matcher is one of",
        ),
        (
            "- name: x\n  as: stranger\n  turns: [{say: hi}]\n  expect: {}\n"
            "- name: x\n  as: stranger\n  turns: [{say: hi}]\n  expect: {}\n",
            "used twice",
        ),
    ],
)
def test_format_errors_say_where_and_why(tmp_path, text, problem):
    path = tmp_path / "broken.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DialogueFormatError) as error:
        load_file(path)
    assert problem in str(error.value)
    assert "broken.yml:" in str(error.value)


def test_the_header_of_every_file_documents_the_format():
    for path in sorted(DIALOGUES.glob("*.yml")):
        head = path.read_text(encoding="utf-8")[:4000]
        assert "Format (full description: tests/support/dialogues.py)" in head, path.name
        assert yaml.safe_load(path.read_text(encoding="utf-8")), path.name


def test_matchers_compare_outcomes_not_wording():
    from tests.support.dialogues import match

    assert match({"income_monthly": 2800000}, {"income_monthly": 2800000.0, "umk": 1}) is None
    assert match({"signals": ["b", "a"]}, {"signals": ["a", "b"]}) is None
    assert match({"signals": {"$has": ["a"]}}, {"signals": ["a", "b"]}) is None
    assert match({"gaps": {"$has": ["data_primer"]}}, {"gaps": [{"check": "data_primer"}]}) is None
    assert match({"x": {"$all": [{"$has": ["a"]}, {"$lacks": ["c"]}]}}, {"x": ["a", "b"]}) is None
    assert match({"graduated": True}, {"graduated": 1}) is not None
    assert match({"x": {"$absent": True}}, {}) is None
    assert "expected" in (match({"scope": "individu"}, {"scope": "kelompok_kecil"}) or "")


def test_turn_invariants():
    from tests.support.dialogues import TurnResult, turn_violations

    def kinds(replies, status=200, seconds=0.1, error=None):
        items = [{"text": r} for r in replies]
        result = TurnResult("s", "m", replies, status, seconds, error, items)
        return [kind for kind, _ in turn_violations(result, ["Maaf, ada gangguan"])]

    assert kinds(["halo"]) == []
    assert kinds([]) == ["empty_turn"]
    assert kinds(["a", "b", "c", "d"]) == ["too_many_messages"]
    assert kinds(["maaf", "maaf"]) == ["duplicate_message"]
    assert kinds(["halo", " "]) == ["blank_message"]
    assert kinds(["Traceback (most recent call last):"]) == ["exception_in_reply"]
    assert kinds(["KeyError: 'x'"]) == ["exception_in_reply"]
    assert kinds(["Maaf, ada gangguan di sistem"]) == ["action_failed"]
    assert kinds(["ok"], status=500) == ["http_status"]
    assert kinds([], status=None, error="ReadTimeout") == ["timeout"]


def test_log_problems_are_told_by_kind():
    from tests.support.dialogues import LogWatch

    lines = {
        "actions.log": [
            "ERROR actions.common: action action_x failed for one conversation",
            "Traceback (most recent call last):",
            '  File "/work/main/actions/x.py", line 1, in run',
            "assistant.common.errors.InputError: Kondisi 'x' tidak dikenal",
        ],
        "rasa.log": [
            "WARNING rasa.core.processor  - Circuit breaker tripped. Stopped predicting more "
            "actions for sender '6281'.",
            "WARNING assistant.channels.turns  - turn guard: 4 messages joined into 3 for 628*1",
            "INFO root - Rasa server is up and running.",
        ],
    }
    found = dict(LogWatch.problems(lines))
    assert found["log_traceback"].endswith("InputError: Kondisi 'x' tidak dikenal")
    assert set(found) == {
        "log_traceback",
        "log_action_failed",
        "log_circuit_breaker",
        "log_turn_guard:messages_joined",
    }
