"""Where the project's files live, with environment overrides for tests and deployments."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def knowledge_dir() -> Path:
    """The folder of knowledge YAML files (``ASSISTANT_KNOWLEDGE_DIR`` overrides)."""
    return Path(os.environ.get("ASSISTANT_KNOWLEDGE_DIR", ROOT / "knowledge"))


def database_path() -> Path:
    """The SQLite file that holds decisions and cases (``ASSISTANT_DB`` overrides)."""
    return Path(os.environ.get("ASSISTANT_DB", ROOT / "var" / "assistant.db"))


def sandbox_path() -> Path:
    """The trainers' practice database (``ASSISTANT_SANDBOX_DB`` overrides)."""
    return Path(os.environ.get("ASSISTANT_SANDBOX_DB", ROOT / "var" / "sandbox.db"))
