"""Dialogues written the way people type on WhatsApp (tests/dialogues/*.yml): loading and
validating their YAML format, setting up each dialogue's user, running it through the real
servers, and checking the turn invariants and the expected outcomes.

The format (also at the top of every file in tests/dialogues/)::

    - name: graduation read from one sentence with a hedge   # unique in its file
      as: pendamping        # pendamping | pejabat_desa | pelatih | admin | stranger
      village: sindangsari  # pejabat_desa only: their village (default sukamaju)
      issue: answers inside sentences            # optional: the problem it proves
      households:           # pendamping only: registered to the dialogue's user
        - name: Rini Kusuma
          village: sukamaju # sukamaju (UMK 2,5 jt), mekarsari (no UMK), sindangsari
                            # (UMK 2,3 jt), karanganyar (UMK 3,1 jt)
          gender: P         # optional: P (default) or L
          program: pena     # optional
          disability: false # optional
          history:          # optional: brought along the graduation path first
            - {assess: {income: 1500000, mindset: false, days_ago: 60}}
            - {done: evaluasi}          # a task of the path, completed
      turns:
        - say: "cek graduasi bu rini, pendapatannya skrg 2,8 juta sebulan"
          expect:           # optional: the conversation after this turn
            active_loop: graduation_form   # the form running (null: none)
            requested_slot: grad_mindset   # the slot being asked (null: none)
            not_requested: [grad_income]   # slots NOT being asked
            slots: {grad_income: 2800000}  # slot values (matchers allowed)
            stored: {decisions: 0}         # what is stored so far (keys as below)
            mentions: [Sukamaju]           # facts the replies contain (any case)
            omits: [Rini]                  # facts the replies must not contain
        - say: "udah sih, skrg lebih rajin nabung"
      expect:               # required: what is stored for this user at the end
        decisions:          # EXACTLY these decisions by this sender, in any order
          - kind: graduation
            input: {income_monthly: 2800000, mindset_changed: true}   # a subset
            output: {graduated: true}                                 # a subset
        assessments: 1      # what the dialogue's turns stored; also conflicts,
        tasks: 3            # safeguarding_reports, decisions; tasks: the user's open tasks

Counts and decisions are those of the dialogue's own turns: what its set-up stored (the
households' ``history``) or a trainer's sample households stored is left out; ``tasks`` is
the number of the user's open tasks, whoever scheduled them.

Values are compared as written (2800000 == 2800000.0; lists of plain values in any order);
a mapping with one ``$`` key is a matcher: ``{$has: [a, b]}`` (a list holds these values,
or items with these ids), ``{$lacks: [a]}``, ``{$in: [a, b]}``, ``{$not: x}``,
``{$absent: true}``, ``{$present: true}``, ``{$gte: n}``, ``{$lte: n}``, ``{$len: n}``, and
``{$all: [matcher, ...]}`` for several at once.

Each dialogue runs as a fresh sender: a new user with the role of ``as:`` (the village for a
pejabat_desa, the households for a pendamping) is written to the database through
``Casework`` before the first turn; ``as: stranger`` uses an unregistered id. A pelatih's
decisions are read from the sandbox database, and the real database must hold none.

Every turn, whatever the dialogue expects: 1 to 3 bot messages, none empty, none longer than
1,000 characters, no text twice,
HTTP 200 within ``TURN_SECONDS``, no "Traceback" or exception name in a reply, never the
sender's own number repeated back; and while the
dialogue ran, no "Traceback" or "failed for one conversation" in the action server's log, no
"Circuit breaker tripped" or "turn guard:" in the Rasa server's log. Outcomes are asserted,
not wording: ``mentions``/``omits`` are for facts (a village's name, a household's name
that must stay private), never for phrasing."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

import requests
import yaml

from assistant.common.limits import MAX_MESSAGE_CHARS

ROOT = Path(__file__).resolve().parents[2]
DIALOGUES = ROOT / "tests" / "dialogues"
TURN_SECONDS = 30.0
ROLES = ("pendamping", "pejabat_desa", "pelatih", "admin", "stranger")
KINDS = ("approach", "needs", "conflict", "graduation", "program_review", "safeguarding")
COUNTS = ("decisions", "assessments", "conflicts", "safeguarding_reports", "tasks")
MAX_MESSAGES = 3
# What a message may carry instead of text (REST channel items).
RICH = ("image", "buttons", "custom", "attachment", "elements", "quick_replies")
SLOT_NAME = re.compile(r"^[a-z_]+$")

# --- the world every dialogue lives in ---------------------------------------------------

# Villages beyond the e2e seed's sukamaju (UMK 2.500.000) and mekarsari (no UMK).
VILLAGES = (
    {"id": "sindangsari", "name": "Sindangsari", "umk": 2_300_000.0},
    {"id": "karanganyar", "name": "Karanganyar", "umk": 3_100_000.0},
)
# Households of Sindangsari, kept by one facilitator: what its village official can count.
SINDANGSARI_FACILITATOR = "dlg-fasilitator-sindangsari"
SINDANGSARI_HOUSEHOLDS = (
    {"name": "Sri Wahyuni", "gender": "P"},
    {"name": "Ahmad Fauzi", "gender": "L"},
    {"name": "Lina Marlina", "gender": "P", "disability": True},
    {"name": "Ujang Sutisna", "gender": "L"},
)
SEED_VILLAGES = ("sukamaju", "mekarsari")
KNOWN_VILLAGES = SEED_VILLAGES + tuple(v["id"] for v in VILLAGES)

# --- the format ------------------------------------------------------------------------

DIALOGUE_KEYS = {"name", "as", "village", "issue", "households", "turns", "expect"}
HOUSEHOLD_KEYS = {"name", "village", "gender", "program", "disability", "history"}
TURN_KEYS = {"say", "expect"}
TURN_EXPECT_KEYS = {
    "active_loop",
    "requested_slot",
    "not_requested",
    "slots",
    "stored",
    "mentions",
    "omits",
}
EXPECT_KEYS = set(COUNTS)
DECISION_KEYS = {"kind", "input", "output"}
MATCHERS = {"$all", "$has", "$lacks", "$in", "$not", "$absent", "$present", "$gte", "$lte", "$len"}
_UNSET: Any = object()


class DialogueFormatError(ValueError):
    """A dialogue file that does not follow the format; the message says where and why."""


@dataclass(frozen=True)
class Household:
    name: str
    village: str
    gender: str = "P"
    program: str | None = None
    disability: bool = False
    history: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class TurnExpect:
    active_loop: Any = _UNSET  # a form name, None (no form), or _UNSET (not checked)
    requested_slot: Any = _UNSET
    not_requested: tuple[str, ...] = ()
    slots: Mapping[str, Any] = field(default_factory=dict)
    stored: Mapping[str, Any] = field(default_factory=dict)
    mentions: tuple[str, ...] = ()
    omits: tuple[str, ...] = ()

    @property
    def needs_tracker(self) -> bool:
        return (
            self.active_loop is not _UNSET
            or self.requested_slot is not _UNSET
            or bool(self.not_requested)
            or bool(self.slots)
        )


@dataclass(frozen=True)
class Turn:
    say: str
    expect: TurnExpect | None = None


@dataclass(frozen=True)
class ExpectedDecision:
    kind: str
    input: Mapping[str, Any] = field(default_factory=dict)
    output: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Expect:
    decisions: tuple[ExpectedDecision, ...] | None = None
    counts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Dialogue:
    file: str  # the file's stem, e.g. "graduation"
    line: int
    name: str
    role: str
    turns: tuple[Turn, ...]
    expect: Expect
    village: str | None = None
    households: tuple[Household, ...] = ()
    issue: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.name}"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that notes the line of every mapping (as ``__line__``)."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _plain(value: Any) -> Any:
    """``value`` without the loader's line notes."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Checker:
    """Validation of one file, with errors that name the file, line and dialogue."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def fail(self, node: Any, problem: str, name: str | None = None) -> NoReturn:
        line = node.get("__line__") if isinstance(node, dict) else None
        place = f"{self.where}:{line}" if line else self.where
        about = f" (dialogue {name!r})" if name else ""
        raise DialogueFormatError(f"{place}{about}: {problem}")

    def keys(self, node: Any, allowed: set[str], what: str, name: str | None) -> None:
        if not isinstance(node, dict):
            self.fail(None, f"{what} must be a mapping, not {type(node).__name__}", name)
        unknown = sorted(str(k) for k in node if k != "__line__" and k not in allowed)
        if unknown:
            self.fail(
                node, f"unknown key(s) in {what}: {unknown}; allowed: {sorted(allowed)}", name
            )

    def matcher_ok(self, node: Any, value: Any, what: str, name: str | None) -> None:
        value = _plain(value)
        if isinstance(value, dict) and any(str(k).startswith("$") for k in value):
            if len(value) != 1 or next(iter(value)) not in MATCHERS:
                self.fail(node, f"{what}: a matcher is one of {sorted(MATCHERS)}, alone", name)
            if "$all" in value:
                if not isinstance(value["$all"], list):
                    self.fail(node, f"{what}: $all takes a list of matchers", name)
                for inner in value["$all"]:
                    self.matcher_ok(node, inner, what, name)
        elif isinstance(value, dict):
            for key, inner in value.items():
                self.matcher_ok(node, inner, f"{what}.{key}", name)

    def counts(self, node: dict[str, Any], keys: Iterable[str], what: str, name: str) -> None:
        for key in keys:
            if key not in node or key == "decisions" and isinstance(node[key], list):
                continue
            value = _plain(node[key])
            if isinstance(value, bool) or not isinstance(value, int | dict):
                self.fail(node, f"{what}.{key} must be a count or a matcher", name)
            self.matcher_ok(node, value, f"{what}.{key}", name)

    def household(self, node: Any, name: str) -> Household:
        self.keys(node, HOUSEHOLD_KEYS, "a household", name)
        if not isinstance(node.get("name"), str) or not node["name"].strip():
            self.fail(node, "a household needs a name", name)
        village = node.get("village", "sukamaju")
        if village not in KNOWN_VILLAGES:
            self.fail(node, f"unknown village {village!r}; known: {list(KNOWN_VILLAGES)}", name)
        if node.get("gender", "P") not in ("P", "L"):
            self.fail(node, "gender is P or L", name)
        history = node.get("history") or []
        if not isinstance(history, list):
            self.fail(node, "history must be a list", name)
        for step in history:
            plain = _plain(step)
            if not isinstance(plain, dict) or len(plain) != 1:
                self.fail(node, "each history step is {assess: {...}} or {done: STEP}", name)
            if "assess" in plain:
                facts = plain["assess"]
                if not isinstance(facts, dict) or not {"income", "mindset", "days_ago"} <= set(
                    facts
                ):
                    self.fail(node, "assess needs income, mindset and days_ago", name)
            elif "done" not in plain:
                self.fail(node, "each history step is {assess: {...}} or {done: STEP}", name)
        return Household(
            name=node["name"].strip(),
            village=village,
            gender=node.get("gender", "P"),
            program=node.get("program"),
            disability=bool(node.get("disability", False)),
            history=tuple(_plain(step) for step in history),
        )

    def turn_expect(self, node: Any, name: str) -> TurnExpect:
        self.keys(node, TURN_EXPECT_KEYS, "a turn's expect", name)
        for key in ("active_loop", "requested_slot"):
            value = node.get(key, _UNSET)
            if value is not _UNSET and value is not None and not isinstance(value, str):
                self.fail(node, f"{key} must be a name or null", name)
        not_requested = node.get("not_requested", [])
        if not isinstance(not_requested, list) or not all(
            isinstance(s, str) and SLOT_NAME.match(s) for s in not_requested
        ):
            self.fail(node, "not_requested must be a list of slot names", name)
        slots = _plain(node.get("slots", {}))
        if not isinstance(slots, dict):
            self.fail(node, "slots must be a mapping of slot name to value", name)
        self.matcher_ok(node, slots, "slots", name)
        stored = node.get("stored", {})
        self.keys(stored, set(COUNTS), "stored", name)
        self.counts(stored, COUNTS, "stored", name)
        if isinstance(stored.get("decisions"), list):
            self.fail(node, "stored.decisions is a count here", name)
        texts = {}
        for key in ("mentions", "omits"):
            value = node.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.fail(node, f"{key} must be a list of texts", name)
            texts[key] = tuple(value)
        return TurnExpect(
            active_loop=node.get("active_loop", _UNSET),
            requested_slot=node.get("requested_slot", _UNSET),
            not_requested=tuple(not_requested),
            slots=slots,
            stored=_plain(stored),
            mentions=texts["mentions"],
            omits=texts["omits"],
        )

    def expect(self, node: Any, name: str) -> Expect:
        self.keys(node, EXPECT_KEYS, "expect", name)
        decisions = None
        if isinstance(node.get("decisions"), list):
            decisions = []
            for item in node["decisions"]:
                self.keys(item, DECISION_KEYS, "an expected decision", name)
                if item.get("kind") not in KINDS:
                    self.fail(item, f"decision kind must be one of {list(KINDS)}", name)
                for part in ("input", "output"):
                    if not isinstance(item.get(part, {}), dict):
                        self.fail(item, f"a decision's {part} must be a mapping", name)
                    self.matcher_ok(item, item.get(part, {}), part, name)
                decisions.append(
                    ExpectedDecision(
                        kind=item["kind"],
                        input=_plain(item.get("input", {})),
                        output=_plain(item.get("output", {})),
                    )
                )
        self.counts(node, COUNTS, "expect", name)
        counts = {
            k: _plain(node[k])
            for k in COUNTS
            if k in node and not (k == "decisions" and decisions is not None)
        }
        return Expect(decisions=tuple(decisions) if decisions is not None else None, counts=counts)

    def dialogue(self, node: Any, names: set[str]) -> Dialogue:
        self.keys(node, DIALOGUE_KEYS, "a dialogue", None)
        name = node.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail(node, "every dialogue needs a name")
        if name in names:
            self.fail(node, "the name is used twice in this file", name)
        names.add(name)
        role = node.get("as")
        if role not in ROLES:
            self.fail(node, f"as: must be one of {list(ROLES)}", name)
        village = node.get("village")
        if village is not None and role != "pejabat_desa":
            self.fail(node, "village: is for a pejabat_desa (households name their own)", name)
        if role == "pejabat_desa":
            village = village or "sukamaju"
            if village not in KNOWN_VILLAGES:
                self.fail(node, f"unknown village {village!r}; known: {list(KNOWN_VILLAGES)}", name)
        households = node.get("households") or []
        if households and role != "pendamping":
            self.fail(node, "households: are registered for a pendamping only", name)
        if not isinstance(households, list):
            self.fail(node, "households must be a list", name)
        turns = node.get("turns")
        if not isinstance(turns, list) or not turns:
            self.fail(node, "turns must be a non-empty list", name)
        parsed_turns = []
        for turn in turns:
            self.keys(turn, TURN_KEYS, "a turn", name)
            said = turn.get("say")
            if not isinstance(said, str) or not said.strip():
                self.fail(turn, "every turn needs a non-empty say: text", name)
            expect = turn.get("expect")
            parsed_turns.append(
                Turn(say=said, expect=self.turn_expect(expect, name) if expect else None)
            )
        if "expect" not in node:
            self.fail(node, "every dialogue states its outcome (expect:)", name)
        return Dialogue(
            file=self.path.stem,
            line=node["__line__"],
            name=name,
            role=role,
            village=village,
            households=tuple(self.household(h, name) for h in households),
            turns=tuple(parsed_turns),
            expect=self.expect(node["expect"] or {}, name),
            issue=node.get("issue"),
        )


def load_file(path: Path) -> list[Dialogue]:
    checker = _Checker(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        raise DialogueFormatError(f"{checker.where}: not valid YAML: {error}") from error
    if not isinstance(data, list) or not data:
        checker.fail(None, "a dialogue file is a non-empty list of dialogues")
    names: set[str] = set()
    return [checker.dialogue(node, names) for node in data]


def load_all(folder: Path = DIALOGUES) -> list[Dialogue]:
    files = sorted(folder.glob("*.yml"))
    if not files:
        raise DialogueFormatError(f"no dialogue files in {folder}")
    return [dialogue for path in files for dialogue in load_file(path)]


# --- matching ---------------------------------------------------------------------------


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return False
        remaining = list(actual)
        for item in expected:
            hit = next((i for i, a in enumerate(remaining) if match(item, a) is None), None)
            if hit is None:
                return False
            remaining.pop(hit)
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return match(expected, actual) is None
    return expected == actual


def _holds(items: Any, wanted: Any) -> bool:
    if not isinstance(items, list):
        return False
    for item in items:
        if _same(wanted, item):
            return True
        if isinstance(item, dict) and not isinstance(wanted, dict):
            if any(_same(wanted, item.get(key)) for key in ("id", "check")):
                return True
    return False


def match(expected: Any, actual: Any, path: str = "") -> str | None:
    """None when ``actual`` matches ``expected`` (mappings: a subset), else why not."""
    at = path or "value"
    if isinstance(expected, dict) and len(expected) == 1 and next(iter(expected)) in MATCHERS:
        op, arg = next(iter(expected.items()))
        if op == "$all":
            return next((p for p in (match(m, actual, path) for m in arg) if p), None)
        ok = {
            "$has": lambda: all(_holds(actual, w) for w in arg),
            "$lacks": lambda: isinstance(actual, list) and not any(_holds(actual, w) for w in arg),
            "$in": lambda: any(_same(option, actual) for option in arg),
            "$not": lambda: not _same(arg, actual),
            "$absent": lambda: (actual is _UNSET or actual is None) == bool(arg),
            "$present": lambda: (actual is not _UNSET and actual is not None) == bool(arg),
            "$gte": lambda: isinstance(actual, int | float) and actual >= arg,
            "$lte": lambda: isinstance(actual, int | float) and actual <= arg,
            "$len": lambda: isinstance(actual, list | str | dict) and len(actual) == arg,
        }[op]()
        return None if ok else f"{at}: expected {op} {arg!r}, got {_show(actual)}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{at}: expected a mapping, got {_show(actual)}"
        for key, wanted in expected.items():
            problem = match(wanted, actual.get(key, _UNSET), f"{path}.{key}" if path else key)
            if problem:
                return problem
        return None
    if actual is _UNSET:
        return f"{at}: missing (expected {expected!r})"
    return None if _same(expected, actual) else f"{at}: expected {expected!r}, got {_show(actual)}"


def _show(value: Any, limit: int = 200) -> str:
    if value is _UNSET:
        return "(missing)"
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= limit else shown[:limit] + "…"


# --- the servers ------------------------------------------------------------------------


@dataclass
class TurnResult:
    sender: str
    message: str
    replies: list[str]
    status: int | None
    seconds: float
    error: str | None = None  # a transport error (timeout, refused connection)
    items: list[dict[str, Any]] = field(default_factory=list)


EXCEPTION_NAME = re.compile(
    r"Traceback|\b(?:[A-Z][a-z0-9]+)+(?:Error|Exception)\b|\bKeyboardInterrupt\b|"
    r"\bStopIteration\b|File \"/[^\"]+\.py\""
)


def error_apologies() -> tuple[str, ...]:
    """The assistant's own "something went wrong" replies (texts.yml chat.error): a turn
    that says one of them is an action that failed."""
    try:
        from assistant.common.texts import text

        return tuple(text("chat.error", lang) for lang in ("id", "en"))
    except Exception:  # the texts moved or changed shape: the logs still tell
        return ()


def send(
    rasa_url: str,
    sender: str,
    message: str,
    timeout: float = TURN_SECONDS,
    headers: dict[str, str] | None = None,
) -> TurnResult:
    """One user message through the REST channel (``headers``: its token); never raises
    for HTTP trouble."""
    started = time.monotonic()
    try:
        response = requests.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=headers,
            timeout=timeout,
        )
    except requests.RequestException as error:
        return TurnResult(
            sender, message, [], None, time.monotonic() - started, type(error).__name__
        )
    seconds = time.monotonic() - started
    items: list[dict[str, Any]] = []
    error = None
    try:
        body = response.json()
        items = [i for i in body if isinstance(i, dict)] if isinstance(body, list) else []
        if not isinstance(body, list):
            error = f"the reply body is not a list: {str(body)[:200]}"
    except ValueError:
        error = f"the reply body is not JSON: {response.text[:200]!r}"
    replies = [str(item.get("text") or "") for item in items]
    return TurnResult(sender, message, replies, response.status_code, seconds, error, items)


def turn_violations(
    result: TurnResult, apologies: Iterable[str] = (), timeout: float = TURN_SECONDS
) -> list[tuple[str, str]]:
    """The turn invariants broken by one turn, as (kind, detail) pairs."""
    found: list[tuple[str, str]] = []
    if result.error and result.status is None:
        kind = "timeout" if "Timeout" in result.error else "transport_error"
        return [(kind, f"{result.error} after {result.seconds:.1f}s")]
    if result.status != 200:
        return [("http_status", f"HTTP {result.status}")]
    if result.error:
        found.append(("bad_body", result.error))
    if result.seconds > timeout:
        found.append(("slow_turn", f"{result.seconds:.1f}s"))
    textless = [i for i in result.items if not str(i.get("text") or "").strip()]
    rich = [i for i in textless if any(i.get(key) for key in RICH)]
    shown = len(result.items) - len(textless) + len(rich)
    if not shown:
        found.append(("empty_turn", f"{len(result.items)} item(s), no text"))
    elif shown > MAX_MESSAGES:
        found.append(("too_many_messages", f"{shown} messages"))
    if shown and len(textless) > len(rich):
        blank = len(textless) - len(rich)
        found.append(("blank_message", f"{blank} empty message(s) among {len(result.items)}"))
    texts = [r.strip() for r in result.replies if r.strip()]
    if len(set(texts)) < len(texts):
        repeated = next(t for t in texts if texts.count(t) > 1)
        found.append(("duplicate_message", f"{texts.count(repeated)}x {repeated[:80]!r}"))
    for reply in result.replies:
        if len(reply) > MAX_MESSAGE_CHARS:
            found.append(("too_long", f"{len(reply)} characters: {reply[:60]!r}"))
            break
    for reply in result.replies:
        hit = EXCEPTION_NAME.search(reply)
        if hit:
            found.append(("exception_in_reply", hit.group(0)))
            break
    for apology in apologies:
        if apology and any(apology in reply for reply in result.replies):
            found.append(("action_failed", "the reply is the assistant's error apology"))
            break
    return found


def tracker(servers: Any, sender: str) -> dict[str, Any]:
    """The conversation's state through Rasa's HTTP API (with its token when it has one)."""
    if hasattr(servers, "tracker"):
        return servers.tracker(sender)
    token = getattr(servers, "api_token", "") or getattr(servers, "auth_token", "")
    response = requests.get(
        f"{servers.rasa_url}/conversations/{sender}/tracker",
        params={"token": token} if token else {},
        timeout=TURN_SECONDS,
    )
    response.raise_for_status()
    return response.json()


def last_turn_utterances(servers: Any, sender: str) -> list[str] | None:
    """The bot utterances of the sender's latest turn as Rasa recorded them (before a
    channel split them into messages), or None when the tracker cannot be read."""
    try:
        events = tracker(servers, sender).get("events") or []
    except requests.RequestException:
        return None
    texts: list[str] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            texts.append(str(event.get("text") or ""))
    return texts[::-1]


def explain_surplus(servers: Any, sender: str, shown: int) -> str:
    """Why a turn had more than three messages, when the tracker says."""
    utterances = last_turn_utterances(servers, sender)
    if utterances is None:
        return ""
    split = sum(1 for u in utterances if "\n\n" in u.strip())
    if len(utterances) <= MAX_MESSAGES < shown and split:
        return (
            f" ({len(utterances)} bot utterance(s), {split} with a blank line: the REST "
            "channel sends each paragraph as its own message)"
        )
    return f" ({len(utterances)} bot utterance(s))"


# --- the logs ---------------------------------------------------------------------------

# (log file, what must not appear in it, the kind it is reported as)
LOG_PROBLEMS = (
    ("actions.log", re.compile(r"Traceback"), "log_traceback"),
    ("actions.log", re.compile(r"failed for one conversation"), "log_action_failed"),
    ("rasa.log", re.compile(r"Traceback"), "log_rasa_traceback"),
    ("rasa.log", re.compile(r"Circuit breaker tripped"), "log_circuit_breaker"),
    ("rasa.log", re.compile(r"(?:^|\s-\s|\s)turn guard:"), "log_turn_guard"),
    ("supervisor.log", re.compile(r"\S"), "log_server_restart"),
)


class LogWatch:
    """What the servers' logs gained since the watch started (or was last read)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.offsets = {name: self._size(name) for name in {p[0] for p in LOG_PROBLEMS}}
        self.partial = {name: "" for name in self.offsets}

    def _size(self, name: str) -> int:
        path = self.folder / name
        return path.stat().st_size if path.exists() else 0

    def new_lines(self) -> dict[str, list[str]]:
        """The complete lines written since the last call, per log file."""
        lines: dict[str, list[str]] = {}
        for name, offset in self.offsets.items():
            path = self.folder / name
            size = self._size(name)
            if size < offset:  # rotated or truncated: read it from the start
                offset = 0
            if size == offset:
                lines[name] = []
                continue
            with path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read(size - offset).decode("utf-8", "replace")
            self.offsets[name] = size
            chunk = self.partial[name] + chunk
            *complete, self.partial[name] = chunk.split("\n")
            lines[name] = complete
        return lines

    @staticmethod
    def problems(lines: Mapping[str, list[str]]) -> list[tuple[str, str]]:
        """(kind, line) for every line that shows a problem; a traceback is told by its
        exception line, a turn guard's repair by what it repaired."""
        found = []
        for name, pattern, kind in LOG_PROBLEMS:
            logged = lines.get(name, [])
            for index, line in enumerate(logged):
                if not pattern.search(line):
                    continue
                shown, reported = line.strip(), kind
                if kind in ("log_traceback", "log_rasa_traceback"):
                    shown = _exception_line(logged, index) or shown
                elif kind == "log_turn_guard" and (repair := _GUARD_REPAIR.search(line)):
                    reported = f"{kind}:{repair.group(1).replace(' ', '_')}"
                found.append((reported, shown[:300]))
        return found


