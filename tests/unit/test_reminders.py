"""Pushed reminders (issue 14) through a fake WhatsApp Graph API: a real HTTP server on a
free port that records every POST and answers what the test asks for. The store is a
real SQLite file; the opt-outs are the WhatsApp channel's own state file."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.casework import audit
from assistant.casework.outbound import GraphSender, OutboundSettings, SendResult, Template
from assistant.casework.reminders import Reminders, ReminderSettings, subscribe
from assistant.casework.service import Casework
from assistant.casework.signoff import CONSIDERATION, SignOffs
from assistant.channels.whatsapp_state import ChannelState
from assistant.common.errors import InputError
from assistant.common.graph_api import GRAPH_API_VERSION
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.support.cli import run_cli

TOKEN, PHONE_ID = "uji-token", "1098765"


class FakeGraph:
    """Records every POST; ``answers`` are (status, error code) for the next requests."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.answers: list[tuple[int, int | None]] = []
        self.lock = threading.Lock()
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with graph.lock:
                    assert self.headers["Authorization"] == f"Bearer {TOKEN}"
                    assert self.path == f"/{GRAPH_API_VERSION}/{PHONE_ID}/messages"
                    graph.posts.append(body)
                    status, code = graph.answers.pop(0) if graph.answers else (200, None)
                    number = len(graph.posts)
                answer = (
                    {"messages": [{"id": f"wamid.{number}"}]}
                    if status == 200
                    else {"error": {"message": "ditolak", "code": code}}
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def to(self, number: str) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["to"] == number]


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    yield fake
    fake.server.shutdown()


RINA, WAYAN, YOHANA, KADES = "628111", "628222", "628333", "628444"


