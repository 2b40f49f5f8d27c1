"""The wording catalogue (assistant/common/texts.yml): English mirrors Indonesian key for key, with
the same placeholders, and every English template formats."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.common import texts

CATALOGUE = Path(texts.__file__).with_name("texts.yml")


def _flat(node: dict[Any, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted key -> template. Keys are kept as YAML read them, so an unquoted ``yes:``
    (read as True) shows up as a key that is not a string."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if not isinstance(key, str):
            dotted += f" (key read as {type(key).__name__})"
        if isinstance(value, dict):
            out.update(_flat(value, dotted))
        else:
            out[dotted] = value
    return out


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return {lang: _flat(data[lang]) for lang in ("id", "en")}


def _fields(template: str) -> list[tuple[str, str, str | None]]:
    """(name, format spec, conversion) of each replacement field."""
    return [
        (name, spec or "", conversion)
        for _, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    ]


def _names(template: str) -> set[str]:
    return {name for name, _, _ in _fields(template)}


def test_every_key_is_a_string(catalogue):
    odd = [key for lang in catalogue.values() for key in lang if "(key read as" in key]
    assert not odd, f"keys YAML reads as non-strings (quote them): {odd}"


def test_every_template_is_a_string(catalogue):
    odd = [
        f"{lang}:{key}"
        for lang, keys in catalogue.items()
        for key, v in keys.items()
        if not isinstance(v, str)
    ]
    assert not odd, f"templates that are not strings: {odd}"


def test_english_and_indonesian_have_the_same_keys(catalogue):
    indonesian, english = set(catalogue["id"]), set(catalogue["en"])
    missing_en = sorted(indonesian - english)
    missing_id = sorted(english - indonesian)
    assert not missing_en and not missing_id, (
        f"missing in en ({len(missing_en)}): {missing_en}\n"
        f"missing in id ({len(missing_id)}): {missing_id}"
    )


def test_both_languages_use_the_same_placeholders(catalogue):
    differing = {}
    for key, indonesian in catalogue["id"].items():
        english = catalogue["en"].get(key)
        if not isinstance(english, str) or not isinstance(indonesian, str):
            continue
        if _names(indonesian) != _names(english):
            differing[key] = (sorted(_names(indonesian)), sorted(_names(english)))
    assert not differing, f"placeholders differ (id, en): {differing}"


def test_both_languages_format_placeholders_alike(catalogue):
    differing = {}
    for key, indonesian in catalogue["id"].items():
        english = catalogue["en"].get(key)
        if not isinstance(english, str) or not isinstance(indonesian, str):
            continue
        specs_id = {(n, s, c) for n, s, c in _fields(indonesian)}
        specs_en = {(n, s, c) for n, s, c in _fields(english)}
        if specs_id != specs_en:
            differing[key] = (sorted(specs_id, key=str), sorted(specs_en, key=str))
    assert not differing, f"format specs differ (id, en): {differing}"


def _dummy(spec: str) -> Any:
    """A value the format spec accepts: a number for numeric specs, else text."""
    return 1234 if spec and spec[-1:] in "bcdeEfFgGnoxX%," else "x"


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_template_formats_with_dummy_values(catalogue, lang):
    broken = {}
    for key, template in catalogue[lang].items():
        if not isinstance(template, str):
            continue
        try:
            values = {name: _dummy(spec) for name, spec, _ in _fields(template)}
            template.format(**values)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            broken[key] = repr(error)
    assert not broken, f"{lang} templates that do not format: {broken}"


def test_english_is_served_for_english_keys():
    """texts.text returns the English template, not the Indonesian fallback."""
    assert texts.text("knowledge.yes", "en") == "yes"
    assert texts.text("knowledge.no", "id") == "tidak"
    assert texts.text("grad.umk_saved", "en", village="Sukamaju").startswith("The UMK")