_GUARD_REPAIR = re.compile(r"turn guard: (?:\d+ )?(repeated|messages joined|empty turn)")
_TRACE_NOISE = ("Traceback", "The above exception", "During handling", "File ")


def _exception_line(lines: list[str], start: int) -> str | None:
    """The exception line that ends the traceback beginning at ``lines[start]``."""
    for line in lines[start + 1 : start + 200]:
        if line and not line[0].isspace() and not line.startswith(_TRACE_NOISE):
            return "Traceback: " + line.strip()
    return None


# --- users, villages and households -----------------------------------------------------


def _casework(db_path: Path) -> Any:
    from assistant.casework.service import Casework
    from assistant.store.db import Store

    return Casework(Store(db_path))


def ensure_world(db_path: Path) -> None:
    """The villages and Sindangsari's households the dialogues rely on (idempotent). The
    database must hold the e2e seed's admin and its villages sukamaju and mekarsari."""
    from assistant.store.records import User, Village

    work = _casework(db_path)
    try:
        admin = work.user("admin")
        for village in VILLAGES:
            if work.store.get_village(village["id"]) is None:
                work.add_village(admin, Village(**village))
        if work.store.get_user(SINDANGSARI_FACILITATOR) is None:
            work.add_user(
                admin,
                User(id=SINDANGSARI_FACILITATOR, name="Bu Enok", role="pendamping"),
            )
            facilitator = work.user(SINDANGSARI_FACILITATOR)
            for household in SINDANGSARI_HOUSEHOLDS:
                work.register(
                    facilitator,
                    name=household["name"],
                    village_id="sindangsari",
                    gender=household["gender"],
                    disability=household.get("disability", False),
                    program="pena",
                )
    finally:
        work.store.close()


