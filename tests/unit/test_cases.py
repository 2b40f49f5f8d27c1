"""Runs every YAML decision case in tests/cases/ through the real service and store."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.errors import InputError

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"


def _cases() -> list[pytest.param]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


CASES = _cases()


def test_there_are_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_case(case, service, knowledge):
    assert knowledge.sources.knows_dict(case["source"]), case["source"]
    if "error" in case:
        with pytest.raises(InputError) as caught:
            service.decide(case["kind"], case["input"], actor="cases", channel="test")
        assert caught.value.field == case["error"]["field"]
        return
    decision = service.decide(case["kind"], case["input"], actor="cases", channel="test")
    for key, value in case.get("expected", {}).items():
        assert decision.output.get(key) == value, key
    missing = set(case.get("fired", [])) - set(decision.fired)
    assert not missing, f"rules that should have fired: {sorted(missing)}"
