"""`assistant` commands for offices without chat: users, villages, cases, tasks, the
caseload import, the graduation report and exports. Thin: each calls ``Casework``."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from assistant.casework.service import Casework
from assistant.casework.workspaces import Workspaces
from assistant.common.errors import InputError
from assistant.common.free_text import shown_to_others
from assistant.common.paths import database_path, sandbox_path
from assistant.common.texts import text
from assistant.knowledge.models.interventions import BUSINESS_STAGES
from assistant.store.records import ROLES, User, Village

EXIT_INVALID = 2
# ``cases register --nik`` without a value: ask for the NIK (a NIK written after --nik is
# refused, so that it never sits in the shell history or the process list)
ASK_NIK = "-"


def fail(error: InputError) -> NoReturn:
    click.echo(json.dumps(error.to_json(), ensure_ascii=False), err=True)
    click.echo(error.message)
    sys.exit(EXIT_INVALID)


class Session:
    """The casework and the acting user of one command."""

    def __init__(self, db: Path | None, actor_id: str | None) -> None:
        self.db = db or database_path()
        self.actor_id = actor_id or os.environ.get("ASSISTANT_USER")
        self._rooms: Workspaces | None = None

    def rooms(self) -> Workspaces:
        if self._rooms is None:
            self._rooms = Workspaces(self.db, sandbox_path())
        return self._rooms

    def open(self) -> tuple[Casework, User | None]:
        rooms = self.rooms()
        actor = rooms.user(self.actor_id)
        return rooms.for_user(actor), actor

    def actor(self) -> tuple[Casework, User]:
        casework, actor = self.open()
        if actor is None:
            who = self.actor_id or "?"
            fail(InputError(text("casework.unknown_user", user=who), "as"))
        return casework, actor


def session(ctx: click.Context) -> Session:
    return ctx.find_object(Session)


def attach(main: click.Group) -> None:
    main.params.append(
        click.Option(
            ["--as", "actor_id"],
            default=None,
            help="Id pengguna yang menjalankan perintah (bawaan: $ASSISTANT_USER).",
        )
    )
    main.params.append(
        click.Option(
            ["--db", "main_db"],
            type=click.Path(path_type=Path),
            default=None,
            help="Berkas SQLite (bawaan: var/assistant.db atau $ASSISTANT_DB).",
        )
    )
    callback = main.callback

    def start(actor_id: str | None, main_db: Path | None, **kwargs: Any) -> None:
        click.get_current_context().obj = Session(main_db, actor_id)
        if callback:
            callback(**kwargs)

    main.callback = start
    for group in (users, villages, cases, tasks, graduation, report, export, trainer, safeguarding):
        main.add_command(group)


def guarded(action: Any) -> Any:
    """Run a command body; an InputError becomes a sentence and exit 2."""
    try:
        return action()
    except InputError as error:
        fail(error)


# --- users -----------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Kelola pengguna (admin)."""


@users.command("add")
@click.argument("user_id")
@click.option("--nama", required=True)
@click.option("--peran", type=click.Choice(ROLES), required=True)
@click.option("--desa", default=None, help="Id desa (untuk pejabat desa).")
@click.option("--kabupaten", default=None, help="Kabupaten yang diawasi (untuk koordinator).")
@click.pass_context
def users_add(
    ctx: click.Context,
    user_id: str,
    nama: str,
    peran: str,
    desa: str | None,
    kabupaten: str | None,
) -> None:
    """Tambah pengguna. Pengguna pertama di basis data kosong harus admin."""
    casework, actor = session(ctx).open()
    user = User(
        id=user_id,
        name=nama,
        role=peran,  # type: ignore[arg-type]
        village_id=desa,
        district=kabupaten,
    )
    guarded(lambda: casework.add_user(actor, user))
    click.echo(text("cli.user_added", user=user_id, role=peran))


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    casework, actor = session(ctx).actor()
    users = guarded(lambda: casework.users(actor))
    for user in users:
        click.echo(f"{user.id:<16} {user.role:<13} {user.village_id or '-':<14} {user.name}")


# --- villages --------------------------------------------------------------------------


@click.group()
def villages() -> None:
    """Kelola desa dan UMK-nya."""