def new_sender(prefix: str = "6289") -> str:
    """A fresh WhatsApp-like number nobody has used."""
    return prefix + str(uuid.uuid4().int)[:9]


def register(db_path: Path, dialogue: Dialogue, sender: str) -> None:
    """The dialogue's user (and households) written to the database before its first turn."""
    if dialogue.role == "stranger":
        return
    from assistant.store.records import User

    work = _casework(db_path)
    try:
        admin = work.user("admin")
        work.add_user(
            admin,
            User(
                id=sender,
                name=f"Uji {dialogue.role} {sender[-4:]}",
                role=dialogue.role,
                village_id=dialogue.village if dialogue.role == "pejabat_desa" else None,
            ),
        )
        user = work.user(sender)
        for household in dialogue.households:
            registered = work.register(
                user,
                name=household.name,
                village_id=household.village,
                gender=household.gender,
                program=household.program,
                disability=household.disability,
            )
            for step in household.history:
                _replay(work, user, registered.id, step)
    finally:
        work.store.close()


def _replay(work: Any, user: Any, household_id: str, step: Mapping[str, Any]) -> None:
    if "assess" in step:
        facts = step["assess"]
        work.assess(
            user,
            household_id,
            income=facts["income"],
            mindset_changed=facts["mindset"],
            significant_change=facts.get("change"),
            assessed_on=date.today() - timedelta(days=int(facts["days_ago"])),
            channel="uji",
        )
        return
    task = next(
        t for t in work.store.open_tasks(beneficiary=household_id) if t.step == step["done"]
    )
    work.complete_task(user, task.id)