@pytest.fixture
def work(tmp_path: Path, knowledge) -> Iterator[Casework]:
    casework = Casework(Store(tmp_path / "cases.db"), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    casework.add_user(None, admin)
    for village, province in (
        ("sukamaju", "Jawa Barat"),
        ("ubud", "Bali"),
        ("sentani", "Papua"),
    ):
        casework.add_village(
            admin, Village(id=village, name=village.title(), province=province, umk=2_500_000)
        )
    people = (
        (RINA, "Bu Rina", "sukamaju"),
        (WAYAN, "Pak Wayan", "ubud"),
        (YOHANA, "Bu Yohana", "sentani"),
    )
    for user_id, name, village in people:
        casework.add_user(admin, User(id=user_id, name=name, role="pendamping"))
        me = casework.user(user_id)
        for person in ("Siti", "Aminah", "Made"):
            household = casework.register(
                me, name=f"{person} {name}", village_id=village, gender="P"
            )
            casework.assess(
                me,
                household.id,
                income="1,5 jt",
                mindset_changed=False,
                assessed_on=date.today() - timedelta(days=40),
            )
    casework.add_user(
        admin, User(id=KADES, name="Pak Kades", role="pejabat_desa", village_id="sukamaju")
    )
    yield casework
    casework.store.close()


def outbound(graph: FakeGraph, template: bool = True) -> OutboundSettings:
    return OutboundSettings(
        access_token=TOKEN,
        phone_number_id=PHONE_ID,
        api_base=graph.url,
        reminder=Template("pengingat_tugas", "id", ("nama", "jumlah", "terlambat"))
        if template
        else None,
        summary=Template("ringkasan_desa", "id", ("nama", "desa")) if template else None,
        sign_off=Template("kasus_menunggu", "id", ("nama", "jumlah")) if template else None,
    )


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def reminders(work, graph, clock, consent=None, template=True, **settings) -> Reminders:
    settings_ = ReminderSettings(**settings)
    settings_out = outbound(graph, template)
    return Reminders(
        work,
        GraphSender(settings_out),
        settings_out,
        consent=consent,
        settings=settings_,
        summary_text=lambda summary: f"Ringkasan {summary.village}: {summary.total} rumah tangga",
        clock=clock,
    )


# 04:00 UTC: 11:00 WIB, 12:00 WITA, 13:00 WIT - nobody's quiet hours
NOON = datetime.combine(date.today(), datetime.min.time(), UTC) + timedelta(hours=4)


def test_one_message_per_person_a_template_outside_the_window_text_inside(work, graph):
    work.store.note_inbound(RINA, NOON.replace(tzinfo=None) - timedelta(hours=3))
    work.store.note_inbound(WAYAN, NOON.replace(tzinfo=None) - timedelta(hours=30))
    report = reminders(work, graph, Clock(NOON)).run()
    assert report.sent == 3 and report.as_template == 2
    [inside] = graph.to(RINA)
    assert inside["type"] == "text"
    body = inside["text"]["body"]
    assert body.startswith("Halo Bu Rina, ada 9 tugas") and body.count("\n[") == 8
    assert "1 tugas lagi" in body
    for number in (WAYAN, YOHANA):  # 30 hours ago, and never: outside the window
        [sent] = graph.to(number)
        assert sent["type"] == "template"
        assert sent["template"]["name"] == "pengingat_tugas"
        values = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
        assert values[1:] == ["9", "9"]
    rows = work.store.deliveries(RINA)
    assert [(d.status, d.mode, d.message_id) for d in rows] == [("terkirim", "teks", "wamid.1")]
    household = work.store.list_beneficiaries(facilitator=RINA)[0]
    trail = audit.trail(work.store, work.user("admin"), household.id)
    assert [(e.actor, e.channel) for e in trail if e.kind == audit.REMINDER] == [
        ("pengingat", "whatsapp")
    ]


def test_two_runs_in_the_same_minute_send_once(work, graph):
    first = reminders(work, graph, Clock(NOON)).run()
    second = reminders(work, graph, Clock(NOON + timedelta(seconds=20))).run()
    later = reminders(work, graph, Clock(NOON + timedelta(hours=5))).run()
    assert (first.sent, second.sent, later.sent) == (3, 0, 0)
    assert second.already == 3 and len(graph.posts) == 3
    # the next local day is a new day
    tomorrow = reminders(work, graph, Clock(NOON + timedelta(days=1))).run()
    assert tomorrow.sent == 3 and len(graph.posts) == 6


def test_a_closed_window_131047_is_retried_once_as_the_template(work, graph):
    work.store.note_inbound(RINA, NOON.replace(tzinfo=None) - timedelta(hours=1))
    graph.answers = [(400, 131047)]
    report = reminders(work, graph, Clock(NOON)).run()
    kinds = [p["type"] for p in graph.to(RINA)]
    assert kinds == ["text", "template"]
    assert [(d.status, d.mode) for d in work.store.deliveries(RINA)] == [("terkirim", "template")]
    assert report.sent == 3


def test_a_rate_limit_backs_off_and_a_later_run_sends_once(work, graph):
    graph.answers = [(400, 130429)]
    first = reminders(work, graph, Clock(NOON)).run()
    # the business number is limited: the run stops after the first refusal
    assert (first.sent, first.postponed, len(graph.posts)) == (0, 1, 1)
    soon = reminders(work, graph, Clock(NOON + timedelta(minutes=5))).run()
    assert soon.sent == 2  # the two never tried; the postponed one waits its back-off
    after = reminders(work, graph, Clock(NOON + timedelta(minutes=31))).run()
    assert after.sent == 1
    assert sorted(len(graph.to(n)) for n in (RINA, WAYAN, YOHANA)) == [1, 1, 2]
    assert {d.status for n in (RINA, WAYAN, YOHANA) for d in work.store.deliveries(n)} == {
        "terkirim"
    }
    again = reminders(work, graph, Clock(NOON + timedelta(minutes=40))).run()
    assert again.sent == 0 and len(graph.posts) == 4


def test_a_pair_rate_limit_131056_only_puts_that_person_off(work, graph):
    graph.answers = [(400, 131056)]
    report = reminders(work, graph, Clock(NOON)).run()
    assert (report.sent, report.postponed) == (2, 1)


def test_opted_out_numbers_get_nothing(work, graph, tmp_path):
    state = ChannelState(tmp_path / "whatsapp.db")
    state.set_opted_out(WAYAN, True)
    report = reminders(work, graph, Clock(NOON), consent=state).run()
    assert report.opted_out == 1 and report.sent == 2 and graph.to(WAYAN) == []
    state.set_opted_out(WAYAN, False)
    assert reminders(work, graph, Clock(NOON), consent=state).run().sent == 1
    state.close()


@pytest.mark.parametrize(
    ("utc_hour", "reached"),
    [
        # 12:30 UTC: 19:30 WIB, 20:30 WITA, 21:30 WIT
        (12.5, {RINA}),
        # 23:30 UTC: 06:30 WIB, 07:30 WITA, 08:30 WIT (the next local day)
        (23.5, {WAYAN, YOHANA}),
        # 00:30 UTC: 07:30 WIB, 08:30 WITA, 09:30 WIT
        (24.5, {RINA, WAYAN, YOHANA}),
    ],
)
def test_quiet_hours_in_each_village_time_zone(work, graph, utc_hour, reached):
    at = NOON - timedelta(hours=4) + timedelta(hours=utc_hour)
    reminders(work, graph, Clock(at)).run()
    assert {p["to"] for p in graph.posts} == reached


def test_the_caps_per_person_and_per_day(work, graph):
    report = reminders(work, graph, Clock(NOON), daily_cap=2).run()
    assert (report.sent, report.capped) == (2, 1)
    assert reminders(work, graph, Clock(NOON), daily_cap=2).run().sent == 0
    # a person at their own cap gets no second kind of message that day
    subscribe(work, work.user(KADES))
    none_left = reminders(work, graph, Clock(NOON), person_daily_cap=0).run()
    assert none_left.sent == 0 and graph.to(KADES) == []


class Crash(Exception):
    pass


class CrashAfterSending(GraphSender):
    """Sends for real, then dies before the result can be logged (a killed process)."""

    def template(self, to: str, template: Template, values: dict[str, str]) -> SendResult:
        super().template(to, template, values)
        raise Crash


def test_a_crash_between_send_and_log_never_sends_twice(work, graph):
    settings = outbound(graph)
    crashing = Reminders(
        work,
        CrashAfterSending(settings),
        settings,
        settings=ReminderSettings(),
        clock=Clock(NOON),
    )
    with pytest.raises(Crash):
        crashing.run()
    assert len(graph.posts) == 1
    [crashed] = [d for d in work.store.deliveries() if d.status == "mengirim"]
    # a run soon after: the row is in hand (maybe still sending), so it is left alone
    soon = reminders(work, graph, Clock(NOON + timedelta(minutes=2))).run()
    assert soon.sent == 2 and soon.uncertain == []
    later = reminders(work, graph, Clock(NOON + timedelta(minutes=15))).run()
    assert later.uncertain == [crashed.id] and later.sent == 0
    assert len(graph.to(crashed.person)) == 1 and len(graph.posts) == 3
    [row] = work.store.deliveries(crashed.person)
    assert row.status == "tidak_pasti"


def test_no_template_configured_waits_for_the_window(work, graph):
    report = reminders(work, graph, Clock(NOON), template=False).run()
    assert report.no_template == 3 and graph.posts == []
    work.store.note_inbound(RINA, NOON.replace(tzinfo=None) - timedelta(minutes=5))
    again = reminders(work, graph, Clock(NOON + timedelta(minutes=10)), template=False).run()
    assert again.sent == 1 and graph.to(RINA)[0]["type"] == "text"


def test_the_weekly_summary_goes_to_subscribed_officials_once_a_week(work, graph):
    monday = NOON - timedelta(days=NOON.weekday())
    subscribe(work, work.user(KADES))
    reminders(work, graph, Clock(monday)).run()
    [summary] = graph.to(KADES)
    assert summary["template"]["name"] == "ringkasan_desa"
    reminders(work, graph, Clock(monday + timedelta(days=2))).run()
    assert len(graph.to(KADES)) == 1
    reminders(work, graph, Clock(monday + timedelta(days=7))).run()
    assert len(graph.to(KADES)) == 2
    with pytest.raises(Exception):  # noqa: B017 - a facilitator cannot subscribe
        subscribe(work, work.user(RINA))


def test_the_command_runs_against_the_graph_api_and_says_what_it_did(work, graph, tmp_path):
    work.store.close()
    ChannelState(tmp_path / "none.db").close()  # the channel's state, nobody opted out
    env = {
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "WHATSAPP_API_BASE": graph.url,
        "WHATSAPP_REMINDER_TEMPLATE": "pengingat_tugas",
        "WHATSAPP_STATE_DB": str(tmp_path / "none.db"),
        "ASSISTANT_REMINDER_QUIET_HOURS": "23:59-00:00",
    }
    db = str(work.store.path)
    ran = run_cli(["--db", db, "reminders", "run", "--json"], env=env)
    assert ran.returncode == 0, ran.output
    assert json.loads(ran.stdout)["sent"] == 3 and len(graph.posts) == 3
    again = run_cli(["--db", db, "reminders", "run"], env=env)
    assert again.returncode == 0 and "Terkirim 0" in again.stdout and len(graph.posts) == 3
    unset = run_cli(["--db", db, "reminders", "run"], env={})
    assert unset.returncode == 2 and "WHATSAPP_ACCESS_TOKEN" in unset.stdout


# --- a koordinator is told when cases start waiting for a sign-off ------------------------

KOOR = "628900"


def waiting_case(work: Casework, village: str, name: str, since: date) -> tuple[str, int]:
    """A household of Rina's walked to the consideration of ending its aid; its case
    number (the consideration task)."""
    rina = work.user(RINA)
    household = work.register(rina, name=name, village_id=village, gender="P")
    for days, income in ((0, "1,5 jt"), (30, "1,6 jt")):
        work.assess(rina, household.id, income=income, mindset_changed=False,
                    significant_change=False, assessed_on=since + timedelta(days=days))
    assert work.store.get_beneficiary(household.id).state == CONSIDERATION
    [task] = [t for t in work.store.open_tasks(beneficiary=household.id)
              if t.step == CONSIDERATION]
    return household.id, task.id


def test_a_koordinator_is_told_once_per_case_that_starts_waiting(work, graph):
    admin = work.user("admin")
    for village, kabupaten in (("cibodas", "Garut"), ("lembang", "Bandung Barat")):
        work.add_village(admin, Village(id=village, name=village.title(), kabupaten=kabupaten,
                                        province="Jawa Barat", umk=2_500_000))
    work.add_user(admin, User(id=KOOR, name="Pak Koor", role="koordinator", district="Garut"))
    start = date.today() - timedelta(days=60)
    _, first = waiting_case(work, "cibodas", "Tati Rohaeti", start)
    work.store.note_inbound(KOOR, NOON.replace(tzinfo=None) - timedelta(hours=1))

    reminders(work, graph, Clock(NOON)).run()
    [notice] = graph.to(KOOR)
    body = notice["text"]["body"]
    assert f"[{first}] Tati Rohaeti" in body and "Cibodas" in body and "persetujuan" in body
    assert graph.to("admin") == []  # a koordinator supervises it: the admin is not bothered
    rows = [r for r in work.store.audit_rows() if r["detail"] and '"persetujuan"' in r["detail"]]
    assert len(rows) == 1 and rows[0]["actor"] == "pengingat"

    # the same case is never announced again: later that day, nor the next days
    reminders(work, graph, Clock(NOON + timedelta(minutes=1))).run()
    reminders(work, graph, Clock(NOON + timedelta(days=1))).run()
    assert len(graph.to(KOOR)) == 1

    # a second case of the district starts waiting: the next notice names only it (as the
    # template outside the window); a case of a district without koordinator goes to admin
    _, second = waiting_case(work, "cibodas", "Euis Komariah", start)
    _, elsewhere = waiting_case(work, "lembang", "Neneng", start)
    reminders(work, graph, Clock(NOON + timedelta(days=2))).run()
    latest = graph.to(KOOR)[-1]
    assert len(graph.to(KOOR)) == 2 and latest["type"] == "template"
    assert latest["template"]["name"] == "kasus_menunggu"
    values = [p["text"] for p in latest["template"]["components"][0]["parameters"]]
    assert values == ["Pak Koor", "1"]
    [to_admin] = graph.to("admin")
    assert f"[{elsewhere}] Neneng" in to_admin["text"]["body"] if to_admin["type"] == "text" \
        else to_admin["template"]["name"] == "kasus_menunggu"
    sent = {r.task_set for r in work.store.deliveries(KOOR)}
    assert sent == {str(first), str(second)}

    # a decided case is no longer waiting: nothing more is sent about anything
    for case in (first, second):
        task = work.store.get_task(case)
        SignOffs(work).decide(work.user(KOOR), task.beneficiary_id, "disetujui", "", "cli")
    reminders(work, graph, Clock(NOON + timedelta(days=3))).run()
    assert len(graph.to(KOOR)) == 2 and len(graph.to("admin")) == 1


def test_sign_off_notices_keep_quiet_hours_and_opt_out(work, graph, tmp_path):
    admin = work.user("admin")
    work.add_village(admin, Village(id="cibodas", name="Cibodas", kabupaten="Garut",
                                    province="Jawa Barat", umk=2_500_000))
    work.add_user(admin, User(id=KOOR, name="Pak Koor", role="koordinator", district="garut"))
    waiting_case(work, "cibodas", "Tati Rohaeti", date.today() - timedelta(days=60))
    night = NOON + timedelta(hours=10)  # 21:00 WIB
    assert reminders(work, graph, Clock(night)).run().quiet >= 1 and graph.to(KOOR) == []
    state = ChannelState(tmp_path / "channel.db")
    state.set_opted_out(KOOR, True)
    reminders(work, graph, Clock(NOON + timedelta(days=1)), consent=state).run()
    assert graph.to(KOOR) == []
    state.set_opted_out(KOOR, False)
    reminders(work, graph, Clock(NOON + timedelta(days=1)), consent=state).run()
    assert len(graph.to(KOOR)) == 1


# --- issue 22, finding 3: consent fails closed --------------------------------------------


def _command_env(graph, var: Path, **more: str) -> dict[str, str]:
    return {
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "WHATSAPP_API_BASE": graph.url,
        "WHATSAPP_REMINDER_TEMPLATE": "pengingat_tugas",
        "ASSISTANT_REMINDER_QUIET_HOURS": "23:59-00:00",
        "ASSISTANT_VAR_DIR": str(var),
        **more,
    }


def test_finding_3_reminders_send_nothing_when_the_opt_outs_cannot_be_read(work, graph, tmp_path):
    """Before: a missing state file meant "nobody opted out" and everyone got a reminder."""
    work.store.close()
    env = _command_env(graph, tmp_path / "var")
    ran = run_cli(["--db", str(work.store.path), "reminders", "run", "--json"], env=env)
    assert ran.returncode == 2
    assert "whatsapp.db" in ran.output and "Traceback" not in ran.output
    assert graph.posts == []


def test_finding_3_the_opt_outs_are_read_from_the_var_folder_not_the_working_folder(
    work, graph, tmp_path, monkeypatch
):
    """A relative WHATSAPP_STATE_DB is taken from ASSISTANT_VAR_DIR: run from another
    folder (as cron does), the command still reads the file the channel wrote."""
    work.store.close()
    var = tmp_path / "var"
    var.mkdir()
    state = ChannelState(var / "wa.db")
    state.set_opted_out(RINA, True)
    state.close()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    env = _command_env(graph, var, WHATSAPP_STATE_DB="wa.db")
    ran = run_cli(["--db", str(work.store.path), "reminders", "run", "--json"], env=env)
    assert ran.returncode == 0, ran.output
    assert json.loads(ran.stdout)["opted_out"] == 1
    assert graph.to(RINA) == [] and len(graph.posts) == 2


def test_finding_3_consent_lost_during_a_run_stops_the_run(work, graph):
    class Failing:
        def opted_out(self, number: str) -> bool:
            raise OSError("state file gone")

    with pytest.raises(InputError):
        reminders(work, graph, Clock(NOON), consent=Failing()).run()
    assert graph.posts == []
