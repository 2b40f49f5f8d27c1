"""What the studio does, without HTTP: who may enter (a signed link of a trainer or an
admin), the practice persona each of them speaks as in the sandbox, decisions shown as
steps with their citations, "what if" re-runs, and the PNG and PDF exports.

Nothing here opens the real database but to read the user behind a link; every decision
the studio shows or makes lives in the sandbox (``Workspaces.sandbox``)."""

from __future__ import annotations

import io
import json
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.casework import access
from assistant.casework.workspaces import Workspaces
from assistant.common import texts
from assistant.common.errors import InputError
from assistant.common.texts import text
from assistant.decisions.inputs import INPUTS
from assistant.store.decision import Decision, FiredRule
from assistant.store.records import User
from assistant.studio import graph, scenarios, tokens

MAX_FACT_KEYS = 6
UNKNOWN = "tidak_diketahui"
EXPORT_SIZE = (1920, 1080)  # a projector slide
RECENT = 200


class Refused(Exception):
    """The studio may not be used with this link; ``reason`` keys ``studio.refused``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def because_of(fired: FiredRule, lang: str) -> str:
    """The one place the studio reads a rule's "because" (a sentence in older decisions,
    phrases to render in the reader's language in newer ones)."""
    render = getattr(texts, "say_all", None)
    if render is not None:
        return str(render(fired.because, lang))
    return fired.because if isinstance(fired.because, str) else json.dumps(fired.because)


def _short(fact: dict[str, Any]) -> str:
    shown = [
        f"{key}={value}"
        for key, value in fact.items()
        if value not in (UNKNOWN, None, "", [], {}) and key != "t"
    ]
    more = len(shown) - MAX_FACT_KEYS
    return ", ".join(shown[:MAX_FACT_KEYS]) + (f" (+{more})" if more > 0 else "")


def steps(decision: Decision, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "n": n,
            "rule": fired.rule,
            "section": fired.source.section,
            "heading": fired.source.title,
            "because": because_of(fired, lang),
            "facts": [_short(fact) for fact in fired.facts],
            "concluded": _short({k: v for k, v in fired.conclusion.items() if k != "derived"}),
        }
        for n, fired in enumerate(decision.trace, 1)
    ]


