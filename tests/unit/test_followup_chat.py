"""Follow-up by chat (issue 14): the command reader (typos, slang, emoji, bare numbers,
hostile input) and the action on trackers in-process, against real SQLite files - a
facilitator finishes and postpones tasks by number, a koordinator sees the waiting cases
and signs off, a facilitator cannot, referrals change status."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.chitchat import AnswerWithoutQuestion, Fallback
from actions.followup import UpdateTask
from actions.safeguarding import Safeguarding
from actions.tasks import MyTasks
from assistant.casework import audit
from assistant.casework.referrals import Referrals
from assistant.casework.service import Casework
from assistant.casework.signoff import CONSIDERATION
from assistant.reading.commands import MAX_COMMAND_CHARS, Command, read_command
from assistant.store.db import Store
from assistant.store.records import AID_ENDED, User, Village
from tests.support.chat_actions import DOMAIN, run, seed_workplace, tracker

# --- the reader ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("selesai 12", Command("done", 12)),
        ("udh selesai no 12", Command("done", 12)),
        ("tgs 12 beres", Command("done", 12)),
        ("Selesai #12 ✅", Command("done", 12)),
        ("✅ 12", Command("done", 12)),
        ("done 7", Command("done", 7)),
        ("slesai no.4", Command("done", 4)),
        ("tunda 12 3 hari, ibunya sakit", Command("postpone", 12, 3, "ibunya sakit")),
        ("tunda 12 seminggu", Command("postpone", 12, 7)),
        ("tunda12 3hari sakit", Command("postpone", 12, 3, "sakit")),
        (
            "tugas 13 tunda 2 minggu, orangnya merantau",
            Command("postpone", 13, 14, "orangnya merantau"),
        ),
        ("tunda no 19 besok aja, motor rusak", Command("postpone", 19, 1, "motor rusak")),
        ("tunda 6 tiga hari krn hujan", Command("postpone", 6, 3, "hujan")),
        ("postpone 7 by 3 days, she is ill", Command("postpone", 7, 3, "she is ill")),
        ("setujui 12", Command("approve", 12)),
        ("setuju 12", Command("approve", 12)),
        ("acc 12", Command("approve", 12)),
        ("ACC no 12 pak 👍", Command("approve", 12)),
        (
            "tolak 12 karena usahanya mulai jalan",
            Command("reject", 12, reason="usahanya mulai jalan"),
        ),
        ("tolak 12", Command("reject", 12)),
        ("evaluasi lagi 12", Command("again", 12)),
        ("rujukan 5 diterima", Command("referral", 5, status="diterima")),
        ("rujukan 7 gak diterima", Command("referral", 7, status="ditolak")),
        ("rujukan no 8 udah selesai", Command("referral", 8, status="selesai")),
        ("rujukan 3", Command("referral", 3)),
        ("persetujuan", Command("queue")),
        ("ada yg perlu saya setujui?", Command("approve")),
        ("mau langganan ringkasan mingguan dong", Command("subscribe")),
        ("Berlangganan ringkasan desa 🙏", Command("subscribe")),
        ("stop langganan ya pak", Command("unsubscribe")),
        ("udah gak usah langganan lagi", Command("unsubscribe")),
        ("laporan yg terbuka apa aja?", Command("reports")),
        ("daftar laporan", Command("reports")),
        (
            "tutup laporan 3 keluarga sudah dikunjungi bersama kades",
            Command("close_report", 3, reason="keluarga sudah dikunjungi bersama kades"),
        ),
        (
            "Laporan no 7 ditutup, tindakan: korban sdh didampingi ke puskesmas",
            Command("close_report", 7, reason="korban sdh didampingi ke puskesmas"),
        ),
        # a report word before "selesai" is a report, never task 4
        ("laporan 4 selesai", Command("close_report", 4)),
        ("tutup laporan dong", Command("close_report")),
    ],
)
def test_commands_are_read_the_way_people_type_them(said: str, expected: Command) -> None:
    assert read_command(said) == expected


@pytest.mark.parametrize(
    "said",
    [
        "12",
        "jadwal saya",
        "halo",
        "",
        "belum selesai 12",
        "tugas yg belum beres apa",
        "👍",
        "stop",  # the channel's opt-out, not a subscription
        "berhenti",
        "ringkasan desa saya",  # the summary now, not a subscription
        "saya mau lapor, tetangga dipukuli",  # a report of harm, never a command
    ],
)
def test_no_command_in_ordinary_messages(said: str) -> None:
    assert read_command(said) is None


@pytest.mark.parametrize(
    "said", ["katanya mau dua2nya, didampingi sm dirujuk juga", "ibu2 udah selesai",
             "anak2nya sdh beres semua"]
)
def test_a_word_written_twice_with_a_2_is_no_number(said: str) -> None:
    found = read_command(said)
    assert found is not None and found.number is None
    assert read_command("tunda12 3hari sakit") == Command("postpone", 12, 3, "sakit")


def test_a_number_too_long_is_no_number() -> None:
    assert read_command("selesai 99999999999999999999") == Command("done", None)
    assert read_command("tunda 12 hari") == Command("postpone", None, 12)  # which task?


def test_hostile_input_is_bounded() -> None:
    assert read_command("x" * 1_000_000 + " selesai 3") is None  # beyond the cut
    long_reason = "tolak 3 karena " + "a " * 100_000
    found = read_command(long_reason)
    assert found is not None and found.verb == "reject" and found.number == 3
    assert len(found.reason) <= MAX_COMMAND_CHARS
    assert read_command("9" * 5000) is None
    assert read_command("selesai " + "1" * 5000) == Command("done", None)
    assert read_command("\x00\u202e selesai 4 \ufeff") == Command("done", 4)


# --- the action ---------------------------------------------------------------------------

KOORDINATOR = "628900"


@pytest.fixture
def work(tmp_path, monkeypatch, knowledge):
    db = seed_workplace(tmp_path, monkeypatch, knowledge)
    casework = Casework(Store(db), knowledge)
    admin = casework.user("admin")
    casework.add_village(
        admin, Village(id="cibodas", name="Cibodas", kabupaten="Garut", umk=2_500_000)
    )
    casework.add_user(
        admin, User(id=KOORDINATOR, name="Pak Koor", role="koordinator", district="garut")
    )
    yield casework
    casework.store.close()
    common.workspaces.cache_clear()


def considered(work: Casework) -> tuple[str, int]:
    """A household of Rina's walked to the consideration of ending aid, and its case number."""
    rina = work.user("628111")
    household = work.register(rina, name="Tati Rohaeti", village_id="cibodas", gender="P",
                              program="pena")
    day = date.today() - timedelta(days=60)
    work.assess(rina, household.id, income="1,5 jt", mindset_changed=False, assessed_on=day)
    work.assess(rina, household.id, income="1,6 jt", mindset_changed=False,
                significant_change=False, assessed_on=day + timedelta(days=30))
    assert work.store.get_beneficiary(household.id).state == CONSIDERATION
    [task] = [t for t in work.store.open_tasks(beneficiary=household.id)
              if t.step == CONSIDERATION]
    return household.id, task.id


