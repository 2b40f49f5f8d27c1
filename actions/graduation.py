"""Checking graduation (3.3.7; PENA's criterion, 2.1.1), for facilitators: which of their
households, the assessment facts still needed (the village's UMK only once and only from
someone who may record it, the "significant change" only at a re-evaluation that misses
the criteria), the decision, the next step on the path and what was stored.

Answers are read from whole sentences ("pendapatannya 2,8 juta sebulan", "iya udah
berubah kok"); the first message may already name the household and the income; an amount
read with doubt ("2jt lebih", "dua setengah juta") is confirmed before it is used. Each
action looks the person and the household up once (the household by id)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    JOURNEY_START,
    Ask,
    Guarded,
    answer,
    channel_of,
    deliver,
    form_text,
    lang_of,
    numbered,
    start_journey,
    turn,
    workspace,
    yes_no,
)
from actions.village import village_summary_or_none
from assistant.casework import access
from assistant.casework.service import Casework
from assistant.chat.render import explanation, graduation_reply
from assistant.common.errors import InputError
from assistant.common.money import format_rupiah
from assistant.common.texts import text
from assistant.reading.answers import (
    Option,
    follow_up_synonyms,
    read_amount,
    read_choice,
    read_choices,
    read_yes_no,
    too_large,
)
from assistant.reading.words import asks_why
from assistant.store.records import Beneficiary, User

SLOTS = (
    "grad_household",
    "grad_umk",
    "grad_income",
    "grad_income_guess",
    "grad_mindset",
    "grad_change",
)
LISTED = 8
FORM = "follow_up_form"
LATER = "nanti"  # the graduate's choice is made when the graduation is communicated


@dataclass
class _Case:
    """What one action call knows: the workspace, the facilitator and the household."""

    work: Casework
    user: User | None
    household: Beneficiary | None

    @property
    def name(self) -> str:
        return self.household.name if self.household else ""


def _case(tracker: Tracker) -> _Case:
    """The facilitator and the household of the form, from this call's turn: a validator,
    the form's two slot plans and a question in one call share one lookup of each."""
    current = turn(tracker)
    if current.user is None or not access.can_assess(current.user):
        return _Case(current.work, None, None)
    household_id = tracker.get_slot("grad_household")
    household = current.household(str(household_id)) if household_id else None
    return _Case(current.work, current.user, household)


def _listed(case: _Case) -> list[Beneficiary]:
    return case.work.households(case.user, limit=LISTED) if case.user else []


def _amount_slots(said: str) -> dict[str, Any]:
    """The income in ``said``: certain -> the slot; read with doubt -> to be confirmed."""
    amount = read_amount(said)
    if amount is None:
        return {}
    if amount.certain:
        return {"grad_income": amount.rupiah, "grad_income_guess": None}
    return {"grad_income_guess": amount.rupiah}


# words that say the message corrects an earlier answer ("eh salah, maksudnya 3 jt")
_CORRECTING = re.compile(r"\b(salah|maksudnya|maksud saya|maksud sy|ralat|koreksi|revisi)\b")


def _correction(said: str, case: _Case, lang: str) -> tuple[dict[str, Any], str] | None:
    """A correction of an earlier answer: another household ("salah orang, maksudnya bu
    atin": the assessment starts again for her) or another income. The slots to change and
    a line saying what changed; None when the message corrects nothing."""
    if not _CORRECTING.search(said.lower()) or case.user is None:
        return None
    named = case.work.household_named(case.user, said)
    if named is not None and (case.household is None or named.id != case.household.id):
        fresh = {slot: None for slot in SLOTS}
        return {**fresh, "grad_household": named.id, **_amount_slots(said)}, text(
            "grad.corrected_household", lang, name=named.name
        )
    amount = read_amount(said)
    if amount is not None:
        slots = {"grad_income": None, **_amount_slots(said)}
        return slots, text(
            "grad.corrected_income", lang, amount=format_rupiah(amount.rupiah)
        ) if amount.certain else ""
    return None


_MINDSET = re.compile(r"\b(pola ?pikir\w*|mindset\w*|cara berpikir\w*)\b")
_CLAUSE = re.compile(r"[,.;!?]|\b(?:tapi|tp|dan|terus|trus)\b")


