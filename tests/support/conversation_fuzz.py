"""The conversation fuzzer: simulated people (registered facilitators, village officials and
trainers, and strangers) talking to the real servers at the same time, each sending a random
sequence of real-looking messages (tests/support/conversation_corpus.py). Every turn must keep
the turn invariants (tests/support/dialogues.py ``turn_violations``): 1 to 3 messages, none
empty or repeated, HTTP 200 within the time bound, no exception text, not the assistant's
"something went wrong" apology; the servers' logs must gain no Traceback, "failed for one
conversation", "Circuit breaker tripped" or "turn guard:" line, and no server may restart.

A run is reproducible from its seed (printed in the report). Each person talks for a few to a
few dozen turns, then a new one takes their place, so that a violation's history is short;
after the run, the first example of each kind of violation is shrunk to a minimal message
sequence by replaying it with a fresh sender of the same role (within a budget of turns).

    report = Fuzzer(servers, seed=1, turns=2000).run()
    print(report.summary())
"""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import conversation_corpus as corpus
from tests.support.dialogues import (
    TURN_SECONDS,
    LogWatch,
    error_apologies,
    explain_surplus,
    new_sender,
    send,
    turn_violations,
)

ROLES = ("pendamping", "pendamping", "pendamping", "pejabat_desa", "pelatih", "stranger")
VILLAGES = ("fz_sukajaya", "fz_tanpaumk")
FIRST_NAMES = (
    "Sumarni Wati",
    "Rohani Lestari",
    "Darsih Kurniasih",
    "Yusuf Maulana",
    "Endang Suhaeni",
    "Ratna Sari",
    "Ujang Koswara",
    "Tuti Alawiyah",
)
_CIRCUIT = re.compile(r"Circuit breaker tripped.*sender '([^']*)'")
_GUARD = re.compile(r"turn guard:.* for (\S+)")


@dataclass(frozen=True)
class Persona:
    sender: str
    role: str
    households: tuple[tuple[str, str], ...] = ()  # (name, village)
    village: str | None = None

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.households]


@dataclass
class Violation:
    kind: str
    detail: str
    persona: Persona
    history: list[str]  # the persona's messages up to and including the violating one
    replies: list[str]


@dataclass
class FuzzReport:
    seed: int
    turns: int = 0
    senders: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)
    violations: Counter[str] = field(default_factory=Counter)
    examples: dict[str, Violation] = field(default_factory=dict)
    reproductions: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    log_lines: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def percentile(self, share: float) -> float:
        if not self.times:
            return 0.0
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def summary(self) -> str:
        roles = ", ".join(f"{role} {count}" for role, count in sorted(self.senders.items()))
        lines = [
            f"conversation fuzz: seed {self.seed} (FUZZ_SEED={self.seed} to repeat), "
            f"{self.turns} turns, {sum(self.senders.values())} senders ({roles}), "
            f"{self.seconds:.0f}s",
            f"turn time: p50 {self.percentile(0.5):.2f}s, p95 {self.percentile(0.95):.2f}s, "
            f"max {max(self.times, default=0):.2f}s, mean "
            f"{statistics.fmean(self.times) if self.times else 0:.2f}s",
        ]
        if not self.violations:
            lines.append("violations: none")
        else:
            lines.append("violations by kind:")
            for kind, count in self.violations.most_common():
                lines.append(f"  {kind}: {count}")
            lines.append("examples (first of each kind) and minimal reproductions:")
            for kind, example in self.examples.items():
                lines.append(
                    f"  {kind} [{example.persona.role}] {example.detail}\n"
                    f"    sequence ({len(example.history)}): {_messages(example.history)}\n"
                    f"    replies: {_messages(example.replies, 160)}"
                )
                if kind in self.reproductions:
                    how, minimal = self.reproductions[kind]
                    lines.append(f"    minimal ({how}): {_messages(minimal)}")
        for kind, found in self.log_lines.items():
            lines.append(f"log {kind}: {len(found)} line(s), e.g. {found[0][:240]}")
        return "\n".join(lines)


def _messages(messages: list[str], limit: int = 120) -> str:
    shown = [
        m if len(m) <= limit else m[: limit - 20] + f"…(+{len(m) - limit + 20})" for m in messages
    ]
    return repr(shown)