def a_task(work: Casework, facilitator: str = "628111") -> int:
    """An open task of the facilitator (after an assessment that did not graduate)."""
    user = work.user(facilitator)
    household = work.households(user)[0]
    work.assess(user, household.id, income="1 jt", mindset_changed=False)
    return work.store.open_tasks(beneficiary=household.id)[0].id


def say(sender: str, said: str, intent: str = "update_task") -> list[str]:
    action = UpdateTask() if intent == "update_task" else MyTasks()
    messages, _ = run(action, tracker(sender, said, intent))
    return messages


def test_a_facilitator_finishes_a_task_by_its_number(work):
    task = a_task(work)
    [reply] = say("628111", f"udh selesai no {task}")
    assert f"[{task}]" in reply
    assert work.store.get_task(task).status == "selesai"
    household = work.store.get_task(task).beneficiary_id
    notes = [e for e in audit.trail(work.store, work.user("admin"), household)
             if e.kind == audit.TASK]
    assert notes and notes[-1].actor == "628111"
    # twice: it is no longer open, and the answer says what to type
    [again] = say("628111", f"selesai {task}")
    assert "jadwal saya" in again


def test_another_facilitators_task_or_an_unknown_number_is_refused(work):
    task = a_task(work)
    [reply] = say("628222", f"selesai {task}")
    assert f"{task}" in reply and "tidak ditemukan" in reply
    assert work.store.get_task(task).status == "terbuka"
    [unknown] = say("628111", "selesai 99999")
    assert "tidak ditemukan" in unknown
    [no_number] = say("628111", "selesai")
    assert "selesai 12" in no_number