# --- what is stored -----------------------------------------------------------------------


def _rows(db_path: Path, sql: str, args: Iterable[Any]) -> list[sqlite3.Row]:
    if not db_path.exists():
        return []
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql, list(args)).fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return []
        raise
    finally:
        connection.close()


# Decisions made while setting a dialogue up (its households' history: channel "uji") or by
# the trainer's sample households (channel "contoh") are not the dialogue's own.
SETUP_CHANNELS = ("uji", "contoh")
_OWN = f"d.channel not in ({', '.join(repr(c) for c in SETUP_CHANNELS)})"


def stored_decisions(db_path: Path, sender: str) -> list[dict[str, Any]]:
    """The decisions this sender's turns stored (not those of the set-up)."""
    rows = _rows(
        db_path,
        f"select kind, input, output from decisions d where actor = ? and {_OWN} "
        "order by created_at",
        [sender],
    )
    return [
        {"kind": r["kind"], "input": json.loads(r["input"]), "output": json.loads(r["output"])}
        for r in rows
    ]


# What the dialogue's turns stored, and the user's open tasks (whoever scheduled them).
COUNT_SQL = {
    "decisions": f"select count(*) from decisions d where d.actor = ? and {_OWN}",
    "assessments": "select count(*) from assessments a join decisions d on d.id = a.decision_id "
    f"where a.recorded_by = ? and {_OWN}",
    "conflicts": "select count(*) from conflicts c join decisions d on d.id = c.decision_id "
    f"where c.reporter = ? and {_OWN}",
    "safeguarding_reports": "select count(*) from safeguarding_reports r "
    f"join decisions d on d.id = r.decision_id where r.reporter = ? and {_OWN}",
    "tasks": "select count(*) from tasks where facilitator_id = ? and status = 'terbuka'",
}


