"""Needs -> intervention models (seed 3.3.2 "Panduan memilih model intervensi yang tepat"),
chained onwards: the sub-model that fits the person's employment status or business stage
(3.2), the table's considerations as follow-up models, each model's implementation guide
(3.3.5), the programs that deliver it (2.1) and the priority programs it serves (3.3.8)."""

from __future__ import annotations

from typing import Any

from durable.lang import c, m

from assistant.common.texts import phrase
from assistant.decisions.inputs import NeedsInput
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models.interventions import InterventionModel, SubModel
from assistant.knowledge.models.needs import Consideration, NeedSignal, NeedsRow
from assistant.knowledge.models.priorities import PriorityProgram
from rules.engine import Fire, RuleBook

SIGNAL = "sinyal"
PROFILE = "profil"
MODEL = "model"
UNKNOWN = "tidak_diketahui"


def facts(data: NeedsInput, knowledge: Knowledge) -> list[dict[str, Any]]:
    profile = {
        "t": PROFILE,
        "employment": data.employment or UNKNOWN,
        "business_stage": data.business_stage or UNKNOWN,
    }
    return [{"t": SIGNAL, "signal": s} for s in data.signals] + [profile]


def _any_of(attribute: str, values: list[str]) -> Any:
    condition = getattr(m, attribute) == values[0]
    for value in values[1:]:
        condition = condition | (getattr(m, attribute) == value)
    return condition


def define(knowledge: Knowledge, book: RuleBook) -> None:
    interventions = knowledge.interventions
    names = {model.id: model.name for model in interventions.models}

    for row in knowledge.needs.entries:
        for signal in row.signals:

            @book.rule(
                f"kebutuhan.sinyal.{signal.id}",
                (m.t == SIGNAL) & (m.signal == signal.id),
                source=signal.source,
            )
            def from_signal(fire: Fire, sig: NeedSignal = signal) -> None:
                fire.add("signals", sig.id)
                for model in sig.models:
                    fire.derive({"t": MODEL, "model": model, "via": sig.id})
                fire.because(
                    phrase(
                        "because.kebutuhan_sinyal",
                        signal=sig.text,
                        models=", ".join(names[model] for model in sig.models),
                    )
                )

        own_signals = [signal.id for signal in row.signals]

        @book.rule(
            f"kebutuhan.baris.{row.id}",
            (m.t == SIGNAL) & _any_of("signal", own_signals),
            source=row.source,
            once=True,
        )
        def apply_row(fire: Fire, entry: NeedsRow = row) -> None:
            fire.add("activities", *entry.activities)
            fire.add("considerations", *(item.text for item in entry.considerations))
            fire.because(phrase("because.kebutuhan_baris", row=entry.name))

        for consideration in row.considerations:
            if consideration.recommends is None:
                continue
            triggers = consideration.when_signals or own_signals

            @book.rule(
                f"kebutuhan.pertimbangan.{row.id}.{consideration.id}",
                (m.t == SIGNAL) & _any_of("signal", triggers),
                source=row.source,
                once=True,
            )
            def follow_up(fire: Fire, item: Consideration = consideration) -> None:
                fire.add(
                    "follow_ups",
                    {"model": item.recommends, "focus": item.focus, "reason": item.text},
                )
                fire.derive({"t": MODEL, "model": item.recommends, "via": item.id})
                fire.because(
                    phrase(
                        "because.kebutuhan_pertimbangan",
                        reason=item.text,
                        model=names[item.recommends],
                        focus=item.focus or "",
                    )
                )

    for model in interventions.models:
        delivering = [p.id for p in knowledge.programs.programs if model.id in p.models]

        @book.rule(
            f"kebutuhan.model.{model.id}",
            (m.t == MODEL) & (m.model == model.id),
            source=(model.guide or model).source,
            once=True,
        )
        def choose_model(
            fire: Fire, row: InterventionModel = model, programs: list[str] = delivering
        ) -> None:
            fire.add("interventions", row.id)
            fire.add("programs", *programs)
            fire.because(
                phrase("because.kebutuhan_model", model=row.name, guide=row.guide.name)
                if row.guide
                else phrase("because.kebutuhan_model_tanpa_panduan", model=row.name)
            )

        subs = interventions.subs_of(model.id)
        for sub in subs:
            for attribute, values in (
                ("employment", list(sub.for_employment)),
                ("business_stage", list(sub.for_business_stage)),
            ):
                if not values:
                    continue

                @book.rule(
                    f"kebutuhan.submodel.{sub.id}.{attribute}",
                    c.chosen << (m.t == MODEL) & (m.model == model.id),
                    c.profile << (m.t == PROFILE) & _any_of(attribute, values),
                    source=sub.source,
                    once=True,
                )
                def pick_sub(fire: Fire, row: SubModel = sub, attr: str = attribute) -> None:
                    fire.add("sub_models", row.id)
                    fire.because(
                        phrase(
                            f"because.kebutuhan_submodel_{attr}",
                            sub=row.name,
                            value=fire.matched("profile")[attr],
                        )
                    )

        for attribute in ("employment", "business_stage"):
            field = "for_employment" if attribute == "employment" else "for_business_stage"
            if not any(getattr(sub, field) for sub in subs):
                continue

            @book.rule(
                f"kebutuhan.tanya.{model.id}.{attribute}",
                c.chosen << (m.t == MODEL) & (m.model == model.id),
                c.profile << (m.t == PROFILE) & (getattr(m, attribute) == UNKNOWN),
                source=model.source,
                once=True,
            )
            def ask(fire: Fire, row: InterventionModel = model, attr: str = attribute) -> None:
                fire.add("missing", attr)
                fire.because(phrase(f"because.kebutuhan_tanya_{attr}", model=row.name))

    for priority in knowledge.priorities.priorities:
        served = sorted({model for example in priority.examples for model in example.models})

        @book.rule(
            f"kebutuhan.prioritas.{priority.id}",
            (m.t == MODEL) & _any_of("model", served),
            source=priority.source,
            once=True,
        )
        def align(fire: Fire, row: PriorityProgram = priority) -> None:
            fire.add("priorities", row.id)
            fire.because(phrase("because.kebutuhan_prioritas", priority=row.name))


def summarise(conclusions: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    interventions = knowledge.interventions
    chosen = conclusions.get("interventions", [])
    subs = conclusions.get("sub_models", [])
    return {
        "signals": conclusions.get("signals", []),
        "interventions": [
            {
                "id": model.id,
                "name": model.name,
                "group": model.group,
                "guide": _guide(model),
                "sub_models": [s.id for s in interventions.subs_of(model.id) if s.id in subs],
            }
            for model in interventions.models
            if model.id in chosen
        ],
        "sub_models": subs,
        "activities": conclusions.get("activities", []),
        "considerations": conclusions.get("considerations", []),
        "follow_ups": conclusions.get("follow_ups", []),
        "programs": conclusions.get("programs", []),
        "priorities": conclusions.get("priorities", []),
        "missing": conclusions.get("missing", []),
    }


def _guide(model: InterventionModel) -> dict[str, Any] | None:
    guide = model.guide
    if guide is None:
        return None
    return {
        "id": guide.id,
        "name": guide.name,
        "duration": guide.duration.model_dump(),
        "sessions": guide.sessions.model_dump(),
        "hours_per_session": guide.hours_per_session.model_dump(),
        "delivery": [share.model_dump() for share in guide.delivery],
    }
