"""What every action shares: one casework service per process (the sandbox for
trainers), the conversation's language, and replies cut to phone-sized pieces."""

from __future__ import annotations

import functools
import logging
import os
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    EventType,
    FollowupAction,
    SlotSet,
    UserUtteranceReverted,
)
from rasa_sdk.executor import CollectingDispatcher

from assistant.casework import access
from assistant.casework.service import Casework
from assistant.casework.workspaces import Workspaces
from assistant.chat.pieces import in_pieces
from assistant.common.errors import InputError
from assistant.common.free_text import FULL_TEXT
from assistant.common.limits import MAX_REPORT_TEXT
from assistant.common.paths import database_path, sandbox_path
from assistant.common.texts import text
from assistant.decisions.service import Assistant
from assistant.reading.answers import read_yes_no
from assistant.reading.commands import CLOSE_REPORT, read_command
from assistant.reading.harm import frames as harm_frames
from assistant.reading.harm import read_harm
from assistant.reading.words import detect_harm, detect_language, leaves_questions
from assistant.store.decision import Decision
from assistant.store.records import Beneficiary, User, Village

MESSAGES_PER_TURN = 3
logger = logging.getLogger(__name__)


# Slots of the harm net (see ``_harm_first``): the last user message read for harm, and
# whether a report of harm was stored in the journey under way.
HARM_CHECKED, HARM_REPORTED = "harm_checked", "harm_reported"