def headline(decision: Decision) -> dict[str, Any]:
    """The conclusions worth a line on the screen: scalars and short lists."""
    shown: dict[str, Any] = {}
    for key, value in decision.output.items():
        if isinstance(value, str | bool | int | float) and value != UNKNOWN:
            shown[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            shown[key] = ", ".join(value)
    return shown


def changes(before: Decision, after: Decision) -> dict[str, Any]:
    """What a what-if changed: inputs, the rules that fired, the conclusions."""
    keys = sorted(set(before.input) | set(after.input))
    inputs = [
        {"field": k, "before": before.input.get(k), "after": after.input.get(k)}
        for k in keys
        if before.input.get(k) != after.input.get(k)
    ]
    old, new = set(before.fired), set(after.fired)
    old_out, new_out = headline(before), headline(after)
    outputs = [
        {"field": k, "before": old_out.get(k), "after": new_out.get(k)}
        for k in sorted(set(old_out) | set(new_out))
        if old_out.get(k) != new_out.get(k)
    ]
    return {
        "inputs": inputs,
        "rules_added": [r for r in after.fired if r not in old],
        "rules_dropped": [r for r in before.fired if r not in new],
        "outputs": outputs,
    }


def form_fields(decision: Decision, knowledge: Any) -> list[dict[str, Any]]:
    """The inputs of the decision's kind as a small form, each with its current value and,
    where the guideline lists them, its choices."""
    kind = decision.kind
    choices: dict[str, list[str]] = {}
    if kind == "graduation":
        choices = {
            "state": list(knowledge.graduation.state_ids),
            "program": list(knowledge.programs.ids),
            "follow_up": [o.id for o in knowledge.graduation.follow_up_options],
        }
    elif kind == "conflict":
        choices = {
            "type": [t.id for t in knowledge.conflicts.types],
            "scope": [s.id for s in knowledge.conflicts.scopes],
        }
    elif kind == "needs":
        from assistant.knowledge.models.interventions import BUSINESS_STAGE, EMPLOYMENT

        choices = {
            "signals": list(knowledge.needs.signals()),
            "employment": list(EMPLOYMENT.__args__),
            "business_stage": list(BUSINESS_STAGE.__args__),
        }
    elif kind == "approach":
        choices = {
            "conditions": [c.id for c in knowledge.approaches.conditions],
            "groups": [g.id for g in knowledge.approaches.groups],
        }
    model = INPUTS[kind]
    fields = []
    for name, info in model.model_fields.items():
        annotation = str(info.annotation)
        value = decision.input.get(name)
        if name in choices:
            many = "list" in annotation
            fields.append(
                {
                    "name": name,
                    "type": "multi" if many else "choice",
                    "value": value,
                    "choices": choices[name],
                    "optional": not info.is_required(),
                }
            )
        elif "bool" in annotation:
            fields.append(
                {"name": name, "type": "bool", "value": value, "optional": "None" in annotation}
            )
        elif (
            annotation.startswith("int")
            or "Rupiah" in annotation
            or name in ("income_monthly", "umk", "head_age", "dtsen_decile")
        ):
            fields.append({"name": name, "type": "number", "value": value})
    return fields


@dataclass
class Session:
    """One user's studio: the persona they speak as, the decision on screen."""

    user: User
    persona: User
    shown: str | None = None
    history: list[str] = field(default_factory=list)


class Studio:
    def __init__(self, database: Path, sandbox: Path, secret: bytes) -> None:
        self.rooms = Workspaces(database, sandbox)
        self.knowledge = self.rooms.main.knowledge
        self.secret = secret
        self._sessions: dict[str, Session] = {}
        self._lock = threading.RLock()

    # --- who -----------------------------------------------------------------------

    def admit(self, token: str | None) -> Session:
        """The session of a link's user, or ``Refused``."""
        try:
            grant = tokens.verify(token, self.secret)
        except tokens.TokenRefused as refused:
            raise Refused(refused.reason) from None
        user = self.rooms.main.store.get_user(grant.user_id)
        if user is None or not access.can_use_studio(user):
            raise Refused("not_trainer")
        with self._lock:
            session = self._sessions.get(user.id)
            if session is None or session.user != user:
                session = self._fresh(user)
            return session

    def _fresh(self, user: User) -> Session:
        persona = access.studio_persona(user, secrets.token_hex(3))
        practice = self.rooms.practice(persona)
        practice.seed_samples(persona)
        session = Session(user=user, persona=persona)
        self._sessions[user.id] = session
        return session

    def reset(self, session: Session) -> Session:
        """A fresh persona: new sample households, a new conversation."""
        with self._lock:
            return self._fresh(session.user)

    # --- decisions -----------------------------------------------------------------

    @property
    def sandbox(self) -> Any:
        return self.rooms.sandbox()

    def latest(self, session: Session) -> Decision | None:
        """The persona's most recent decision in the sandbox."""
        for decision in self.sandbox.store.recent_decisions(limit=RECENT):
            if decision.actor == session.persona.id:
                return decision
        return None

    def decision(self, session: Session, decision_id: str) -> Decision:
        found = self.sandbox.store.get_decision(decision_id)
        if found is None or found.actor != session.persona.id:
            raise InputError(text("errors.no_decision", decision_id=decision_id), "decision_id")
        return found

    def view(
        self, session: Session, decision: Decision, lang: str, before: Decision | None = None
    ) -> dict[str, Any]:
        session.shown = decision.id
        return {
            "id": decision.id,
            "kind": decision.kind,
            "created_at": decision.created_at.isoformat(timespec="seconds"),
            "input": decision.input,
            "output": headline(decision),
            "steps": steps(decision, lang),
            "citations": [c.model_dump() for c in decision.citations],
            "svg": graph.svg(decision, self.knowledge, lang, before),
            "form": form_fields(decision, self.knowledge),
            "before": before.id if before else None,
            "changes": changes(before, decision) if before else None,
        }

    def what_if(
        self, session: Session, decision_id: str, changed: dict[str, Any]
    ) -> tuple[Decision, Decision]:
        """The decision re-run in the sandbox with ``changed`` inputs (empty values drop
        the field); stored there under the persona, never in the real database."""
        before = self.decision(session, decision_id)
        payload = {**before.input, **changed}
        payload = {k: v for k, v in payload.items() if v is not None and v != ""}
        after = self.sandbox.assistant.decide(
            before.kind, payload, actor=session.persona.id, channel="studio"
        )
        return before, after

    def scenario_decision(self, session: Session, scenario: scenarios.Scenario) -> Decision:
        if scenario.inputs is None:
            raise InputError(text("studio.scenario.no_inputs", id=scenario.id), "scenario")
        return self.sandbox.assistant.decide(
            scenario.kind, scenario.inputs, actor=session.persona.id, channel="studio"
        )

    def scenarios(
        self, lang: str
    ) -> tuple[list[scenarios.Scenario], list[scenarios.ScenarioError]]:
        return scenarios.load_all(self.knowledge, lang=lang)

    # --- exports -------------------------------------------------------------------

    def png(self, decision: Decision, lang: str) -> bytes:
        """The path as a 1920x1080 PNG: the diagram fitted under a title line."""
        from PIL import Image, ImageDraw, ImageFont

        drawn = Image.open(
            io.BytesIO(graph.render(graph.to_dot(decision, self.knowledge, lang), "png", dpi=110))
        )
        width, height = EXPORT_SIZE
        page = Image.new("RGB", EXPORT_SIZE, "white")
        title_height = 70
        try:
            font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
        except OSError:
            font = ImageFont.load_default()
        ImageDraw.Draw(page).text(
            (30, 20),
            text("studio.export.title", lang, kind=decision.kind, id=decision.id),
            fill="black",
            font=font,
        )
        room = (width - 40, height - title_height - 20)
        drawn.thumbnail(room)
        page.paste(drawn.convert("RGB"), ((width - drawn.width) // 2, title_height))
        out = io.BytesIO()
        page.save(out, "PNG")
        return out.getvalue()

    def pdf(self, decision: Decision, lang: str) -> bytes:
        """A one-page A4 handout: the decision, its path drawn, the steps and citations."""
        from assistant.studio.handout import handout

        picture = graph.render(graph.to_dot(decision, self.knowledge, lang), "png", dpi=150)
        return handout(decision, picture, steps(decision, lang), headline(decision), lang)

    def close(self) -> None:
        self.rooms.close()
