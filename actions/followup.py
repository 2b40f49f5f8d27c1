"""Follow-up by chat (issue 14): "selesai 12", "tunda 12 3 hari, ibunya sakit" (a
facilitator answering a reminder), "persetujuan", "setujui 12", "tolak 12 karena ...",
"evaluasi lagi 12" (a koordinator or admin signing off a waiting case), "rujuk 12 ke PKH"
(a new referral for the household of task 12), "rujukan 5 diterima", "langganan ringkasan"
/ "berhenti langganan" (an official's weekly summary), "laporan terbuka" / "tutup laporan 3
<tindakan>" (an admin following up safeguarding reports). Thin: the words are
read by ``assistant.reading.commands``, the casework decides and checks access, the reply
comes from texts.yml."""

from __future__ import annotations

from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    JOURNEY_START,
    Guarded,
    channel_of,
    deliver,
    lang_of,
    start_journey,
    workspace,
)
from assistant.casework import access
from assistant.casework.followup import finish_task, refer_by_task, sign_off_case, waiting_cases
from assistant.casework.referrals import MAX_POSTPONE_DAYS, Referrals, postpone_task
from assistant.casework.reminders import ReminderSettings, subscribe, unsubscribe
from assistant.casework.service import Casework
from assistant.casework.signoff import close_safeguarding
from assistant.common.errors import InputError
from assistant.common.free_text import shown_to_others
from assistant.common.limits import MAX_REPORT_TEXT
from assistant.common.texts import text
from assistant.reading.commands import (
    CLOSE_REPORT,
    LISTS,
    SIGN_OFF_VERBS,
    Command,
    read_command,
)
from assistant.reading.words import find_program, guess_journey
from assistant.store.records import User

CASES_PER_MESSAGE = 4
REPORTS_SHOWN = 5
REPORT_PREVIEW_CHARS = 200
INTENT = "update_task"
# the least confidence of the NLU's runner-up intent for a message handed over to it
RUNNER_UP = 0.2
VERDICT = {"approve": "disetujui", "reject": "ditolak", "again": "evaluasi_lagi"}


class UpdateTask(Guarded, Action):
    def name(self) -> str:
        return "action_update_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, user = workspace(tracker)
        said = tracker.latest_message.get("text") or ""
        command = read_command(said)
        if command is not None and command.verb == "referral" and command.status is None:
            command = replace(command, program=find_program(said, work.knowledge))
        if not _is_command(command, user):
            target = _elsewhere(tracker, said, work)
            if target is not None:  # "evaluasi ulang bu tati": a journey, not a command
                return await start_journey(target, dispatcher, tracker, domain)
        if user is None:
            dispatcher.utter_message(text=text("chat.facilitators_only", lang))
            return []
        if command is None:
            dispatcher.utter_message(text=text("followup.chat_how", lang))
            return []
        try:
            replies = answer(work, user, command, channel_of(tracker), lang)
        except InputError as error:  # Forbidden too: says what is wrong, names no record
            replies = [error.message]
        return deliver(dispatcher, replies, lang)


# the longest "selesai 12" or "setujui 12" read as a command whatever the NLU said: longer
# messages with such a word and a number ("udah selesai 2 kunjungan minggu ini ...",
# "setuju 3 orang itu ikut pelatihan ...") are left to the NLU
SHORT_COMMAND_WORDS = 5


def is_follow_up(tracker: Tracker) -> bool:
    """Whether a message outside any form is a follow-up command of its sender's role,
    clear enough to answer whatever the NLU read: a numbered command of a facilitator or
    an admin, a koordinator's or admin's verdict or queue, an official's subscription, an
    admin's reports."""
    said = tracker.latest_message.get("text") or ""
    command = read_command(said)
    if command is None:
        return False
    _, user = workspace(tracker)
    if user is None:
        return False
    verb = command.verb
    if verb in ("subscribe", "unsubscribe"):
        return access.can_subscribe_summary(user)
    if verb == "reports" or (verb == CLOSE_REPORT and command.number is not None):
        return access.can_close_safeguarding(user)
    if verb == "approve" and len(said.split()) > SHORT_COMMAND_WORDS:
        return False  # ending aid is read from a short "setujui 12" only, never a sentence
    if verb == "queue" or (verb in SIGN_OFF_VERBS and command.number is not None):
        return access.sees_sign_off_queue(user)
    if command.number is None or not access.answers_tasks(user):
        return False
    if verb == "done":
        return len(said.split()) <= SHORT_COMMAND_WORDS
    return verb in ("postpone", "referral")


