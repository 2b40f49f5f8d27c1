"""Rules-engine benchmark (`make bench`).

Per decision kind: latency of one decision (validation + engine, p50/p99) and decisions
per second over 10,000 varied inputs, with resident memory before and after. Beside it,
the same needs and graduation decisions computed by plain Python over the same tables
(tests/support/plain.py), as the floor. Last, memory growth over 100,000 decisions."""

from __future__ import annotations

import gc
import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

from assistant.decisions.inputs import INPUTS
from assistant.decisions.sampling import GENERATORS, stream
from assistant.knowledge.loader import Knowledge, default_knowledge
from rules.engine import engine_for
from tests.support import plain

N = 10_000
LONG_RUN = 100_000
TARGET_P99_MS = 5.0
TARGET_GRADUATION_PER_SECOND = 2_000
TARGET_GROWTH_MB = 20.0


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def timed(calls: list[Callable[[], Any]]) -> dict[str, float]:
    gc.collect()
    before = rss_mb()
    latencies = []
    started = time.perf_counter()
    for call in calls:
        t0 = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "p50": cuts[49] * 1000,
        "p99": cuts[98] * 1000,
        "rate": len(calls) / elapsed,
        "before": before,
        "after": rss_mb(),
    }


def engine_calls(
    kind: str, kb: Knowledge, payloads: list[dict[str, Any]]
) -> list[Callable[[], Any]]:
    engine = engine_for(kb)
    model = INPUTS[kind]
    context = {"knowledge": kb}
    return [
        lambda p=p: engine.run(kind, model.model_validate(p, context=context)) for p in payloads
    ]


def row(name: str, r: dict[str, float]) -> str:
    return (
        f"{name:<26}{r['p50']:>8.3f}{r['p99']:>8.3f}{r['rate']:>10.0f}"
        f"{r['before']:>9.1f}{r['after']:>9.1f}"
    )


def main() -> None:
    kb = default_knowledge()
    print(f"Mesin aturan: {N:,} keputusan per jenis, pengetahuan versi {kb.version}")
    print(f"{'jenis':<26}{'p50 ms':>8}{'p99 ms':>8}{'/detik':>10}{'RSS0 MB':>9}{'RSS1 MB':>9}")
    results: dict[str, dict[str, float]] = {}
    for kind in GENERATORS:
        payloads = list(itertools.islice(stream(kind, kb), N))
        engine_calls(kind, kb, payloads[:1])[0]()  # register the ruleset
        results[kind] = timed(engine_calls(kind, kb, payloads))
        print(row(kind, results[kind]))
        if kind in ("needs", "graduation"):
            floor = getattr(plain, kind)
            r = timed([lambda p=p, f=floor: f(p, kb) for p in payloads])
            print(row(f"  python biasa ({kind})", r))

    engine = engine_for(kb)
    kinds = list(GENERATORS)
    streams = {kind: stream(kind, kb, seed=11) for kind in kinds}
    gc.collect()
    start = rss_mb()
    for i in range(LONG_RUN):
        kind = kinds[i % len(kinds)]
        engine.run(
            kind, INPUTS[kind].model_validate(next(streams[kind]), context={"knowledge": kb})
        )
    gc.collect()
    growth = rss_mb() - start
    print(
        f"\n{LONG_RUN:,} keputusan campuran: RSS {start:.1f} -> {rss_mb():.1f} MB "
        f"(tumbuh {growth:.1f} MB), sesi terbuka: {engine.open_sessions()}"
    )

    worst = max(r["p99"] for r in results.values())
    print("\nTarget:")
    print(
        f"- p99 satu keputusan <= {TARGET_P99_MS} ms: terburuk {worst:.2f} ms "
        f"-> {'TERCAPAI' if worst <= TARGET_P99_MS else 'MELESET'}"
    )
    rate = results["graduation"]["rate"]
    print(
        f"- graduasi >= {TARGET_GRADUATION_PER_SECOND}/detik: {rate:.0f}/detik "
        f"-> {'TERCAPAI' if rate >= TARGET_GRADUATION_PER_SECOND else 'MELESET'}"
    )
    print(
        f"- pertumbuhan memori <= {TARGET_GROWTH_MB} MB: {growth:.1f} MB "
        f"-> {'TERCAPAI' if growth <= TARGET_GROWTH_MB else 'MELESET'}"
    )


if __name__ == "__main__":
    main()
