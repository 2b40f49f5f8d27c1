"""The ``assistant`` command: a thin shell over ``assistant.service``."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from assistant.errors import InputError
from assistant.paths import database_path
from assistant.texts import text

EXIT_INVALID = 2
EXIT_FAILED = 1


def _emit(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(error: InputError) -> NoReturn:
    _emit(error.to_json())
    sys.exit(EXIT_INVALID)


def _service(db: Path | None) -> Any:
    from assistant.service import Assistant
    from assistant.store import Store

    return Assistant(store=Store(db or database_path()))


@click.group()
def main() -> None:
    """Asisten program pemberdayaan masyarakat miskin dan rentan (Bappenas 2024)."""


@main.command()
@click.argument("kind")
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    help="Berkas JSON masukan (bawaan: stdin).",
)
@click.option("--actor", default=None, help="Siapa yang meminta keputusan (bawaan: pengguna OS).")
@click.option("--channel", default="cli", show_default=True)
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    default=None,
    help="Berkas SQLite (bawaan: var/assistant.db atau $ASSISTANT_DB).",
)
def decide(kind: str, input_file: Any, actor: str | None, channel: str, db: Path | None) -> None:
    """Baca satu objek JSON, putuskan KIND (mis. conflict), cetak keputusan sebagai JSON."""
    from assistant.inputs import INPUTS

    if kind not in INPUTS:
        _fail(InputError(text("errors.unknown_kind", kind=kind, kinds=", ".join(INPUTS)), "kind"))
    raw = (input_file or sys.stdin).read()
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as error:
        _fail(InputError(text("errors.not_json", detail=error.msg), None))
    if not isinstance(payload, dict):
        _fail(InputError(text("errors.model_type"), None))
    service = _service(db)
    try:
        decision = service.decide(kind, payload, actor=actor or getpass.getuser(), channel=channel)
    except InputError as error:
        _fail(error)
    _emit(decision.public())


@main.command()
@click.argument("decision_id")
@click.option("--db", type=click.Path(path_type=Path), default=None)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def explain(decision_id: str, db: Path | None, lang: str) -> None:
    """Jelaskan keputusan tersimpan: aturan yang berlaku dan bagian pedomannya."""
    from assistant.render import explanation

    decision = _service(db).decision(decision_id)
    if decision is None:
        _fail(InputError(text("errors.no_decision", lang, decision_id=decision_id), "decision_id"))
    click.echo(explanation(decision, lang))


if __name__ == "__main__":
    main()