def _guard(run: Callable[..., Awaitable[list[EventType]]]) -> Callable[..., Any]:
    @functools.wraps(run)
    async def guarded(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        try:
            _note_inbound(tracker)
            harm = await _harm_first(self, dispatcher, tracker, domain)
            if harm is None:
                harm = _leave_first(self, dispatcher, tracker)
            if harm is None:
                harm = await _command_first(self, dispatcher, tracker, domain)
            if harm is None:
                harm = _program_question_first(self, dispatcher, tracker)
            if harm is None:
                return await run(self, dispatcher, tracker, domain)
            events, then = harm
            if then == "instead":
                return events + list(self.after_harm_events(tracker))
            if then == "answer":
                return events
            return events + await run(self, dispatcher, tracker, domain)
        except Exception:
            logger.exception("action %s failed for one conversation", self.name())
            dispatcher.utter_message(text=text("chat.error", lang_of(tracker)))
            return _end_turn(tracker)

    guarded.__guarded__ = True  # type: ignore[attr-defined]
    return guarded


def _note_inbound(tracker: Tracker) -> None:
    """A WhatsApp message opens that person's 24-hour window for free-form replies: its
    time is kept (once per call) for the reminders, which send a template outside it."""
    current = turn(tracker)
    if current.inbound_noted or tracker.get_latest_input_channel() != "whatsapp":
        return
    current.inbound_noted = True
    for event in reversed(tracker.events):
        if event.get("event") == "user" and isinstance(event.get("timestamp"), int | float):
            at = datetime.fromtimestamp(float(event["timestamp"]), UTC)
            try:
                workspaces().main.store.note_inbound(sender_of(tracker), at)
            except Exception:  # the reply matters more than the note
                logger.exception("could not note the time of an inbound message")
            return


def _end_turn(tracker: Tracker) -> list[EventType]:
    """After a failure: the message is reverted (so no policy predicts the failing action
    again, which would repeat the apology up to Rasa's limit) and a journey under way is
    stopped; the person may simply try again."""
    events: list[EventType] = [UserUtteranceReverted()]
    if (tracker.active_loop or {}).get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events


class Guarded:
    """Base of every action.

    - An unexpected error becomes an apology to the user (and a logged traceback) instead
      of a silent conversation.
    - The harm net: whatever the journey and whatever the NLU thought, each user message is
      read once for a report of harm in the person's own words (knowledge/safeguarding.yml);
      when one is found, the protection protocol is answered at once and the report is
      stored, flagged for an admin, before the action does its own work. ``on_harm`` says
      what the action does then: ``"after"`` its usual work (default), ``"instead"`` of it
      (chit-chat and fallbacks), and forms reject the harm text as an answer to their
      question (or take it as the answer, see ``harm_answers``) and ask again, so the
      journey goes on afterwards."""

    on_harm = "after"
    # a form's slot -> the value a report of harm gives it ("was anyone harmed?" -> yes)
    harm_answers: dict[str, Any] = {}

    def reads_harm(self, tracker: Tracker) -> bool:
        """Whether the harm net reads this message: every message but an admin's closing
        of a report already made, which names the harm again."""
        return not closes_a_report(tracker)

    def after_harm_events(self, tracker: Tracker) -> list[EventType]:
        """Events an action that answers ``"instead"`` still owes the dialogue."""
        return []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.run  # type: ignore[attr-defined]
        if not getattr(run, "__guarded__", False):
            cls.run = _guard(run)  # type: ignore[attr-defined]


def said_in_full(tracker: Tracker) -> str:
    """The latest message whole: the channels hand the NLU at most 4,000 characters and
    keep a longer message in the metadata (assistant.common.free_text), for a report of
    harm to be read and stored in full."""
    metadata = tracker.latest_message.get("metadata") or {}
    whole = metadata.get(FULL_TEXT) if isinstance(metadata, dict) else None
    return whole if isinstance(whole, str) and whole else tracker.latest_message.get("text") or ""


def closes_a_report(tracker: Tracker) -> bool:
    """An admin closing a safeguarding report by its number ("tutup laporan 3, anak yang
    dipukuli sudah aman"): its words of harm are about that report, not a new one."""
    command = read_command(tracker.latest_message.get("text") or "")
    if command is None or command.verb != CLOSE_REPORT or command.number is None:
        return False
    _, user = workspace(tracker)
    return user is not None and access.can_close_safeguarding(user)


def message_key(tracker: Tracker) -> str | None:
    """The latest user message, told apart from the one before (its time and text)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            said = str(event.get("text") or "").encode("utf-8", "replace")
            return f"{event.get('timestamp')}:{zlib.crc32(said)}"
    return None


async def _harm_first(
    action: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
) -> tuple[list[EventType], str] | None:
    """When the latest message reports harm and was not read yet: the protocol, the stored
    report, and what the action should do next. None when there is nothing to do."""
    key = message_key(tracker)
    if key is None or tracker.get_slot(HARM_CHECKED) == key or not action.reads_harm(tracker):
        return None
    message = said_in_full(tracker)
    work, _ = workspace(tracker)
    concerns = detect_harm(message, work.knowledge)
    if not concerns:
        return _unsure_first(action, dispatcher, tracker, message, key)
    lang = lang_of(tracker)
    events = protect(dispatcher, tracker, message, concerns, lang) + [SlotSet(HARM_CHECKED, key)]
    if isinstance(action, FormValidationAction):
        requested = tracker.get_slot("requested_slot")
        if requested is None:
            return events, "after"
        if requested in action.harm_answers:
            answered = {requested: action.harm_answers[requested]}
        else:
            answered = {requested: None}  # not an answer: the same question again
        tracker.slots.update(answered)
        needed = await action.required_slots(
            action.domain_slots(domain), dispatcher, tracker, domain
        )
        following = next((slot for slot in needed if tracker.get_slot(slot) is None), None)
        slots = [SlotSet(slot, value) for slot, value in answered.items()]
        return events + slots + [SlotSet("requested_slot", following)], "answer"
    return events, action.on_harm


def _unsure_first(
    action: Any, dispatcher: CollectingDispatcher, tracker: Tracker, message: str, key: str
) -> tuple[list[EventType], str] | None:
    """A message that may report harm without saying enough ("dia dipaksa", an injury, a
    child who may be married off): outside any question of a journey, the first reply is
    the one harm question (harm_form), never the journey's own first question. Inside a
    form the message is an answer and the form decides."""
    opened = opened_by_this_message(tracker)
    in_form = isinstance(action, FormValidationAction) or (tracker.active_loop or {}).get("name")
    if in_form and not opened:
        return None
    if action.name() in HARM_QUESTION_ACTIONS or read_harm(message).verdict != "unsure":
        return None
    closed = CLOSE_FORM[:2] if opened else []  # the harm question follows (no listen)
    intent = tracker.latest_message.get("intent") or {}
    if intent.get("name") == "report_abuse" and float(
        intent.get("confidence") or 0.0
    ) >= harm_frames().nlu_confidence:
        # the reader and the NLU both see harm: the protocol at once (recall first)
        work, _ = workspace(tracker)
        unclear = [c.id for c in work.knowledge.safeguarding.concerns if c.id == "belum_jelas"]
        events = protect(dispatcher, tracker, message, unclear, lang_of(tracker))
        if opened:
            return [*events, SlotSet(HARM_CHECKED, key), *CLOSE_FORM], "answer"
        return [*events, SlotSet(HARM_CHECKED, key)], action.on_harm
    events: list[EventType] = [*closed,
        SlotSet("harm_text", message[:MAX_REPORT_TEXT]),
        SlotSet(HARM_CHECKED, key),
        FollowupAction("harm_form"),
    ]
    return events, "answer"


# the harm question's own actions (they ask it or take its answer)
HARM_QUESTION_ACTIONS = frozenset(
    {"action_ask_harm_confirm", "action_harm_confirmed", "validate_harm_form"}
)


# a question without its question mark ("PKH itu buat siapa aja sih")
_QUESTION = re.compile(
    r"\b(apa|apaan|siapa|gimana|bagaimana|kapan|dimana|berapa|brp|itu apa|buat siapa|"
    r"untuk siapa|syarat\w*)\b"
)


async def _command_first(
    action: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
) -> tuple[list[EventType], str] | None:
    """A follow-up command outside any form ("rujukan 5 diterima", "setujui 12", "tutup
    laporan 3 ..."), whatever the NLU read: answered by the follow-up action, as the harm
    net answers a report of harm first. The reader and the sender's role decide
    (``actions.followup.is_follow_up``), so a misheard command still reaches its action."""
    from actions.followup import UpdateTask, is_follow_up  # the follow-up builds on this

    opened = opened_by_this_message(tracker)
    if isinstance(action, UpdateTask) or (
        (isinstance(action, FormValidationAction) or tracker.active_loop.get("name"))
        and not opened
    ):
        return None
    if not opened and _answered_already(tracker):  # a form took it as its answer this turn
        return None
    if not is_follow_up(tracker):
        return None
    events = await UpdateTask().run(dispatcher, tracker, domain)
    if opened:  # the NLU opened a form on a command: it asked nothing yet, close it
        events = [*events, *CLOSE_FORM]
    return events, "answer"


# A form closed from inside its validation: without the listen, Rasa would take the closed
# form for a finished one and run its submit action on the missing answers.
CLOSE_FORM: list[EventType] = [
    ActiveLoop(None),
    SlotSet("requested_slot", None),
    FollowupAction("action_listen"),
]


def _leave_first(
    action: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[list[EventType], str] | None:
    """ "udahan dulu deh", "gak jadi", "never mind" in answer to a form's question: the
    question sequence ends, nothing is stored, whatever the NLU made of the message."""
    if not isinstance(action, FormValidationAction) or not tracker.get_slot("requested_slot"):
        return None
    if opened_by_this_message(tracker):
        return None
    if not leaves_questions(tracker.latest_message.get("text") or ""):
        return None
    dispatcher.utter_message(text=text("chat.cancelled", lang_of(tracker)))
    return [*CLOSE_FORM, SlotSet(HARM_REPORTED, None)], "answer"


def opened_by_this_message(tracker: Tracker) -> bool:
    """Whether the form under way was opened by the latest message itself (the NLU read
    it as that journey's start): the message is then no answer to any question of it."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name"):
            return True
    return False


def _answered_already(tracker: Tracker) -> bool:
    """Whether an action other than listening ran since the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return True
    return False


def _program_question_first(
    action: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[list[EventType], str] | None:
    """A question about a program or a stage in the middle of a journey ("eh, kartu prakerja
    itu buat umur berapa?", "oiya, tahap apa setelah persiapan?"), whatever the NLU read:
    answered in one message, and the journey's question asked again."""
    requested = tracker.get_slot("requested_slot")
    said = (tracker.latest_message.get("text") or "").strip()
    if not isinstance(action, FormValidationAction) or requested in (
        None,
        "program_choice",
        "stage_choice",
    ):
        return None
    if not (said.endswith("?") or _QUESTION.search(said.lower())):
        return None
    from assistant.chat.render import program_card, stage_card
    from assistant.reading.words import find_program, find_stage_asked, neighbour_stage

    knowledge, lang = service().knowledge, lang_of(tracker)
    program = find_program(said, knowledge)
    stage, relation = find_stage_asked(said, knowledge) if program is None else (None, "")
    if program is not None:
        answer = program_card(program, knowledge, lang)[0]
    elif stage is not None:
        shown = stage if relation == "itself" else neighbour_stage(stage, relation, knowledge)
        if shown is None:
            return None
        answer = stage_card(shown, knowledge, lang)[0]
    else:
        return None
    dispatcher.utter_message(text=answer)
    return [SlotSet(requested, None), SlotSet("requested_slot", requested)], "answer"


def protect(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    message: str,
    concerns: list[str],
    lang: str,
) -> list[EventType]:
    """A report of harm (3.3.5 "Kebijakan Perlindungan"): the protocol at once, the report
    stored and flagged for an admin, the reporter's identity repeated to no one."""
    work, _ = workspace(tracker)
    decision, report = work.report_safeguarding(
        sender_of(tracker), message, channel_of(tracker), concerns=concerns
    )
    protocol = "\n".join(f"- {step}" for step in decision.output["protocol"])
    dispatcher.utter_message(
        text=text("safeguarding.header", lang)
        + "\n"
        + protocol
        + "\n\n"
        + text("safeguarding.recorded", lang, report=report.id)
    )
    events: list[EventType] = [SlotSet("last_decision_id", decision.id)]
    in_conflict = (tracker.active_loop or {}).get("name") == "conflict_form" or (
        tracker.latest_message.get("intent", {}).get("name") == "report_conflict"
    )
    if in_conflict:  # the conflict decision then does not store the same report again
        events.append(SlotSet(HARM_REPORTED, True))
    return events


@lru_cache(maxsize=1)
def workspaces() -> Workspaces:
    return Workspaces(database_path(), sandbox_path())


def casework() -> Casework:
    return workspaces().main


def sandbox() -> Casework:
    return workspaces().sandbox()


def service() -> Assistant:
    return casework().assistant


class Ask(Guarded, Action, ABC):
    """A form's question for one slot (``action_ask_<slot>``), in the conversation's
    language. Abstract: rasa_sdk registers only the concrete questions."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @abstractmethod
    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        """The texts.yml key of the question and the values it is filled with."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        lang = lang_of(tracker)
        key, values = self.question(tracker, lang)
        dispatcher.utter_message(text=text(key, lang, **values))
        return [SlotSet("lang", lang)]


def sender_of(tracker: Tracker) -> str:
    """Who is talking: the sender id (a WhatsApp number). `make chat AS=628...` talks as the
    user named by ASSISTANT_CHAT_USER, but only in the terminal's own conversation: the id
    that scripts/chat.sh draws at random for its `rasa shell` (ASSISTANT_CHAT_CONVERSATION).
    Any other sender - another conversation on the shell's port, a REST client naming its
    channel "cmdline" - speaks as itself."""
    user = os.environ.get("ASSISTANT_CHAT_USER")
    conversation = os.environ.get("ASSISTANT_CHAT_CONVERSATION")
    if (
        user
        and conversation
        and tracker.sender_id == conversation
        and tracker.get_latest_input_channel() == "cmdline"
    ):
        return user
    return tracker.sender_id


@dataclass
class Turn:
    """What one action call looks up, each thing once: the sender's workspace and user, the
    households and villages it touches (by id, never by listing), and the decisions it
    previews. rasa_sdk builds a fresh Tracker for every call, so the turn lives on it and
    nothing outlives the call."""

    work: Casework
    user: User | None
    households: dict[str, Beneficiary | None] = field(default_factory=dict)
    villages: dict[str, Village] = field(default_factory=dict)
    previews: dict[tuple[Any, ...], Decision] = field(default_factory=dict)
    inbound_noted: bool = False

    def household(self, household_id: str) -> Beneficiary | None:
        """A household the user may read, or None (unknown, or not theirs)."""
        if household_id not in self.households:
            found = None
            if self.user is not None:
                try:
                    found = self.work.household(self.user, household_id)
                except InputError:
                    found = None
            self.households[household_id] = found
        return self.households[household_id]

    def village(self, village_id: str) -> Village:
        if village_id not in self.villages:
            self.villages[village_id] = self.work.village(village_id)
        return self.villages[village_id]

    def changed(self, village: Village) -> Village:
        """The village as this call just changed it (its UMK recorded)."""
        self.villages[village.id] = village
        return village


_TURN = "_assistant_turn"


def turn(tracker: Tracker) -> Turn:
    """This call's :class:`Turn`, made on first use."""
    found = getattr(tracker, _TURN, None)
    if found is None:
        rooms = workspaces()
        user = rooms.user(sender_of(tracker))
        found = Turn(rooms.for_user(user), user)
        setattr(tracker, _TURN, found)
    return found


def workspace(tracker: Tracker) -> tuple[Casework, User | None]:
    """The casework for the sender (by phone number / id): trainers practise in the
    sandbox; unknown senders get no user and see no household. Looked up once per call."""
    current = turn(tracker)
    return current.work, current.user


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rasa"


def lang_of(tracker: Tracker) -> str:
    detected = detect_language(tracker.latest_message.get("text") or "")
    return detected or tracker.get_slot("lang") or "id"


def deliver(
    dispatcher: CollectingDispatcher,
    messages: list[str],
    lang: str,
    limit: int = MESSAGES_PER_TURN,
) -> list[EventType]:
    """Send a few messages now (``limit``, fewer when a question follows in the same
    turn); keep the rest for "lanjut". A message too long for a phone is cut at a
    paragraph first (assistant.chat.pieces)."""
    messages = [piece for message in messages for piece in in_pieces(message)]
    now, later = messages[:limit], messages[limit:]
    for n, message in enumerate(now, start=1):
        if later and n == len(now):
            message += "\n\n" + text("chat.more_hint", lang, count=len(later))
        dispatcher.utter_message(text=message)
    return [SlotSet("more", later or None), SlotSet("lang", lang)]


def room(tracker: Tracker) -> int:
    """How many messages an answer may send now (at least one): fewer by those an earlier
    action already sent in this turn (a form that closed with a word of its own), and one
    fewer inside a form, whose question follows (a why, "lanjut" or a guideline question
    asked mid-form)."""
    sent = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            sent += 1
    in_form = 1 if (tracker.active_loop or {}).get("name") else 0
    return max(1, MESSAGES_PER_TURN - sent - in_form)


def answer(
    dispatcher: CollectingDispatcher,
    messages: list[str],
    lang: str,
    decision_id: str,
    form_slots: Iterable[str],
    limit: int = MESSAGES_PER_TURN,
) -> list[EventType]:
    """A journey's last step: send the answer, clear its form, remember the decision for
    "kenapa?"."""
    return (
        deliver(dispatcher, messages, lang, limit)
        + [SlotSet(slot, None) for slot in form_slots]
        + [SlotSet("last_decision_id", decision_id)]
    )


def yes_no(value: Any, dispatcher: CollectingDispatcher, lang: str) -> bool | None:
    """A yes or no read from a whole sentence ("iya udah berubah kok"); None (and a request
    to answer yes or no) when it is unclear."""
    if isinstance(value, bool):
        return value
    answer = read_yes_no(str(value))
    if answer is None:
        dispatcher.utter_message(text=text("form.yes_or_no", lang))
    return answer


def numbered(options: list[tuple[str, str]]) -> str:
    return "\n".join(f"{n}. {label}" for n, (_, label) in enumerate(options, start=1))


def latest_text_of_intent(tracker: Tracker, intent: str) -> str | None:
    """The text of the latest user message classified as ``intent``."""
    for event in reversed(tracker.events):
        if (
            event.get("event") == "user"
            and event.get("parse_data", {}).get("intent", {}).get("name") == intent
        ):
            return event.get("text")
    return None


# what a request is answered with: each intent's first action (forms ask their own
# questions), for a message passed on from one action to another
JOURNEY_START = {
    "report_conflict": "conflict_form",
    "review_program": "review_form",
    "describe_needs": "needs_form",
    "choose_approach": "approach_form",
    "check_graduation": "graduation_form",
    "ask_program": "program_form",
    "ask_stage": "stage_form",
    "my_tasks": "action_my_tasks",
    "my_village": "action_my_village",
    "greet": "action_greet",
    "help": "action_help",
    "goodbye": "action_goodbye",
    "ask_guideline": "action_answer_guideline",
}


async def as_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
) -> list[EventType]:
    """The latest message, which the NLU took for an interruption, read by the open
    question sequence as the answer to its question: the form's own validation runs on it
    (and says so when it cannot read it), so the form goes on from there."""
    loop = (tracker.active_loop or {}).get("name")
    requested = tracker.get_slot("requested_slot")
    validator = _validator(str(loop))
    if validator is None or not requested:
        return []
    said = tracker.latest_message.get("text") or ""
    attempt = tracker.copy()
    attempt.events = [*attempt.events, ActionExecuted(str(loop)), SlotSet(requested, said)]
    attempt.slots[requested] = said
    return list(await validator.run(dispatcher, attempt, domain))


def _validator(loop: str) -> Any:
    """The validation action of a form (``validate_<form>``)."""
    return registered(f"validate_{loop}")


def registered(name: str) -> Any:
    """The custom action called ``name`` (an instance), or None."""
    _import_all_actions()
    pending: list[type] = [Action]
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if getattr(kind, "__abstractmethods__", None) or kind.__module__.startswith("rasa_sdk"):
            continue
        action = kind()
        if action.name() == name:
            return action
    return None


@lru_cache(maxsize=1)
def _import_all_actions() -> None:
    """Every module of this package, as the action server loads them."""
    import importlib
    import pkgutil

    import actions

    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")


async def start_journey(
    target: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
) -> list[EventType]:
    """Start what a message asks for from inside another action: a form is started after
    this action (it asks its own questions); a plain action answers now, inside this one,
    so that no policy is asked again about the same message."""
    if target.endswith("_form"):
        return [FollowupAction(target)]
    action = registered(target)
    return [] if action is None else list(await action.run(dispatcher, tracker, domain))


def form_text(tracker: Tracker, intents: tuple[str, ...]) -> str:
    """At a form's start, the message that started it (its intent is one of ``intents``, or
    a report of harm that named none and was passed on to this journey)."""
    # also when passed on to this journey (from a report of harm, the menu, the fallback)
    started = (*intents, "report_abuse", "inform", "help", "nlu_fallback")
    if tracker.latest_message.get("intent", {}).get("name") in started:
        return tracker.latest_message.get("text") or ""
    return ""


def ids(value: Any) -> list[str]:
    """A list slot kept as comma-separated text ("-" for an empty choice)."""
    if not value or value == "-":
        return []
    return [part for part in str(value).split(",") if part]


def joined(values: list[str]) -> str:
    return ",".join(values) if values else "-"