@villages.command("add")
@click.argument("village_id")
@click.option("--nama", required=True)
@click.option("--kecamatan", default="")
@click.option("--kabupaten", default="")
@click.option("--provinsi", default="")
@click.option("--umk", default=None, help='UMK per bulan, mis. "2.500.000".')
@click.option("--tahun", type=int, default=None, help="Tahun berlakunya UMK.")
@click.pass_context
def villages_add(
    ctx: click.Context,
    village_id: str,
    nama: str,
    kecamatan: str,
    kabupaten: str,
    provinsi: str,
    umk: str | None,
    tahun: int | None,
) -> None:
    casework, actor = session(ctx).actor()
    from assistant.common.money import parse_rupiah

    def add() -> Village:
        amount = parse_rupiah(umk, "umk") if umk else None
        village = Village(
            id=village_id,
            name=nama,
            kecamatan=kecamatan,
            kabupaten=kabupaten,
            province=provinsi,
            umk=amount,
            umk_year=tahun or (date.today().year if amount else None),
        )
        return casework.add_village(actor, village)

    guarded(add)
    click.echo(text("cli.village_added", village=village_id))


@villages.command("umk")
@click.argument("village_id")
@click.argument("amount")
@click.option("--tahun", type=int, default=None)
@click.pass_context
def villages_umk(ctx: click.Context, village_id: str, amount: str, tahun: int | None) -> None:
    """Catat UMK desa (diingat untuk penilaian berikutnya)."""
    casework, actor = session(ctx).actor()
    village = guarded(lambda: casework.set_umk(actor, village_id, amount, tahun))
    click.echo(text("cli.umk_set", village=village.name, umk=_rupiah(village.umk)))


@villages.command("umk-riwayat")
@click.argument("village_id")
@click.pass_context
def villages_umk_history(ctx: click.Context, village_id: str) -> None:
    """Riwayat UMK desa: nilai lama dan baru, tahun berlaku, siapa, kapan."""
    casework, actor = session(ctx).actor()
    for change in guarded(lambda: casework.umk_history(actor, village_id)):
        click.echo(
            f"{change.at:%Y-%m-%d %H:%M}  {_rupiah(change.old_umk):>16} -> "
            f"{_rupiah(change.new_umk):>16}  tahun {change.year or '-'}  oleh {change.by}"
            + (f"  ({change.note})" if change.note else "")
        )


@villages.command("list")
@click.pass_context
def villages_list(ctx: click.Context) -> None:
    casework, _ = session(ctx).actor()
    for village in casework.store.list_villages():
        umk = _rupiah(village.umk) if village.umk else "-"
        click.echo(f"{village.id:<16} {village.name:<20} {village.kabupaten:<16} UMK {umk}")


# --- cases -----------------------------------------------------------------------------


@click.group()
def cases() -> None:
    """Rumah tangga dampingan dan penilaiannya."""


@cases.command("register")
@click.option("--nama", required=True)
@click.option("--desa", required=True)
@click.option("--jk", type=click.Choice(["L", "P"]), required=True, help="Jenis kelamin.")
@click.option(
    "--nik",
    is_flag=False,
    flag_value=ASK_NIK,
    default=None,
    metavar="",
    help="Tanyakan NIK (diketik tanpa ditampilkan, atau baris pertama stdin); "
    "disimpan hanya sebagai hash bergaram. Jangan tulis NIK-nya di baris perintah.",
)
@click.option("--disabilitas", is_flag=True)
@click.option("--bukan-kepala", is_flag=True, help="Bukan kepala rumah tangga.")
@click.option("--program", default=None)
@click.option("--pendamping", default=None, help="Id pendamping (admin).")
@click.option("--tanggal", default=None, help="Tanggal terdaftar (bawaan: hari ini).")
@click.option("--usia", type=click.IntRange(0, 130), default=None, help="Usia kepala keluarga.")
@click.option(
    "--lansia/--tanpa-lansia",
    default=None,
    help="Ada/tidak ada anggota lansia (bila tidak disebut: belum diketahui).",
)
@click.option(
    "--program-lain",
    default=None,
    help='Program pemerintah yang sudah diterima, mis. "pkh,bpnt" ("-" bila tidak ada).',
)
@click.pass_context
def cases_register(
    ctx: click.Context,
    nama: str,
    desa: str,
    jk: str,
    nik: str | None,
    disabilitas: bool,
    bukan_kepala: bool,
    program: str | None,
    pendamping: str | None,
    tanggal: str | None,
    usia: int | None,
    lansia: bool | None,
    program_lain: str | None,
) -> None:
    if nik is not None and nik != ASK_NIK:
        fail(InputError(text("cli.nik_as_value"), "nik"))  # never echo what was given
    casework, actor = session(ctx).actor()
    from assistant.casework.importer import parse_date

    if nik is not None:
        nik = read_nik()
    household = guarded(
        lambda: casework.register(
            actor,
            name=nama,
            village_id=desa,
            gender=jk,
            nik=nik,
            disability=disabilitas,
            household_head=not bukan_kepala,
            program=program,
            facilitator_id=pendamping,
            enrolled_on=parse_date(tanggal) if tanggal else None,
            head_age=usia,
            elderly_member=lansia,
            other_programs=_program_list(program_lain),
        )
    )
    click.echo(text("cli.registered", name=household.name, household=household.id))


