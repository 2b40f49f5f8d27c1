"""The security review's findings (issue "Hardening"), one test each, named after it:
amounts that crashed the rules engine, UMK changes by the wrong people, lost reports of
harm, the NIK salt, NIK oracles, JSON that is not what it claims, files readable by
others, fuzzy matching on huge messages, explanations of other people's decisions."""

from __future__ import annotations

import json
import math
import os
import stat
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.casework.access import Forbidden
from assistant.casework.nik import SaltError, normalise_nik
from assistant.casework.service import Casework
from assistant.cli.jsonio import read_json_object
from assistant.common.errors import InputError
from assistant.common.limits import MAX_RUPIAH
from assistant.common.money import parse_rupiah
from assistant.common.texts import text
from assistant.reading.words import find_named, find_person
from assistant.store.db import Store
from assistant.store.records import User, Village
from rules.engine import FactError, check_fact
from tests.support.cli import CliResult, run_cli

NIK = "3201234567890001"


@pytest.fixture
def work(tmp_path: Path, knowledge) -> Casework:
    casework = Casework(Store(tmp_path / "cases.db"), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    casework.add_user(None, admin)
    for village in (
        Village(id="sukamaju", name="Sukamaju", kabupaten="Bogor", umk=2_500_000),
        Village(id="mekarsari", name="Mekarsari", kabupaten="Garut"),
    ):
        casework.add_village(admin, village)
    for user in (
        User(id="628111", name="Bu Rina", role="pendamping"),
        User(id="628222", name="Pak Dedi", role="pendamping"),
        User(id="628777", name="Pak Koor Bogor", role="koordinator", district="Bogor"),
        User(id="628888", name="Bu Koor Garut", role="koordinator", district="Garut"),
    ):
        casework.add_user(admin, user)
    yield casework
    casework.store.close()


# --- 1. a number crashes the action server -------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["10000000000 jt", "1e16", "9" * 400, "Rp 99.999.999.999.999.999", "1.000.000.000.001"],
)
def test_finding_1_absurd_amounts_are_refused_where_they_enter(typed):
    with pytest.raises(InputError) as refused:
        parse_rupiah(typed)
    assert "terlalu besar" in refused.value.message or "tidak terbaca" in refused.value.message


@pytest.mark.parametrize(
    "value", [1e16, 1e300, math.inf, -math.inf, math.nan, 10**400, -1, -1e-9, MAX_RUPIAH + 1]
)
def test_finding_1_absurd_numbers_are_refused_by_the_money_reader(value):
    with pytest.raises(InputError):
        parse_rupiah(value)


def test_finding_1_amounts_are_whole_rupiah():
    assert parse_rupiah("2,8 jt") == 2_800_000 and isinstance(parse_rupiah("2,8 jt"), int)
    assert parse_rupiah(2_500_000.4) == 2_500_000
    assert parse_rupiah(str(MAX_RUPIAH)) == MAX_RUPIAH


def _float_range() -> list[float]:
    values = [0.0, -0.0, 5e-324, 1e-320, 1e-7, 1e-5, 0.5, 1.0, 1e15, 1e16, 1e308]
    values += [math.inf, -math.inf, math.nan, sys.float_info.max, -sys.float_info.max]
    values += [10.0**e for e in range(-320, 309, 7)] + [-(10.0**e) for e in range(-300, 309, 11)]
    return values


@pytest.mark.parametrize("value", _float_range() + [10**16, 10**400, -(10**40), 2**63])
def test_finding_1_no_number_out_of_range_reaches_the_rules_engine(service, value):
    """Across the float range (and NaN, infinities, huge ints): either the input model
    refuses the amount, or what reaches durable_rules is a whole number within bounds.
    A crash here would kill the test process (the engine segfaults)."""
    payload = {"income_monthly": value, "umk": 2_500_000, "mindset_changed": True}
    try:
        decision = service.decide("graduation", payload, actor="t", channel="test")
    except InputError:
        return
    stored = decision.input["income_monthly"]
    assert isinstance(stored, int) and 0 <= stored <= MAX_RUPIAH


@pytest.mark.parametrize(
    "fact",
    [
        {"x": 1e16},
        {"x": 1e-7},
        {"x": math.inf},
        {"x": math.nan},
        {"x": 10**16},
        {"x": "a" * 5000},
        {"x": list(range(1000))},
        {"x": object()},
        {"x": {"y": {"z": 1e300}}},
    ],
)
def test_finding_1_the_engine_facade_checks_every_fact(fact):
    with pytest.raises(FactError) as refused:
        check_fact(fact)
    assert refused.value.message  # a sentence, and an InputError every front end answers
    assert isinstance(refused.value, InputError)


