"""The layers point one way (DESIGN.md 3): chat adapters -> casework/service -> rules and
knowledge -> store. Read from the import statements of every module (AST, no import)."""

from __future__ import annotations

import ast
import sys

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
        ("actions", ("rules", "sqlite3", "sqlite_utils", "assistant.store.db"), ()),
        # tests and benchmarks: the benchmarks may use the tests' generators, not the reverse
        ("tests", ("bench",), ()),
    ],
)
def test_the_layers_point_one_way(folder, forbidden, allowed):
    assert offenders(folder, forbidden, allowed) == []


def test_only_the_store_speaks_sql():
    """The decision store (assistant/store/db.py and its migrations); the WhatsApp channel keeps
    its own delivery state (assistant/channels/whatsapp_state.py), never case data."""
    found = offenders(
        "assistant",
        ("sqlite3", "sqlite_utils"),
        ("assistant/store/db.py", "assistant/migrations", "assistant/channels/whatsapp_state.py"),
    )
    assert found == []


# The rooms of assistant/ from the ground up (DESIGN.md 3); a room may import itself and
# the rooms listed for it, nothing else of the assistant. Each package's __init__ says so.
ROOMS: dict[str, tuple[str, ...]] = {
    "common": (),
    "knowledge": ("common",),
    "store": ("knowledge", "common"),
    "reading": ("knowledge", "common"),
    "decisions": ("store", "knowledge", "common"),
    "casework": ("decisions", "reading", "store", "knowledge", "common"),
    "chat": ("casework", "decisions", "reading", "store", "knowledge", "common"),
    "studio": ("chat", "casework", "decisions", "reading", "store", "knowledge", "common"),
    # cli also reads the WhatsApp channel's opt-outs through its standard-library state
    # classes (``assistant reminders run``)
    "cli": (
        "studio",
        "chat",
        "casework",
        "decisions",
        "reading",
        "store",
        "knowledge",
        "common",
        "channels",
    ),
    # the channels load inside the Rasa server (pydantic 1, none of the core's packages):
    # from the ground floor only its standard-library modules (STANDALONE)
    "channels": ("common",),
}
STANDALONE = (
    "assistant.common.graph_api",
    "assistant.common.free_text",
    "assistant.common.paths",
)


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "assistant" else None


def test_every_room_is_listed_and_says_what_it_is_for():
    folders = {p.name for p in (ROOT / "assistant").iterdir() if (p / "__init__.py").exists()}
    assert folders == set(ROOMS)
    loose = sorted(p.name for p in (ROOT / "assistant").glob("*.py") if p.name != "__init__.py")
    assert loose == [], "every module lives in a room"
    for room in ROOMS:
        init = ROOT / "assistant" / room / "__init__.py"
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and len(docstring) > 60, room


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_rooms_import_only_the_rooms_below_them(room):
    found = []
    for path in modules(f"assistant/{room}"):
        for name in sorted(imports(path)):
            target = room_of(name)
            if name == "assistant" or (target and target != room and target not in ROOMS[room]):
                found.append(f"{path.relative_to(ROOT).as_posix()} imports {name}")
    assert found == []


def test_channels_take_only_standard_library_modules_of_the_core():
    found = [
        f"{path.relative_to(ROOT).as_posix()} imports {name}"
        for path in modules("assistant/channels")
        for name in sorted(imports(path))
        if name.startswith("assistant.") and room_of(name) != "channels" and name not in STANDALONE
    ]
    assert found == []
    for name in STANDALONE:
        source = ROOT / (name.replace(".", "/") + ".py")
        assert {n.split(".")[0] for n in imports(source)} <= set(sys.stdlib_module_names), name


ALLOWED_IN_RULES = ("assistant.common", "assistant.knowledge", "assistant.decisions.inputs")


def test_rules_see_only_inputs_knowledge_and_the_common_room():
    found = [
        f"{path.relative_to(ROOT).as_posix()} imports {name}"
        for path in modules("rules")
        for name in sorted(imports(path))
        if name.startswith("assistant")
        and not name.startswith(ALLOWED_IN_RULES)
    ]
    assert found == []
