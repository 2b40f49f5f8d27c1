"""Fuzzing `assistant decide`: thousands of generated bad inputs across every decision
kind (absurd numbers, broken JSON, invalid UTF-8, deep nesting, huge integers, wrong
types). Invariant: each is decided or refused with a JSON error and exit 2; no
traceback, and no crash of the process (a worker that dies is counted as a crash).
`make fuzz` runs a longer one (FUZZ_CASES)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.fuzz_inputs import KINDS, cases
from tests.support.fuzz_run import run_cases

ROOT = Path(__file__).resolve().parents[2]
COUNT = int(os.environ.get("FUZZ_CASES", "3000"))


def test_fuzzed_decide_inputs_never_crash_and_never_trace(tmp_path):
    generated = list(cases(count=COUNT))
    assert len(generated) >= 2000 and {kind for kind, _ in generated} == set(KINDS)
    report = run_cases(generated, tmp_path / "fuzz.db", ROOT)
    print(f"\nfuzz decide: {report.total} inputs, {dict(report.outcomes)}")
    assert report.total == len(generated)
    assert set(report.outcomes) <= {"decided", "refused"}, report.examples
    assert report.outcomes["refused"] > report.outcomes["decided"]  # they are bad inputs