def stored_counts(db_path: Path, sender: str) -> dict[str, int]:
    return {key: _rows(db_path, sql, [sender])[0][0] for key, sql in COUNT_SQL.items()}


def _decision_problems(
    expected: tuple[ExpectedDecision, ...], stored: list[dict[str, Any]]
) -> list[str]:
    problems = []
    remaining = list(stored)
    for wanted in expected:
        closest = None
        for index, decision in enumerate(remaining):
            if decision["kind"] != wanted.kind:
                continue
            why = match(wanted.input, decision["input"], "input") or match(
                wanted.output, decision["output"], "output"
            )
            if why is None:
                remaining.pop(index)
                break
            closest = closest or why
        else:
            problems.append(
                f"no stored {wanted.kind} decision matches"
                + (f" ({closest})" if closest else " (none of that kind)")
            )
    if len(stored) != len(expected):
        kinds = [d["kind"] for d in stored]
        problems.append(f"expected {len(expected)} decision(s), stored {len(stored)}: {kinds}")
    return problems


# --- running a dialogue -------------------------------------------------------------------


@dataclass
class Transcript:
    dialogue: Dialogue
    sender: str
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def fail(self, turn: int | None, problem: str) -> None:
        self.failures.append(f"turn {turn}: {problem}" if turn else problem)

    def report(self) -> str:
        head = f"{self.dialogue.id} (as {self.dialogue.role}, sender {self.sender})"
        if self.dialogue.issue:
            head += f"\n  issue: {self.dialogue.issue}"
        failures = "\n".join(f"  - {f}" for f in self.failures)
        return f"{head}\n{failures}\n  transcript:\n" + "\n".join(self.lines)


