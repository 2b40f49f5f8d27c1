"""The layers point one way (DESIGN.md 3): chat adapters -> casework/service -> rules and
knowledge -> store. Read from the import statements of every module (AST, no import)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT


def imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(folder: str) -> list:
    return sorted((ROOT / folder).rglob("*.py"))


def offenders(folder: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in modules(folder):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(allowed):
            continue
        for name in sorted(imports(path)):
            if name.startswith(forbidden):
                found.append(f"{relative} imports {name}")
    return found


@pytest.mark.parametrize(
    ("folder", "forbidden", "allowed"),
    [
        # only rules/ talks to durable_rules
        ("assistant", ("durable",), ()),
        ("actions", ("durable",), ()),
        # the core knows nothing of the chat front end, the benchmarks or the tests
        ("assistant", ("actions", "bench", "tests", "rasa_sdk"), ("assistant/channels/",)),
        ("assistant", ("rasa",), ("assistant/channels/",)),
        ("rules", ("actions", "bench", "tests", "rasa", "assistant.store", "sqlite"), ()),
        # actions are thin adapters: no engine, no SQL
        ("actions", ("rules", "sqlite3", "sqlite_utils", "assistant.store"), ()),
        # tests and benchmarks: the benchmarks may use the tests' generators, not the reverse
        ("tests", ("bench",), ()),
    ],
)
def test_the_layers_point_one_way(folder, forbidden, allowed):
    assert offenders(folder, forbidden, allowed) == []


def test_only_the_store_speaks_sql():
    """The decision store (assistant/store.py and its migrations); the WhatsApp channel keeps
    its own delivery state (assistant/channels/whatsapp_state.py), never case data."""
    found = offenders(
        "assistant",
        ("sqlite3", "sqlite_utils"),
        ("assistant/store.py", "assistant/migrations", "assistant/channels/whatsapp_state.py"),
    )
    assert found == []
