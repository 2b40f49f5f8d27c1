"""Runs every YAML decision case in tests/cases/ through the real service and store.

A case: `name`, `kind`, `input`, `source` (the seed section it checks), and one of
- `error: {field: ...}`: the input is refused, naming that field;
- `expected: {key: value}`: output fields that must equal these values;
- `includes` / `excludes: {key: [values]}`: items that must (not) be in a list output
  (for a list of objects, the object's `id` is compared);
- `fired` / `not_fired: [rule ids]`: rules that must (not) have fired;
- `mentions: {key: [texts]}`: texts that must appear in an output (its JSON, as shown).

A list item that is an object is compared by its `id`, or by `program.condition` when it
has those (program notes, programs left out).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.common.errors import InputError
from assistant.common.texts import say
from assistant.decisions.inputs import INPUTS

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"
KEYS = {"name", "kind", "input", "source", "error", "expected", "includes", "excludes", "fired",
        "not_fired", "mentions"}


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


CASES = _cases()


def test_there_are_enough_cases_for_every_kind():
    assert len(CASES) >= 80
    kinds = {param.values[0]["kind"] for param in CASES}
    assert kinds == set(INPUTS)


def _ids(items: list[Any]) -> list[Any]:
    return [_key(item) for item in items]


def _key(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    if "id" in item:
        return item["id"]
    if "program" in item and "condition" in item:
        return f"{item['program']}.{item['condition']}"
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("case", CASES)
def test_case(case, service, knowledge):
    assert set(case) <= KEYS, set(case) - KEYS
    assert knowledge.sources.knows_dict(case["source"]), case["source"]
    if "error" in case:
        with pytest.raises(InputError) as caught:
            service.decide(case["kind"], case["input"], actor="cases", channel="test")
        assert caught.value.field == case["error"]["field"]
        assert caught.value.message.endswith(".")
        return
    decision = service.decide(case["kind"], case["input"], actor="cases", channel="test")
    output = decision.output
    for key, value in case.get("expected", {}).items():
        assert output.get(key) == value, f"{key}: {output.get(key)!r}"
    for key, values in case.get("includes", {}).items():
        present = _ids(output.get(key) or [])
        assert not set(values) - set(present), f"{key} lacks {set(values) - set(present)}"
    for key, values in case.get("excludes", {}).items():
        present = _ids(output.get(key) or [])
        assert not set(values) & set(present), f"{key} has {set(values) & set(present)}"
    for key, texts in case.get("mentions", {}).items():
        shown = json.dumps(say(output.get(key)), ensure_ascii=False)
        for wanted in texts:
            assert wanted in shown, f"{key} does not mention {wanted!r}: {shown}"
    missing = set(case.get("fired", [])) - set(decision.fired)
    assert not missing, f"rules that should have fired: {sorted(missing)}"
    unexpected = set(case.get("not_fired", [])) & set(decision.fired)
    assert not unexpected, f"rules that should not have fired: {sorted(unexpected)}"
    assert decision.citations, "every decision cites the guideline"
