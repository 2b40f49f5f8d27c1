"""`assistant cases register --nik`: the NIK never goes on the command line (shell history,
process list); it is typed hidden at a terminal, or read from the first line of stdin."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.casework.service import Casework
from assistant.cli import casework as cli_casework
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.support.cli import CliResult, run_cli

NIK = "3201234567890123"


@pytest.fixture
def db(tmp_path: Path, knowledge, monkeypatch) -> Path:
    monkeypatch.delenv("ASSISTANT_NIK_SALT", raising=False)  # the salt file beside the db
    path = tmp_path / "nik.db"
    work = Casework(Store(path), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_village(admin, Village(id="sukamaju", name="Sukamaju", umk=2_500_000))
    work.add_user(admin, User(id="628111", name="Bu Rina", role="pendamping"))
    work.store.close()
    return path


def register(db: Path, *nik_args: str, input: str = "") -> CliResult:
    args = ["--db", str(db), "--as", "628111", "cases", "register", "--nama", "Siti Aminah"]
    args += ["--desa", "sukamaju", "--jk", "P", *nik_args, "--program", "pena"]
    sandbox = str(db.with_name("sandbox.db"))
    return run_cli(args, stdin=input, env={"ASSISTANT_SANDBOX_DB": sandbox})


def registered(db: Path, knowledge) -> list[str]:
    """The names of the households registered with ``NIK``."""
    work = Casework(Store(db), knowledge)
    try:
        found = work.store.find_beneficiary_by_nik(work.hash_nik(NIK))
        return [found.name] if found else []
    finally:
        work.store.close()


@pytest.mark.parametrize("given", [["--nik", NIK], [f"--nik={NIK}"], ["--nik", "3201 2345 6789"]])
def test_nik_never_on_the_command_line(db, knowledge, given):
    result = register(db, *given, input=f"{NIK}\n")
    assert result.returncode == 2
    assert "Jangan tulis NIK di baris perintah" in result.output
    assert "--nik < nik.txt" in result.output
    assert NIK not in result.output and "3201 2345" not in result.output
    assert registered(db, knowledge) == []


def test_nik_never_on_the_command_line_read_from_stdin_first_line(db, knowledge, monkeypatch):
    monkeypatch.setattr(cli_casework, "stdin_is_terminal", lambda: False)
    result = register(db, "--nik", input=f"{NIK}\nsisa yang tidak dibaca\n")
    assert result.returncode == 0, result.output
    assert "Siti Aminah terdaftar" in result.output and NIK not in result.output
    assert registered(db, knowledge) == ["Siti Aminah"]


def test_nik_never_on_the_command_line_empty_stdin_says_how(db, knowledge, monkeypatch):
    monkeypatch.setattr(cli_casework, "stdin_is_terminal", lambda: False)
    result = register(db, "--nik", input="")
    assert result.returncode == 2
    assert "NIK tidak terbaca" in result.output and "--nik < nik.txt" in result.output
    assert registered(db, knowledge) == []


def test_nik_never_on_the_command_line_typed_hidden_twice(db, knowledge, monkeypatch):
    monkeypatch.setattr(cli_casework, "stdin_is_terminal", lambda: True)
    result = register(db, "--nik", input=f"{NIK}\n{NIK}\n")
    assert result.returncode == 0, result.output
    assert "NIK (tidak ditampilkan)" in result.output and "Ulangi NIK" in result.output
    assert NIK not in result.output  # hidden input is not echoed
    assert registered(db, knowledge) == ["Siti Aminah"]


def test_nik_never_on_the_command_line_typed_twice_must_match(db, knowledge, monkeypatch):
    monkeypatch.setattr(cli_casework, "stdin_is_terminal", lambda: True)
    result = register(db, "--nik", input=f"{NIK}\n3201234567890124\n")
    assert result.returncode == 2
    assert "tidak sama" in result.output and NIK not in result.output
    assert registered(db, knowledge) == []


def test_nik_never_on_the_command_line_without_nik_registers_without_one(db, knowledge):
    result = register(db)
    assert result.returncode == 0, result.output
    assert registered(db, knowledge) == []