def _program_list(value: str | None) -> list[str] | None:
    """ "pkh,bpnt" -> ["pkh", "bpnt"]; "-" -> [] (none); nothing -> None (not known)."""
    if value is None:
        return None
    words = [w.strip().lower() for w in value.replace(";", ",").split(",") if w.strip()]
    return [] if words in ([], ["-"]) else words


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def read_nik() -> str:
    """The NIK, never from the command line (shell history, process list): typed twice
    without echo at a terminal, otherwise the first line of stdin."""
    if stdin_is_terminal():
        first = click.prompt(
            text("cli.nik_prompt"), hide_input=True, default="", show_default=False
        )
        second = click.prompt(
            text("cli.nik_repeat"), hide_input=True, default="", show_default=False
        )
        if first.strip() != second.strip():
            fail(InputError(text("cli.nik_mismatch"), "nik"))
        nik = first.strip()
    else:
        nik = sys.stdin.readline(100).strip() if sys.stdin else ""
    if not nik:
        fail(InputError(text("cli.nik_missing"), "nik"))
    return nik


@cases.command("list")
@click.option("--nama", default=None)
@click.pass_context
def cases_list(ctx: click.Context, nama: str | None) -> None:
    casework, actor = session(ctx).actor()
    for h in casework.households(actor, nama):
        click.echo(
            f"{h.id:<12} {h.name:<24} {h.village_id:<14} {h.state:<32} {h.welfare_level or '-'}"
        )


@cases.command("show")
@click.argument("household_id")
@click.pass_context
def cases_show(ctx: click.Context, household_id: str) -> None:
    casework, actor = session(ctx).actor()
    history = guarded(lambda: casework.history(actor, household_id))
    h = history["household"]
    click.echo(f"{h.name} ({h.id}) - desa {h.village_id}, pendamping {h.facilitator_id}")
    click.echo(text("cli.state", state=h.state, level=h.welfare_level or "-"))
    for a in history["assessments"]:
        click.echo(
            f"  {a.assessed_on}  pendapatan {_rupiah(a.income_monthly)}  UMK "
            f"{_rupiah(a.umk)}  pola pikir {'berubah' if a.mindset_changed else 'belum'}"
        )
    for t in history["transitions"]:
        click.echo(f"  {t.at:%Y-%m-%d}  {t.from_state} -> {t.to_state}")
    for task in history["tasks"]:
        click.echo(f"  tugas #{task.id} {task.due_on}: {task.title}")