def test_postponing_needs_days_and_a_reason(work):
    task = a_task(work)
    before = work.store.get_task(task).due_on
    [no_reason] = say("628111", f"tunda {task} 3 hari")
    assert "alasan" in no_reason
    assert work.store.get_task(task).due_on == before
    [no_days] = say("628111", f"tunda {task}, ibunya sakit")
    assert "tunda 12 3 hari" in no_days
    [done] = say("628111", f"tunda {task} 3 hari, ibunya sakit")
    moved = work.store.get_task(task).due_on
    assert moved == max(before, date.today()) + timedelta(days=3)
    assert "ibunya sakit" in done and f"{moved:%d/%m/%Y}" in done


def test_my_tasks_shows_numbers_and_a_command_sent_there_is_answered(work):
    task = a_task(work)
    [listing] = say("628111", "jadwal saya", "my_tasks")
    assert f"[{task}]" in listing and "selesai <nomor>" in listing
    [reply] = say("628111", f"tgs {task} beres", "my_tasks")
    assert work.store.get_task(task).status == "selesai" and f"[{task}]" in reply


def test_my_tasks_shows_the_year_of_a_task_from_another_year(work):
    """A task a year overdue must not read as last month's (issue 25)."""
    task = a_task(work)
    a_year_ago = date.today() - timedelta(days=370)
    work.store.postpone_task(task, a_year_ago)
    [listing] = say("628111", "jadwal saya", "my_tasks")
    assert f"[{task}] {a_year_ago:%d/%m/%Y}" in listing


def test_a_koordinator_sees_the_waiting_case_and_approves_it(work):
    household, case = considered(work)
    shown = say(KOORDINATOR, "jadwal saya", "my_tasks")
    assert f"[{case}] Tati Rohaeti" in shown[0] and "Asesmen: 2" in shown[0]
    assert say(KOORDINATOR, "persetujuan") == shown
    [reply] = say(KOORDINATOR, f"acc {case}")
    assert "Tati Rohaeti" in reply
    assert work.store.get_beneficiary(household).state == AID_ENDED
    [stored] = work.store.sign_offs_of(household)
    assert (stored.verdict, stored.decided_by) == ("disetujui", KOORDINATOR)
    [empty] = say(KOORDINATOR, "persetujuan")
    assert "Tidak ada kasus" in empty


def test_rejecting_needs_a_reason_and_keeps_the_aid(work):
    household, case = considered(work)
    [asked] = say(KOORDINATOR, f"tolak {case}")
    assert "alasan" in asked and work.store.sign_offs_of(household) == []
    [reply] = say(KOORDINATOR, f"tolak {case} karena usahanya mulai jalan")
    assert "usahanya mulai jalan" in reply
    assert work.store.get_beneficiary(household).state == CONSIDERATION
    [stored] = work.store.sign_offs_of(household)
    assert (stored.verdict, stored.reason) == ("ditolak", "usahanya mulai jalan")


def test_one_more_evaluation(work):
    household, case = considered(work)
    say(KOORDINATOR, f"evaluasi lagi {case}")
    [stored] = work.store.sign_offs_of(household)
    assert stored.verdict == "evaluasi_lagi"
    assert work.store.get_beneficiary(household).state == CONSIDERATION


def test_a_facilitator_cannot_sign_off(work):
    household, case = considered(work)
    for said in (f"setujui {case}", f"tolak {case} karena apa saja", "persetujuan"):
        [reply] = say("628111", said)
        assert "koordinator" in reply.lower()
    assert work.store.get_beneficiary(household).state == CONSIDERATION
    assert work.store.sign_offs_of(household) == []


def test_a_task_number_that_is_no_case_is_refused(work):
    task = a_task(work)
    [reply] = say(KOORDINATOR, f"setujui {task}")
    assert "persetujuan" in reply


