"""Follow-up that reaches people: each facilitator's due and overdue tasks pushed to them
on WhatsApp, grouped in one message per person per day; a notice to each koordinator when
cases of their district start waiting for a sign-off on ending aid; and a weekly summary
for the village officials who subscribed. ``Reminders.run`` is idempotent: run it every
few minutes from cron or a systemd timer.

Rules, in the order they are checked for each person:

- only facilitators of the real database get task reminders; sign-off notices go to the
  koordinator of the case's district, or to the admins when no koordinator supervises
  it; only subscribed officials get summaries (``access``);
- a sign-off notice names only the waiting cases no earlier notice to that person named
  (the sent-log keeps their numbers), so a case is announced once, not every day;
- a number that opted out (STOP / BERHENTI on WhatsApp, kept by the channel) gets
  nothing (``Consent``);
- quiet hours (reminders.yml, default 20:00-07:00) in the person's time zone: the zone
  of their village's province (knowledge/regions.yml: WIB, WITA, WIT);
- a cap per person per local day, and a cap over all numbers per 24 hours;
- the sent-log: one row per (person, kind, local day), taken before sending.

Sending: inside WhatsApp's 24-hour window (since the person's last message to us,
``Store.last_inbound``) a plain text; outside it, or when WhatsApp refuses the text with
131047, the approved template, once. A rate limit (130429, 131056, 429) or a server
error puts the row off until a later run.

Guarantee (a crash between sending and logging): at most once. The row is committed as
``mengirim`` before the POST and updated after it. A run that stops in between leaves
``mengirim``; the next run marks it ``tidak_pasti`` (uncertain) after ``settle_minutes``
and never sends it again, so that person may miss that day's reminder (the next day's
comes as usual; the run reports every uncertain row) but never gets it twice. WhatsApp's
Cloud API has no idempotency key for outgoing messages, so a retry after an unanswered
POST could duplicate: an unanswered POST (timeout, network error) is also
``tidak_pasti``, never retried."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict

from assistant.casework import access, audit
from assistant.casework.followup import waiting_cases
from assistant.casework.outbound import OutboundSettings, Sender, SendResult, Template
from assistant.casework.reports import VillageSummary
from assistant.casework.service import Casework
from assistant.common.dates import day_month
from assistant.common.errors import InputError
from assistant.common.free_text import shown_to_others
from assistant.common.texts import text
from assistant.knowledge.models.regions import Province
from assistant.store.records import Delivery, Subscription, User

SETTINGS = Path(__file__).with_name("reminders.yml")
TASKS, SIGN_OFFS, SUMMARY = "tugas", "persetujuan", "ringkasan_mingguan"
# sent-log rows whose cases count as announced (a row put off or refused did not reach)
ANNOUNCED = ("mengirim", "terkirim", "tidak_pasti")
CHANNEL = "whatsapp"
ACTOR = "pengingat"  # the audit trail's actor for messages the assistant starts itself


class Consent(Protocol):
    """Who opted out of WhatsApp messages (the channel's STOP / BERHENTI state)."""

    def opted_out(self, number: str) -> bool: ...


class NobodyOptedOut:
    def opted_out(self, number: str) -> bool:
        return False


class ReminderSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    quiet_start: time = time(20, 0)
    quiet_end: time = time(7, 0)
    person_daily_cap: int = 2
    daily_cap: int = 1000
    window_hours: int = 24
    settle_minutes: int = 10
    backoff_minutes: int = 30
    summary_weekday: int = 1
    tasks_shown: int = 8
    default_time_zone: str = "WIB"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> ReminderSettings:
        """reminders.yml, then the environment's overrides."""
        environ = os.environ if environ is None else environ
        data = yaml.safe_load(SETTINGS.read_text(encoding="utf-8"))
        quiet = environ.get("ASSISTANT_REMINDER_QUIET_HOURS")
        start, end = (
            quiet.split("-", 1)
            if quiet and "-" in quiet
            else (data["quiet_hours"]["start"], data["quiet_hours"]["end"])
        )
        values = {k: v for k, v in data.items() if k in cls.model_fields}
        values["quiet_start"] = time.fromisoformat(start.strip())
        values["quiet_end"] = time.fromisoformat(end.strip())
        for key, variable in (
            ("person_daily_cap", "ASSISTANT_REMINDER_PERSON_CAP"),
            ("daily_cap", "ASSISTANT_REMINDER_DAILY_CAP"),
        ):
            if (environ.get(variable) or "").isdigit():
                values[key] = int(environ[variable])
        return cls.model_validate(values)

    def quiet(self, local: time) -> bool:
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end


@dataclass
class RunReport:
    sent: int = 0
    as_template: int = 0
    already: int = 0
    opted_out: int = 0
    quiet: int = 0
    capped: int = 0
    postponed: int = 0
    failed: int = 0
    uncertain: list[int] = field(default_factory=list)
    no_template: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "as_template": self.as_template,
            "already_sent": self.already,
            "opted_out": self.opted_out,
            "quiet_hours": self.quiet,
            "capped": self.capped,
            "postponed": self.postponed,
            "failed": self.failed,
            "uncertain": self.uncertain,
            "no_template": self.no_template,
        }


