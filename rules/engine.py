"""The one door to durable_rules.

- Rulesets are built from the knowledge and registered once per process (per knowledge
  version: the ruleset name carries the version, so rules always match their tables).
- Each decision runs in its own session id, which is deleted afterwards.
- Calls are serialised by a lock: the durable_rules C engine is not thread-safe.
- Our host runs no background dispatch threads, so every action runs inside the call that
  asserted its fact and the outcome is complete when ``run`` returns.
- An exception raised inside a rule action surfaces to the caller as ``RuleError``
  (durable_rules would otherwise only write it into the session state).
- Every fact is checked before it is posted (``check_fact``): its C engine crashes the
  whole process on numbers it cannot represent (1e16, 1e-07, infinity), so a number,
  string or list outside ``assistant.common.limits`` stops here as a ``FactError`` instead.
"""

from __future__ import annotations

import itertools
import math
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from durable import engine as dr_engine
from durable import lang as dr

from assistant.common.errors import InputError
from assistant.common.limits import (
    MAX_FACT_ITEMS,
    MAX_FACT_NUMBER,
    MAX_FACT_STRING,
    MIN_FACT_FRACTION,
)
from assistant.common.texts import Phrase, is_phrase, text
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models import Source

_LOCK = threading.RLock()
_SESSION_NOT_FOUND = "error code: 309"


class RuleError(RuntimeError):
    """A rule action failed, or the engine could not complete a decision."""


class FactError(RuleError, InputError):
    """A fact the engine must not see (a number, string or list out of bounds). It is also
    an ``InputError``, so every front end answers it with a sentence, never a crash."""

    def __init__(self, field: str) -> None:
        InputError.__init__(self, text("errors.fact_out_of_range", field=field), field)


