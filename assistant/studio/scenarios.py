"""Teaching scenarios: the built-in ones (``scenarios.yml`` beside this module) and those
trainers add as YAML files under ``$ASSISTANT_VAR_DIR/studio-scenarios/``. Every file is
validated (pydantic) and a bad one is reported in plain Indonesian (or English), naming the
file, the scenario and the field; the good files still load."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.common.paths import ROOT
from assistant.common.texts import text
from assistant.decisions.inputs import INPUTS
from assistant.knowledge.loader import Knowledge

BUILT_IN = Path(__file__).with_name("scenarios.yml")
MAX_FILE_BYTES = 256_000
MAX_CHAT_TURNS = 12


class Localised(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=600)
    en: str | None = Field(default=None, max_length=600)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.id


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9_]{1,48}$")
    kind: str
    title: Localised
    note: Localised
    chat: list[str] = Field(default=[], max_length=MAX_CHAT_TURNS)
    inputs: dict[str, Any] | None = None
    source: str = Field(default="", exclude=True)  # the file it came from

    @model_validator(mode="after")
    def _something_to_show(self) -> Scenario:
        if self.kind not in INPUTS:
            raise ValueError(text("studio.scenario.kind", kind=self.kind, kinds=", ".join(INPUTS)))
        if not self.chat and self.inputs is None:
            raise ValueError(text("studio.scenario.empty"))
        if any(not message.strip() for message in self.chat):
            raise ValueError(text("studio.scenario.blank_message"))
        return self

    def public(self, lang: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title.get(lang),
            "note": self.note.get(lang),
            "chat": self.chat,
            "has_inputs": self.inputs is not None,
        }


class ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenarios: list[Scenario] = Field(min_length=1)


class ScenarioError(Exception):
    """A scenario file that cannot be used; ``problems`` are whole sentences."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.path = path
        self.problems = problems


def user_folder() -> Path:
    return Path(os.environ.get("ASSISTANT_VAR_DIR", ROOT / "var")) / "studio-scenarios"


def _where(location: tuple[Any, ...], data: Any, lang: str) -> str:
    """ "skenario ke-2 (id), kolom note.id" for a pydantic error location."""
    parts = list(location)
    if len(parts) >= 2 and parts[0] == "scenarios" and isinstance(parts[1], int):
        number = parts[1]
        found = ""
        items = data.get("scenarios") if isinstance(data, dict) else None
        if isinstance(items, list) and number < len(items) and isinstance(items[number], dict):
            found = str(items[number].get("id") or "")
        where = text("studio.scenario.item", lang, number=number + 1, id=found or "?")
        rest = [str(p) for p in parts[2:]]
        if rest:
            where += ", " + text("studio.scenario.field", lang, field=".".join(rest))
        return where
    return text("studio.scenario.field", lang, field=".".join(str(p) for p in parts) or "-")


def _sentence(error: dict[str, Any], lang: str) -> str:
    kind = error["type"]
    if kind == "missing":
        return text("studio.scenario.missing", lang)
    if kind == "extra_forbidden":
        return text("studio.scenario.unknown_field", lang)
    if kind == "string_pattern_mismatch":
        return text("studio.scenario.bad_id", lang)
    if kind in ("too_short", "string_too_short"):
        return text("studio.scenario.too_short", lang)
    if kind in ("too_long", "string_too_long"):
        return text("studio.scenario.too_long", lang)
    if kind in ("string_type", "list_type", "dict_type", "model_type"):
        return text("studio.scenario.wrong_type", lang)
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


def parse(raw: str, path: Path, knowledge: Knowledge, lang: str = "id") -> list[Scenario]:
    """The scenarios of one file's text, or ``ScenarioError`` listing every problem."""
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise ScenarioError(path, [text("studio.scenario.yaml", lang, line=line)]) from None
    if not isinstance(data, dict):
        raise ScenarioError(path, [text("studio.scenario.top", lang)])
    try:
        parsed = ScenarioFile.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{_where(e['loc'], data, lang)}: {_sentence(dict(e), lang)}" for e in error.errors()
        ]
        raise ScenarioError(path, problems) from None
    problems = []
    for number, scenario in enumerate(parsed.scenarios, 1):
        if scenario.inputs is None:
            continue
        try:
            INPUTS[scenario.kind].model_validate(scenario.inputs, context={"knowledge": knowledge})
        except ValidationError as error:
            for item in error.errors():
                field = ".".join(str(p) for p in item["loc"]) or "inputs"
                problems.append(
                    text("studio.scenario.item", lang, number=number, id=scenario.id)
                    + ", "
                    + text("studio.scenario.field", lang, field=f"inputs.{field}")
                    + ": "
                    + _sentence(dict(item), lang)
                )
    if problems:
        raise ScenarioError(path, problems)
    return [s.model_copy(update={"source": path.name}) for s in parsed.scenarios]


def load_file(path: Path, knowledge: Knowledge, lang: str = "id") -> list[Scenario]:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(
            path, [text("studio.scenario.too_big", lang, kb=MAX_FILE_BYTES // 1000)]
        )
    return parse(path.read_text(encoding="utf-8", errors="replace"), path, knowledge, lang)


def load_all(
    knowledge: Knowledge, folder: Path | None = None, lang: str = "id"
) -> tuple[list[Scenario], list[ScenarioError]]:
    """Every usable scenario (built-in first) and the problems of the files that are not.
    A scenario whose id is already taken is reported and left out."""
    found: list[Scenario] = []
    problems: list[ScenarioError] = []
    folder = folder or user_folder()
    files = [BUILT_IN] + (
        sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    )
    for path in files:
        try:
            loaded = load_file(path, knowledge, lang)
        except ScenarioError as error:
            problems.append(error)
            continue
        taken = {s.id for s in found}
        clashes = [s.id for s in loaded if s.id in taken]
        if clashes:
            problems.append(
                ScenarioError(
                    path, [text("studio.scenario.duplicate", lang, ids=", ".join(clashes))]
                )
            )
        found.extend(s for s in loaded if s.id not in taken)
    return found, problems
