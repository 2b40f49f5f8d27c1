"""User-facing wording, kept as data in ``texts.yml`` (Indonesian first, English second)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("id", "en")
# Sixteen digits in a row (a NIK, perhaps written 3201.2345.6789.0001) as a word of its own.
_NIK_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9][ .-]?){15}[0-9](?![0-9A-Za-z])")


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).with_name("texts.yml")).read_text(encoding="utf-8"))


@lru_cache(maxsize=4096)
def template(key: str, lang: str = "id") -> str:
    """The unformatted sentence at dotted ``key`` in ``lang`` (falls back to Indonesian)."""
    for language in (lang, "id"):
        node: Any = _catalog().get(language, {})
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            return node
    raise KeyError(f"no text for '{key}'")


def masked(value: Any) -> Any:
    """``value`` with every NIK-like run of 16 digits hidden but its first four."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return value
    shown = str(value)
    if not _NIK_LIKE.search(shown):
        return value
    return _NIK_LIKE.sub(lambda found: found.group(0)[:4] + "…", shown)


def text(key: str, lang: str = "id", /, **params: Any) -> str:
    """The sentence at dotted ``key`` in ``lang`` (falls back to Indonesian), formatted.
    No message repeats a NIK: 16-digit runs in the values are masked."""
    return template(key, lang).format(**{name: masked(value) for name, value in params.items()})