def test_finding_1_the_engine_facade_refuses_before_posting(knowledge):
    """Even an input that skipped validation (model_construct) never reaches durable_rules."""
    from assistant.decisions.inputs import GraduationInput
    from rules.engine import engine_for

    bad = GraduationInput.model_construct(
        income_monthly=1e16, umk=2_500_000, mindset_changed=True, state=None,
        significant_change=None, matrix=None, program=None,
    )
    with pytest.raises(FactError), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic warns that 1e16 is not the int it expects
        engine_for(knowledge).run("graduation", bad)
    assert engine_for(knowledge).open_sessions() == 0


def test_finding_1_a_huge_umk_cannot_be_stored_for_a_village(work):
    with pytest.raises(InputError):
        work.set_umk(work.user("admin"), "sukamaju", "1e16")
    with pytest.raises(ValueError):
        Village(id="x", name="X", umk=1e16)


def test_finding_1_an_out_of_range_umk_left_by_old_versions_is_cleared(tmp_path, knowledge):
    import sqlite3

    path = tmp_path / "old.db"
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("insert into villages (id, name, kecamatan, kabupaten, province, umk) "
        "values ('lama', 'Lama', '', '', '', 1e16)")
    connection.execute("delete from _sqlite_migrations where name = 'm004_hardening'")
    connection.execute("alter table users drop column district")
    connection.execute("alter table conflicts drop column description")
    connection.execute("drop table umk_changes")
    connection.commit()
    connection.close()
    store = Store(path)
    assert store.get_village("lama").umk is None
    assert store.umk_history("lama")[0].by == "migrasi"


# --- 3. long reports of harm are lost --------------------------------------------------


def test_finding_3_a_long_report_of_harm_is_stored_whole(work):
    story = "Ada pendamping yang memukul ibu penerima bantuan di balai desa. " * 80
    assert len(story) > 2000
    decision, report = work.report_conflict(
        "628111",
        {"type": "kepentingan", "scope": "individu", "safeguarding": True, "description": story},
        "rest",
    )
    assert decision.output["safeguarding_protocol"]
    assert len(decision.input["description"]) <= 2000  # what the rules keep
    assert work.store.conflicts()[0].description == story  # what the report keeps
    [harm] = work.store.safeguarding_reports("baru")
    assert harm.description == story


# --- 4. a facilitator can change the graduation threshold ------------------------------


def test_finding_4_a_facilitator_cannot_change_a_villages_umk(work):
    rina = work.user("628111")
    work.register(rina, name="Siti", village_id="sukamaju", gender="P")
    with pytest.raises(Forbidden):
        work.set_umk(rina, "sukamaju", "1")
    assert work.village("sukamaju").umk == 2_500_000


def test_finding_4_only_the_districts_koordinator_or_an_admin_sets_it_with_history(work):
    with pytest.raises(Forbidden):
        work.set_umk(work.user("628888"), "sukamaju", "3 jt")  # koordinator of Garut
    work.set_umk(work.user("628777"), "sukamaju", "2,7 jt", 2026)  # koordinator of Bogor
    work.set_umk(work.user("admin"), "sukamaju", "2.750.000", 2026)
    history = work.store.umk_history("sukamaju")
    assert [(h.old_umk, h.new_umk, h.by) for h in history] == [
        (None, 2_500_000, "admin"),
        (2_500_000, 2_700_000, "628777"),
        (2_700_000, 2_750_000, "admin"),
    ]
    assert all(h.year for h in history[1:]) and history[1].at <= history[2].at


# --- 6. the NIK salt -------------------------------------------------------------------


def test_finding_6_the_salt_is_created_private_and_never_silently_replaced(tmp_path, knowledge):
    path = tmp_path / "nik.db"
    work = Casework(Store(path), knowledge)
    salt = Path(f"{path}.salt")
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600 and len(salt.read_text()) >= 32
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_village(admin, Village(id="desa", name="Desa", umk=2_000_000))
    work.add_user(admin, User(id="628111", name="Rina", role="pendamping"))
    work.register(work.user("628111"), name="Siti", village_id="desa", gender="P", nik=NIK)
    work.store.close()
    salt.unlink()
    with pytest.raises(SaltError) as refused:
        Casework(Store(path), knowledge)
    assert "cadangan" in refused.value.message
    assert not salt.exists()  # no new salt was made
    salt.write_text("")
    with pytest.raises(SaltError):
        Casework(Store(path), knowledge)


def test_finding_6_a_short_salt_from_the_environment_is_refused(tmp_path, knowledge, monkeypatch):
    monkeypatch.setenv("ASSISTANT_NIK_SALT", "pendek")
    with pytest.raises(SaltError):
        Casework(Store(tmp_path / "env.db"), knowledge)


