"""Print the held-out NLU figures of `rasa test nlu` and fail below the target.

    .venv/bin/python scripts/nlu_score.py var/results/nlu [0.90]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET = 0.90


def main(results: Path, target: float) -> int:
    report = json.loads((results / "intent_report.json").read_text(encoding="utf-8"))
    weighted = report["weighted avg"]["f1-score"]
    print(f"NLU uji terpisah: F1 intent (weighted) = {weighted:.3f} (target >= {target:.2f})")
    weak = {
        name: scores["f1-score"]
        for name, scores in report.items()
        if isinstance(scores, dict) and "support" in scores and name not in (
            "weighted avg", "macro avg", "micro avg")
        and scores["f1-score"] < target
    }
    for name, score in sorted(weak.items(), key=lambda item: item[1]):
        print(f"  lemah: {name} F1 {score:.2f}")
    entities = results / "DIETClassifier_report.json"
    if entities.exists():
        data = json.loads(entities.read_text(encoding="utf-8"))
        for entity in ("kebutuhan", "program"):
            if entity in data:
                print(f"  entitas {entity}: F1 {data[entity]['f1-score']:.2f}")
    return 0 if weighted >= target else 1


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/results/nlu")
    sys.exit(main(folder, float(sys.argv[2]) if len(sys.argv) > 2 else TARGET))