def test_referral_status_by_chat(work):
    rina = work.user("628111")
    household = work.households(rina)[0]
    referral = Referrals(work).refer(rina, household.id, "pena")
    [how] = say("628111", f"rujukan {referral.id}")
    assert "diterima" in how
    [reply] = say("628111", f"rujukan {referral.id} udah diterima")
    assert "diterima" in reply
    assert work.store.get_referral(referral.id).status == "diterima"
    [refused] = say("628222", f"rujukan {referral.id} selesai")
    assert "tidak ditemukan" in refused
    assert work.store.get_referral(referral.id).status == "diterima"


def test_a_referral_is_made_by_chat_from_a_task_number(work):
    task = a_task(work)
    household = work.store.get_task(task).beneficiary_id
    [reply] = say("628111", f"tlg rujuk {task} ke prakerja ya pak 🙏")
    assert "Prakerja" in reply and "diajukan" in reply
    [made] = work.store.referrals_of(household)
    assert made.program == "kartu_prakerja" and made.status == "diajukan"
    # the number it gives is the one for the outcome later
    [outcome] = say("628111", f"rujukan {made.id} diterima")
    assert work.store.get_referral(made.id).status == "diterima" and "diterima" in outcome
    # another facilitator's household, and a program nobody knows: nothing is made
    [refused] = say("628222", f"rujuk {task} ke pkh")
    assert "tidak ditemukan" in refused
    [how] = say("628111", f"rujuk {task} ke program antah berantah")
    assert "rujuk 12 ke PKH" in how
    assert len(work.store.referrals_of(household)) == 1


def test_strangers_and_nonsense(work):
    [stranger] = say("62999", "selesai 1")
    assert "pendamping" in stranger
    [nonsense] = say("628111", "blablabla")
    assert "selesai 12" in nonsense


def test_a_journey_the_nlu_sent_here_without_a_command_is_handed_over(work):
    """"evaluasi ulang bu tati" is a re-evaluation (the graduation form), not the sign-off
    verdict "evaluasi lagi 12"; a message without a command goes to the NLU's runner-up."""
    current = tracker("628111", "evaluasi ulang bu tati dong", "update_task")
    events = asyncio.run(UpdateTask().run(CollectingDispatcher(), current, DOMAIN))
    assert [(e["event"], e.get("name")) for e in events] == [("followup", "graduation_form")]

    current = tracker("628111", "udah itu dulu", "update_task")
    current.latest_message["intent_ranking"] = [
        {"name": "update_task", "confidence": 0.5},
        {"name": "goodbye", "confidence": 0.4},
    ]
    dispatcher = CollectingDispatcher()
    asyncio.run(UpdateTask().run(dispatcher, current, DOMAIN))
    assert dispatcher.messages and "selesai 12" not in dispatcher.messages[0]["text"]
    # a koordinator's verdict word without a number is answered with the queue
    considered(work)
    [queue, how] = say(KOORDINATOR, "ada yg perlu saya setujui?")
    assert "Tati Rohaeti" in queue and "setujui 12" in how


# --- weekly summary and safeguarding reports by chat ---------------------------------------

OFFICIAL = "628555"


def add_official(work: Casework) -> None:
    """Bu Kades, the village official of Sukamaju."""
    work.add_user(
        work.user("admin"),
        User(id=OFFICIAL, name="Bu Kades", role="pejabat_desa", village_id="sukamaju"),
    )


def test_an_official_subscribes_and_stops_the_weekly_summary_by_chat(work):
    add_official(work)
    [done] = say(OFFICIAL, "pak, sy mau langganan ringkasan mingguan ya")
    assert "Sukamaju" in done and "Senin" in done and "berhenti langganan" in done
    [subscription] = work.store.subscriptions("ringkasan_mingguan")
    assert (subscription.person, subscription.village_id) == (OFFICIAL, "sukamaju")
    say(OFFICIAL, "langganan ringkasan")  # twice is still one subscription
    assert len(work.store.subscriptions("ringkasan_mingguan")) == 1
    [stopped] = say(OFFICIAL, "stop langganan aja")
    assert "dihentikan" in stopped and work.store.subscriptions("ringkasan_mingguan") == []
    [again] = say(OFFICIAL, "berhenti langganan")
    assert "tidak berlangganan" in again
    # a facilitator has no village to subscribe to: told why, nothing stored
    [refused] = say("628111", "langganan ringkasan")
    assert "perangkat desa" in refused and work.store.subscriptions("ringkasan_mingguan") == []


