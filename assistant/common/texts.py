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


# --- phrases: a sentence kept as its key and values, rendered in the reader's language ---
# The rules engine records these instead of sentences, so that a decision stored once can be
# explained in Indonesian to one person and in English to another. A phrase is plain JSON
# ({"key": ..., "params": {...}}), stored as is in a decision's output and trace; a value
# of a phrase may itself be a phrase.
Phrase = dict[str, Any]
_PHRASE_KEYS = frozenset({"key", "params"})


def phrase(key: str, /, **params: Any) -> Phrase:
    """The sentence at ``key`` with these values, to be rendered later by :func:`say`."""
    template(key)  # fails now, in the rule that wrote it, rather than when shown
    return {"key": key, "params": params}


def is_phrase(value: Any) -> bool:
    return (
        isinstance(value, dict) and value.keys() == _PHRASE_KEYS and isinstance(value["key"], str)
    )


def say(value: Any, lang: str = "id") -> Any:
    """``value`` with every phrase inside it rendered in ``lang``; anything else unchanged
    (sentences stored before phrases existed are shown as they were written)."""
    if is_phrase(value):
        return text(value["key"], lang, **{k: say(v, lang) for k, v in value["params"].items()})
    if isinstance(value, list):
        return [say(item, lang) for item in value]
    if isinstance(value, dict):
        return {key: say(item, lang) for key, item in value.items()}
    return value


def say_all(parts: Any, lang: str = "id") -> str:
    """A "because" as one line: a phrase, a list of phrases, or an old stored sentence."""
    rendered = say(parts, lang)
    return " ".join(str(part) for part in rendered) if isinstance(rendered, list) else str(rendered)
