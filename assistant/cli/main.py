"""The ``assistant`` command: a thin shell over ``assistant.decisions.service``."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from assistant.common.errors import InputError
from assistant.common.paths import database_path
from assistant.common.texts import text

EXIT_INVALID = 2
EXIT_FAILED = 1


def _emit(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(error: InputError) -> NoReturn:
    _emit(error.to_json())
    sys.exit(EXIT_INVALID)


def _service(db: Path | None) -> Any:
    from assistant.decisions.service import Assistant
    from assistant.store.db import Store

    return Assistant(store=Store(db or database_path()))


@click.group()
def main() -> None:
    """Asisten program pemberdayaan masyarakat miskin dan rentan (Bappenas 2024)."""


@main.command()
@click.argument("kind")
@click.option(
    "--input",
    "input_file",
    type=click.File("rb"),
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
    from assistant.cli.jsonio import read_json_object
    from assistant.common.limits import MAX_JSON_BYTES
    from assistant.decisions.inputs import INPUTS

    if kind not in INPUTS:
        _fail(InputError(text("errors.unknown_kind", kind=kind, kinds=", ".join(INPUTS)), "kind"))
    # one byte more than allowed is enough to know the input is too big
    raw = (input_file or sys.stdin.buffer).read(MAX_JSON_BYTES + 1)
    try:
        payload = read_json_object(raw)
        service = _service(db)
        decision = service.decide(kind, payload, actor=actor or getpass.getuser(), channel=channel)
    except InputError as error:
        _fail(error)
    _emit(decision.public())


@main.command()
@click.argument("decision_id")
@click.option("--db", type=click.Path(path_type=Path), default=None)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--mermaid", is_flag=True, help="Cetak diagram Mermaid jalur keputusan.")
def explain(decision_id: str, db: Path | None, lang: str, mermaid: bool) -> None:
    """Jelaskan keputusan tersimpan: aturan yang berlaku dan bagian pedomannya."""
    from assistant.casework.service import Casework
    from assistant.chat.render import explanation
    from assistant.decisions.diagram import decision_path
    from assistant.store.db import Store

    # who asks: --as / $ASSISTANT_USER, else the OS user (as `decide` records it)
    session = click.get_current_context().obj
    asker = getattr(session, "actor_id", None) or getpass.getuser()
    try:
        casework = Casework(Store(db or getattr(session, "db", None) or database_path()))
        decision = casework.decision_for(asker, decision_id)
    except InputError as error:
        _fail(error)
    click.echo(decision_path(decision, lang) if mermaid else explanation(decision, lang))


@main.command()
@click.argument("kind")
def diagram(kind: str) -> None:
    """Cetak diagram Mermaid alur keputusan KIND (mis. graduation) dengan bagian pedomannya."""
    from assistant.decisions.diagram import decision_flow
    from assistant.decisions.inputs import INPUTS
    from assistant.knowledge.loader import default_knowledge
    from rules.engine import engine_for

    if kind not in INPUTS:
        _fail(InputError(text("errors.unknown_kind", kind=kind, kinds=", ".join(INPUTS)), "kind"))
    kb = default_knowledge()
    click.echo(decision_flow(kind, engine_for(kb), kb))


@main.group()
def knowledge() -> None:
    """Lihat pengetahuan dari pedoman: tabel, baris, dan pencarian."""


def _knowledge() -> Any:
    from assistant.knowledge.loader import KnowledgeError, default_knowledge

    try:
        return default_knowledge()
    except KnowledgeError as error:
        click.echo(f"Pengetahuan tidak bisa dimuat: {error}", err=True)
        sys.exit(EXIT_FAILED)


@knowledge.command("list")
@click.argument("table", required=False)
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON untuk mesin.")
def knowledge_list(table: str | None, as_json: bool) -> None:
    """Daftar tabel, atau daftar baris TABLE (mis. programs)."""
    from assistant.knowledge.browse import find_table, row_title, table_name

    kb = _knowledge()
    if table is None:
        tables = [
            {"table": table_name(f), "id": t.id, "rows": sum(1 for _ in t.rows())}
            for f, t in kb.tables.items()
        ]
        if as_json:
            _emit({"version": kb.version, "tables": tables})
            return
        click.echo(text("knowledge.tables_header", version=kb.version))
        for item in tables:
            click.echo(f"  {item['table']:<16} {item['rows']:>4} baris")
        return
    found = find_table(kb, table)
    if found is None:
        names = ", ".join(table_name(f) for f in kb.tables)
        _fail(InputError(text("knowledge.no_table", name=table, tables=names), "table"))
    file_name, chosen = found
    rows = list(chosen.rows())
    if as_json:
        _emit(
            {
                "table": table_name(file_name),
                "rows": [
                    {"id": r.id, "title": row_title(r), "source": r.source.model_dump()}
                    for r in rows
                ],
            }
        )
        return
    for row in rows:
        click.echo(f"{row.id:<34} {row_title(row)}  [{row.source.section}]")


@knowledge.command("show")
@click.argument("row_id")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON untuk mesin.")
def knowledge_show(row_id: str, as_json: bool) -> None:
    """Tampilkan baris pengetahuan ROW_ID (mis. pena) dengan sumbernya."""
    from assistant.knowledge.browse import find, render, table_name

    matches = find(_knowledge(), row_id)
    if not matches:
        _fail(InputError(text("knowledge.not_found", row_id=row_id), "id"))
    if as_json:
        _emit(
            {
                "matches": [
                    {"table": table_name(f), **row.model_dump(mode="json")} for f, row in matches
                ]
            }
        )
        return
    click.echo("\n\n".join(render(row) for _, row in matches))


@knowledge.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON untuk mesin.")
def knowledge_search(query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Cari di pengetahuan (tidak peka huruf besar, toleran salah ketik)."""
    from assistant.knowledge.browse import search, table_name

    words = " ".join(query)
    hits = search(_knowledge(), words, limit=limit)
    if as_json:
        _emit(
            {
                "query": words,
                "hits": [
                    {
                        "table": table_name(h.file),
                        "id": h.row.id,
                        "title": h.title,
                        "score": h.score,
                        "source": h.row.source.model_dump(),
                    }
                    for h in hits
                ],
            }
        )
        return
    if not hits:
        click.echo(text("knowledge.no_hits", query=words))
        return
    for hit in hits:
        click.echo(
            f"{hit.row.id:<34} {hit.title}  [{table_name(hit.file)}, {hit.row.source.section}]"
        )


def _attach_casework() -> None:
    from assistant.cli.casework import attach
    from assistant.cli.followup import attach as attach_followup

    attach(main)
    attach_followup(main)


_attach_casework()

if __name__ == "__main__":
    main()
