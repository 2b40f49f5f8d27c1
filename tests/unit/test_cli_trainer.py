"""`assistant trainer seed`: the sample households are practice material and go to the
trainers' sandbox (ASSISTANT_SANDBOX_DB), never to the real database, whoever loads them.
An admin's seeding once wrote them into the real database (`Workspaces` now routes it)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.casework.practice import SAMPLES
from assistant.casework.service import Casework
from assistant.store.db import Store
from assistant.store.records import User
from tests.support.cli import CliResult, run_cli

SAMPLE_NAMES = [h["name"] for h in yaml.safe_load(SAMPLES.read_text("utf-8"))["households"]]
TRAINER = "628555"


@pytest.fixture
def main_db(tmp_path: Path, knowledge) -> Path:
    path = tmp_path / "main.db"
    work = Casework(Store(path), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_user(admin, User(id=TRAINER, name="Pelatih", role="pelatih"))
    work.store.close()
    return path


@pytest.fixture
def sandbox_db(tmp_path: Path) -> Path:
    return tmp_path / "sandbox.db"


def cli(main_db: Path, sandbox_db: Path, actor: str, *args: str) -> CliResult:
    return run_cli(
        ["--as", actor, "--db", str(main_db), *args],
        env={"ASSISTANT_SANDBOX_DB": str(sandbox_db)},
    )


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the migrations'), to see that nothing was written."""
    if not path.exists():
        return {}
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "select name from sqlite_master where type = 'table' "
                "and name not like 'sqlite%' and name != '_sqlite_migrations'"
            )
        ]
        return {t: sorted(map(tuple, connection.execute(f"select * from {t}"))) for t in tables}
    finally:
        connection.close()


def practice(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """The households (name, facilitator) and the practice villages in a database."""
    connection = sqlite3.connect(path)
    try:
        households = sorted(
            connection.execute("select name, facilitator_id from beneficiaries").fetchall()
        )
        villages = sorted(
            name for (name,) in connection.execute(
                "select id from villages where id like 'latihan%'"
            )
        )
        return households, villages
    finally:
        connection.close()


def assert_lists_the_samples(result: CliResult, sandbox_db: Path) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "basis data latihan" in result.stdout
    connection = sqlite3.connect(sandbox_db)
    try:
        ids = dict(connection.execute("select name, id from beneficiaries").fetchall())
    finally:
        connection.close()
    for name in SAMPLE_NAMES:
        assert f"- {name} ({ids[name]}): " in result.stdout


def test_an_admin_seeding_writes_the_sandbox_never_the_real_database(main_db, sandbox_db):
    before = contents(main_db)
    first = cli(main_db, sandbox_db, "admin", "trainer", "seed", "--untuk", TRAINER)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Mode pelatih aktif" not in first.stdout  # told to an admin, not a trainer
    households, villages = practice(main_db)
    assert households == [] and villages == []
    assert contents(main_db) == before  # nothing at all: no village, household, user
    assert_lists_the_samples(first, sandbox_db)
    households, villages = practice(sandbox_db)
    assert households == sorted((name, TRAINER) for name in SAMPLE_NAMES)
    assert villages and all(v.startswith("latihan_") for v in villages)
    seeded = contents(sandbox_db)
    assert seeded["assessments"] and seeded["decisions"]  # brought along their paths

    again = cli(main_db, sandbox_db, "admin", "trainer", "seed", "--untuk", TRAINER)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert contents(sandbox_db) == seeded  # loading twice adds nothing
    assert contents(main_db) == before
    # the admin's own work stays in the real database, which has no household
    listed = cli(main_db, sandbox_db, "admin", "cases", "list")
    assert listed.returncode == 0 and listed.stdout == ""


def test_an_admin_seeding_for_nobody_is_told_to_name_a_trainer_and_writes_nothing(
    main_db, sandbox_db
):
    """Sample households belong to a trainer: `trainer seed` by an admin without
    ``--untuk`` is refused (exit 2), and neither database gets anything."""
    before = contents(main_db)
    result = cli(main_db, sandbox_db, "admin", "trainer", "seed")
    assert result.returncode == 2
    assert "--untuk" in result.stdout
    assert json.loads(result.stderr)["field"] == "untuk"
    assert contents(main_db) == before
    assert not contents(sandbox_db).get("beneficiaries")


def test_a_trainer_seeding_ends_in_the_sandbox(main_db, sandbox_db):
    before = contents(main_db)
    first = cli(main_db, sandbox_db, TRAINER, "trainer", "seed")
    assert first.returncode == 0, first.stdout + first.stderr
    assert practice(main_db) == ([], [])
    assert contents(main_db) == before
    assert_lists_the_samples(first, sandbox_db)
    assert practice(sandbox_db)[0] == sorted((name, TRAINER) for name in SAMPLE_NAMES)
    seeded = contents(sandbox_db)
    assert cli(main_db, sandbox_db, TRAINER, "trainer", "seed").returncode == 0
    assert contents(sandbox_db) == seeded
    # and the trainer's reads come from the sandbox: their sample households
    listed = cli(main_db, sandbox_db, TRAINER, "cases", "list")
    assert listed.returncode == 0
    assert len(listed.stdout.splitlines()) == len(SAMPLE_NAMES)
    assert all(name in listed.stdout for name in SAMPLE_NAMES)


def test_a_facilitator_cannot_seed(main_db, sandbox_db, knowledge):
    work = Casework(Store(main_db), knowledge)
    work.add_user(work.user("admin"), User(id="628111", name="Rina", role="pendamping"))
    work.store.close()
    before = contents(main_db)
    result = cli(main_db, sandbox_db, "628111", "trainer", "seed")
    assert result.returncode == 2
    assert "pelatih" in result.stdout
    assert contents(main_db) == before
    assert not contents(sandbox_db).get("beneficiaries")


def test_finding_7_a_studio_link_is_issued_only_to_whoever_asks_as_themselves(
    main_db, sandbox_db, tmp_path, knowledge
):
    """Before: `trainer studio-link admin --jam 168` printed a valid link for anyone, even
    with no --as. Now the asker must be the link's user, a trainer or an admin."""
    work = Casework(Store(main_db), knowledge)
    work.add_user(work.user("admin"), User(id="628111", name="Rina", role="pendamping"))
    work.store.close()
    env = {"ASSISTANT_SANDBOX_DB": str(sandbox_db), "ASSISTANT_VAR_DIR": str(tmp_path / "var")}
    (tmp_path / "var").mkdir()
    refused = [
        ["--as", "628111", "--db", str(main_db), "trainer", "studio-link", "admin", "--jam", "168"],
        ["--as", "628111", "--db", str(main_db), "trainer", "studio-link", TRAINER],
        ["--as", "orang-asing", "--db", str(main_db), "trainer", "studio-link", TRAINER],
        ["--db", str(main_db), "trainer", "studio-link", "admin"],
        ["--as", "admin", "--db", str(main_db), "trainer", "studio-link", TRAINER],
    ]
    for args in refused:
        result = run_cli(args, env=env)
        assert result.returncode == 2, args
        assert "token=" not in result.stdout + result.stderr, args
    for who in (TRAINER, "admin"):
        mine = run_cli(["--as", who, "--db", str(main_db), "trainer", "studio-link", who], env=env)
        assert mine.returncode == 0 and "token=" in mine.stdout, mine.stdout + mine.stderr
