"""Follow-up (issue 14) on real SQLite files: a second person signs off the end of aid,
referrals carry a status and are counted, and every change leaves an audit row that
`assistant audit` prints and `assistant export audit` writes."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.casework import audit
from assistant.casework.access import Forbidden
from assistant.casework.referrals import Referrals
from assistant.casework.service import Casework
from assistant.casework.signoff import CONSIDERATION, SignOffs, close_safeguarding
from assistant.common.errors import InputError
from assistant.store.db import Store
from assistant.store.records import AID_ENDED, User, Village
from tests.support.cli import run_cli


@pytest.fixture
def work(tmp_path: Path, knowledge) -> Casework:
    casework = Casework(Store(tmp_path / "cases.db"), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    casework.add_user(None, admin)
    casework.add_village(
        admin, Village(id="sukamaju", name="Sukamaju", kabupaten="Garut", umk=2_500_000)
    )
    casework.add_village(
        admin, Village(id="tanjung", name="Tanjung", kabupaten="Bima", umk=2_300_000)
    )
    for user in (
        User(id="628111", name="Bu Rina", role="pendamping"),
        User(id="628900", name="Pak Koor Garut", role="koordinator", district="garut"),
        User(id="628901", name="Bu Koor Bima", role="koordinator", district="Bima"),
    ):
        casework.add_user(admin, user)
    yield casework
    casework.store.close()


def considered(work: Casework, name: str = "Siti Aminah") -> str:
    """A household walked to the consideration of ending its aid (3.3.7)."""
    rina = work.user("628111")
    household = work.register(rina, name=name, village_id="sukamaju", gender="P", program="pena")
    day = date.today() - timedelta(days=60)
    work.assess(rina, household.id, income="1,5 jt", mindset_changed=False, assessed_on=day)
    work.assess(
        rina,
        household.id,
        income="1,6 jt",
        mindset_changed=False,
        significant_change=False,
        assessed_on=day + timedelta(days=30),
    )
    assert work.store.get_beneficiary(household.id).state == CONSIDERATION
    return household.id


def kinds(work: Casework, household_id: str) -> list[str]:
    return [e.kind for e in audit.trail(work.store, work.user("admin"), household_id)]


def test_a_facilitator_cannot_end_aid_even_by_finishing_the_consideration_task(work):
    household_id = considered(work)
    rina = work.user("628111")
    with pytest.raises(Forbidden):
        SignOffs(work).decide(rina, household_id, "disetujui")
    task = next(
        t for t in work.store.open_tasks(beneficiary=household_id) if t.step == CONSIDERATION
    )
    work.complete_task(rina, task.id)
    assert work.store.get_beneficiary(household_id).state == CONSIDERATION
    assert work.store.sign_offs_of(household_id) == []


def test_a_koordinator_of_another_district_neither_sees_nor_signs(work):
    household_id = considered(work)
    other = work.user("628901")
    assert SignOffs(work).waiting(other) == []
    with pytest.raises(Forbidden):
        SignOffs(work).decide(other, household_id, "disetujui", "tidak ada perubahan")
    assert work.store.get_beneficiary(household_id).state == CONSIDERATION


def test_the_district_koordinator_sees_the_evidence_and_approval_ends_the_aid(work):
    household_id = considered(work)
    koordinator = work.user("628900")
    [waiting] = SignOffs(work).waiting(koordinator)
    assert waiting.household.id == household_id
    assert len(waiting.evidence["assessments"]) == 2
    assert waiting.evidence["evaluation"]["fired"]
    assert waiting.evidence["evaluation"]["next_step"] == CONSIDERATION

    signed = SignOffs(work).decide(
        koordinator, household_id, "disetujui", "dua kali tanpa perubahan", channel="whatsapp"
    )
    household = work.store.get_beneficiary(household_id)
    assert household.state == AID_ENDED
    assert work.store.open_tasks(beneficiary=household_id) == []
    [stored] = work.store.sign_offs_of(household_id)
    assert (stored.verdict, stored.decided_by, stored.reason, stored.channel) == (
        "disetujui",
        "628900",
        "dua kali tanpa perubahan",
        "whatsapp",
    )
    assert stored.evidence["assessments"] and signed.id == stored.id
    trail = audit.trail(work.store, work.user("admin"), household_id)
    ended = [e for e in trail if e.kind == audit.STATE_CHANGE and AID_ENDED in e.summary]
    assert [(e.actor, e.channel) for e in ended] == [("628900", "whatsapp")]
    assert [e.actor for e in trail if e.kind == audit.SIGN_OFF] == ["628900"]
    # decided once: it is no longer waiting, and cannot be decided again
    assert SignOffs(work).waiting(koordinator) == []
    with pytest.raises(InputError):
        SignOffs(work).decide(koordinator, household_id, "ditolak", "berubah pikiran")


def test_rejecting_needs_a_reason_keeps_the_state_and_schedules_a_reevaluation(work):
    household_id = considered(work)
    admin = work.user("admin")
    with pytest.raises(InputError):
        SignOffs(work).decide(admin, household_id, "ditolak", "  ")
    SignOffs(work).decide(admin, household_id, "ditolak", "usaha baru mulai jalan")
    assert work.store.get_beneficiary(household_id).state == CONSIDERATION
    [task] = work.store.open_tasks(beneficiary=household_id)
    assert task.step == "evaluasi_ulang"
    assert task.due_on == date.today() + timedelta(days=21)
    assert kinds(work, household_id).count(audit.SIGN_OFF) == 1
    assert SignOffs(work).waiting(admin) == []


def test_asking_for_one_more_evaluation_keeps_the_state_and_asks_soon(work):
    household_id = considered(work)
    koordinator = work.user("628900")
    SignOffs(work).decide(koordinator, household_id, "evaluasi_lagi")
    household = work.store.get_beneficiary(household_id)
    assert household.state == CONSIDERATION
    [task] = work.store.open_tasks(beneficiary=household_id)
    assert (task.step, task.due_on) == ("evaluasi_ulang", date.today() + timedelta(days=7))
    [stored] = work.store.sign_offs_of(household_id)
    assert stored.verdict == "evaluasi_lagi"
    # the next assessment that lands on the consideration again puts it back in the queue
    work.assess(
        work.user("628111"),
        household_id,
        income="1,6 jt",
        mindset_changed=False,
        significant_change=False,
    )
    assert [w.household.id for w in SignOffs(work).waiting(koordinator)] == [household_id]


def test_safeguarding_is_closed_by_an_admin_with_the_action_taken(work):
    found = work.report_safeguarding("628111", "ada anak dipukul di kelompok usaha", "cli")
    assert found is not None
    _, report = found
    with pytest.raises(Forbidden):
        close_safeguarding(work, work.user("628900"), report.id, "sudah ditangani")
    with pytest.raises(InputError):
        close_safeguarding(work, work.user("admin"), report.id, " ")
    assert close_safeguarding(work, work.user("admin"), report.id, "dirujuk ke UPTD PPA")
    [closed] = work.store.safeguarding_reports("ditindaklanjuti")
    assert (closed.handled_by, closed.action_taken) == ("admin", "dirujuk ke UPTD PPA")
    rows = audit.export_rows(work.store, work.user("admin"), None, None)
    assert [r["kind"] for r in rows] == [audit.SAFEGUARDING]


def test_a_referral_is_a_record_with_a_status_a_follow_up_task_and_counts(work):
    rina = work.user("628111")
    household = work.register(rina, name="Rohani", village_id="sukamaju", gender="P")
    referrals = Referrals(work)
    with pytest.raises(InputError):
        referrals.refer(rina, household.id, "program_khayalan")
    referral = referrals.refer(rina, household.id, "kur", note="modal usaha warung")
    assert referral.status == "diajukan"
    task = work.store.get_task(referral.task_id)
    assert task.status == "terbuka" and "KUR" in task.title.upper()
    assert task.due_on == date.today() + timedelta(days=30)
    # another facilitator cannot touch it; an unknown status is refused
    work.add_user(work.user("admin"), User(id="628222", name="Pak Dedi", role="pendamping"))
    with pytest.raises(Forbidden):
        referrals.update(work.user("628222"), referral.id, "diterima")
    with pytest.raises(InputError):
        referrals.update(rina, referral.id, "mungkin")
    updated = referrals.update(rina, referral.id, "diterima", channel="whatsapp")
    assert (updated.status, updated.updated_by) == ("diterima", "628111")
    assert work.store.get_task(referral.task_id).status == "selesai"
    referrals.refer(rina, household.id, "pkh")
    counts = referrals.counts_for(work.report_rows(work.user("admin")))
    assert {p: dict(c) for p, c in counts.items()} == {
        "kur": {"diterima": 1},
        "pkh": {"diajukan": 1},
    }
    trail = audit.trail(work.store, rina, household.id)
    assert [(e.kind, e.channel) for e in trail if e.kind == audit.REFERRAL] == [
        (audit.REFERRAL, "cli"),
        (audit.REFERRAL, "whatsapp"),
        (audit.REFERRAL, "cli"),
    ]


def test_the_audit_trail_is_for_the_admin_the_koordinator_and_the_facilitator(work):
    household_id = considered(work)
    assert audit.trail(work.store, work.user("628900"), household_id)
    assert audit.trail(work.store, work.user("628111"), household_id)
    with pytest.raises(Forbidden):
        audit.trail(work.store, work.user("628901"), household_id)
    trail = audit.trail(work.store, work.user("admin"), household_id)
    assert [e.kind for e in trail].count(audit.STATE_CHANGE) == 2
    assert [e.kind for e in trail].count(audit.DECISION) == 2
    assert all(e.channel == "cli" for e in trail)


def test_the_cli_signs_off_refers_prints_the_audit_and_exports_it(tmp_path, knowledge):
    db = tmp_path / "cli.db"
    work = Casework(Store(db), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_village(
        admin, Village(id="sukamaju", name="Sukamaju", kabupaten="Garut", umk=2_500_000)
    )
    work.add_user(admin, User(id="628111", name="Bu Rina", role="pendamping"))
    work.add_user(admin, User(id="628900", name="Koor", role="koordinator", district="Garut"))
    household_id = considered(work)
    graduate = work.register(work.user("628111"), name="Lulus", village_id="sukamaju", gender="L")
    work.store.close()

    def cli(*args: str):
        return run_cli(["--db", str(db), *args])

    assert cli("--as", "628111", "signoff", "approve", household_id).returncode == 2
    listed = cli("--as", "628900", "signoff", "list")
    assert listed.returncode == 0 and household_id in listed.stdout
    assert "Asesmen: 2" in listed.stdout
    rejected = cli("--as", "628900", "signoff", "reject", household_id, "--alasan", "coba lagi")
    assert rejected.returncode == 0, rejected.output
    added = cli("--as", "628111", "referrals", "add", graduate.id, "kur")
    assert added.returncode == 0 and "#1" in added.stdout
    assert cli("--as", "628111", "referrals", "update", "1", "selesai").returncode == 0
    report = cli("--as", "admin", "report", "graduation", "--json")
    assert '"kur": {' in report.stdout and '"selesai": 1' in report.stdout
    printed = cli("--as", "628900", "audit", household_id)
    assert printed.returncode == 0 and "tanda_tangan" in printed.stdout
    assert "628900" in printed.stdout and "coba lagi" in printed.stdout
    assert cli("--as", "628111", "audit", graduate.id).returncode == 0
    out = tmp_path / "audit.csv"
    exported = cli("--as", "admin", "export", "audit", "--out", str(out))
    assert exported.returncode == 0, exported.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["kind"] for r in rows} >= {audit.STATE_CHANGE, audit.SIGN_OFF, audit.REFERRAL}
    assert cli("--as", "628111", "export", "audit", "--out", str(out)).returncode == 2


def test_a_facilitator_postpones_their_own_task_with_a_reason(work):
    from assistant.casework.referrals import postpone_task

    rina = work.user("628111")
    household = work.register(rina, name="Rohani", village_id="sukamaju", gender="P")
    work.assess(rina, household.id, income="1 jt", mindset_changed=False)
    task = work.store.open_tasks(beneficiary=household.id)[0]
    with pytest.raises(InputError):
        postpone_task(work, rina, task.id, 3, " ")
    with pytest.raises(InputError):
        postpone_task(work, rina, task.id, 0, "sakit")
    with pytest.raises(Forbidden):
        postpone_task(work, work.user("628900"), task.id, 3, "sakit")
    moved = postpone_task(work, rina, task.id, 3, "penerima sedang merantau", "whatsapp")
    assert moved.due_on == task.due_on + timedelta(days=3)
    [entry] = [e for e in audit.trail(work.store, rina, household.id) if e.kind == audit.TASK]
    assert entry.channel == "whatsapp" and "merantau" in entry.summary


def test_finding_9_the_cli_tells_another_districts_koordinator_not_found(work):
    """Before: an unknown id got "not found" and another district's household got "only
    the koordinator ...": the CLI revealed that it exists. Now both get the same answer."""
    household_id = considered(work)
    work.store.close()
    db = str(work.store.path)
    other = run_cli(["--as", "628901", "--db", db, "signoff", "approve", household_id,
                     "--alasan", "x"])
    unknown = run_cli(["--as", "628901", "--db", db, "signoff", "approve", "rt-00000000",
                       "--alasan", "x"])
    assert other.returncode == unknown.returncode == 2
    assert other.output.replace(household_id, "ID") == unknown.output.replace("rt-00000000", "ID")


def test_finding_11_repeated_reports_are_kept_and_grouped_for_the_admin(work):
    """A stranger sending the same harm message ten times files ten reports (none is
    lost) and the admin sees one line with the nine repeats numbered."""
    for _ in range(10):
        work.report_safeguarding("6289999", "pengurus malak ibu2 50rb tiap pencairan PKH", "rest")
    work.report_safeguarding("6289999", "anak tetangga dipukuli bapaknya", "rest")
    admin = work.user("admin")
    assert len(work.safeguarding_reports(admin, "baru")) == 11
    groups = work.safeguarding_report_groups(admin, "baru")
    assert [len(g.repeats) for g in groups] == [9, 0]
    work.store.close()
    listed = run_cli(["--as", "admin", "--db", str(work.store.path), "safeguarding", "list"])
    assert listed.returncode == 0 and listed.stdout.count("pelapor 6289999") == 2