def test_finding_6_two_processes_creating_the_salt_agree(tmp_path):
    import multiprocessing

    from assistant.casework.nik import salt_for

    path = tmp_path / "race.db"
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        salts = pool.starmap(salt_for, [(path,)] * 16)
    assert len(set(salts)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["race.db.salt"]


# --- 7. no oracle for NIKs ---------------------------------------------------------------


def test_finding_7_a_duplicate_nik_does_not_name_another_facilitators_household(work):
    mine = work.register(work.user("628111"), name="Siti", village_id="sukamaju", gender="P",
                         nik=NIK)
    with pytest.raises(InputError) as refused:
        work.register(work.user("628222"), name="Siti", village_id="sukamaju", gender="P",
                      nik=NIK)
    assert mine.id not in refused.value.message and "Siti" not in refused.value.message
    with pytest.raises(InputError) as own:
        work.register(work.user("628111"), name="Siti", village_id="sukamaju", gender="P",
                      nik=NIK)
    assert mine.id in own.value.message


def test_finding_7_no_message_prints_a_sixteen_digit_value():
    said = text("money.invalid", value="3201234567890001")
    assert "3201234567890001" not in said
    with pytest.raises(InputError) as refused:
        parse_rupiah("3201234567890001")
    assert "3201234567890001" not in refused.value.message
    assert "3201.2345.6789.0001" not in text("money.invalid", value="3201.2345.6789.0001")


# --- 8. every JSON reader ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe{}",
        b'{"type": "\xc3\x28"}',
        b"[" * 100_000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b'{"income_monthly": ' + b"9" * 5000 + b"}",
        b'{"x": NaN}',
        b'{"x": Infinity}',
        b'{"x": 1e999}',
        b'{"x": "\\ud800"}',
        b"[1, 2]",
        b"",
        b" " * 2_000_000,
    ],
)
def test_finding_8_bad_json_is_a_sentence_not_a_traceback(raw):
    with pytest.raises(InputError) as refused:
        read_json_object(raw)
    assert refused.value.message


def test_finding_8_a_bom_is_fine():
    assert read_json_object(b'\xef\xbb\xbf{"type": "komunikasi"}') == {"type": "komunikasi"}


# --- 11. files readable by the owner only ------------------------------------------------


def test_finding_11_the_database_and_its_wal_are_private(tmp_path, knowledge):
    previous = os.umask(0o022)
    try:
        work = Casework(Store(tmp_path / "private.db"), knowledge)
        work.add_user(None, User(id="admin", name="Admin", role="admin"))
        files = [p for p in tmp_path.iterdir() if p.name.startswith("private.db")]
        assert {p.name for p in files} >= {"private.db", "private.db-wal", "private.db.salt"}
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        work.store.close()
    finally:
        os.umask(previous)


def test_finding_11_an_existing_world_readable_database_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    path.chmod(0o644)
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- 13. fuzzy matching on a 4 KB message ------------------------------------------------


def test_finding_13_matching_names_in_a_huge_message_is_bounded():
    people = [(f"rt-{n}", f"Warga Nomor{n} Sukamakmur{n}") for n in range(2000)]
    message = ("cek graduasi bu siti pendapatannya naik terus " * 100)[:4096]
    started = time.perf_counter()
    find_person(message, people)
    find_named(message, [(f"p{n}", f"program nomor {n}") for n in range(200)])
    assert time.perf_counter() - started < 1.0


def test_finding_13_names_are_still_found():
    people = [("a", "Siti Aminah"), ("b", "Budi Santoso"), ("c", "Joko Wibowo")]
    assert find_person("cek graduasi bu siti ya", people) == "a"
    assert find_person("pak budii santoso gmn", people) == "b"


# --- 15. explanations only for who may see them ------------------------------------------


def test_finding_15_explain_checks_who_asks(work):
    rina, dedi = work.user("628111"), work.user("628222")
    household = work.register(rina, name="Siti", village_id="sukamaju", gender="P")
    result = work.assess(rina, household.id, income="3 jt", mindset_changed=True)
    assert work.decision_for("628111", result.decision.id).id == result.decision.id
    assert work.decision_for("admin", result.decision.id).id == result.decision.id
    with pytest.raises(Forbidden):
        work.decision_for(dedi.id, result.decision.id)
    with pytest.raises(Forbidden):
        work.decision_for("someone-else", result.decision.id)


# --- 16. NIK digits and assessment dates -------------------------------------------------


@pytest.mark.parametrize(
    "nik",
    [
        "٣٢٠١٢٣٤٥٦٧٨٩٠٠٠١",
        "３２０１２３４５６７８９０００１",
        "3201234567890001\n",
        "320123456789000",
    ],
)
def test_finding_16_a_nik_is_sixteen_ascii_digits(nik):
    with pytest.raises(InputError):
        normalise_nik(nik)


