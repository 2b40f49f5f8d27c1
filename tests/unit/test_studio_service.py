"""The trainer studio's service (assistant/studio/service.py) on real decisions in a
sandbox: what a what-if changed (inputs, rules that now fire or no longer fire,
conclusions), the what-if form of each decision kind, and the what-if endpoint of the real
studio server (a subprocess on a free port) under hostile input: absurd, negative and
non-numeric numbers, unknown fields, bodies that are not JSON objects and huge payloads are
answered with a plain Indonesian sentence and a 4xx status, never a crash or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from assistant.casework.service import Casework
from assistant.common.errors import InputError
from assistant.decisions.inputs import INPUTS
from assistant.knowledge.loader import Knowledge
from assistant.store.db import Store
from assistant.store.decision import Decision
from assistant.store.records import User
from assistant.studio import scenarios, tokens
from assistant.studio.service import Session, Studio, changes, form_fields
from tests.e2e.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TRAINER, FACILITATOR = "628555", "628111"
LULUS = "graduasi.transisi.lulus_asesmen_pertama"
BELUM_LULUS = "graduasi.transisi.belum_lulus_asesmen_pertama"


def seed(path: Path) -> None:
    work = Casework(Store(path))
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_user(admin, User(id=TRAINER, name="Bu Pelatih", role="pelatih"))
    work.add_user(admin, User(id=FACILITATOR, name="Bu Rina", role="pendamping"))
    work.store.close()


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("studio")
    seed(folder / "main.db")
    return folder


@pytest.fixture(scope="module")
def studio(place: Path) -> Iterator[Studio]:
    secret = tokens.load_secret(place / "var" / "studio-secret")
    made = Studio(place / "main.db", place / "sandbox.db", secret)
    yield made
    made.close()


@pytest.fixture(scope="module")
def session(studio: Studio) -> Session:
    return studio.admit(tokens.sign(TRAINER, studio.secret))


@pytest.fixture(scope="module")
def played(studio: Studio, session: Session) -> dict[str, Decision]:
    """Every built-in scenario with inputs, decided in the sandbox."""
    found, problems = scenarios.load_all(studio.knowledge, folder=Path("/nonexistent"))
    assert problems == []
    return {s.id: studio.scenario_decision(session, s) for s in found if s.inputs is not None}


# --- what changed ------------------------------------------------------------------------


def test_income_under_the_umk_changes_the_input_the_transition_and_the_conclusion(
    studio: Studio, session: Session, played: dict[str, Decision]
) -> None:
    before, after = studio.what_if(
        session, played["graduasi_langsung"].id, {"income_monthly": 2_000_000}
    )
    assert before.id == played["graduasi_langsung"].id and after.id != before.id
    found = changes(before, after)
    assert found["inputs"] == [{"field": "income_monthly", "before": 2_700_000, "after": 2_000_000}]
    assert BELUM_LULUS in found["rules_added"] and LULUS not in found["rules_added"]
    assert LULUS in found["rules_dropped"] and BELUM_LULUS not in found["rules_dropped"]
    assert set(found["rules_added"]).isdisjoint(before.fired)
    assert set(found["rules_dropped"]).isdisjoint(after.fired)
    outputs = {c["field"]: (c["before"], c["after"]) for c in found["outputs"]}
    assert outputs["graduated"] == (True, False)
    assert outputs["transition"] == ("lulus_asesmen_pertama", "belum_lulus_asesmen_pertama")
    # the what-if lives in the sandbox under the persona, with the studio as its channel
    assert studio.decision(session, after.id).channel == "studio"


def test_a_wider_conflict_scope_changes_rules_and_conclusions_but_not_the_type(
    studio: Studio, session: Session, played: dict[str, Decision]
) -> None:
    small = played["konflik_komunikasi"]
    before, after = studio.what_if(session, small.id, {"scope": "banyak_pihak"})
    found = changes(before, after)
    assert found["inputs"] == [{"field": "scope", "before": "individu", "after": "banyak_pihak"}]
    assert found["rules_added"] or found["rules_dropped"]
    assert found["outputs"], "a wider scope must change some conclusion"
    assert "type" not in {c["field"] for c in found["outputs"]}


def test_an_emptied_field_is_dropped_and_shown_as_a_change_unless_it_is_required(
    studio: Studio, session: Session, played: dict[str, Decision]
) -> None:
    teknis = played["konflik_teknis"]
    before, after = studio.what_if(session, teknis.id, {"threatens_program": None})
    assert "threatens_program" not in after.input
    assert changes(before, after)["inputs"] == [
        {"field": "threatens_program", "before": True, "after": None}
    ]
    with pytest.raises(InputError, match="UMK wajib diisi"):
        studio.what_if(session, played["graduasi_langsung"].id, {"umk": None})


def test_rerunning_with_the_form_as_shown_changes_nothing_for_every_scenario(
    studio: Studio, session: Session, played: dict[str, Decision]
) -> None:
    """The form's fields and values are what the page sends back: unchanged, they must
    decide the same (a field the form mistypes would show up here as a change or an error)."""
    for name, decision in played.items():
        sent = {f["name"]: f["value"] for f in form_fields(decision, studio.knowledge)}
        before, after = studio.what_if(session, decision.id, sent)
        assert changes(before, after) == {
            "inputs": [],
            "rules_added": [],
            "rules_dropped": [],
            "outputs": [],
        }, name


# --- the what-if form --------------------------------------------------------------------


def fields_of(decision: Decision, knowledge: Knowledge) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in form_fields(decision, knowledge)}


def test_the_graduation_form(studio: Studio, played: dict[str, Decision]) -> None:
    kb = studio.knowledge
    form = fields_of(played["graduasi_langsung"], kb)
    assert form["income_monthly"] == {
        "name": "income_monthly",
        "type": "number",
        "value": 2_700_000,
    }
    assert form["umk"]["type"] == "number" and form["umk"]["value"] == 2_500_000
    assert form["mindset_changed"]["type"] == "bool" and form["mindset_changed"]["value"] is True
    assert form["state"]["type"] == "choice"
    assert form["state"]["choices"] == list(kb.graduation.state_ids)
    assert form["program"]["choices"] == list(kb.programs.ids)
    assert form["program"]["value"] == "pena"
    assert form["follow_up"]["choices"] == [o.id for o in kb.graduation.follow_up_options]


def test_the_conflict_form(studio: Studio, played: dict[str, Decision]) -> None:
    kb = studio.knowledge
    form = fields_of(played["konflik_teknis"], kb)
    assert form["type"]["type"] == "choice" and form["type"]["value"] == "teknis_operasional"
    assert form["type"]["choices"] == [t.id for t in kb.conflicts.types]
    assert form["scope"]["choices"] == [s.id for s in kb.conflicts.scopes]
    assert form["threatens_program"]["type"] == "bool"
    assert form["threatens_program"]["value"] is True
    assert form["safeguarding"]["optional"] is True  # not asked yet is a third answer
    assert "description" not in form  # free text is no what-if


def test_the_needs_form(studio: Studio, played: dict[str, Decision]) -> None:
    kb = studio.knowledge
    form = fields_of(played["kebutuhan_keterampilan"], kb)
    assert form["signals"]["type"] == "multi"
    assert form["signals"]["value"] == ["tidak_punya_keterampilan_kerja"]
    assert set(form["signals"]["choices"]) == set(kb.needs.signals())
    assert form["employment"]["type"] == "choice" and form["employment"]["value"] == "menganggur"
    assert "menganggur" in form["employment"]["choices"]
    assert "pemula" in form["business_stage"]["choices"]


def test_every_form_field_is_an_input_of_its_kind(
    studio: Studio, played: dict[str, Decision]
) -> None:
    for name, decision in played.items():
        model = INPUTS[decision.kind]
        for field in form_fields(decision, studio.knowledge):
            assert field["name"] in model.model_fields, (name, field["name"])
            assert field["type"] in ("number", "bool", "choice", "multi")
            if field["type"] in ("choice", "multi"):
                chosen = field["value"] if isinstance(field["value"], list) else [field["value"]]
                assert all(v is None or v in field["choices"] for v in chosen), (name, field)


# --- the endpoint under hostile input ----------------------------------------------------


@pytest.fixture(scope="module")
def server(place: Path) -> Iterator[str]:
    """The real studio server (no Rasa behind it: the what-if needs none)."""
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_DB": str(place / "main.db"),
        "ASSISTANT_SANDBOX_DB": str(place / "sandbox-http.db"),
        "ASSISTANT_VAR_DIR": str(place / "var"),
    }
    log = (place / "studio.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.studio.server", "--port", str(port),
         "--host", "127.0.0.1", "--rasa", "http://127.0.0.1:9"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        assert process.poll() is None, (place / "studio.log").read_text()
        assert time.monotonic() < deadline, "the studio server did not start"
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def http(server: str, place: Path) -> tuple[str, dict[str, str], str]:
    """The server's address, a trainer's headers, and a graduation decision to change."""
    secret = tokens.load_secret(place / "var" / "studio-secret")
    headers = {"Authorization": "Bearer " + tokens.sign(TRAINER, secret)}
    played = requests.post(
        f"{server}/api/scenario", json={"id": "graduasi_langsung"}, headers=headers, timeout=60
    )
    assert played.ok, played.text
    return server, headers, played.json()["decision"]["id"]


def plain(answer: requests.Response) -> str:
    """The error sentence of a refused request, after checking it tells nothing inner."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    body = answer.json()
    for leak in ("Traceback", 'File "', "Error(", "Exception", "pydantic", "sanic"):
        assert leak not in answer.text, (leak, answer.text[:300])
    return str(body["error"])


