"""Print the held-out NLU figures of `rasa test nlu` and fail below the targets.

    .venv/bin/python scripts/nlu_score.py var/results/nlu [0.95]

Fails (exit 1) when the weighted intent F1 is below the target, when any intent of the
held-out set scores an F1 below FLOOR, or when fewer than SAFEGUARDING_RECALL of the held-out
reports of harm (report_abuse) are recognised: a missed report is the costly mistake."""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET = 0.95
FLOOR = 0.85
SAFEGUARDING = "report_abuse"
SAFEGUARDING_RECALL = 0.95
SUMMARIES = ("accuracy", "weighted avg", "macro avg", "micro avg")


def main(results: Path, target: float) -> int:
    report = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    intents = {
        name: scores
        for name, scores in report.items()
        if isinstance(scores, dict) and name not in SUMMARIES and scores.get("support", 0) > 0
    }
    weighted = report["weighted avg"]["f1-score"]
    failures = []
    print(f"NLU uji terpisah: F1 intent (weighted) = {weighted:.3f} (target >= {target:.2f})")
    if weighted < target:
        failures.append(f"F1 weighted {weighted:.3f} < {target:.2f}")

    for name, scores in sorted(intents.items(), key=lambda item: item[1]["f1-score"]):
        f1 = scores["f1-score"]
        if f1 < target:
            print(f"  lemah: {name} F1 {f1:.2f} (n={scores['support']})")
        if f1 < FLOOR:
            failures.append(f"{name} F1 {f1:.2f} < {FLOOR:.2f}")

    abuse = intents.get(SAFEGUARDING)
    if abuse is None:
        print(f"  {SAFEGUARDING}: tidak ada contoh uji")
        failures.append(f"no held-out {SAFEGUARDING} examples")
    else:
        recall = abuse["recall"]
        print(f"  {SAFEGUARDING}: recall {recall:.3f} (target >= {SAFEGUARDING_RECALL:.2f}), "
              f"precision {abuse['precision']:.3f}, n={abuse['support']}")
        if recall < SAFEGUARDING_RECALL:
            failures.append(f"{SAFEGUARDING} recall {recall:.3f} < {SAFEGUARDING_RECALL:.2f}")
        for error in _errors(results):
            if error.get("intent") == SAFEGUARDING:
                predicted = error.get("intent_prediction") or {}
                print(f"    terlewat: {error.get('text')!r} -> {predicted.get('name')} "
                      f"({predicted.get('confidence', 0):.2f})")

    entities = results / "DIETClassifier_report.json"
    if entities.exists():
        data = json.loads(entities.read_text(encoding="utf-8"))
        for entity in ("kebutuhan", "program"):
            if entity in data:
                print(f"  entitas {entity}: F1 {data[entity]['f1-score']:.2f}")

    for failure in failures:
        print(f"GAGAL: {failure}")
    return 1 if failures else 0


def _errors(results: Path) -> list[dict]:
    path = results / "intent_errors.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/results/nlu")
    sys.exit(main(folder, float(sys.argv[2]) if len(sys.argv) > 2 else TARGET))