@cases.command("assess")
@click.argument("household_id")
@click.option("--pendapatan", required=True, help='Pendapatan per bulan, mis. "2,5 jt".')
@click.option(
    "--pola-pikir",
    type=click.Choice(["ya", "tidak"]),
    required=True,
    help="Apakah pola pikirnya sudah berubah?",
)
@click.option(
    "--perubahan",
    type=click.Choice(["ya", "tidak"]),
    default=None,
    help="Pada evaluasi ulang: ada perubahan berarti?",
)
@click.option("--usaha", type=click.Choice(BUSINESS_STAGES), default=None)
@click.option(
    "--lanjutan",
    type=click.Choice(["pendampingan_lanjutan", "rujukan", "keduanya"]),
    default=None,
    help="Bila lulus: pilihan tindak lanjut penerima (atau nanti, saat kelulusan dikomunikasikan).",
)
@click.option("--tanggal", default=None)
@click.option("--catatan", default="")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def cases_assess(
    ctx: click.Context,
    household_id: str,
    pendapatan: str,
    pola_pikir: str,
    perubahan: str | None,
    usaha: str | None,
    lanjutan: str | None,
    tanggal: str | None,
    catatan: str,
    as_json: bool,
) -> None:
    """Catat penilaian; aturan memutuskan lulus atau tidak dan langkah berikutnya."""
    casework, actor = session(ctx).actor()
    from assistant.casework.importer import parse_date

    result = guarded(
        lambda: casework.assess(
            actor,
            household_id,
            income=pendapatan,
            mindset_changed=pola_pikir == "ya",
            significant_change=None if perubahan is None else perubahan == "ya",
            business_status=usaha,
            notes=catatan,
            assessed_on=parse_date(tanggal) if tanggal else None,
            follow_up=lanjutan,
        )
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "household": result.household.id,
                    "missing": result.missing,
                    **result.decision.public(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if result.assessment_id is None:  # an answer is still missing: nothing recorded
        click.echo(text("casework.need_change"))
        sys.exit(EXIT_INVALID)
    from assistant.chat.render import graduation_reply

    click.echo("\n\n".join(graduation_reply(result.decision, casework.knowledge)))
    for task in result.tasks:
        click.echo(f"  - {task.due_on}: {task.title}")
    if "follow_up" in result.missing:
        click.echo(text("cli.follow_up_later"))


# --- tasks -----------------------------------------------------------------------------


@click.group()
def tasks() -> None:
    """Tugas tindak lanjut yang jatuh tempo."""


@tasks.command("due")
@click.option("--pendamping", default=None, help="Tugas pendamping ini (admin).")
@click.option("--sampai", default=None, help="Jatuh tempo sampai tanggal ini (bawaan: semua).")
@click.pass_context
def tasks_due(ctx: click.Context, pendamping: str | None, sampai: str | None) -> None:
    casework, actor = session(ctx).actor()
    from assistant.casework.importer import parse_date

    until = guarded(lambda: parse_date(sampai)) if sampai else None
    found = casework.tasks_due(actor, until)
    if pendamping:
        found = [t for t in found if t.facilitator_id == pendamping]
    if not found:
        click.echo(text("cli.no_tasks"))
    for task in found:
        late = " (terlambat)" if task.due_on < date.today() else ""
        click.echo(f"#{task.id:<5} {task.due_on}{late}  {task.facilitator_id:<14} {task.title}")


@tasks.command("done")
@click.argument("task_id", type=int)
@click.option(
    "--lanjutan",
    type=click.Choice(["pendampingan_lanjutan", "rujukan", "keduanya"]),
    default=None,
    help="Saat kelulusan dikomunikasikan: pilihan tindak lanjut penerima (3.3.7).",
)
@click.pass_context
def tasks_done(ctx: click.Context, task_id: int, lanjutan: str | None) -> None:
    casework, actor = session(ctx).actor()
    household = guarded(lambda: casework.complete_task(actor, task_id, follow_up=lanjutan))
    click.echo(text("cli.task_done", task=task_id, name=household.name, state=household.state))


# --- import ----------------------------------------------------------------------------


@click.group()
def graduation() -> None:
    """Impor penilaian graduasi untuk satu daftar dampingan."""


@graduation.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--lewati-salah",
    "skip_invalid",
    is_flag=True,
    help="Impor baris yang benar dan lewati yang salah.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 16),
    default=None,
    help="Jumlah proses (bawaan: satu per core untuk berkas besar).",
)
@click.pass_context
def graduation_import(
    ctx: click.Context, csv_file: Path, skip_invalid: bool, jobs: int | None
) -> None:
    """Periksa semua baris dulu, lalu putuskan semuanya (aman dijalankan ulang)."""
    from assistant.casework.importer import (
        PARALLEL_FROM_ROWS,
        read_rows,
        run_import,
        run_import_parallel,
    )

    casework, actor = session(ctx).actor()
    rows, problems = guarded(lambda: read_rows(csv_file, casework, actor))
    if problems:
        click.echo(text("importer.bad_rows", count=len(problems)), err=True)
        for problem in problems:
            click.echo(text("importer.bad_row", line=problem.line, reason=problem.reason), err=True)
        if not skip_invalid:
            sys.exit(EXIT_INVALID)
    with click.progressbar(
        length=len(rows), label=text("importer.progress"), file=sys.stderr
    ) as bar:
        big = len(rows) >= PARALLEL_FROM_ROWS
        workers = jobs or ((os.cpu_count() or 1) if big else 1)
        if workers > 1:
            result = guarded(
                lambda: run_import_parallel(
                    casework.store.path, actor, rows, workers, progress=bar.update
                )
            )
        else:
            result = guarded(lambda: run_import(casework, actor, rows, progress=bar.update))
    click.echo(
        text(
            "importer.summary",
            rows=result.rows,
            new=result.new_households,
            assessments=result.assessments,
            skipped=result.skipped,
            needs=result.needs_answer,
        )
    )
    for step, count in sorted(result.next_steps.items()):
        click.echo(text("importer.step_count", step=step, count=count))


# --- report and export -----------------------------------------------------------------


@click.group()
def report() -> None:
    """Laporan."""


@report.command("graduation")
@click.option("--desa", "--village", "village", default=None)
@click.option("--png", type=click.Path(path_type=Path), default=None, help="Simpan grafik PNG.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def report_graduation(
    ctx: click.Context, village: str | None, png: Path | None, as_json: bool
) -> None:
    """Jumlah per langkah, tingkat kesejahteraan, dan desa; terpilah gender dan disabilitas."""
    from assistant.casework.reports import chart, graduation_report

    casework, actor = session(ctx).actor()
    rows = guarded(lambda: casework.report_rows(actor, village))
    built = graduation_report(rows)
    from assistant.casework.referrals import Referrals
    from assistant.casework.reports import referral_table
    from assistant.store.records import REFERRAL_STATUSES

    referred = Referrals(casework).counts_for(rows)
    if as_json:
        counted = {**built.as_dict(), "referrals": {p: dict(c) for p, c in referred.items()}}
        click.echo(json.dumps(counted, ensure_ascii=False, indent=2))
    else:
        click.echo(built.table(casework.knowledge) if rows else text("report.none"))
        if referred:
            click.echo("")
            click.echo(referral_table(referred, casework.knowledge, REFERRAL_STATUSES))
    if png:
        chart(built, casework.knowledge, png)
        click.echo(text("report.saved", path=png))


@click.group()
def export() -> None:
    """Ekspor keputusan atau kasus ke CSV/XLSX."""


def _export_options(command: Any) -> Any:
    for option in reversed(
        [
            click.option("--since", default=None, help="Sejak tanggal (YYYY-MM-DD)."),
            click.option("--desa", "--village", "village", default=None),
            click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv"),
            click.option("--out", type=click.Path(path_type=Path), default=None),
            click.pass_context,
        ]
    ):
        command = option(command)
    return command


@export.command("decisions")
@_export_options
def export_decisions(
    ctx: click.Context, since: str | None, village: str | None, fmt: str, out: Path | None
) -> None:
    from assistant.casework.exports import write

    casework, actor = session(ctx).actor()
    rows = guarded(lambda: casework.export_rows(actor, "decisions", since, village))
    path = out or Path(f"keputusan.{fmt}")
    click.echo(text("cli.exported", count=write(rows, path, fmt), path=path))


@export.command("cases")
@_export_options
def export_cases(
    ctx: click.Context, since: str | None, village: str | None, fmt: str, out: Path | None
) -> None:
    from assistant.casework.exports import write

    casework, actor = session(ctx).actor()
    rows = guarded(lambda: casework.export_rows(actor, "cases", since, village))
    path = out or Path(f"kasus.{fmt}")
    click.echo(text("cli.exported", count=write(rows, path, fmt), path=path))


# --- trainer mode and safeguarding -----------------------------------------------------


@click.group()
def trainer() -> None:
    """Mode pelatih: basis data latihan dengan contoh rumah tangga."""


@trainer.command("seed")
@click.option("--untuk", "owner_id", default=None, help="Id pelatih pemilik contoh (untuk admin).")
@click.pass_context
def trainer_seed(ctx: click.Context, owner_id: str | None) -> None:
    """Isi basis data latihan (sandbox) dengan contoh desa dan rumah tangga."""
    _, actor = session(ctx).actor()
    rooms = session(ctx).rooms()
    owner = None
    if owner_id:
        owner = rooms.user(owner_id)
        if owner is None:
            fail(InputError(text("casework.unknown_user", user=owner_id), "untuk"))
    samples = guarded(lambda: rooms.seed_samples(actor, owner))
    if owner is None or owner.id == actor.id:
        click.echo(text("trainer.intro"))
    else:
        click.echo(text("trainer.seeded_for", name=owner.name))
    for household, shows in samples:
        click.echo(text("trainer.item", name=f"{household.name} ({household.id})", shows=shows))


@trainer.command("studio-link")
@click.argument("user_id")
@click.option("--jam", "hours", type=float, default=None, help="Berlaku berapa jam (bawaan 12).")
@click.option("--url", "base", default=None, help="Alamat studio (bawaan: 127.0.0.1:STUDIO_PORT).")
@click.pass_context
def trainer_studio_link(
    ctx: click.Context, user_id: str, hours: float | None, base: str | None
) -> None:
    """Cetak tautan studio pelatih bertoken (ditandatangani, kedaluwarsa) untuk USER_ID."""
    from datetime import datetime

    from assistant.casework.access import can_use_studio
    from assistant.studio import tokens

    # A link is issued only to whoever asks for it as themselves (--as), a trainer or an
    # admin: nobody mints one for another person (issue 22, finding 7).
    _, actor = session(ctx).actor()
    user = session(ctx).rooms().user(user_id)
    if user is None or actor.id != user.id:
        fail(InputError(text("studio.refused.only_yourself"), "user_id"))
    if not can_use_studio(user):
        fail(InputError(text("studio.refused.not_trainer"), "user_id"))
    hours = hours or tokens.DEFAULT_HOURS
    if not 0 < hours <= tokens.MAX_HOURS:
        fail(InputError(text("errors.less_than_equal", field="--jam", le=tokens.MAX_HOURS), "jam"))
    token = tokens.sign(user.id, tokens.load_secret(), hours)
    grant = tokens.verify(token, tokens.load_secret())
    base = (base or f"http://127.0.0.1:{os.environ.get('STUDIO_PORT', '5010')}").rstrip("/")
    until = datetime.fromtimestamp(grant.expires).strftime("%Y-%m-%d %H:%M")
    click.echo(text("studio.link", name=user.name, until=until))
    click.echo(f"{base}/?token={token}")


@trainer.command("studio-check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def trainer_studio_check(path: Path) -> None:
    """Periksa berkas skenario studio (YAML) sebelum dipakai."""
    from assistant.knowledge.loader import default_knowledge
    from assistant.studio.scenarios import ScenarioError, load_file

    try:
        found = load_file(path, default_knowledge())
    except ScenarioError as error:
        click.echo(text("studio.scenario.bad", path=path), err=True)
        for problem in error.problems:
            click.echo(f"- {problem}", err=True)
        sys.exit(2)
    click.echo(text("studio.scenario.ok", path=path, count=len(found)))


@click.group()
def safeguarding() -> None:
    """Laporan perlindungan yang menunggu tindak lanjut (admin)."""


@safeguarding.command("list")
@click.option("--semua", is_flag=True, help="Termasuk yang sudah ditindaklanjuti.")
@click.pass_context
def safeguarding_list(ctx: click.Context, semua: bool) -> None:
    casework, actor = session(ctx).actor()
    status = None if semua else "baru"
    groups = guarded(lambda: casework.safeguarding_report_groups(actor, status))
    if not groups:
        click.echo(text("cli.no_reports"))
    for group in groups:
        report = group.first
        click.echo(
            f"#{report.id} {report.created_at:%Y-%m-%d %H:%M} {report.status:<16} "
            f"{','.join(report.concerns):<30} pelapor {report.reporter}"
        )
        click.echo(f"   {shown_to_others(report.description, 200)}")
        if group.repeats:
            numbers = ", ".join(f"#{n}" for n in group.repeats)
            click.echo("   " + text("followup.chat_report_repeats", numbers=numbers))


@safeguarding.command("done")
@click.argument("report_id", type=int)
@click.option("--tindakan", required=True, help="Tindakan yang sudah diambil.")
@click.pass_context
def safeguarding_done(ctx: click.Context, report_id: int, tindakan: str) -> None:
    """Tutup laporan dengan tindakan yang diambil (admin); dicatat di jejak audit."""
    from assistant.casework.signoff import close_safeguarding

    casework, actor = session(ctx).actor()
    closed = guarded(lambda: close_safeguarding(casework, actor, report_id, tindakan, "cli"))
    click.echo(text("cli.report_closed" if closed else "cli.report_not_open", report=report_id))


def _rupiah(amount: float | None) -> str:
    if amount is None:
        return "-"
    return "Rp " + f"{amount:,.0f}".replace(",", ".")