def _mindset_in(said: str) -> bool | None:
    """ "..., pola pikirnya juga udh berubah": the mindset answered in a first message (only
    in the clause that names it, so that "udah di atas umk" is not read as the answer)."""
    for clause in _CLAUSE.split(said.lower()):
        if clause and _MINDSET.search(clause):
            return read_yes_no(_MINDSET.sub(" ", clause))
    return None


class ValidateGraduationForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_graduation_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        case = _case(tracker)
        if case.user is None:
            return []  # not a facilitator: the form ends and the reply says why
        if case.household is None:
            return ["grad_household"]
        needed = ["grad_household"]
        current = turn(tracker)
        village = current.village(case.household.village_id)
        if village.umk is None and not case.work.may_set_umk(case.user, village):
            return needed  # nothing to assess against: the decision step says who records it
        if village.umk is None or tracker.get_slot("grad_umk") is not None:
            needed.append("grad_umk")
        needed += ["grad_income", "grad_mindset"]
        income, mindset = tracker.get_slot("grad_income"), tracker.get_slot("grad_mindset")
        if isinstance(income, int | float) and isinstance(mindset, bool) and village.umk:
            # the rules say what they still need: a re-evaluation's "significant change",
            # a graduate's follow-up choice (3.3.7)
            change = tracker.get_slot("grad_change")
            change = change if isinstance(change, bool) else None  # raw text is no answer yet
            facts = (case.household.id, income, mindset, change)
            preview = current.previews.get(facts)
            if preview is None:
                preview = current.previews[facts] = case.work.preview(
                    case.user,
                    case.household.id,
                    income=income,
                    mindset_changed=mindset,
                    significant_change=facts[3],
                    household=case.household,
                    village=village,
                )
            missing = preview.output["missing"]
            if "significant_change" in missing or tracker.get_slot("grad_change") is not None:
                needed.append("grad_change")
        return needed

    async def extract_grad_household(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """At the start: "cek graduasi bu siti, pendapatannya 3 jt" names both."""
        if tracker.get_slot("requested_slot") or tracker.get_slot("grad_household"):
            return {}
        said = form_text(tracker, ("check_graduation",))
        if not said:
            return {}
        case = _case(tracker)
        if case.user is None:
            return {}
        found: dict[str, Any] = {}
        named = case.work.household_named(case.user, said)
        if named is not None:
            found["grad_household"] = named.id
            found.update(_amount_slots(said))
            mindset = _mindset_in(said)
            if mindset is not None:
                found["grad_mindset"] = mindset
        return found

    def validate_grad_household(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        case = _case(tracker)
        if case.user is None:
            return {"grad_household": None}
        if case.household is not None and case.household.id == value:
            return {"grad_household": value}
        said = str(value)
        listed = _listed(case)
        options = [Option(h.id, h.name) for h in listed]
        picked = read_choice(said, options)
        if picked is None:
            named = case.work.household_named(case.user, said)
            picked = named.id if named else None
        if picked is None:
            dispatcher.utter_message(text=text("grad.unknown_household", lang_of(tracker)))
            return {"grad_household": None}
        return {"grad_household": picked, **_amount_slots(said)}

    def validate_grad_umk(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        case = _case(tracker)
        if case.user is None or case.household is None:
            return {"grad_umk": None}
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"grad_umk": value}  # recorded already
        amount = read_amount(str(value))
        try:
            if amount is None or not amount.certain:
                raise InputError(text("grad.umk_unreadable", lang_of(tracker)), "umk")
            village = turn(tracker).changed(
                case.work.set_umk(case.user, case.household.village_id, amount.rupiah)
            )
        except InputError as error:
            dispatcher.utter_message(text=error.message)
            return {"grad_umk": None}
        dispatcher.utter_message(
            text=text("grad.umk_saved", lang_of(tracker), village=village.name)
        )
        return {"grad_umk": village.umk}

    def _corrected(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        if not isinstance(value, str):
            return None
        found = _correction(value, _case(tracker), lang_of(tracker))
        if found is None:
            return None
        slots, said = found
        if said:
            dispatcher.utter_message(text=said)
        return slots

    def validate_grad_income(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"grad_income": value, "grad_income_guess": None}
        said, lang = str(value), lang_of(tracker)
        corrected = self._corrected(value, dispatcher, tracker)
        if corrected is not None and "grad_household" in corrected:
            return corrected
        guess = tracker.get_slot("grad_income_guess")
        amount = read_amount(said)
        if guess is not None and amount is None:
            confirmed = read_yes_no(said)
            if confirmed is True:
                return {"grad_income": int(guess), "grad_income_guess": None}
            if confirmed is False:
                return {"grad_income": None, "grad_income_guess": None}  # asked afresh
            dispatcher.utter_message(text=text("form.yes_or_no", lang))
            return {"grad_income": None}
        if amount is None:
            key = "money.too_large" if too_large(said) else "grad.income_unreadable"
            dispatcher.utter_message(text=text(key, lang, field="income"))
            return {"grad_income": None, "grad_income_guess": None}
        slots = _amount_slots(said)
        mindset = _mindset_in(said)  # "3,2 jt, pola pikirnya juga udh berubah"
        if mindset is not None and tracker.get_slot("grad_mindset") is None:
            slots["grad_mindset"] = mindset
        return {"grad_income": slots.get("grad_income"), **slots}

    def validate_grad_mindset(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        corrected = self._corrected(value, dispatcher, tracker)
        if corrected is not None:
            return {"grad_mindset": None, **corrected}
        return {"grad_mindset": yes_no(value, dispatcher, lang_of(tracker))}

    def validate_grad_change(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        corrected = self._corrected(value, dispatcher, tracker)
        if corrected is not None:
            return {"grad_change": None, **corrected}
        return {"grad_change": yes_no(value, dispatcher, lang_of(tracker))}


class AskGradHousehold(Ask):
    slot = "grad_household"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        case = _case(tracker)
        listed = _listed(case)
        if not listed:
            return "grad.no_households", {}
        count = case.work.count_households(case.user) if case.user else 0
        options = numbered([(h.id, f"{h.name} ({h.village_id})") for h in listed])
        key = "grad.ask_household_more" if count > LISTED else "grad.ask_household"
        return key, {"options": options, "count": count}


class AskGradUmk(Ask):
    slot = "grad_umk"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        household = _case(tracker).household
        return "grad.ask_umk", {"village": household.village_id if household else "-"}


class AskGradIncome(Ask):
    slot = "grad_income"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        guess = tracker.get_slot("grad_income_guess")
        if guess is not None:
            return "grad.confirm_income", {"amount": format_rupiah(guess)}
        return "grad.ask_income", {"name": _case(tracker).name}


class AskGradMindset(Ask):
    slot = "grad_mindset"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "grad.ask_mindset", {"name": _case(tracker).name}


def _follow_up_options(tracker: Tracker, lang: str) -> list[Option]:
    """The graduate's choices (knowledge/graduation.yml), and "decide later"."""
    work, _ = workspace(tracker)
    synonyms = follow_up_synonyms()
    choices = work.knowledge.graduation.follow_up_options
    options = [Option(o.id, o.name, synonyms.get(o.id, ())) for o in choices]
    return [*options, Option(LATER, text("grad.follow_up_later", lang), synonyms.get(LATER, ()))]


def _both(said: str, options: list[Option]) -> str | None:
    """ "didampingi sama dirujuk juga": both named in one answer is the choice of both."""
    picked = set(read_choices(said, options) or [])
    if "keduanya" in picked or {"pendampingan_lanjutan", "rujukan"} <= picked:
        return "keduanya"
    return None


def _chosen(tracker: Tracker) -> str | None:
    chosen = tracker.get_slot("grad_follow_up")
    return None if chosen in (None, LATER) else str(chosen)


class AskGradFollowUp(Ask):
    slot = "grad_follow_up"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        options = [(o.id, o.label) for o in _follow_up_options(tracker, lang)]
        return "graduation.ask_follow_up", {"options": numbered(options)}


class AskGradChange(Ask):
    slot = "grad_change"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "grad.ask_change", {"name": _case(tracker).name}


class DecideGraduation(Guarded, Action):
    def name(self) -> str:
        return "action_decide_graduation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        reset: list[EventType] = [SlotSet(slot, None) for slot in SLOTS]
        case = _case(tracker)
        if case.user is None or case.household is None:
            # a village official asking about graduation gets their village's figures
            work, user = workspace(tracker)
            summary = village_summary_or_none(work, user, lang)
            dispatcher.utter_message(text=summary or text("chat.facilitators_only", lang))
            return reset
        try:
            result = case.work.assess(
                case.user,
                case.household.id,
                income=tracker.get_slot("grad_income"),
                mindset_changed=bool(tracker.get_slot("grad_mindset")),
                significant_change=tracker.get_slot("grad_change"),
                channel=channel_of(tracker),
            )
        except InputError as error:
            dispatcher.utter_message(text=error.message)
            return reset
        messages = graduation_reply(
            result.decision, case.work.knowledge, lang, ask_follow_up=False
        )
        first_task = min(result.tasks, key=lambda t: t.due_on, default=None)
        stored = text(
            "grad.stored",
            lang,
            name=result.household.name,
            date=f"{result.decision.created_at:%d/%m/%Y}",
            tasks=len(result.tasks),
        )
        if first_task:
            stored += " " + text(
                "grad.first_task", lang, task=first_task.title, date=f"{first_task.due_on:%d/%m/%Y}"
            )
        messages[0] += "\n\n" + stored
        if "follow_up" not in result.missing or result.assessment_id is None:
            return answer(dispatcher, messages, lang, result.decision.id, SLOTS)
        # a graduate: their follow-up choice (3.3.7) is asked next, in its own little form
        events = answer(dispatcher, messages, lang, result.decision.id, SLOTS, limit=2)
        return [*events, SlotSet("grad_graduate", case.household.id), FollowupAction(FORM)]


class ValidateFollowUpForm(Guarded, FormValidationAction):
    """The graduate's follow-up choice, asked right after the graduation was decided."""

    def name(self) -> str:
        return f"validate_{FORM}"

    def validate_grad_follow_up(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        options = _follow_up_options(tracker, lang_of(tracker))
        if value in {option.id for option in options}:
            return {"grad_follow_up": value}
        picked = read_choice(str(value), options) or _both(str(value), options)
        if picked is None:
            # not a choice: it is made later (when the graduation is communicated), and the
            # conversation is not held up by this question; "kok bisa lulus?" gets its why
            why = asks_why(str(value))
            return {"grad_follow_up": LATER, "grad_follow_up_why": why or None}
        return {"grad_follow_up": picked}


class RecordFollowUp(Guarded, Action):
    """Stores the choice and schedules its steps, or leaves it for when the graduation is
    communicated ("belum tahu")."""

    def name(self) -> str:
        return "action_record_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        reset = [
            SlotSet("grad_follow_up", None),
            SlotSet("grad_graduate", None),
            SlotSet("grad_follow_up_why", None),
        ]
        chosen, household_id = _chosen(tracker), tracker.get_slot("grad_graduate")
        work, user = workspace(tracker)
        if chosen is None or user is None or not household_id:
            decision_id = tracker.get_slot("last_decision_id")
            if tracker.get_slot("grad_follow_up_why") and decision_id:
                why = explanation(work.store.get_decision(str(decision_id)), lang)
                later = text("grad.follow_up_later_said", lang)
                return deliver(dispatcher, [why, later], lang) + reset
            dispatcher.utter_message(text=text("grad.follow_up_later_said", lang))
            return reset + await _then_what_was_asked(dispatcher, tracker, domain)
        try:
            household, tasks = work.choose_follow_up(user, str(household_id), chosen)
        except InputError as error:
            dispatcher.utter_message(text=error.message)
            return reset
        option = next(o for o in work.knowledge.graduation.follow_up_options if o.id == chosen)
        listed = "\n".join(f"- {t.due_on:%d/%m/%Y}: {t.title}" for t in tasks)
        dispatcher.utter_message(
            text=text("grad.follow_up_saved", lang, name=household.name, option=option.name)
            + ("\n" + listed if listed else "")
        )
        return reset


# requests that end the follow-up question (left for later) and are then answered
_ASKED_INSTEAD = {"my_tasks", "my_village", "check_graduation", "describe_needs",
                  "report_conflict", "choose_approach", "ask_program", "ask_stage",
                  "review_program", "ask_guideline"}


async def _then_what_was_asked(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    """ "jadwal saya" in answer to the follow-up question: the choice is left for later,
    and the schedule is shown (not swallowed)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent not in _ASKED_INSTEAD:
        return []
    return await start_journey(JOURNEY_START[str(intent)], dispatcher, tracker, domain)
