"""Run ``assistant decide`` in-process for many inputs and classify each outcome.

Protocol: one JSON line per case on stdin (``{"kind": ..., "raw": base64}``), one JSON
line per result on stdout (``{"outcome": "decided" | "refused" | "traceback" | "bad"}``).
A crash of the process (a segfault in the rules engine) is seen by the parent as the
process ending before it answered; see ``tests.support.fuzz_run``."""

from __future__ import annotations

import base64
import json
import sys
import traceback
from pathlib import Path

from click.testing import CliRunner


def classify(code: int, output: str, exception: BaseException | None) -> dict[str, object]:
    if exception is not None and not isinstance(exception, SystemExit):
        trace = "".join(traceback.format_exception(exception))
        return {"outcome": "traceback", "detail": trace[-600:]}
    if "Traceback (most recent call last)" in output:
        return {"outcome": "traceback", "detail": output[-600:]}
    try:
        answer = json.loads(output)
    except ValueError:
        return {"outcome": "bad", "detail": f"exit {code}, not JSON: {output[:300]!r}"}
    if code == 0 and isinstance(answer, dict) and "decision_id" in answer:
        return {"outcome": "decided"}
    if (
        code == 2
        and isinstance(answer, dict)
        and isinstance(answer.get("error"), str)
        and answer["error"]
        and "field" in answer
    ):
        return {"outcome": "refused"}
    return {"outcome": "bad", "detail": f"exit {code}: {output[:300]!r}"}


def main() -> None:
    from assistant.cli.main import main as cli

    database = Path(sys.argv[1])
    runner = CliRunner()
    for line in sys.stdin:
        case = json.loads(line)
        raw = base64.b64decode(case["raw"])
        result = runner.invoke(
            cli, ["decide", case["kind"], "--db", str(database)], input=raw, catch_exceptions=True
        )
        outcome = classify(result.exit_code, result.output, result.exception)
        sys.stdout.write(json.dumps(outcome) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