def mask(sender: str) -> str:
    """How the turn guard writes a sender id in its log lines."""
    return sender if len(sender) < 8 else sender[:3] + "*" * (len(sender) - 7) + sender[-4:]


class _Logs:
    """The servers' logs, read by every worker after each of its turns: lines that name a
    sender are kept for that sender; the rest is counted by kind."""

    def __init__(self, folder: Path) -> None:
        self.watch = LogWatch(folder)
        self.lock = threading.Lock()
        self.named: dict[str, list[tuple[str, str]]] = {}
        self.unnamed: list[tuple[str, str]] = []

    def poll(self) -> None:
        with self.lock:
            for kind, line in LogWatch.problems(self.watch.new_lines()):
                who = None
                if kind == "log_circuit_breaker" and (hit := _CIRCUIT.search(line)):
                    who = hit.group(1)
                elif kind.startswith("log_turn_guard") and (hit := _GUARD.search(line)):
                    who = hit.group(1).rstrip(";,.")
                if who:
                    self.named.setdefault(who, []).append((kind, line))
                else:
                    self.unnamed.append((kind, line))

    def take(self, sender: str) -> list[tuple[str, str]]:
        self.poll()
        with self.lock:
            return self.named.pop(sender, []) + self.named.pop(mask(sender), [])

    def take_unnamed(self) -> list[tuple[str, str]]:
        self.poll()
        with self.lock:
            found, self.unnamed = self.unnamed, []
            return found