def test_an_admin_lists_and_closes_a_safeguarding_report_by_chat(work):
    _, report = work.report_safeguarding("628111", "ada anak dipukuli ayahnya tiap malam", "rest")
    [listed] = say("admin", "laporan terbuka min")
    assert f"#{report.id}" in listed and "dipukuli" in listed and "tutup laporan" in listed
    # without the action taken nothing is closed
    [ask] = say("admin", f"tutup laporan {report.id}")
    assert "tindakan" in ask
    assert work.store.safeguarding_reports("baru")[0].id == report.id
    [closed] = say("admin", f"laporan {report.id} ditutup, anak sudah didampingi bersama kades")
    assert "anak sudah didampingi bersama kades" in closed
    [stored] = work.store.safeguarding_reports("ditindaklanjuti")
    assert stored.handled_by == "admin"
    assert stored.action_taken == "anak sudah didampingi bersama kades"
    rows = [r for r in work.store.audit_rows() if r["kind"] == audit.SAFEGUARDING]
    assert [(r["actor"], r["channel"]) for r in rows] == [("admin", "rasa")]
    # closing it twice, or an unknown number, says so and changes nothing
    [twice] = say("admin", f"tutup laporan {report.id} sudah")
    assert "sudah ditindaklanjuti" in twice
    [empty] = say("admin", "daftar laporan")
    assert "Tidak ada laporan" in empty


def test_only_an_admin_sees_or_closes_safeguarding_reports_by_chat(work):
    _, report = work.report_safeguarding("628222", "ibu itu dipukul suaminya", "rest")
    for sender in ("628111", KOORDINATOR):
        [listed] = say(sender, "laporan terbuka")
        assert "dipukul" not in listed and "admin" in listed
        [closed] = say(sender, f"tutup laporan {report.id} beres")
        assert "admin" in closed
    assert [r.id for r in work.store.safeguarding_reports("baru")] == [report.id]


def test_closing_a_report_in_words_of_harm_files_no_new_report(work):
    """The action taken names the harm again; from an admin closing a report that is no
    new report. The same words from a facilitator are still read by the harm net."""
    _, report = work.report_safeguarding("628111", "anak itu dipukuli ayahnya", "rest")

    def said(sender: str, words: str) -> list[str]:  # with its user event: the net reads it
        return run(UpdateTask(), tracker(sender, words, "update_task", said_at=1.0))[0]

    said("admin", f"tutup laporan {report.id}, anak yg dipukuli ayahnya sudah aman di neneknya")
    assert work.store.safeguarding_reports("baru") == []
    [closed] = work.store.safeguarding_reports("ditindaklanjuti")
    assert "neneknya" in (closed.action_taken or "")
    replies = said("628111", f"tutup laporan {report.id}, anak yg dipukuli ayahnya sudah aman")
    assert len(work.store.safeguarding_reports("baru")) == 1  # a new report, for an admin
    assert len(replies) == 2 and "admin" in replies[1]


def test_an_admins_closing_words_heard_as_harm_go_to_the_follow_up(work):
    """The NLU may read "laporan 3 ditutup: ibu yang dipukul ..." as a report of harm: the
    safeguarding action answers an admin's closing as the follow-up does, and files nothing;
    anyone else's words of harm are a report as before."""
    _, report = work.report_safeguarding("628111", "ibu itu dipukul suaminya", "rest")
    message = f"laporan {report.id} ditutup: ibu yg dipukul suaminya sdh didampingi"
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        Safeguarding().run(dispatcher, tracker("admin", message, "report_abuse", said_at=2.0),
                           DOMAIN)
    )
    assert not [e for e in events if e.get("event") == "followup"]  # the turn ends there
    [closed] = [m["text"] for m in dispatcher.messages]
    assert f"#{report.id}" in closed and "PENTING" not in closed
    assert len(work.store.safeguarding_reports()) == 1
    assert work.store.safeguarding_reports("ditindaklanjuti")[0].id == report.id
    replies, _ = run(Safeguarding(), tracker("628222", message, "report_abuse", said_at=3.0))
    assert replies and len(work.store.safeguarding_reports("baru")) == 1
    assert len(work.store.safeguarding_reports()) == 2  # a new report from anyone else


# --- a command the NLU misheard still reaches the follow-up ------------------------------