def _state(state: dict[str, Any]) -> str:
    loop = (state.get("active_loop") or {}).get("name")
    requested = (state.get("slots") or {}).get("requested_slot")
    return f"[form={loop or '-'} asking={requested or '-'}]"


def _check_turn(
    transcript: Transcript,
    n: int,
    expect: TurnExpect,
    replies: list[str],
    state: dict[str, Any] | None,
    counts: Callable[[], dict[str, int]],
) -> None:
    if state is not None:
        slots = state.get("slots") or {}
        loop = (state.get("active_loop") or {}).get("name")
        requested = slots.get("requested_slot")
        if expect.active_loop is not _UNSET and loop != expect.active_loop:
            transcript.fail(n, f"active form {loop!r}, expected {expect.active_loop!r}")
        if expect.requested_slot is not _UNSET and requested != expect.requested_slot:
            transcript.fail(n, f"asking for {requested!r}, expected {expect.requested_slot!r}")
        if requested in expect.not_requested:
            transcript.fail(n, f"asking for {requested!r}, which it should not ask")
        for slot, wanted in expect.slots.items():
            problem = match(wanted, slots.get(slot, _UNSET), f"slot {slot}")
            if problem:
                transcript.fail(n, problem)
    if expect.stored:
        now = counts()
        for key, wanted in expect.stored.items():
            problem = match(wanted, now[key], f"stored {key}")
            if problem:
                transcript.fail(n, problem)
    said = "\n".join(replies).lower()
    for fact in expect.mentions:
        if fact.lower() not in said:
            transcript.fail(n, f"the replies do not mention {fact!r}")
    for fact in expect.omits:
        if fact.lower() in said:
            transcript.fail(n, f"the replies mention {fact!r}, which they must not")


