"""The Rasa domain, one file per topic (domain/): nothing defined twice, and every field a
form asks for can be interrupted the same way wherever it lives."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT
from tests.support.domain import load_domain

INTERRUPTIONS = {"cancel", "help", "ask_why", "my_tasks", "trainer_exit"}


def test_each_intent_and_action_is_defined_in_one_file():
    domain = load_domain()
    for key in ("intents", "entities", "actions"):
        assert len(domain[key]) == len(set(domain[key])), key


def test_every_file_is_a_rasa_3_domain():
    for path in sorted((ROOT / "domain").glob("*.yml")):
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == "3.1", path.name


def test_form_fields_read_from_text_are_interrupted_alike():
    """A question inside the graduation form and one inside the conflict form must both let
    'batal', 'bantuan', 'kenapa?', 'jadwal saya' and 'keluar latihan' through; the shorter
    lists of the knowledge questions and the follow-up choice are deliberate."""
    shorter = {"program_choice", "stage_choice", "grad_follow_up", "harm_confirm"}
    domain = load_domain()
    for name, slot in domain["slots"].items():
        for mapping in slot["mappings"]:
            if mapping["type"] != "from_text":
                continue
            blocked = set(mapping.get("not_intent") or [])
            assert "cancel" in blocked, name
            if name not in shorter:
                assert blocked == INTERRUPTIONS, name


def test_every_form_slot_exists():
    domain = load_domain()
    for form in domain["forms"].values():
        assert set(form["required_slots"]) <= set(domain["slots"])
