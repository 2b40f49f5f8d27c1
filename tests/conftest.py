"""Shared fixtures: the project's knowledge, and a service on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.decisions.service import Assistant
from assistant.knowledge.loader import Knowledge, default_knowledge
from assistant.store.db import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return default_knowledge()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "assistant.db")
    yield store
    store.close()


@pytest.fixture
def service(store: Store, knowledge: Knowledge) -> Assistant:
    return Assistant(store=store, knowledge=knowledge)