def _is_command(command: Command | None, user: User | None) -> bool:
    """Whether a message read as a command is one: it names a number, asks for the queue,
    or is a supervisor's verdict word (answered with the queue)."""
    if command is None:
        return False
    if command.number is not None or command.verb in LISTS:
        return True
    if user is None:
        return False
    if command.verb == CLOSE_REPORT:
        return access.can_close_safeguarding(user)
    return command.verb in SIGN_OFF_VERBS and access.sees_sign_off_queue(user)


def _elsewhere(tracker: Tracker, said: str, work: Casework) -> str | None:
    """The journey a message the NLU sent here without a command asks for: from its words,
    or the NLU's runner-up intent."""
    guessed = guess_journey(said, work.knowledge)
    if guessed in JOURNEY_START:
        return JOURNEY_START[guessed]
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        name = ranked.get("name")
        if name == INTENT or name not in JOURNEY_START:
            continue
        if float(ranked.get("confidence") or 0) >= RUNNER_UP:
            return JOURNEY_START[name]
        break
    return None


def answer(work: Casework, user: User, command: Command, channel: str, lang: str) -> list[str]:
    """The replies to one command (InputError when the casework refuses it)."""
    if command.verb in ("subscribe", "unsubscribe"):
        return [_subscription(work, user, command.verb, lang)]
    if command.verb in ("reports", CLOSE_REPORT):
        return _safeguarding(work, user, command, channel, lang)
    if command.verb == "queue" or (command.verb in SIGN_OFF_VERBS and command.number is None):
        if not access.sees_sign_off_queue(user):
            return [text("access.sign_off", lang)]
        return sign_off_queue(work, user, lang) + (
            [] if command.verb == "queue" else [text("followup.chat_need_case", lang)]
        )
    if command.verb in SIGN_OFF_VERBS:
        return [_sign_off(work, user, command, channel, lang)]
    if command.verb == "referral" and command.number is not None and command.program:
        referral = refer_by_task(work, user, command.number, command.program, channel)
        name = work.knowledge.programs.program(referral.program).name
        return [text("followup.chat_referred", lang, referral=referral.id, program=name)]
    if command.verb == "referral":
        if command.number is None or command.status is None:
            return [text("followup.chat_referral_how", lang)]
        referral = Referrals(work).update(user, command.number, command.status, "", channel)
        name = work.knowledge.programs.program(referral.program).name
        return [
            text(
                "followup.referral_updated",
                lang,
                referral=referral.id,
                program=name,
                status=referral.status,
            )
        ]
    if command.number is None:
        if command.verb == "postpone":
            return [text("followup.chat_postpone_how", lang, max=MAX_POSTPONE_DAYS)]
        return [text("followup.chat_need_task", lang)]
    if command.verb == "postpone":
        return [_postpone(work, user, command, channel, lang)]
    finished = finish_task(work, user, command.number, channel)
    return [
        text(
            "followup.chat_done",
            lang,
            task=command.number,
            title=finished.task.title,
            name=finished.household.name,
            state=_state_name(work, finished.household.state),
        )
    ]


def _postpone(work: Casework, user: User, command: Command, channel: str, lang: str) -> str:
    assert command.number is not None
    if command.days is None or not 1 <= command.days <= MAX_POSTPONE_DAYS:
        return text("followup.chat_postpone_how", lang, max=MAX_POSTPONE_DAYS)
    if not command.reason:
        # an unknown task is said first, before asking for a reason
        task = work.store.get_task(command.number)
        household = work.store.get_beneficiary(task.beneficiary_id) if task else None
        if task is None or household is None or not access.can_write(user, household):
            return text("casework.unknown_task", lang, task=command.number)
        return text("followup.chat_postpone_reason", lang, task=command.number, days=command.days)
    task = postpone_task(work, user, command.number, command.days, command.reason, channel)
    return text(
        "followup.chat_postponed",
        lang,
        task=command.number,
        due=f"{task.due_on:%d/%m/%Y}",
        reason=command.reason,
    )


def _sign_off(work: Casework, user: User, command: Command, channel: str, lang: str) -> str:
    assert command.number is not None
    if not access.sees_sign_off_queue(user):
        return text("access.sign_off", lang)
    verdict = VERDICT[command.verb]
    if verdict == "ditolak" and not command.reason:
        return text("followup.chat_reject_reason", lang, case=command.number)
    _, household = sign_off_case(work, user, command.number, verdict, command.reason, channel)
    return text(
        f"followup.chat_signed_{verdict}",
        lang,
        name=household.name,
        state=_state_name(work, household.state),
        reason=command.reason or "-",
    )


