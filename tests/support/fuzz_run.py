"""Feed generated cases to ``decide_worker`` processes; a worker that dies (a segfault
of the C rules engine) is counted as a crash of the case it was on and replaced."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FuzzReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def add(self, outcome: str, kind: str, raw: bytes, detail: str = "") -> None:
        self.outcomes[outcome] += 1
        if outcome not in ("decided", "refused"):
            shown = raw[:120].decode("utf-8", "replace")
            self.examples.setdefault(outcome, []).append(f"{kind}: {shown!r} {detail[-300:]}")


def _start(database: Path, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.decide_worker", str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
    )


def run_cases(cases: Iterable[tuple[str, bytes]], database: Path, cwd: Path) -> FuzzReport:
    report = FuzzReport()
    worker = _start(database, cwd)
    for kind, raw in cases:
        assert worker.stdin is not None and worker.stdout is not None
        line = json.dumps({"kind": kind, "raw": base64.b64encode(raw).decode()}) + "\n"
        try:
            worker.stdin.write(line.encode())
            worker.stdin.flush()
            answer = worker.stdout.readline()
        except BrokenPipeError:
            answer = b""
        if not answer:
            code = worker.wait()
            report.add("crash", kind, raw, f"worker exit {code}")
            worker = _start(database, cwd)
            continue
        result = json.loads(answer)
        report.add(result["outcome"], kind, raw, str(result.get("detail", "")))
    if worker.stdin:
        worker.stdin.close()
    worker.wait()
    return report
