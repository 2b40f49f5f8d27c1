"""Rules-engine benchmark (`make bench`): per decision kind, the latency of one decision
(p50/p99) and decisions per second over 10,000 varied inputs, with resident memory before
and after. Validation and the engine are measured; the store is not (see bench/batch.py)."""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from assistant.inputs import INPUTS
from assistant.knowledge import Knowledge, default_knowledge
from rules.engine import engine_for

N = 10_000


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 2**20


def conflict_inputs(knowledge: Knowledge) -> Iterator[dict[str, Any]]:
    types = [t.id for t in knowledge.conflicts.types]
    scopes = [None] + [s.id for s in knowledge.conflicts.scopes]
    for i in itertools.count():
        payload: dict[str, Any] = {
            "type": types[i % len(types)],
            "threatens_program": i % 5 == 0,
            "safeguarding": i % 7 == 0,
        }
        if scopes[i % len(scopes)]:
            payload["scope"] = scopes[i % len(scopes)]
        yield payload


GENERATORS: dict[str, Callable[[Knowledge], Iterator[dict[str, Any]]]] = {
    "conflict": conflict_inputs,
}


def measure(kind: str, knowledge: Knowledge) -> dict[str, float]:
    engine = engine_for(knowledge)
    model = INPUTS[kind]
    payloads = list(itertools.islice(GENERATORS[kind](knowledge), N))
    context = {"knowledge": knowledge}
    engine.run(kind, model.model_validate(payloads[0], context=context))  # register
    before = rss_mb()
    latencies = []
    started = time.perf_counter()
    for payload in payloads:
        t0 = time.perf_counter()
        engine.run(kind, model.model_validate(payload, context=context))
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "per_second": N / elapsed,
        "rss_before_mb": before,
        "rss_after_mb": rss_mb(),
    }


def main() -> None:
    knowledge = default_knowledge()
    print(f"{N} keputusan per jenis; pengetahuan versi {knowledge.version}")
    header = ("jenis", "p50 ms", "p99 ms", "per detik", "RSS awal", "RSS akhir")
    print("{:<16}{:>8}{:>8}{:>11}{:>10}{:>11}".format(*header))
    for kind in GENERATORS:
        r = measure(kind, knowledge)
        print(
            f"{kind:<16}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['per_second']:>11.0f}"
            f"{r['rss_before_mb']:>9.1f}M{r['rss_after_mb']:>10.1f}M"
        )


if __name__ == "__main__":
    main()