def run_dialogue(servers: Any, dialogue: Dialogue, timeout: float = TURN_SECONDS) -> Transcript:
    """Register the dialogue's user, say every turn, and check the invariants, each turn's
    expectations, the logs and the final outcome. The transcript holds the failures."""
    sender = new_sender()
    register(servers.db_path, dialogue, sender)
    transcript = Transcript(dialogue, sender)
    real_db = Path(servers.db_path)
    sandbox_db = Path(servers.workdir) / "sandbox.db"
    db = sandbox_db if dialogue.role == "pelatih" else real_db
    apologies = error_apologies()
    logs = LogWatch(Path(servers.workdir))
    for n, turn in enumerate(dialogue.turns, start=1):
        result = send(servers.rasa_url, sender, turn.say, timeout, servers.rest_headers)
        shown_message = turn.say if len(turn.say) <= 160 else turn.say[:157] + "..."
        transcript.lines.append(f"    {n}> {shown_message}   ({result.seconds:.2f}s)")
        for reply in result.replies:
            shown = reply.replace("\n", " / ")
            transcript.lines.append(f"       < {shown[:300]}{'…' if len(shown) > 300 else ''}")
        for kind, detail in turn_violations(result, apologies, timeout):
            if kind == "too_many_messages":
                detail += explain_surplus(servers, sender, len(result.replies))
            transcript.fail(n, f"turn invariant {kind}: {detail}")
        if any(sender in reply for reply in result.replies):
            transcript.fail(n, "a reply repeats the sender's own number")
        for kind, line in LogWatch.problems(logs.new_lines()):
            transcript.fail(n, f"{kind}: {line}")
        state = None
        if turn.expect is not None and turn.expect.needs_tracker:
            try:
                state = tracker(servers, sender)
                transcript.lines[-1 - len(result.replies)] += "  " + _state(state)
            except requests.RequestException as error:
                transcript.fail(n, f"the tracker could not be read: {error}")
        if turn.expect is not None:
            _check_turn(
                transcript, n, turn.expect, result.replies, state, lambda: stored_counts(db, sender)
            )
    expect = dialogue.expect
    if expect.decisions is not None:
        for problem in _decision_problems(expect.decisions, stored_decisions(db, sender)):
            transcript.fail(None, problem)
    counts = stored_counts(db, sender)
    for key, wanted in expect.counts.items():
        problem = match(wanted, counts[key], key)
        if problem:
            transcript.fail(None, problem)
    if dialogue.role == "pelatih" and db != real_db:
        leaked = stored_counts(real_db, sender)
        if any(leaked[key] for key in ("decisions", "assessments", "conflicts")):
            transcript.fail(None, f"a trainer's practice reached the real database: {leaked}")
    return transcript
