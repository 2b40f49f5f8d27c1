"""The NLU data stays honest: the held-out set (tests/nlu/) shares no message with the
training data (data/nlu/), and every intent the assistant knows has training examples."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.support.domain import load_domain

TRAINING = ROOT / "data" / "nlu"
HELD_OUT = ROOT / "tests" / "nlu"
# Intents added for the NLU (listed in domain/): each needs training examples
# and a held-out share, even before the domain names them.
NEW_INTENTS = {"my_village": (25, 10), "trainer_exit": (25, 10)}
# Minimum held-out examples for the safeguarding intent.
MIN_HELD_OUT = {"report_abuse": 40}

ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def normalise(text: str) -> str:
    """Lowercase, entity markup and punctuation gone, whitespace collapsed. Emoji and other
    symbols go too (the tokenizer drops them next to words), unless they are the whole
    message ("👍" stays "👍")."""
    text = ENTITY.sub(lambda m: m.group(1) or m.group(2), text).lower()
    no_punct = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    words = "".join(c for c in no_punct if not unicodedata.category(c).startswith("S"))
    words = " ".join(words.split())
    return words or " ".join(no_punct.split())


def examples(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """intent -> [(example, file name)] of every YAML file under ``folder``."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(folder.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            if "intent" not in item:
                continue
            for line in str(item.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found[item["intent"]].append((line[2:].strip(), path.name))
    return found


def domain_intents() -> set[str]:
    domain = load_domain()
    return {next(iter(i)) if isinstance(i, dict) else i for i in domain.get("intents", [])}


@pytest.fixture(scope="module")
def training() -> dict[str, list[tuple[str, str]]]:
    return examples(TRAINING)


@pytest.fixture(scope="module")
def held_out() -> dict[str, list[tuple[str, str]]]:
    return examples(HELD_OUT)


def test_training_data_is_one_folder():
    assert TRAINING.is_dir()
    assert not (ROOT / "data" / "nlu.yml").exists(), "data/nlu.yml was split into data/nlu/"


def test_no_held_out_example_is_a_training_example(training, held_out):
    trained = {normalise(text): (intent, name)
               for intent, items in training.items() for text, name in items}
    leaks = [
        f"{name}: {text!r} ({intent}) = data/nlu/{trained[normalise(text)][1]}"
        for intent, items in held_out.items()
        for text, name in items
        if normalise(text) in trained
    ]
    assert not leaks, "held-out examples also in training:\n" + "\n".join(leaks)


def test_no_example_is_written_twice(training, held_out):
    for data in (training, held_out):
        seen: dict[str, str] = {}
        twice = []
        for intent, items in data.items():
            for text, _ in items:
                key = normalise(text)
                if key in seen:
                    twice.append(f"{text!r}: {seen[key]} and {intent}")
                seen[key] = intent
        assert not twice, "\n".join(twice)


def test_every_intent_has_training_examples(training):
    wanted = domain_intents() | set(NEW_INTENTS)
    missing = sorted(intent for intent in wanted if not training.get(intent))
    assert not missing, f"intents without training examples: {missing}"


def test_every_trained_intent_is_tested(training, held_out):
    untested = sorted(intent for intent in training if not held_out.get(intent))
    assert not untested, f"intents without held-out examples: {untested}"


@pytest.mark.parametrize(("intent", "minimum"), sorted(NEW_INTENTS.items()))
def test_new_intents_have_enough_examples(training, held_out, intent, minimum):
    assert len(training.get(intent, [])) >= minimum[0]
    assert len(held_out.get(intent, [])) >= minimum[1]


@pytest.mark.parametrize(("intent", "minimum"), sorted(MIN_HELD_OUT.items()))
def test_held_out_share(held_out, intent, minimum):
    assert len(held_out.get(intent, [])) >= minimum


def test_normalise():
    assert normalise("Cek program [PENA](program:pena) dong!!") == "cek program pena dong"
    assert normalise("  halo,   min 👋 ") == "halo min"
    assert normalise("👍") == "👍"
    assert normalise("👍🏻") != normalise("👍")
