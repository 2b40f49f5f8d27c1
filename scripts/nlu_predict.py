"""Parse messages with one trained model and print one JSON line per message: the text,
the intent the model gives, its confidence, the runner-up and its confidence.

    .venv-rasa/bin/python scripts/nlu_predict.py MODEL MESSAGES.txt > predictions.jsonl

MESSAGES.txt holds one message per line (JSON strings, so that a message may hold a
newline). Runs in the Rasa environment with the numerics of scripts/rasa_cli.py, like
every other use of Rasa here. Used by scripts/model_check.py (reproducibility and the
margins of the messages the tests send across training seeds)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import warnings


async def predict(model: str, messages: list[str]) -> list[dict[str, object]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    rows = []
    for text in messages:
        parsed = await agent.parse_message(text)
        # the classifier's own ranking: FallbackClassifier puts nlu_fallback in front
        ranking = [
            item
            for item in parsed.get("intent_ranking") or [parsed.get("intent") or {}]
            if item.get("name") != "nlu_fallback"
        ]
        first = ranking[0] if ranking else {}
        second = ranking[1] if len(ranking) > 1 else {"name": None, "confidence": 0.0}
        rows.append(
            {
                "text": text,
                "intent": parsed.get("intent", {}).get("name"),
                "confidence": parsed.get("intent", {}).get("confidence", 0.0),
                "top": first.get("name"),
                "top_confidence": first.get("confidence", 0.0),
                "runner_up": second.get("name"),
                "runner_up_confidence": second.get("confidence", 0.0),
            }
        )
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import rasa_cli

    rasa_cli.set_numerics(os.environ)
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    model, messages_file = argv
    with open(messages_file, encoding="utf-8") as handle:
        messages = [json.loads(line) for line in handle if line.strip()]
    for row in asyncio.run(predict(model, messages)):
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
