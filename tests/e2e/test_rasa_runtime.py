"""The run-time fixes of Rasa 3.6 (scripts/rasa_runtime.py) change its cost, never its
answers: run in the Rasa environment, the patched action-response check accepts what
Rasa accepts and refuses what it refuses with the same message, and stored events still
come back as the same classes (an unknown name still fails)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHECK = r'''
import json, sys
sys.path.insert(0, "scripts")
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, UserUttered, SlotSet
from rasa.utils.endpoints import EndpointConfig

def outcome(check, answer):
    try:
        return ["ok", check(RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1")), answer)]
    except Exception as error:
        return [type(error).__name__, str(error).splitlines()[0]]

answers = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hai"}]},
    {"events": "bukan daftar", "responses": []},
    {"events": [{"name": "tanpa jenis"}], "responses": []},
    {"events": [], "responses": "bukan daftar"},
]
original = RemoteAction._validate_action_result
before = [outcome(original, a) for a in answers]
import rasa_runtime
applied = rasa_runtime.apply()
after = [outcome(RemoteAction._validate_action_result, a) for a in answers]
events = [Event.resolve_by_type("user").__name__, Event.resolve_by_type("slot").__name__,
          Event.resolve_by_type("user").__name__]
try:
    Event.resolve_by_type("tidak_ada")
    unknown = "no error"
except ValueError as error:
    unknown = str(error)
print(json.dumps({"applied": applied, "before": before, "after": after, "events": events,
                  "unknown": unknown}))
'''


def test_the_fixes_keep_rasas_answers() -> None:
    ran = subprocess.run(
        [str(ROOT / ".venv-rasa/bin/python"), "-W", "ignore", "-c", CHECK],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT / "var"), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    found = json.loads(ran.stdout.strip().splitlines()[-1])
    assert set(found["applied"]) == {
        "action-response-schema-once", "event-class-by-name-remembered", "endpoint-session-kept"
    }
    assert found["after"] == found["before"]
    assert [kind for kind, _ in found["after"]] == ["ok", "ok", "ValidationError",
                                                    "ValidationError", "ValidationError"]
    assert found["events"] == ["UserUttered", "SlotSet", "UserUttered"]
    assert "tidak_ada" in found["unknown"]