@dataclass
class Message:
    person: str
    kind: str
    day: date
    task_set: str
    body: str
    values: dict[str, str]
    households: list[str] = field(default_factory=list)


class Reminders:
    def __init__(
        self,
        casework: Casework,
        sender: Sender,
        outbound: OutboundSettings,
        consent: Consent | None = None,
        settings: ReminderSettings | None = None,
        summary_text: Callable[[VillageSummary], str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.casework, self.store = casework, casework.store
        self.sender, self.outbound = sender, outbound
        self.consent = consent or NobodyOptedOut()
        self.settings = settings or ReminderSettings.load()
        self.summary_text = summary_text
        self.clock = clock
        self._zones: dict[str, timezone] = {}

    # --- the run ------------------------------------------------------------------------

    def run(self) -> RunReport:
        now = self.clock().astimezone(UTC)
        report = RunReport()
        self._settle(now, report)
        budget = self.settings.daily_cap - self.store.count_deliveries(
            _naive(now - timedelta(hours=24))
        )
        for message in [*self._digests(now), *self._sign_off_notices(now), *self._summaries(now)]:
            if budget <= 0:
                report.capped += 1
                continue
            outcome = self._deliver(message, now, report)
            if outcome == "sent":
                budget -= 1
            elif outcome == "stop":
                break
        return report

    def _settle(self, now: datetime, report: RunReport) -> None:
        """Rows a stopped run left between sending and logging: uncertain, never resent."""
        before = _naive(now - timedelta(minutes=self.settings.settle_minutes))
        for row in self.store.unsettled_deliveries(before):
            assert row.id is not None
            with self.store.transaction():
                self.store.finish_delivery(
                    row.id, "tidak_pasti", error=text("followup.uncertain_note")
                )
                self._audit(row.person, row.kind, row.task_set, "tidak_pasti", now)
            report.uncertain.append(row.id)

    # --- what to send -------------------------------------------------------------------

    def _digests(self, now: datetime) -> list[Message]:
        latest = (now + timedelta(hours=9)).date()  # the furthest east is UTC+9
        by_person: dict[str, list[dict[str, Any]]] = {}
        for row in self.store.due_task_rows(latest):
            by_person.setdefault(row["facilitator_id"], []).append(row)
        messages = []
        for person, rows in by_person.items():
            user = self.store.get_user(person)
            if user is None or not access.gets_task_reminders(user):
                continue
            zone = self._zone(rows[0]["province"])
            today = now.astimezone(zone).date()
            due = [r for r in rows if date.fromisoformat(r["due_on"]) <= today]
            if due:
                messages.append(self._digest(user, due, today))
        return messages

    def _digest(self, user: User, due: list[dict[str, Any]], today: date) -> Message:
        shown = due[: self.settings.tasks_shown]
        late = sum(1 for r in due if date.fromisoformat(r["due_on"]) < today)
        lines = [
            text(
                "followup.reminder_line",
                task=r["id"],
                title=r["title"],
                due=day_month(date.fromisoformat(r["due_on"]), today),
                late=text("chat.late") if date.fromisoformat(r["due_on"]) < today else "",
            ).rstrip()
            for r in shown
        ]
        more = len(due) - len(shown)
        body = "\n".join(
            [text("followup.reminder_header", name=user.name, count=len(due), late=late)]
            + lines
            + ([text("followup.reminder_more", count=more)] if more > 0 else [])
            + [text("followup.reminder_footer")]
        )
        ids = [str(r["id"]) for r in due]
        return Message(
            person=user.id,
            kind=TASKS,
            day=today,
            task_set=_task_set(ids),
            body=body,
            values={
                "nama": user.name,
                "jumlah": str(len(due)),
                "terlambat": str(late),
                "pertama": shown[0]["title"],
            },
            households=sorted({r["beneficiary_id"] for r in due}),
        )

    def _sign_off_notices(self, now: datetime) -> list[Message]:
        """For each koordinator (and each admin, for cases no koordinator supervises): the
        cases waiting for their sign-off that no notice to them has named yet."""
        people = [u for u in self.store.list_users() if access.gets_sign_off_notices(u)]
        people.sort(key=lambda u: access.is_admin(u))  # koordinators first
        covered: set[str] = set()
        messages = []
        for user in people:
            cases = [
                (number, item)
                for number, item in waiting_cases(self.casework, user)
                if number is not None
            ]
            if access.is_admin(user):
                cases = [(n, item) for n, item in cases if item.household.id not in covered]
            else:
                covered.update(item.household.id for _, item in cases)
            told = self._announced(user.id)
            new = [(n, item) for n, item in cases if str(n) not in told]
            if new:
                messages.append(self._notice(user, new, now))
        return messages

    def _announced(self, person: str) -> set[str]:
        """The case numbers earlier sign-off notices to this person named."""
        return {
            number
            for row in self.store.deliveries(person)
            if row.kind == SIGN_OFFS and row.status in ANNOUNCED
            for number in row.task_set.split(",")
        }

    def _notice(self, user: User, cases: list[tuple[int, Any]], now: datetime) -> Message:
        first = cases[0][1]
        village = self.store.get_village(first.household.village_id)
        today = now.astimezone(self._zone(village.province if village else None)).date()
        shown = cases[: self.settings.tasks_shown]
        body = "\n".join(
            [text("followup.notice_header", count=len(cases))]
            + [
                text(
                    "followup.notice_line",
                    case=number,
                    name=shown_to_others(item.household.name, 80),
                    village=item.village,
                    since=f"{item.household.state_since:%d/%m/%Y}",
                )
                for number, item in shown
            ]
            + (
                [text("followup.notice_more", count=len(cases) - len(shown))]
                if len(cases) > len(shown)
                else []
            )
            + [text("followup.notice_footer")]
        )
        return Message(
            person=user.id,
            kind=SIGN_OFFS,
            day=today,
            task_set=",".join(str(number) for number, _ in cases),
            body=body,
            values={
                "nama": user.name,
                "jumlah": str(len(cases)),
                "pertama": shown_to_others(first.household.name, 80),
            },
            households=[item.household.id for _, item in cases],
        )

    def _summaries(self, now: datetime) -> list[Message]:
        if self.summary_text is None:
            return []
        messages = []
        for subscription in self.store.subscriptions(SUMMARY):
            message = self._summary(subscription, now)
            if message is not None:
                messages.append(message)
        return messages

    def _summary(self, subscription: Subscription, now: datetime) -> Message | None:
        user = self.store.get_user(subscription.person)
        if user is None or not access.can_subscribe_summary(user):
            return None
        village = self.store.get_village(subscription.village_id)
        zone = self._zone(village.province if village else None)
        today = now.astimezone(zone).date()
        if today.isoweekday() < self.settings.summary_weekday:
            return None
        summary = self.casework.village_summary(user)
        assert self.summary_text is not None
        week = today - timedelta(days=today.isoweekday() - 1)
        return Message(
            person=user.id,
            kind=SUMMARY,
            day=week,
            task_set="",
            body=self.summary_text(summary),
            values={"nama": user.name, "desa": summary.village, "jumlah": str(summary.total)},
        )

    # --- sending ------------------------------------------------------------------------

    def _deliver(self, message: Message, now: datetime, report: RunReport) -> str:
        try:
            opted_out = self.consent.opted_out(message.person)
        except Exception as error:  # fail closed: unknown consent sends nothing more
            raise InputError(text("followup.optouts_lost"), "consent") from error
        if opted_out:
            report.opted_out += 1
            return "skipped"
        zone = self._person_zone(message)
        local = now.astimezone(zone)
        if self.settings.quiet(local.time().replace(tzinfo=None)):
            report.quiet += 1
            return "skipped"
        midnight = datetime.combine(local.date(), time(0), zone).astimezone(UTC)
        sent_today = self.store.count_deliveries(_naive(midnight), person=message.person)
        already = self.store.deliveries(message.person)
        if any(d.kind == message.kind and d.day == message.day for d in already):
            claimable = [
                d
                for d in already
                if d.kind == message.kind and d.day == message.day and d.status == "ditunda"
            ]
            if not claimable:
                report.already += 1
                return "skipped"
        elif sent_today >= self.settings.person_daily_cap:
            report.capped += 1
            return "skipped"
        row = self.store.claim_delivery(
            message.person, message.kind, message.day, message.task_set, _naive(now)
        )
        if row is None:
            report.already += 1
            return "skipped"
        return self._send(message, row, now, report)

    def _send(self, message: Message, row: Delivery, now: datetime, report: RunReport) -> str:
        assert row.id is not None
        template = {
            TASKS: self.outbound.reminder,
            SIGN_OFFS: self.outbound.sign_off,
            SUMMARY: self.outbound.summary,
        }[message.kind]
        last = self.store.last_inbound(message.person)
        window = timedelta(hours=self.settings.window_hours)
        inside = last is not None and _aware(last) > now - window
        mode = "teks" if inside else "template"
        if inside:
            result = self.sender.text(message.person, message.body)
            if not result.ok and result.window_closed and template is not None:
                mode = "template"
                result = self.sender.template(message.person, template, message.values)
        elif template is not None:
            result = self.sender.template(message.person, template, message.values)
        else:
            # outside the window and no approved template: wait until they write to us
            self.store.finish_delivery(row.id, "ditunda", error="template belum diatur")
            report.no_template += 1
            return "skipped"
        return self._settle_one(message, row, mode, result, now, report)

    def _settle_one(
        self,
        message: Message,
        row: Delivery,
        mode: str,
        result: SendResult,
        now: datetime,
        report: RunReport,
    ) -> str:
        assert row.id is not None
        if result.ok:
            with self.store.transaction():
                self.store.finish_delivery(row.id, "terkirim", mode, result.message_id)
                self._audit(message.person, message.kind, message.task_set, mode, now, message)
            report.sent += 1
            report.as_template += mode == "template"
            return "sent"
        if not result.answered:
            with self.store.transaction():
                self.store.finish_delivery(row.id, "tidak_pasti", mode, error=result.detail)
                self._audit(message.person, message.kind, message.task_set, "tidak_pasti", now)
            report.uncertain.append(row.id)
            return "skipped"
        detail = f"{result.status} {result.code or ''} {result.detail}".strip()
        if result.rate_limited or result.status >= 500:
            wait = max(self.settings.backoff_minutes * 60, result.retry_after or 0)
            retry = _naive(now + timedelta(seconds=wait))
            self.store.finish_delivery(row.id, "ditunda", mode, error=detail, retry_after=retry)
            report.postponed += 1
            return "stop" if result.number_limited else "skipped"
        self.store.finish_delivery(row.id, "gagal", mode, error=detail)
        report.failed += 1
        return "skipped"

    def _audit(
        self,
        person: str,
        kind: str,
        task_set: str,
        mode: str,
        now: datetime,
        message: Message | None = None,
    ) -> None:
        households = message.households if message else []
        for household in households or [None]:
            audit.note(
                self.store,
                actor=ACTOR,
                channel=CHANNEL,
                kind=audit.REMINDER,
                household=household,
                summary=text(f"followup.audit_reminder_{kind}", person=person, mode=mode),
                detail={"person": person, "kind": kind, "tasks": task_set, "mode": mode},
                at=_naive(now),
            )

    # --- time zones ---------------------------------------------------------------------

    def _zone(self, province: str | None) -> timezone:
        key = province or ""
        if key not in self._zones:
            regions = self.casework.knowledge.regions
            found = regions.find(key) if key else None
            name = found.time_zone if found else self.settings.default_time_zone
            hours = Province.UTC_OFFSET_HOURS[name]
            self._zones[key] = timezone(timedelta(hours=hours), name)
        return self._zones[key]

    def _person_zone(self, message: Message) -> timezone:
        if message.kind == SUMMARY:
            user = self.store.get_user(message.person)
            village = self.store.get_village(user.village_id) if user and user.village_id else None
            return self._zone(village.province if village else None)
        household = self.store.get_beneficiary(message.households[0])
        village = self.store.get_village(household.village_id) if household else None
        return self._zone(village.province if village else None)


def _task_set(ids: list[str]) -> str:
    """The tasks of one message, as stored in the sent-log: their ids in order (so that
    "selesai 12" can be checked against what was sent), or a digest of a long list."""
    joined = ",".join(ids)
    if len(joined) <= 400:
        return joined
    return f"{len(ids)}:{hashlib.sha256(joined.encode()).hexdigest()[:16]}"


def _naive(moment: datetime) -> datetime:
    """UTC without its zone: how the sent-log stores times."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    """A stored time as UTC (stored times without a zone are UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def subscribe(casework: Casework, actor: User) -> Subscription:
    """A village official subscribes to the weekly summary of their own village."""
    access.require(access.can_subscribe_summary(actor), "village_summary")
    village = access.official_village(actor)
    assert village is not None
    subscription = Subscription(
        person=actor.id, village_id=village, kind=SUMMARY, created_at=datetime.now()
    )
    casework.store.subscribe(subscription)
    return subscription


def unsubscribe(casework: Casework, actor: User) -> bool:
    return casework.store.unsubscribe(actor.id, SUMMARY)


__all__ = ["Reminders", "ReminderSettings", "RunReport", "Template", "subscribe"]
