"""`assistant` commands for follow-up: supervisors' sign-off of ending aid, referrals, the
audit trail, pushed reminders and weekly-summary subscriptions. Thin: each calls the
casework (``signoff``, ``referrals``, ``audit``, ``reminders``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from assistant.casework import audit as audit_trail
from assistant.casework.importer import parse_date
from assistant.casework.outbound import GraphSender, OutboundSettings, credentials_path
from assistant.casework.referrals import Referrals, postpone_task
from assistant.casework.reminders import (
    Consent,
    Reminders,
    ReminderSettings,
    subscribe,
    unsubscribe,
)
from assistant.casework.signoff import SignOffs
from assistant.cli.casework import export, guarded, report, session, tasks
from assistant.common.errors import InputError
from assistant.common.paths import whatsapp_state_path
from assistant.common.texts import text
from assistant.store.records import REFERRAL_STATUSES

CHANNEL = "cli"


def attach(main: click.Group) -> None:
    for group in (signoff, referrals, audit, reminders, summary):
        main.add_command(group)


# --- sign-off -------------------------------------------------------------------------


@click.group()
def signoff() -> None:
    """Persetujuan penghentian bantuan (koordinator kabupaten atau admin)."""


@signoff.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def signoff_list(ctx: click.Context, as_json: bool) -> None:
    """Kasus yang menunggu keputusan, dengan buktinya."""
    casework, actor = session(ctx).actor()
    waiting = guarded(lambda: SignOffs(casework).waiting(actor))
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"household": w.household.id, "village": w.village, "evidence": w.evidence}
                    for w in waiting
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not waiting:
        click.echo(text("followup.queue_empty"))
    for item in waiting:
        household, evidence = item.household, item.evidence
        click.echo(
            text(
                "followup.queue_item",
                household=household.id,
                name=household.name,
                village=item.village,
                since=f"{household.state_since:%Y-%m-%d}",
            )
        )
        assessments = evidence["assessments"]
        last = assessments[-1] if assessments else None
        click.echo(
            text(
                "followup.evidence_assessments",
                count=len(assessments),
                last=f"{last['on']} (Rp {last['income']:,.0f} / UMK Rp {last['umk']:,.0f})"
                if last
                else "-",
            )
        )
        click.echo(
            text(
                "followup.evidence_evaluation",
                decision=evidence["evaluation"]["decision_id"] or "-",
                fired=", ".join(evidence["evaluation"]["fired"]) or "-",
            )
        )
        click.echo(text("followup.evidence_mentoring", count=len(evidence["mentoring"])))
        click.echo(
            text(
                "followup.evidence_alternatives",
                programs=", ".join(evidence["alternatives"]) or "-",
            )
        )


def _decide(ctx: click.Context, household_id: str, verdict: str, reason: str) -> None:
    casework, actor = session(ctx).actor()
    done = guarded(lambda: SignOffs(casework).decide(actor, household_id, verdict, reason, CHANNEL))
    household = casework.store.get_beneficiary(done.beneficiary_id)
    assert household is not None
    click.echo(text("followup.signed", name=household.name, verdict=verdict, state=household.state))


@signoff.command("approve")
@click.argument("household_id")
@click.option("--alasan", default="", help="Alasan (boleh kosong).")
@click.pass_context
def signoff_approve(ctx: click.Context, household_id: str, alasan: str) -> None:
    """Setujui penghentian bantuan: status berubah menjadi bantuan_dihentikan."""
    _decide(ctx, household_id, "disetujui", alasan)


@signoff.command("reject")
@click.argument("household_id")
@click.option("--alasan", required=True, help="Mengapa bantuan diteruskan.")
@click.pass_context
def signoff_reject(ctx: click.Context, household_id: str, alasan: str) -> None:
    """Tolak penghentian bantuan (bantuan berlanjut; evaluasi ulang dijadwalkan)."""
    _decide(ctx, household_id, "ditolak", alasan)


@signoff.command("again")
@click.argument("household_id")
@click.option("--alasan", default="")
@click.pass_context
def signoff_again(ctx: click.Context, household_id: str, alasan: str) -> None:
    """Minta satu evaluasi lagi sebelum memutuskan."""
    _decide(ctx, household_id, "evaluasi_lagi", alasan)


# --- referrals ------------------------------------------------------------------------


@click.group()
def referrals() -> None:
    """Rujukan penerima yang lulus ke program lanjutan, dengan statusnya."""


@referrals.command("add")
@click.argument("household_id")
@click.argument("program")
@click.option("--tanggal", default=None, help="Tanggal rujukan (bawaan: hari ini).")
@click.option("--catatan", default="")
@click.pass_context
def referrals_add(
    ctx: click.Context, household_id: str, program: str, tanggal: str | None, catatan: str
) -> None:
    casework, actor = session(ctx).actor()
    referral = guarded(
        lambda: Referrals(casework).refer(
            actor,
            household_id,
            program,
            parse_date(tanggal) if tanggal else None,
            catatan,
            CHANNEL,
        )
    )
    task = casework.store.get_task(referral.task_id) if referral.task_id else None
    click.echo(
        text(
            "followup.referral_added",
            referral=referral.id,
            program=referral.program,
            due=f"{task.due_on:%Y-%m-%d}" if task else "-",
        )
    )


@referrals.command("update")
@click.argument("referral_id", type=int)
@click.argument("status", type=click.Choice(REFERRAL_STATUSES))
@click.option("--catatan", default="")
@click.pass_context
def referrals_update(ctx: click.Context, referral_id: int, status: str, catatan: str) -> None:
    casework, actor = session(ctx).actor()
    referral = guarded(
        lambda: Referrals(casework).update(actor, referral_id, status, catatan, CHANNEL)
    )
    click.echo(
        text(
            "followup.referral_updated",
            referral=referral.id,
            program=referral.program,
            status=referral.status,
        )
    )


@referrals.command("list")
@click.argument("household_id")
@click.pass_context
def referrals_list(ctx: click.Context, household_id: str) -> None:
    casework, actor = session(ctx).actor()
    found = guarded(lambda: Referrals(casework).of(actor, household_id))
    if not found:
        click.echo(text("followup.no_referrals"))
    for referral in found:
        click.echo(
            text(
                "followup.referral_line",
                referral=referral.id,
                program=referral.program,
                since=f"{referral.referred_on:%Y-%m-%d}",
                status=referral.status,
                by=referral.updated_by,
            )
        )


@report.command("referrals")
@click.option("--desa", "--village", "village", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def report_referrals(ctx: click.Context, village: str | None, as_json: bool) -> None:
    """Rujukan per program dan status (hanya rumah tangga yang boleh Anda hitung)."""
    from assistant.casework.reports import referral_table

    casework, actor = session(ctx).actor()
    rows = guarded(lambda: casework.report_rows(actor, village))
    counts = Referrals(casework).counts_for(rows)
    if as_json:
        click.echo(json.dumps({p: dict(c) for p, c in counts.items()}, ensure_ascii=False))
        return
    click.echo(
        referral_table(counts, casework.knowledge, REFERRAL_STATUSES)
        if counts
        else text("followup.no_referrals")
    )


@tasks.command("postpone")
@click.argument("task_id", type=int)
@click.option("--hari", type=int, required=True, help="Berapa hari ditunda.")
@click.option("--alasan", required=True)
@click.pass_context
def tasks_postpone(ctx: click.Context, task_id: int, hari: int, alasan: str) -> None:
    """Tunda satu tugas dengan alasan (dicatat di jejak audit)."""
    casework, actor = session(ctx).actor()
    task = guarded(lambda: postpone_task(casework, actor, task_id, hari, alasan, CHANNEL))
    click.echo(text("followup.task_postponed", task=task.id, due=f"{task.due_on:%Y-%m-%d}"))


# --- audit ----------------------------------------------------------------------------


@click.command()
@click.argument("household_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def audit(ctx: click.Context, household_id: str, as_json: bool) -> None:
    """Jejak audit satu rumah tangga: perubahan status, keputusan, persetujuan, rujukan,
    pengingat; siapa, lewat kanal apa, kapan."""
    casework, actor = session(ctx).actor()
    entries = guarded(lambda: audit_trail.trail(casework.store, actor, household_id))
    if as_json:
        click.echo(
            json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False, indent=2)
        )
        return
    if not entries:
        click.echo(text("followup.no_audit"))
    for line in audit_trail.lines(entries):
        click.echo(line)


@export.command("audit")
@click.option("--sejak", "--since", "since", default=None)
@click.option("--desa", "--village", "village", default=None)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", "path", type=click.Path(path_type=Path), required=True)
@click.pass_context
def export_audit(
    ctx: click.Context, since: str | None, village: str | None, fmt: str, path: Path
) -> None:
    """Jejak audit semua rumah tangga (admin)."""
    from assistant.casework.exports import write

    casework, actor = session(ctx).actor()
    rows = guarded(lambda: audit_trail.export_rows(casework.store, actor, since, village))
    click.echo(text("cli.exported", count=write(rows, path, fmt), path=path))


# --- reminders and summaries ----------------------------------------------------------


@click.group()
def reminders() -> None:
    """Pengingat tugas lewat WhatsApp (jalankan dari cron atau systemd timer)."""


@reminders.command("run")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def reminders_run(ctx: click.Context, as_json: bool) -> None:
    """Kirim tugas yang jatuh tempo, satu pesan per orang per hari. Aman diulang."""
    from assistant.chat.render import village_reply

    casework, _ = session(ctx).open()
    outbound = OutboundSettings.from_sources(os.environ, credentials_path())
    missing = outbound.missing()
    if missing:
        error = InputError(text("followup.not_configured", missing=", ".join(missing)), "whatsapp")
        guarded(lambda: _raise(error))
    reminders = Reminders(
        casework,
        GraphSender(outbound),
        outbound,
        consent=guarded(channel_consent),
        settings=ReminderSettings.load(),
        summary_text=lambda summary: village_reply(summary, casework.knowledge),
    )
    run = guarded(reminders.run)
    if as_json:
        click.echo(json.dumps(run.as_dict(), ensure_ascii=False))
    else:
        values = run.as_dict()
        values["uncertain"] = len(run.uncertain)
        values["already"] = values.pop("already_sent")
        values["quiet"] = values.pop("quiet_hours")
        click.echo(text("followup.run_done", **values))


def _raise(error: InputError) -> Any:
    raise error


def channel_consent() -> Consent:
    """The WhatsApp channel's opt-outs (STOP / BERHENTI), read through its own state
    classes: Redis in scale-out mode (REDIS_URL), else its SQLite file
    (:func:`whatsapp_state_path`: WHATSAPP_STATE_DB, else $ASSISTANT_VAR_DIR/whatsapp.db).
    Fails closed: when the opt-outs cannot be read, nothing is sent (an InputError that
    says where it looked and what to do)."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        from assistant.channels.whatsapp_shared import RedisChannelState, connect, instance_name

        try:
            state = RedisChannelState(connect(redis_url), instance_name())
            state.opted_out("0")  # reads once now, so that an unreachable Redis stops here
        except Exception as error:
            raise InputError(
                text("followup.no_optouts_redis", error=type(error).__name__), "REDIS_URL"
            ) from error
        return state
    path = whatsapp_state_path()
    if not path.exists():
        raise InputError(text("followup.no_optouts", path=str(path)), "WHATSAPP_STATE_DB")
    from assistant.channels.whatsapp_state import ChannelState

    try:
        return ChannelState(path)
    except Exception as error:
        missing = text("followup.no_optouts", path=str(path))
        raise InputError(missing, "WHATSAPP_STATE_DB") from error


@click.group()
def summary() -> None:
    """Ringkasan mingguan desa untuk perangkat desa."""


@summary.command("subscribe")
@click.pass_context
def summary_subscribe(ctx: click.Context) -> None:
    casework, actor = session(ctx).actor()
    subscription = guarded(lambda: subscribe(casework, actor))
    click.echo(text("followup.subscribed", village=subscription.village_id))


@summary.command("unsubscribe")
@click.pass_context
def summary_unsubscribe(ctx: click.Context) -> None:
    casework, actor = session(ctx).actor()
    stopped = unsubscribe(casework, actor)
    click.echo(text("followup.unsubscribed" if stopped else "followup.not_subscribed"))