def check_fact(value: Any, field: str = "fact") -> None:
    """Raise ``FactError`` unless ``value`` is safe to hand to durable_rules: plain JSON
    values only; integers and finite floats within ``MAX_FACT_NUMBER`` (a non-zero float
    no nearer to 0 than ``MIN_FACT_FRACTION``); bounded strings, lists and dicts."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_FACT_NUMBER:
            raise FactError(field)
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_FACT_NUMBER:
            raise FactError(field)
        if value != 0 and abs(value) < MIN_FACT_FRACTION:
            raise FactError(field)
    elif isinstance(value, str):
        if len(value) > MAX_FACT_STRING:
            raise FactError(field)
    elif isinstance(value, list | tuple):
        if len(value) > MAX_FACT_ITEMS:
            raise FactError(field)
        for item in value:
            check_fact(item, field)
    elif isinstance(value, dict):
        if len(value) > MAX_FACT_ITEMS:
            raise FactError(field)
        for key, item in value.items():
            if not isinstance(key, str) or len(key) > MAX_FACT_STRING:
                raise FactError(field)
            check_fact(item, key)
    else:
        raise FactError(field)


@dataclass(frozen=True)
class Firing:
    """One rule that fired: its id, the facts it matched, what it concluded, its source.

    Facts are kept as durable_rules gave them (with its bookkeeping keys); ``public()``
    strips those when the firing is recorded, once per decision rather than per action."""

    rule: str
    source: Source
    facts: list[dict[str, Any]]
    conclusion: dict[str, Any]
    because: list[Phrase]

    def public(self) -> dict[str, Any]:
        conclusion = dict(self.conclusion)
        if "derived" in conclusion:
            conclusion["derived"] = [clean_fact(fact) for fact in conclusion["derived"]]
        return {
            "rule": self.rule,
            "source": self.source,
            "facts": [clean_fact(fact) for fact in self.facts],
            "conclusion": conclusion,
            "because": self.because,
        }


@dataclass
class Outcome:
    session_id: str
    conclusions: dict[str, Any]
    trace: list[Firing]


@dataclass
class _Run:
    """What one decision collects while its rules fire (kept in Python, not in the C
    engine's session state, so that no action pays for a JSON round trip of it)."""

    conclusions: dict[str, Any] = field(default_factory=dict)
    trace: list[Firing] = field(default_factory=list)
    once: set[str] = field(default_factory=set)
    error: BaseException | None = None


class Fire:
    """What a rule action sees: the matched facts, and ways to conclude and derive."""

    def __init__(self, closure: Any, rule_id: str, source: Source, run: _Run, counter: Any) -> None:
        self._c = closure
        self._run = run
        self._conclusion: dict[str, Any] = {}
        self._because: list[Phrase] = []
        self._counter = counter
        self.rule_id = rule_id
        self.source = source

    @property
    def fact(self) -> dict[str, Any]:
        """The matched fact of a single-condition rule, without engine bookkeeping."""
        return self.facts()[0]

    def facts(self) -> list[dict[str, Any]]:
        """The matched facts, one per condition of the rule (durable_rules keys them by alias)."""
        matched = self._c._m or {}
        return [fact for fact in matched.values() if isinstance(fact, dict)]

    def matched(self, alias: str) -> dict[str, Any]:
        """The fact matched by the condition named ``alias`` (``c.alias << ...``)."""
        return self._c._m[alias]

    @property
    def conclusions(self) -> dict[str, Any]:
        """The conclusions so far in this session (read-only view)."""
        return dict(self._run.conclusions)

    def conclude(self, **values: Any) -> None:
        self._run.conclusions.update(values)
        self._conclusion.update(values)

    def add(self, key: str, *items: Any) -> None:
        """Append items to the list conclusion ``key``, skipping those already there."""
        current = self._run.conclusions.setdefault(key, [])
        for item in items:
            if item not in current:
                current.append(item)
                self._conclusion.setdefault(key, []).append(item)

    def because(self, *parts: Phrase) -> None:
        """Why this rule applies, as phrases (texts.yml keys with their values) that the reply
        and ``assistant explain`` render in the reader's language; never a sentence."""
        for part in parts:
            if not is_phrase(part):
                raise TypeError(f"{self.rule_id}: because() takes phrases, not {part!r}")
        self._because = list(parts)

    def derive(self, fact: dict[str, Any]) -> None:
        """Assert a new fact into this session; rules that match it fire next."""
        fact = dict(fact, id=f"{self.rule_id}#{next(self._counter)}")
        check_fact(fact)
        try:
            self._c.assert_fact(fact)
        except dr_engine.MessageNotHandledException:
            pass  # a fact no rule looks at: nothing follows from it
        self._conclusion.setdefault("derived", []).append(fact)

    def _record(self) -> None:
        self._run.trace.append(
            Firing(
                rule=self.rule_id,
                source=self.source,
                facts=self.facts(),
                conclusion=self._conclusion,
                because=self._because,
            )
        )


class RuleAction(Protocol):
    def __call__(self, fire: Fire, /) -> None: ...


class RuleBook:
    """Handed to a ruleset definer: ``@book.rule(id, condition, ..., source=...)``.

    ``once=True`` makes a rule fire at most once per decision, on the first facts that
    match it (for rules that collect, like "this needs row applies")."""

    def __init__(self, runs: dict[str, _Run]) -> None:
        self._runs = runs
        self._counter = itertools.count()
        self.rule_ids: list[str] = []

    def rule(
        self, rule_id: str, *conditions: Any, source: Source, once: bool = False
    ) -> Callable[[RuleAction], RuleAction]:
        if rule_id in self.rule_ids:
            raise ValueError(f"rule id '{rule_id}' defined twice")
        self.rule_ids.append(rule_id)

        def register(action: RuleAction) -> RuleAction:
            def run(closure: Any) -> None:
                current = self._runs[closure.s.sid]
                if once:
                    if rule_id in current.once:
                        return
                    current.once.add(rule_id)
                fire = Fire(closure, rule_id, source, current, self._counter)
                try:
                    action(fire)
                except BaseException as error:
                    if current.error is None:
                        current.error = error
                    raise
                fire._record()

            dr.when_all(*conditions)(run)
            return action

        return register


@dataclass(frozen=True)
class Ruleset:
    """A decision kind: ``define`` builds its rules from the knowledge, ``facts`` turns a
    validated input into the facts those rules match, and ``summarise`` (optional) shapes
    the conclusions into the decision's output (ordering, details from the tables)."""

    define: Callable[[Knowledge, RuleBook], None]
    facts: Callable[[Any, Knowledge], list[dict[str, Any]]]
    summarise: Callable[[dict[str, Any], Knowledge], dict[str, Any]] | None = None


class _SynchronousHost(dr_engine.Host):
    """A durable_rules host without its dispatch timers (we use no timers)."""

    def _run(self) -> None:
        return None


@dataclass
class Engine:
    """Runs decisions for one knowledge version. Get it with ``engine_for``."""

    knowledge: Knowledge
    rulesets: dict[str, Ruleset]
    _host: _SynchronousHost = field(default_factory=_SynchronousHost)
    _registered: dict[str, str] = field(default_factory=dict)
    _runs: dict[str, _Run] = field(default_factory=dict)
    rule_ids: dict[str, list[str]] = field(default_factory=dict)

    def run(self, kind: str, data: Any) -> Outcome:
        """Decide on one validated input (a model of ``assistant.decisions.inputs``)."""
        with _LOCK:
            name = self._ruleset(kind)
            sid = uuid.uuid4().hex
            ruleset = self.rulesets[kind]
            facts = ruleset.facts(data, self.knowledge)
            if len(facts) > MAX_FACT_ITEMS:
                raise FactError("facts")
            batch = [dict(fact, sid=sid, id=f"in#{i}") for i, fact in enumerate(facts)]
            for fact in batch:
                check_fact(fact)
            run = self._runs[sid] = _Run()
            try:
                try:
                    self._host.assert_facts(name, batch)
                except dr_engine.MessageNotHandledException:
                    pass  # no rule looks at these facts: an empty outcome
                state = self._state(name, sid)
            finally:
                self._delete(name, sid)
                del self._runs[sid]
            if run.error is not None:
                raise RuleError(f"rule action failed in '{kind}': {run.error}") from run.error
            if "exception" in state:
                raise RuleError(f"rule action failed in '{kind}': {state['exception']}")
            conclusions = run.conclusions
            if ruleset.summarise is not None:
                conclusions = ruleset.summarise(conclusions, self.knowledge)
            return Outcome(session_id=sid, conclusions=conclusions, trace=run.trace)

    def open_sessions(self) -> int:
        """Sessions started and not yet deleted (0 between decisions)."""
        return len(self._runs)

    def session_exists(self, kind: str, sid: str) -> bool:
        """Ask durable_rules itself whether a session still holds state."""
        with _LOCK:
            try:
                self._host.get_state(self._ruleset(kind), sid)
            except Exception as error:  # durable_rules_engine.error has no finer type
                if _SESSION_NOT_FOUND in str(error):
                    return False
                raise
            return True

    def _state(self, name: str, sid: str) -> dict[str, Any]:
        try:
            return self._host.get_state(name, sid)
        except Exception as error:
            if _SESSION_NOT_FOUND in str(error):
                return {}
            raise

    def _delete(self, name: str, sid: str) -> None:
        try:
            self._host.delete_state(name, sid)
        except Exception as error:
            if _SESSION_NOT_FOUND not in str(error):
                raise

    def _ruleset(self, kind: str) -> str:
        if kind in self._registered:
            return self._registered[kind]
        if kind not in self.rulesets:
            raise RuleError(f"no ruleset for decision kind '{kind}'")
        name = f"{kind}_{self.knowledge.version}"
        book = RuleBook(self._runs)
        ruleset = dr.ruleset(name)
        with ruleset:
            self.rulesets[kind].define(self.knowledge, book)
        # durable.lang also queues the ruleset for its global host; we register it on ours.
        dr._rulesets.pop(name, None)
        full_name, definition = ruleset.define()
        self._host.register_rulesets({full_name: definition})
        self._registered[kind] = name
        self.rule_ids[kind] = book.rule_ids
        return name


_ENGINES: dict[str, Engine] = {}


def engine_for(knowledge: Knowledge) -> Engine:
    """The process-wide engine for this knowledge version."""
    from rules import RULESETS

    with _LOCK:
        if knowledge.version not in _ENGINES:
            _ENGINES[knowledge.version] = Engine(knowledge=knowledge, rulesets=RULESETS)
        return _ENGINES[knowledge.version]


def clean_fact(fact: dict[str, Any]) -> dict[str, Any]:
    """A fact without durable_rules' bookkeeping keys (sid, id, $-keys)."""
    return {k: v for k, v in fact.items() if k not in ("sid", "id") and not k.startswith("$")}