class Fuzzer:
    def __init__(
        self,
        servers: Any,
        seed: int,
        turns: int = 2000,
        concurrency: int = 4,
        timeout: float = TURN_SECONDS,
        shrink_turns: int = 400,
    ) -> None:
        self.servers = servers
        self.seed = seed
        self.total = turns
        self.concurrency = concurrency
        self.timeout = timeout
        self.shrink_turns = shrink_turns
        self.report = FuzzReport(seed=seed)
        self.apologies = error_apologies()
        self.logs = _Logs(Path(servers.workdir))
        self.lock = threading.Lock()
        self.sent = 0
        self.budget = shrink_turns
        self._prepare()

    # --- people ---------------------------------------------------------------------

    def _casework(self) -> Any:
        from assistant.casework.service import Casework
        from assistant.store.db import Store

        return Casework(Store(self.servers.db_path))

    def _prepare(self) -> None:
        from assistant.store.records import Village

        work = self._casework()
        try:
            admin = work.user("admin")
            for village_id, umk in zip(VILLAGES, (2_400_000.0, None), strict=True):
                if work.store.get_village(village_id) is None:
                    work.add_village(admin, Village(id=village_id, name=village_id, umk=umk))
        finally:
            work.store.close()

    def persona(self, rng: random.Random, role: str | None = None) -> Persona:
        """A new person of ``role`` (drawn when None), registered unless a stranger."""
        role = role or rng.choice(ROLES)
        households: tuple[tuple[str, str], ...] = ()
        if role == "pendamping":
            households = tuple(
                (name, rng.choices(VILLAGES, weights=(4, 1))[0])
                for name in rng.sample(FIRST_NAMES, rng.randint(1, 3))
            )
        village = rng.choice(VILLAGES) if role == "pejabat_desa" else None
        return self.register(Persona(new_sender("6281"), role, households, village))

    def register(self, persona: Persona) -> Persona:
        """Write ``persona``'s user and households to the database (not for a stranger)."""
        if persona.role == "stranger":
            return persona
        from assistant.store.records import User

        with self.lock:
            work = self._casework()
            try:
                user = User(
                    id=persona.sender,
                    name=f"Fuzz {persona.sender[-4:]}",
                    role=persona.role,
                    village_id=persona.village,
                )
                work.add_user(work.user("admin"), user)
                for name, village in persona.households:
                    work.register(user, name=name, village_id=village, gender="P", program="pena")
            finally:
                work.store.close()
        return persona

    def like(self, persona: Persona) -> Persona:
        """A fresh person like ``persona``: same role, village and households."""
        return self.register(
            Persona(new_sender("6281"), persona.role, persona.households, persona.village)
        )

    # --- turns ----------------------------------------------------------------------

    def turn(
        self, persona: Persona, message: str
    ) -> tuple[list[str], list[tuple[str, str]], float]:
        result = send(
            self.servers.rasa_url, persona.sender, message, self.timeout,
            self.servers.rest_headers,
        )
        found = turn_violations(result, self.apologies, self.timeout)
        found += self.logs.take(persona.sender)
        return result.replies, found, result.seconds

    def _claim(self) -> bool:
        with self.lock:
            if self.sent >= self.total:
                return False
            self.sent += 1
            return True

    def _record(
        self,
        persona: Persona,
        history: list[str],
        replies: list[str],
        found: list[tuple[str, str]],
        seconds: float,
    ) -> None:
        with self.lock:
            self.report.turns += 1
            self.report.times.append(seconds)
            for kind, detail in found:
                self.report.violations[kind] += 1
                if kind not in self.report.examples:
                    if kind == "too_many_messages":
                        detail += explain_surplus(self.servers, persona.sender, len(replies))
                    self.report.examples[kind] = Violation(
                        kind, detail, persona, list(history), list(replies)
                    )

    def _worker(self, number: int) -> None:
        rng = random.Random(f"{self.seed}-{number}")
        while True:
            persona = self.persona(rng)
            with self.lock:
                self.report.senders[persona.role] += 1
            history: list[str] = []
            previous = None
            for _ in range(rng.randint(3, 40)):
                if not self._claim():
                    return
                previous, message = corpus.draw(rng, previous, persona.names)
                history.append(message)
                replies, found, seconds = self.turn(persona, message)
                self._record(persona, history, replies, found, seconds)

    def run(self) -> FuzzReport:
        started = time.monotonic()
        self.logs.take_unnamed()  # what was there before the run is not ours
        workers = [
            threading.Thread(target=self._worker, args=(n,), daemon=True)
            for n in range(self.concurrency)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        time.sleep(0.5)  # let the last lines reach the logs
        for kind, line in self.logs.take_unnamed():
            self.report.violations[kind] += 1
            self.report.log_lines.setdefault(kind, []).append(line)
        for who, found in list(self.logs.named.items()):
            for kind, line in found:
                self.report.violations[kind] += 1
                self.report.log_lines.setdefault(kind, []).append(f"{who}: {line}")
        self.shrink()
        self.report.seconds = time.monotonic() - started
        return self.report

    # --- minimal reproductions -------------------------------------------------------

    def replay(self, like: Persona, messages: list[str], kind: str) -> int | None:
        """Say ``messages`` as a fresh person like ``like``; the number of messages it took
        to see ``kind``, or None."""
        persona = self.like(like)
        self.logs.take_unnamed()
        for n, message in enumerate(messages, start=1):
            self.budget -= 1
            _, found, _ = self.turn(persona, message)
            found += self.logs.take_unnamed()
            if any(k == kind for k, _ in found):
                return n
        return None

    def shrink(self) -> None:
        self.budget = self.shrink_turns
        for kind, example in self.report.examples.items():
            if self.budget <= 0:
                break
            history = example.history
            minimal = self._shrink(example.persona, history, kind)
            if minimal is None:
                self.report.reproductions[kind] = ("not reproduced on a fresh sender", history)
            else:
                self.report.reproductions[kind] = ("reproduced", minimal)

    def _shrink(self, persona: Persona, history: list[str], kind: str) -> list[str] | None:
        # the shortest tail of the history that shows it: 1, 2, 4 ... messages, then all
        sizes = [2**k for k in range(len(history).bit_length()) if 2**k < len(history)]
        found: list[str] | None = None
        for size in [*sizes, len(history)]:
            if self.budget < size:
                break
            tail = history[-size:]
            taken = self.replay(persona, tail, kind)
            if taken is not None:
                found = tail[:taken]
                break
        if found is None:
            return None
        # then drop what it does not need, one message at a time
        index = 0
        while index < len(found) - 1 and self.budget > len(found):
            candidate = found[:index] + found[index + 1 :]
            taken = self.replay(persona, candidate, kind)
            if taken is not None:
                found = candidate[:taken]
            else:
                index += 1
        return found


def run_fuzz(
    servers: Any,
    seed: int,
    turns: int,
    concurrency: int = 4,
    progress: Callable[[str], None] | None = None,
) -> FuzzReport:
    fuzzer = Fuzzer(servers, seed=seed, turns=turns, concurrency=concurrency)
    report = fuzzer.run()
    if progress:
        progress(report.summary())
    return report
