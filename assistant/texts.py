"""User-facing wording, kept as data in ``texts.yml`` (Indonesian first, English second)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("id", "en")


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


def text(key: str, lang: str = "id", /, **params: Any) -> str:
    """The sentence at dotted ``key`` in ``lang`` (falls back to Indonesian), formatted."""
    return template(key, lang).format(**params)
