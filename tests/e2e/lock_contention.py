"""Run by ``tests/e2e/test_cluster.py`` with the Rasa environment's Python, several at once,
like several Rasa servers: COUNT turns for one conversation through the cluster's lock
store (deploy/endpoints.cluster.yml), each adding one to a counter in Redis by a read, a
pause and a write. With a lock that holds across processes the counter ends at the number
of turns; prints how many turns got a LockError. The environment holds what the endpoints
file names (REDIS_PORT, REDIS_PASSWORD, ...).

    python lock_contention.py CONVERSATION COUNT
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import read_endpoint_config

ENDPOINTS = Path(__file__).resolve().parents[2] / "deploy" / "endpoints.cluster.yml"


async def main(conversation: str, count: int) -> int:
    store = LockStore.create(read_endpoint_config(str(ENDPOINTS), "lock_store"))
    counter = f"test:counter:{conversation}"
    failed = 0

    async def turn() -> None:
        nonlocal failed
        try:
            async with store.lock(conversation):
                value = int(store.red.get(counter) or 0)
                await asyncio.sleep(0.002)
                store.red.set(counter, value + 1)
        except LockError:
            failed += 1

    await asyncio.gather(*(turn() for _ in range(count)))
    return failed


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