@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        ({"income_monthly": 1e300}, "terlalu besar"),
        ({"income_monthly": 10**400}, "terlalu besar"),
        ({"income_monthly": -2_000_000}, "tidak boleh kurang dari 0"),
        ({"umk": -1}, "harus lebih dari 0"),
        ({"income_monthly": "dua juta"}, "harus berupa angka"),
        ({"income_monthly": [1, 2]}, "harus berupa angka"),
        ({"income_monthly": {"nilai": 1}}, "harus berupa angka"),
        ({"income_monthly": True}, "harus berupa angka"),
        ({"mindset_changed": "mungkin"}, "harus true atau false"),
        ({"state": "surga"}, "tidak dikenal"),
        ({"warna_rumah": "biru"}, "tidak dikenal"),
    ],
)
def test_hostile_values_are_answered_in_indonesian(
    http: tuple[str, dict[str, str], str], inputs: dict[str, Any], says: str
) -> None:
    url, headers, decision = http
    answer = requests.post(
        f"{url}/api/whatif",
        data=json.dumps({"decision_id": decision, "inputs": inputs}),
        headers={**headers, "Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 400
    assert says in plain(answer)


def test_infinity_and_nan_in_the_json_are_refused(http: tuple[str, dict[str, str], str]) -> None:
    url, headers, decision = http
    for number in ("1e999", "-1e999", "NaN", "Infinity"):
        body = f'{{"decision_id": "{decision}", "inputs": {{"income_monthly": {number}}}}}'
        answer = requests.post(
            f"{url}/api/whatif",
            data=body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=60,
        )
        assert "Pendapatan per bulan" in plain(answer), number


def test_malformed_requests_are_answered_in_indonesian(
    http: tuple[str, dict[str, str], str],
) -> None:
    url, headers, decision = http
    json_headers = {**headers, "Content-Type": "application/json"}
    cases: list[tuple[str, str]] = [
        ("{not json", "bukan JSON yang sah"),
        ("[1, 2, 3]", "bukan JSON yang sah"),
        ('"teks saja"', "bukan JSON yang sah"),
        (json.dumps({"decision_id": decision, "inputs": [1, 2]}), "pasangan kolom-nilai"),
        (json.dumps({"decision_id": decision, "inputs": "x"}), "pasangan kolom-nilai"),
        (
            json.dumps({"decision_id": decision, "inputs": {f"f{i}": 1 for i in range(500)}}),
            "pasangan kolom-nilai",
        ),
        (
            json.dumps({"decision_id": decision, "inputs": {"x" * 5000: 1}}),
            "pasangan kolom-nilai",
        ),
        (json.dumps({"decision_id": ["a"], "inputs": {}}), "tidak dikenali"),
        (json.dumps({"inputs": {"income_monthly": 1}}), "tidak dikenali"),
        (json.dumps({"decision_id": "tidak-ada", "inputs": {}}), "tidak-ada"),
    ]
    for body, says in cases:
        answer = requests.post(f"{url}/api/whatif", data=body, headers=json_headers, timeout=60)
        assert says in plain(answer), body[:80]
        assert answer.status_code in (400, 404), body[:80]


def test_a_huge_payload_is_refused_unread(http: tuple[str, dict[str, str], str]) -> None:
    url, headers, decision = http
    huge = json.dumps({"decision_id": decision, "inputs": {"income_monthly": "9" * 5_000_000}})
    answer = requests.post(
        f"{url}/api/whatif",
        data=huge,
        headers={**headers, "Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 413
    assert "terlalu besar" in plain(answer)
    english = answer.json()["message"]["en"]
    assert "too large" in english


def test_the_server_still_answers_after_the_abuse(http: tuple[str, dict[str, str], str]) -> None:
    url, headers, decision = http
    answer = requests.post(
        f"{url}/api/whatif",
        json={"decision_id": decision, "inputs": {"income_monthly": 2_000_000}},
        headers=headers,
        timeout=60,
    )
    assert answer.ok, answer.text[:300]
    view = answer.json()
    assert view["before"] == decision
    assert view["changes"]["inputs"] == [
        {"field": "income_monthly", "before": 2_700_000, "after": 2_000_000}
    ]
    assert BELUM_LULUS in view["changes"]["rules_added"]


def test_unknown_addresses_and_a_facilitators_link(
    http: tuple[str, dict[str, str], str], place: Path
) -> None:
    url, headers, decision = http
    missing = requests.get(f"{url}/api/nothing-here", headers=headers, timeout=10)
    assert missing.status_code == 404 and "tidak ada di studio" in plain(missing)
    export = requests.get(f"{url}/api/export/gif/{decision}", headers=headers, timeout=60)
    assert export.status_code == 404
    secret = tokens.load_secret(place / "var" / "studio-secret")
    other = {"Authorization": "Bearer " + tokens.sign(FACILITATOR, secret)}
    refused = requests.post(
        f"{url}/api/whatif",
        json={"decision_id": decision, "inputs": {"income_monthly": 1}},
        headers=other,
        timeout=10,
    )
    assert refused.status_code == 403 and refused.json()["refused"] == "not_trainer"


def test_finding_8_the_studio_sends_security_headers(http: tuple[str, dict[str, str], str]) -> None:
    url, headers, _ = http
    for answer in (
        requests.get(f"{url}/health", timeout=30),
        requests.get(f"{url}/", headers=headers, timeout=30),
        requests.get(f"{url}/api/session", headers=headers, timeout=30),
    ):
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_finding_8_a_cross_origin_post_is_refused_whatever_token_it_carries(
    http: tuple[str, dict[str, str], str],
) -> None:
    url, headers, decision = http
    for browser in (
        {"Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"},
    ):
        answer = requests.post(
            f"{url}/api/reset", json={}, headers={**headers, **browser}, timeout=30
        )
        assert answer.status_code == 403, browser
        assert "halamannya sendiri" in plain(answer)
    own = url.split("://", 1)[1]
    same = requests.post(
        f"{url}/api/whatif",
        json={"decision_id": decision, "inputs": {}},
        headers={**headers, "Origin": f"http://{own}", "Sec-Fetch-Site": "same-origin"},
        timeout=60,
    )
    assert same.status_code != 403, same.text
