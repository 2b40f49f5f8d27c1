"""Casework on real SQLite files: one household walked through every branch of the
graduation path, access rules, the NIK never stored, the UMK asked once."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.casework.access import Forbidden
from assistant.casework.path import NeedUMK
from assistant.casework.service import Casework
from assistant.casework.workspaces import Workspaces, open_casework
from assistant.common.errors import InputError
from assistant.common.money import parse_rupiah
from assistant.common.texts import say
from assistant.store.db import Store
from assistant.store.records import User, Village

NIK = "3201234567890001"


@pytest.fixture
def casework(tmp_path: Path, knowledge) -> Casework:
    work = Casework(Store(tmp_path / "cases.db"), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_village(admin, Village(id="sukamaju", name="Sukamaju", umk=2_500_000))
    work.add_village(admin, Village(id="mekarsari", name="Mekarsari"))
    for user in (
        User(id="628111", name="Bu Rina", role="pendamping"),
        User(id="628222", name="Pak Dedi", role="pendamping"),
        User(id="628333", name="Pak Kades", role="pejabat_desa", village_id="sukamaju"),
        User(id="628444", name="Bu Kades", role="pejabat_desa", village_id="mekarsari"),
    ):
        work.add_user(admin, user)
    yield work
    work.store.close()


def rina(work: Casework) -> User:
    return work.user("628111")


def register(work: Casework, **overrides):
    fields = {"name": "Siti Aminah", "village_id": "sukamaju", "gender": "P", "nik": NIK,
              "program": "pena"}
    fields.update(overrides)
    return work.register(rina(work), **fields)


def step_tasks(work: Casework, household_id: str) -> list[str]:
    return [t.step for t in work.store.open_tasks(beneficiary=household_id)]


def finish(work: Casework, household_id: str, step: str):
    task = next(t for t in work.store.open_tasks(beneficiary=household_id) if t.step == step)
    return work.complete_task(rina(work), task.id)


def test_one_household_walks_every_branch_of_the_path(casework):
    work, me = casework, rina(casework)
    household = register(work)
    day = date(2026, 1, 5)

    def assess(income, mindset, change=None, follow_up=None):
        nonlocal day
        day += timedelta(days=30)
        return work.assess(me, household.id, income=income, mindset_changed=mindset,
                           significant_change=change, assessed_on=day, follow_up=follow_up)

    # first assessment below the UMK: the non-graduate path, with its tasks; no welfare
    # label is inferred from PENA's criteria (issue 13)
    result = assess("1,8 jt", True)
    assert (result.household.state, result.household.welfare_level) == ("evaluasi", None)
    assert step_tasks(work, household.id) == [
        "evaluasi", "komunikasi", "pendampingan_intensif", "evaluasi_ulang"]
    reeval = next(t for t in result.tasks if t.step == "evaluasi_ulang")
    # re-evaluation after the intensive mentoring: 21 days + PENA's longest mentoring guide
    assert (reeval.due_on - day).days == 21 + work.mentoring_days(result.household)

    # the facilitator works through the steps
    for step, following in (("evaluasi", "komunikasi"), ("komunikasi", "pendampingan_intensif"),
                            ("pendampingan_intensif", "evaluasi_ulang")):
        assert finish(work, household.id, step).state == following

    # re-evaluation without saying whether anything changed: asked, nothing moves
    asked = assess("1,9 jt", True)
    assert asked.missing == ["significant_change"] and asked.assessment_id is None
    assert work.store.get_beneficiary(household.id).state == "evaluasi_ulang"

    # significant progress: intensive mentoring goes on
    assert assess("Rp 2.000.000", True, change=True).household.state == "pendampingan_intensif"
    # no significant change: ending aid is considered, alternatives named
    ending = assess("2000000", True, change=False)
    assert ending.household.state == "pertimbangan_penghentian_bantuan"
    assert "pkh" in ending.output["alternatives"] and "pena" not in ending.output["alternatives"]

    # income finally above the UMK: graduates and chooses both follow-ups (3.3.7);
    # referrals exclude the own program
    passed = assess("2,6 juta", True, follow_up="keduanya")
    assert passed.household.state == "komunikasi_kelulusan"
    assert passed.output["graduated"] and "kur" in passed.output["referrals"]
    assert step_tasks(work, household.id) == [
        "komunikasi_kelulusan", "rujukan_program_lanjutan", "pendampingan_pasca_graduasi"]
    assert finish(work, household.id, "komunikasi_kelulusan").state == "pendampingan_pasca_graduasi"

    # monitoring after graduation: still above the criterion -> stable
    kept = assess("2,7 jt", True)
    assert (kept.household.state, kept.household.welfare_level) == (
        "pendampingan_pasca_graduasi", None)
    # ... later the income falls below the criterion: back to evaluation
    fell = assess("2,1 jt", True)
    assert fell.output["transition"] == "turun_setelah_lulus"
    assert (fell.household.state, fell.output["graduated"]) == ("evaluasi", False)

    history = work.history(me, household.id)
    moves = [(t.from_state, t.to_state) for t in history["transitions"]]
    assert moves[0] == ("terdaftar", "evaluasi")
    assert ("pertimbangan_penghentian_bantuan", "komunikasi_kelulusan") in moves
    assert moves[-1] == ("pendampingan_pasca_graduasi", "evaluasi")
    assert len(history["assessments"]) == 6
    # every transition made by an assessment points to its stored decision
    for transition in history["transitions"]:
        if transition.decision_id:
            assert work.store.get_decision(transition.decision_id).kind == "graduation"


def test_graduates_complete_the_path_and_monitoring_repeats(casework):
    work, me = casework, rina(casework)
    household = register(work)
    work.assess(me, household.id, income=3_000_000, mindset_changed=True, follow_up="keduanya")
    finish(work, household.id, "komunikasi_kelulusan")
    monitored = finish(work, household.id, "pendampingan_pasca_graduasi")
    assert monitored.state == "rujukan_program_lanjutan"
    assert "pendampingan_pasca_graduasi" in step_tasks(work, household.id)  # repeats
    assert finish(work, household.id, "rujukan_program_lanjutan").state == "lulus"


def test_one_assessment_per_household_per_day(casework):
    household = register(casework)
    casework.assess(rina(casework), household.id, income=1, mindset_changed=False,
                    assessed_on=date(2026, 3, 1))
    with pytest.raises(InputError, match="sudah dinilai"):
        casework.assess(rina(casework), household.id, income=1, mindset_changed=False,
                        assessed_on=date(2026, 3, 1))
    assert len(casework.store.assessments_of(household.id)) == 1


def test_a_facilitator_cannot_read_or_change_another_facilitators_household(casework):
    household = register(casework)
    dedi = casework.user("628222")
    with pytest.raises(Forbidden) as read:
        casework.household(dedi, household.id)
    assert "tidak ditemukan" in read.value.message  # says nothing about the household
    with pytest.raises(Forbidden):
        casework.assess(dedi, household.id, income=3_000_000, mindset_changed=True)
    with pytest.raises(Forbidden):
        casework.history(dedi, household.id)
    assert casework.households(dedi) == []
    assert casework.find_by_nik(dedi, NIK) is None
    task = casework.store.open_tasks()[0] if casework.store.open_tasks() else None
    casework.assess(rina(casework), household.id, income=1, mindset_changed=False)
    task = casework.store.open_tasks(beneficiary=household.id)[0]
    with pytest.raises(Forbidden):
        casework.complete_task(dedi, task.id)
    assert casework.store.assessments_of(household.id)[0].recorded_by == "628111"


def test_village_officials_see_their_own_village_only(casework):
    register(casework)
    register(casework, name="Budi", nik="3201234567890002", gender="L")
    own, other = casework.user("628333"), casework.user("628444")
    assert len(casework.report_rows(own)) == 2
    assert casework.report_rows(other) == []
    with pytest.raises(Forbidden):
        casework.report_rows(other, village="sukamaju")
    household = casework.households(own)[0]
    with pytest.raises(Forbidden):
        casework.household(other, household.id)
    with pytest.raises(Forbidden):  # officials read, they do not change records
        casework.assess(own, household.id, income=1, mindset_changed=False)
    with pytest.raises(Forbidden):
        casework.export_rows(own, "cases", None, None)


def test_only_admins_manage_users(casework):
    with pytest.raises(Forbidden):
        casework.add_user(rina(casework), User(id="x", name="X", role="admin"))
    with pytest.raises(Forbidden):  # the first-user exception holds only for an empty db
        casework.add_user(None, User(id="y", name="Y", role="admin"))


def test_no_nik_anywhere_in_the_database_files(casework, tmp_path):
    household = register(casework)
    casework.assess(rina(casework), household.id, income="2,6 jt", mindset_changed=True)
    assert casework.find_by_nik(rina(casework), NIK).id == household.id
    casework.store.db.execute("PRAGMA wal_checkpoint(FULL)")
    for path in tmp_path.iterdir():
        if path.name.startswith("cases.db"):
            data = path.read_bytes()
            assert NIK.encode() not in data, path.name
            assert NIK.encode("utf-16-le") not in data, path.name
    with pytest.raises(InputError, match="sudah terdaftar"):
        register(casework, name="Siti lagi")


def test_the_umk_is_recorded_once_then_remembered(casework):
    household = register(casework, village_id="mekarsari", nik=None)
    with pytest.raises(NeedUMK) as asked:
        casework.assess(rina(casework), household.id, income=1, mindset_changed=False)
    assert "Mekarsari" in asked.value.message and asked.value.field == "umk"
    village = casework.set_umk(casework.user("admin"), "mekarsari", "2,9 jt")
    assert (village.umk, village.umk_year) == (2_900_000, date.today().year)
    result = casework.assess(rina(casework), household.id, income="3 jt", mindset_changed=True)
    assert result.output["graduated"]
    assert casework.store.assessments_of(household.id)[0].umk == 2_900_000


def test_a_trainer_works_in_a_separate_sandbox(tmp_path, knowledge):
    main_db, sandbox_db = tmp_path / "main.db", tmp_path / "sandbox.db"
    work = Casework(Store(main_db), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_user(admin, User(id="628555", name="Pelatih", role="pelatih"))
    work.store.close()
    practice, trainer = open_casework(main_db, sandbox_db, "628555")
    assert practice.store.path == sandbox_db
    practice.add_village(trainer, Village(id="latihan", name="Desa Latihan", umk=2_000_000))
    household = practice.register(trainer, name="Contoh", village_id="latihan", gender="L")
    practice.assess(trainer, household.id, income=2_500_000, mindset_changed=True)
    main = Store(main_db)
    assert main.count_beneficiaries() == 0 and main.count_decisions() == 0
    assert practice.store.count_beneficiaries() == 1


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("2,5 jt", 2_500_000), ("Rp 2.500.000", 2_500_000), ("2500000", 2_500_000),
     ("2.5 juta", 2_500_000), ("750rb", 750_000), ("Rp2.500.000,00", 2_500_000),
     (2500000, 2_500_000)],
)
def test_income_as_people_type_it(typed, amount):
    assert parse_rupiah(typed) == amount


@pytest.mark.parametrize("typed", ["dua juta", "-5", "2,5 miliar", "", True])
def test_unreadable_income_is_a_clear_error(typed):
    with pytest.raises(InputError) as caught:
        parse_rupiah(typed)
    assert caught.value.field == "income_monthly"


def test_a_report_of_harm_is_kept_flagged_for_an_admin(casework):
    decision, report = casework.report_safeguarding(
        "6289999", "ada anak anak disuruh kerja di usaha kelompok", "rest")
    assert decision.output["concerns"] == ["pekerja_anak"] and decision.output["protocol"]
    admin = casework.user("admin")
    [listed] = casework.safeguarding_reports(admin)
    assert (listed.id, listed.status, listed.reporter) == (report.id, "baru", "6289999")
    with pytest.raises(Forbidden):
        casework.safeguarding_reports(rina(casework))
    assert casework.close_safeguarding_report(admin, report.id)
    assert casework.safeguarding_reports(admin) == []
    assert casework.report_safeguarding("6289999", "halo apa kabar", "rest") is None


def test_a_conflict_with_harm_is_also_a_safeguarding_report(casework):
    decision, report = casework.report_conflict(
        "628333", {"type": "kepentingan", "safeguarding": True,
                   "description": "ada yang dipukul waktu rapat"}, "rest")
    assert report.safeguarding and decision.output["safeguarding_protocol"]
    [kept] = casework.safeguarding_reports(casework.user("admin"))
    assert kept.concerns == ["kekerasan"] and kept.village_id == "sukamaju"


def test_trainer_samples_cover_the_branches_in_the_sandbox_only(tmp_path, knowledge):
    main_db, sandbox_db = tmp_path / "main.db", tmp_path / "sandbox.db"
    work = Casework(Store(main_db), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_user(admin, User(id="628555", name="Pelatih", role="pelatih"))
    work.store.close()
    practice, trainer = open_casework(main_db, sandbox_db, "628555")
    samples = practice.seed_samples(trainer)
    states = {household.state for household, _ in samples}
    assert states >= {"terdaftar", "evaluasi_ulang", "pertimbangan_penghentian_bantuan",
                      "pendampingan_pasca_graduasi"}
    assert len(practice.seed_samples(trainer)) == len(samples)  # loading twice adds nothing
    assert practice.store.count_beneficiaries() == len(samples)
    assert Store(main_db).count_beneficiaries() == 0
    with pytest.raises(Forbidden):
        Casework(Store(tmp_path / "x.db"), knowledge).seed_samples(
            User(id="p", name="P", role="pendamping"))


def test_the_graduate_chooses_the_follow_up_when_the_graduation_is_communicated(casework):
    """3.3.7 gives graduates continued mentoring or a referral: a choice, not a sequence."""
    work, me = casework, rina(casework)
    household = register(work)
    result = work.assess(me, household.id, income=3_000_000, mindset_changed=True)
    assert result.output["graduated"] and result.missing == ["follow_up"]
    assert step_tasks(work, household.id) == ["komunikasi_kelulusan"]
    task = work.store.open_tasks(beneficiary=household.id)[0]
    with pytest.raises(InputError, match="pendampingan_lanjutan"):
        work.complete_task(me, task.id)
    moved = work.complete_task(me, task.id, follow_up="rujukan")
    assert moved.state == "rujukan_program_lanjutan"
    assert step_tasks(work, household.id) == ["rujukan_program_lanjutan"]
    assert work.store.assessments_of(household.id)[-1].follow_up == "rujukan"
    assert finish(work, household.id, "rujukan_program_lanjutan").state == "lulus"


def test_referrals_follow_what_is_known_of_the_household(casework):
    work, me = casework, rina(casework)
    older = work.register(me, name="Pak Harun", village_id="sukamaju", gender="L",
                          head_age=45, other_programs=["pkh"])
    result = work.assess(me, older.id, income=3_000_000, mindset_changed=True,
                         follow_up="rujukan")
    assert "yess" not in result.output["referrals"]  # 17-39 only
    assert "pembiayaan_umi" not in result.output["referrals"]  # already in a government program
    unknown = work.register(me, name="Bu Rasti", village_id="sukamaju", gender="P")
    result = work.assess(me, unknown.id, income=3_000_000, mindset_changed=True,
                         follow_up="rujukan")
    notes = " ".join(note["text"] for note in say(result.output["program_notes"]))
    assert "usia" in notes  # "cek usia: YESS untuk ..."


def test_an_admin_loading_the_samples_writes_only_the_sandbox(tmp_path, knowledge):
    """The samples once went into the real database when an admin loaded them, and then
    failed half way: one router now sends practice material to the sandbox, in one
    transaction."""
    main_db, sandbox_db = tmp_path / "main.db", tmp_path / "sandbox.db"
    work = Casework(Store(main_db), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_user(admin, User(id="628555", name="Pelatih", role="pelatih"))
    work.store.close()
    rooms = Workspaces(main_db, sandbox_db)
    admin, trainer = rooms.user("admin"), rooms.user("628555")
    assert rooms.for_user(admin) is rooms.main  # an admin's own work stays real
    with pytest.raises(Forbidden) as caught:
        rooms.seed_samples(admin)  # samples belong to a trainer: whose?
    assert "--untuk" in caught.value.message
    samples = rooms.seed_samples(admin, trainer)
    assert samples and len(rooms.seed_samples(trainer)) == len(samples)
    assert {h.facilitator_id for h, _ in samples} == {"628555"}
    rooms.close()
    main = Store(main_db)
    assert main.count_beneficiaries() == 0
    assert main.get_village("latihan_sukamaju") is None
    assert Store(sandbox_db).count_beneficiaries() == len(samples)


def test_loading_the_samples_is_all_or_nothing(tmp_path, knowledge, monkeypatch):
    sandbox_db = tmp_path / "sandbox.db"
    practice = Casework(Store(sandbox_db), knowledge)
    trainer = User(id="628555", name="Pelatih", role="pelatih")
    practice.store.upsert_user(trainer)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(practice, "_replay", broken)
    with pytest.raises(RuntimeError):
        practice.seed_samples(trainer)
    assert practice.store.count_beneficiaries() == 0
    assert practice.store.get_village("latihan_sukamaju") is None
