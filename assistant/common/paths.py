"""Where the project's files live, with environment overrides for tests and deployments.
Standard library only: the channels read it inside the Rasa server too."""

from __future__ import annotations

import os
from collections.abc import Mapping
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


def var_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the servers' files, tokens and logs (``ASSISTANT_VAR_DIR`` overrides)."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("ASSISTANT_VAR_DIR") or ROOT / "var")


def whatsapp_state_path(
    environ: Mapping[str, str] | None = None, configured: str | None = None
) -> Path:
    """The WhatsApp channel's own state (opt-outs, de-duplication): WHATSAPP_STATE_DB, else
    ``configured`` (credentials), else whatsapp.db in :func:`var_dir`. A relative path is
    taken from :func:`var_dir`, never from the working directory, so that the channel and
    `assistant reminders run` (cron, another folder) read the same file."""
    environ = os.environ if environ is None else environ
    given = environ.get("WHATSAPP_STATE_DB") or configured
    if not given:
        return var_dir(environ) / "whatsapp.db"
    path = Path(given)
    return path if path.is_absolute() else var_dir(environ) / path