def _subscription(work: Casework, user: User, verb: str, lang: str) -> str:
    if verb == "unsubscribe":
        stopped = unsubscribe(work, user)
        return text("followup.unsubscribed" if stopped else "followup.not_subscribed", lang)
    if not access.can_subscribe_summary(user):
        return text("followup.chat_subscribe_who", lang)
    subscription = subscribe(work, user)
    days = text("followup.weekdays", lang).split(",")
    weekday = ReminderSettings.load().summary_weekday
    return text(
        "followup.chat_subscribed",
        lang,
        village=work.village(subscription.village_id).name,
        day=days[(weekday - 1) % len(days)],
    )


def _safeguarding(
    work: Casework, user: User, command: Command, channel: str, lang: str
) -> list[str]:
    """An admin's open reports ("laporan terbuka") or the closing of one, with the action
    taken ("tutup laporan 3 ...")."""
    if not access.can_close_safeguarding(user):
        return [text("access.safeguarding", lang)]
    if command.verb == "reports":
        return [_open_reports(work, user, lang)]
    if command.number is None:
        return [text("followup.chat_close_how", lang)]
    if not command.reason:
        return [text("followup.chat_close_action", lang, report=command.number)]
    closed = close_safeguarding(work, user, command.number, command.reason, channel)
    if not closed:
        return [text("followup.chat_report_not_open", lang, report=command.number)]
    return [
        text(
            "followup.chat_report_closed",
            lang,
            report=command.number,
            action=command.reason[:MAX_REPORT_TEXT],
        )
    ]


def _open_reports(work: Casework, user: User, lang: str) -> str:
    groups = work.safeguarding_report_groups(user, "baru")
    if not groups:
        return text("followup.chat_reports_empty", lang)
    lines = [text("followup.chat_reports_header", lang, count=len(groups))]
    for group in groups[:REPORTS_SHOWN]:
        report = group.first
        # a stranger's words, shown to an admin: data, not markup
        description = shown_to_others(report.description, REPORT_PREVIEW_CHARS)
        lines.append(
            text(
                "followup.chat_report_item",
                lang,
                report=report.id,
                on=f"{report.created_at:%d/%m/%Y}",
                concerns=", ".join(report.concerns) or "-",
                reporter=report.reporter,
                description=description or "-",
            )
        )
        if group.repeats:
            numbers = ", ".join(f"#{n}" for n in group.repeats)
            lines.append(text("followup.chat_report_repeats", lang, numbers=numbers))
    if len(groups) > REPORTS_SHOWN:
        lines.append(text("followup.chat_reports_more", lang, count=len(groups) - REPORTS_SHOWN))
    lines.append(text("followup.chat_reports_footer", lang))
    return "\n".join(lines)


def sign_off_queue(work: Casework, user: User, lang: str) -> list[str]:
    """The cases waiting for this supervisor, with their evidence, a few per message."""
    waiting = waiting_cases(work, user)
    if not waiting:
        return [text("followup.queue_empty", lang)]
    blocks = []
    for number, item in waiting:
        evidence = item.evidence
        assessments = evidence["assessments"]
        last = assessments[-1] if assessments else None
        blocks.append(
            "\n".join(
                [
                    text(
                        "followup.chat_queue_item",
                        lang,
                        case=number if number is not None else item.household.id,
                        name=item.household.name,
                        village=item.village,
                        since=f"{item.household.state_since:%d/%m/%Y}",
                    ),
                    text(
                        "followup.evidence_assessments",
                        lang,
                        count=len(assessments),
                        last=_assessment(last),
                    ),
                    text(
                        "followup.evidence_mentoring", lang, count=len(evidence["mentoring"])
                    ),
                    text(
                        "followup.evidence_alternatives",
                        lang,
                        programs=", ".join(evidence["alternatives"]) or "-",
                    ),
                ]
            )
        )
    pieces = [
        "\n\n".join(blocks[i : i + CASES_PER_MESSAGE])
        for i in range(0, len(blocks), CASES_PER_MESSAGE)
    ]
    pieces[0] = text("followup.chat_queue_header", lang, count=len(waiting)) + "\n" + pieces[0]
    pieces[-1] += "\n\n" + text("followup.chat_queue_footer", lang)
    return pieces


def _assessment(last: dict[str, object] | None) -> str:
    if not last:
        return "-"
    income, umk = last.get("income"), last.get("umk")
    money = [f"Rp {v:,.0f}".replace(",", ".") if isinstance(v, int | float) else "-"
             for v in (income, umk)]
    return f"{last.get('on')} ({money[0]} / UMK {money[1]})"


def _state_name(work: Casework, state: str) -> str:
    """A case state by its name in the guideline when it is a step of the path."""
    try:
        return str(work.knowledge.graduation.step(state).name)
    except (StopIteration, KeyError, LookupError):
        return state
