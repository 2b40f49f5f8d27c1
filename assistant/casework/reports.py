"""Graduation report: counts per path step, welfare level and village, disaggregated by
gender and disability (3.4 asks for sex-disaggregated, inclusive data), as a table and as
a PNG chart."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.common.texts import text
from assistant.knowledge.loader import Knowledge

DIMENSIONS = ("state", "welfare_level", "village")


@dataclass
class GraduationReport:
    total: int
    # dimension -> value -> (group -> count); groups: L, P, disabilitas
    counts: dict[str, dict[str, Counter[str]]]

    def table(self, knowledge: Knowledge) -> str:
        names = _names(knowledge)
        lines = [text("report.title", total=self.total)]
        header = text("report.header")
        for dimension in DIMENSIONS:
            lines.append("")
            lines.append(text(f"report.by_{dimension}"))
            lines.append(header)
            for value, groups in _ordered(self.counts[dimension], knowledge):
                label = names.get(value, value)
                lines.append(
                    f"  {label[:34]:<34}{sum(groups[g] for g in ('L', 'P')):>7}"
                    f"{groups['L']:>7}{groups['P']:>7}{groups['disabilitas']:>12}"
                )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            **{d: {v: dict(c) for v, c in self.counts[d].items()} for d in DIMENSIONS},
        }


def graduation_report(rows: list[dict[str, Any]]) -> GraduationReport:
    counts: dict[str, dict[str, Counter[str]]] = {d: {} for d in DIMENSIONS}
    for row in rows:
        values = {
            "state": row["state"],
            "welfare_level": row["welfare_level"] or "belum_dinilai",
            "village": row["village"] or row["village_id"],
        }
        for dimension, value in values.items():
            groups = counts[dimension].setdefault(value, Counter())
            groups[row["gender"]] += 1
            if row["disability"]:
                groups["disabilitas"] += 1
    return GraduationReport(total=len(rows), counts=counts)


def chart(report: GraduationReport, knowledge: Knowledge, path: Path) -> Path:
    """Bars per path step and per welfare level, split by gender; disability marked."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    names = _names(knowledge)
    figure, axes = pyplot.subplots(1, 2, figsize=(12, 5))
    for axis, dimension in zip(axes, ("state", "welfare_level"), strict=True):
        items = _ordered(report.counts[dimension], knowledge)
        labels = [names.get(value, value) for value, _ in items]
        women = [groups["P"] for _, groups in items]
        men = [groups["L"] for _, groups in items]
        disabled = [groups["disabilitas"] for _, groups in items]
        positions = range(len(items))
        axis.barh(positions, women, label=text("report.women"), color="#c0504d")
        axis.barh(positions, men, left=women, label=text("report.men"), color="#4f81bd")
        axis.scatter(
            disabled,
            positions,
            marker="|",
            s=200,
            color="black",
            label=text("report.disabled"),
            zorder=3,
        )
        axis.set_yticks(list(positions), labels)
        axis.set_title(text(f"report.by_{dimension}"))
        axis.legend(loc="lower right", fontsize="small")
    figure.suptitle(text("report.title", total=report.total))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return path


def _ordered(
    counts: dict[str, Counter[str]], knowledge: Knowledge
) -> list[tuple[str, Counter[str]]]:
    """Path steps in path order, welfare levels by rank, anything else alphabetically."""
    graduation = knowledge.graduation
    order = [graduation.initial_state]
    order += [s.id for s in graduation.path("tidak_lulus")] + [
        s.id for s in graduation.path("lulus")
    ]
    order += [graduation.graduated_state, "belum_dinilai"]
    order += [level.id for level in sorted(graduation.levels, key=lambda x: x.rank)]
    rank = {value: i for i, value in enumerate(order)}
    return sorted(counts.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


@dataclass
class VillageSummary:
    """What a village official sees of their own village: counts only, read-only."""

    village: str
    total: int
    women: int
    men: int
    disabled: int
    # (state id, count, women, men, disabled), in path order
    by_state: list[tuple[str, int, int, int, int]]
    graduated: int
    reevaluation_due: int


def village_summary(
    village: str, rows: list[dict[str, Any]], knowledge: Knowledge, reevaluation_due: int
) -> VillageSummary:
    report = graduation_report(rows)
    graduation = knowledge.graduation
    graduated_states = {s.id for s in graduation.path("lulus")} | {graduation.graduated_state}
    by_state = [
        (
            state,
            groups["L"] + groups["P"],
            groups["P"],
            groups["L"],
            groups["disabilitas"],
        )
        for state, groups in _ordered(report.counts["state"], knowledge)
    ]
    return VillageSummary(
        village=village,
        total=len(rows),
        women=sum(1 for r in rows if r["gender"] == "P"),
        men=sum(1 for r in rows if r["gender"] == "L"),
        disabled=sum(1 for r in rows if r["disability"]),
        by_state=by_state,
        graduated=sum(1 for r in rows if r["state"] in graduated_states),
        reevaluation_due=reevaluation_due,
    )


def state_names(knowledge: Knowledge) -> dict[str, str]:
    """A person's name for every case state, welfare level and report group."""
    return _names(knowledge)


def _names(knowledge: Knowledge) -> dict[str, str]:
    graduation = knowledge.graduation
    names = {s.id: s.name for s in graduation.steps}
    names.update({level.id: level.name for level in graduation.levels})
    names[graduation.initial_state] = text("report.enrolled")
    names[graduation.graduated_state] = text("report.graduated")
    names["belum_dinilai"] = text("report.not_assessed")
    return names


def referral_table(
    counts: dict[str, Counter[str]], knowledge: Knowledge, statuses: tuple[str, ...]
) -> str:
    """Referrals by program and status (3.3.7 follow-up of graduates), as a text table."""
    lines = [text("followup.report_referrals")]
    lines.append("  " + f"{'':<34}" + "".join(f"{s:>10}" for s in statuses))
    names = {p.id: p.name for p in knowledge.programs.programs}
    for program, by_status in sorted(counts.items()):
        label = names.get(program, program)
        lines.append(f"  {label[:34]:<34}" + "".join(f"{by_status[s]:>10}" for s in statuses))
    return "\n".join(lines)