def test_a_misheard_command_outside_a_form_is_answered_by_the_follow_up(work):
    """The NLU may send "rujukan 5 udh diterima" to inform or the fallback: outside a form,
    a clear command of the sender's role is answered by the follow-up all the same."""
    task = a_task(work)
    household = work.store.get_task(task).beneficiary_id
    made = Referrals(work).refer(work.user("628111"), household, "kur", channel="cli")
    replies, _ = run(
        AnswerWithoutQuestion(),
        tracker("628111", f"rujukan {made.id} udh diterima pihak bank", "inform"),
    )
    assert work.store.get_referral(made.id).status == "diterima"
    assert len(replies) == 1 and "diterima" in replies[0]
    replies, _ = run(Fallback(), tracker("628111", f"selesai {task} ✅", "nlu_fallback"))
    assert work.store.get_task(task).status == "selesai" and f"[{task}]" in replies[0]


@pytest.mark.parametrize(
    ("sender", "said"),
    [
        # a long message with "selesai" and a number is left to the NLU
        ("628111", "udah selesai 2 kunjungan minggu ini, besok lanjut ke dusun sebelah"),
        # a stranger, and an official's numbered command: not theirs
        ("62999", "selesai 1"),
        (OFFICIAL, "rujukan 1 diterima"),
        # a facilitator's "laporan terbuka" or verdict: not their role
        ("628111", "laporan terbuka"),
        ("628111", "setujui 1"),
    ],
)
def test_what_is_not_a_clear_command_of_the_senders_role_is_left_alone(work, sender, said):
    add_official(work)
    task = a_task(work)
    replies, _ = run(Fallback(), tracker(sender, said, "nlu_fallback"))
    assert work.store.get_task(task).status == "terbuka"
    assert replies and "selesai 12" not in replies[0] and "dicatat" not in replies[0]


def test_inside_a_form_a_command_like_answer_stays_an_answer(work):
    from actions.graduation import ValidateGraduationForm

    task = a_task(work)
    current = tracker("628111", f"selesai {task}", "inform", requested="grad_household",
                      loop="graduation_form")
    run(ValidateGraduationForm(), current)
    assert work.store.get_task(task).status == "terbuka"


@pytest.mark.parametrize(
    ("sender", "said", "intent"),
    [
        # phrasings the trained NLU sends elsewhere (measured on the model: inform, my_village,
        # cancel, out_of_scope): the reader and the sender's role route them
        ("628111", "tlg rujuk no {task} ke kartu usaha", "inform"),
        (OFFICIAL, "sy langganan ringkasan desa ya", "my_village"),
        (OFFICIAL, "udh stop aja langganannya", "cancel"),
        ("admin", "laporan perlindungan yg masih terbuka", "out_of_scope"),
    ],
)
def test_new_commands_are_routed_by_the_reader(work, sender, said, intent):
    add_official(work)
    said = said.format(task=a_task(work))
    [reply], _ = run(Fallback(), tracker(sender, said, intent))
    expected = {
        "inform": "Kartu Usaha",
        "my_village": "Sukamaju",
        "cancel": "tidak berlangganan",
        "out_of_scope": "laporan perlindungan",
    }[intent]
    assert expected.lower() in reply.lower()


def test_a_message_a_form_already_took_is_not_a_command_again(work):
    """The follow-up question's answer "dua-duanya, dirujuk juga" is taken by the form; the
    action that runs after the form in the same turn does not read it again."""
    from actions.graduation import RecordFollowUp

    task = a_task(work)
    current = tracker("628111", f"rujuk {task} ke kur", "ask_program", said_at=5.0)
    current.events.append({"event": "action", "name": "follow_up_form"})
    replies, _ = run(RecordFollowUp(), current)
    household = work.store.get_task(task).beneficiary_id
    assert work.store.referrals_of(household) == []
    assert not any("Rujukan #" in reply for reply in replies)


def test_a_koordinators_sentence_with_setuju_and_a_number_ends_no_aid(work):
    household, case = considered(work)
    said = f"setuju {case} orang lagi ikut pelatihan menjahit bulan depan"
    run(Fallback(), tracker(KOORDINATOR, said, "nlu_fallback"))
    assert work.store.get_beneficiary(household).state == CONSIDERATION
    run(Fallback(), tracker(KOORDINATOR, f"setujui {case} 👍", "nlu_fallback"))
    assert work.store.get_beneficiary(household).state == AID_ENDED