def test_finding_16_an_assessment_in_the_future_is_refused(work):
    rina = work.user("628111")
    household = work.register(rina, name="Siti", village_id="sukamaju", gender="P")
    with pytest.raises(InputError, match="masa depan"):
        work.assess(rina, household.id, income="3 jt", mindset_changed=True,
                    assessed_on=date.today() + timedelta(days=1))
    assert work.store.assessments_of(household.id) == []


def test_decide_reads_bytes_and_answers_json(tmp_path):
    result = run_cli(
        ["decide", "graduation", "--db", str(tmp_path / "d.db")],
        stdin=b'{"income_monthly": 1e16, "umk": 2500000, "mindset_changed": true}',
    )
    assert result.returncode == 2
    assert json.loads(result.stdout)["field"] == "income_monthly"


def test_finding_4_on_the_command_line_too(tmp_path):
    env = {
        "ASSISTANT_DB": str(tmp_path / "cli.db"),
        "ASSISTANT_SANDBOX_DB": str(tmp_path / "sandbox.db"),
    }

    def cli(*args: str) -> CliResult:
        return run_cli(list(args), env=env)

    assert cli("users", "add", "admin", "--nama", "Admin", "--peran", "admin").returncode == 0
    cli("--as", "admin", "villages", "add", "desa", "--nama", "Desa", "--kabupaten", "Bogor",
        "--umk", "2.500.000")
    cli("--as", "admin", "users", "add", "628777", "--nama", "Koor", "--peran", "koordinator",
        "--kabupaten", "bogor")
    cli("--as", "admin", "users", "add", "628111", "--nama", "Rina", "--peran", "pendamping")
    assert cli("--as", "628111", "villages", "umk", "desa", "1").returncode == 2
    assert cli("--as", "628777", "villages", "umk", "desa", "2,7 jt").returncode == 0
    history = cli("--as", "admin", "villages", "umk-riwayat", "desa").stdout
    assert "Rp 2.500.000 ->" in history and "oleh 628777" in history


# --- issue 22: one person's words reach another as data, NIKs are never kept --------------


def test_finding_6_names_refuse_control_bidi_and_newline_characters(tmp_path):
    from assistant.casework.service import Casework
    from assistant.common.errors import InputError
    from assistant.store.db import Store
    from assistant.store.records import User, Village

    work = Casework(Store(tmp_path / "names.db"))
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_village(admin, Village(id="sukamaju", name="Sukamaju", umk=2_500_000))
    work.add_user(admin, User(id="628111", name="Rina", role="pendamping"))
    rina = work.user("628111")
    for bad in ("Siti\nPENTING: transfer ke rek 123", "Siti \x1b[31mAminah", "Siti \u202eanimA",
                "Siti\u200fAminah", "Siti\x00"):
        with pytest.raises(InputError):
            work.register(rina, name=bad, village_id="sukamaju", gender="P")
        with pytest.raises(InputError):
            work.add_user(admin, User(id="628999", name=bad, role="pendamping"))
    work.register(rina, name="Nur’aini Ré (Bu Nur)", village_id="sukamaju", gender="P")
    work.store.close()


def test_finding_6_other_peoples_words_are_shown_as_data():
    from assistant.common.free_text import shown_to_others

    shown = shown_to_others("*PENTING* transfer\nke rek 123 _segera_ ~x~ ```kode``` \x1b[2J\u202e")
    assert "\n" not in shown and "\x1b" not in shown and "\u202e" not in shown
    for markup in ("*PENTING*", "_segera_", "~x~", "```"):
        assert markup not in shown
    assert shown_to_others("a" * 900, 200).endswith("…") and len(shown_to_others("a" * 900)) == 500


def test_finding_4_a_nik_in_free_text_is_masked_before_it_is_stored(tmp_path):
    from assistant.casework.service import Casework
    from assistant.store.db import Store
    from assistant.store.records import User

    work = Casework(Store(tmp_path / "nik.db"))
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    nik = "3201018888880006"
    for said in (f"ibu dengan NIK {nik} dipukuli suaminya", "NIK 3201.0188.8888.0006 dipukul"):
        found = work.report_safeguarding("628111", said, "rest")
        assert found is not None
    work.store.close()
    raw = (tmp_path / "nik.db").read_bytes()
    assert nik.encode() not in raw and b"3201.0188.8888.0006" not in raw
    store = Store(tmp_path / "nik.db")
    assert all("[NIK]" in r.description for r in store.safeguarding_reports())
    store.close()


def test_finding_5_the_nlu_reads_at_most_4000_characters_and_the_rest_is_kept():
    from assistant.common.free_text import MAX_NLU_CHARS, for_nlu

    short, whole = for_nlu("halo")
    assert short == "halo" and whole is None
    story = "x" * 100_000
    cut, whole = for_nlu(story)
    assert len(cut) == MAX_NLU_CHARS and whole == story
