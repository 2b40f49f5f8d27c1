"""The conversation fuzzer against its own real servers (tests/support/conversation_fuzz.py):
several simulated senders at once (facilitators, village officials, trainers, strangers),
random sequences of real-looking messages, the turn invariants checked on every turn and
the servers' logs after the run.

    FUZZ_TURNS   number of turns (default 2000; `make fuzz` runs a long one)
    FUZZ_SEED    repeat a run (default: a new seed, printed in the report)
    FUZZ_SENDERS senders talking at the same time (default 4)

The report (seed, turns, senders, violations by kind with a minimal reproduction each,
p50/p95 turn time) is printed (`pytest -s`) and written to the test's folder."""

from __future__ import annotations

import os
import random

import pytest

from tests.e2e import servers as real
from tests.e2e.conftest import seed as e2e_seed
from tests.support.conversation_fuzz import Fuzzer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fuzz_servers(tmp_path_factory):
    """Servers of its own: a hostile run does not share logs or state with other tests."""
    running = real.start(tmp_path_factory.mktemp("fuzz"), seed=e2e_seed)
    yield running
    running.stop()


def test_conversation_fuzz(fuzz_servers):
    turns = int(os.environ.get("FUZZ_TURNS", "2000"))
    seed = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(1, 10**9))
    senders = int(os.environ.get("FUZZ_SENDERS", "4"))
    print(f"\nconversation fuzz: seed {seed}, {turns} turns, {senders} senders at once")
    report = Fuzzer(fuzz_servers, seed=seed, turns=turns, concurrency=senders).run()
    summary = report.summary()
    print(summary)
    (fuzz_servers.workdir / "fuzz-report.txt").write_text(summary + "\n", encoding="utf-8")
    assert report.turns == turns
    if report.violations:
        pytest.fail(summary, pytrace=False)
