"""Every package the code imports is declared: a fresh venv built from
requirements/runtime.lock alone (what a production host installs, no test tools) imports
every module of assistant/, actions/, rules/ and scripts/ that runs in the core; the Rasa
environment, built from requirements/rasa.lock, imports the modules that run inside the
Rasa server (those that import rasa). A package that only arrived as another package's
dependency, or only with the development tools, fails here.

Marked e2e: it builds a venv (about a minute with pip's cache)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

PACKAGES = ("assistant", "actions", "rules")
IMPORT_ALL = r"""
import importlib, importlib.util, json, sys, traceback
failed = {}
for kind, name in json.loads(sys.argv[1]):
    try:
        if kind == "module":
            importlib.import_module(name)
        else:
            stem = "script_" + name.split("/")[-1][:-3]
            spec = importlib.util.spec_from_file_location(stem, name)
            spec.loader.exec_module(importlib.util.module_from_spec(spec))
    except BaseException:
        failed[name] = traceback.format_exc(limit=3)[-600:]
print(json.dumps(failed))
"""


def top_level_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def targets() -> dict[str, list[tuple[str, str]]]:
    """env ("core" or "rasa") -> [("module", dotted name) | ("script", path)]."""
    found: dict[str, list[tuple[str, str]]] = {"core": [], "rasa": []}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            env = "rasa" if "rasa" in top_level_imports(path) else "core"
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[env].append(("module", ".".join(parts)))
    for path in sorted((ROOT / "scripts").glob("*.py")):
        env = "rasa" if "rasa" in top_level_imports(path) else "core"
        found[env].append(("script", str(path)))
    return found


OURS = {*PACKAGES, "scripts", "rasa_runtime", "rasa_cli", "tests", "bench"}


def third_party(names: list[tuple[str, str]]) -> list[str]:
    """Every top-level package the given modules import anywhere, outside the standard
    library and this project."""
    found: set[str] = set()
    for kind, name in names:
        path = Path(name) if kind == "script" else ROOT / (name.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / name.replace(".", "/") / "__init__.py"
        found |= top_level_imports(path)
    return sorted(found - set(sys.stdlib_module_names) - OURS)


def import_all(python: Path, names: list[tuple[str, str]]) -> dict[str, str]:
    import json

    done = subprocess.run(
        [str(python), "-c", IMPORT_ALL, json.dumps(names)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "HOME": str(ROOT / "var"),
            "PYTHONWARNINGS": "ignore",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        },
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_venv_from_the_runtime_lock_alone_imports_every_core_module(tmp_path):
    venv = tmp_path / "runtime"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "-r",
            str(ROOT / "requirements" / "runtime.lock"),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    frozen = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True, text=True)
    for tool in ("pytest", "ruff", "playwright"):
        assert f"{tool}==" not in frozen.stdout.lower(), f"{tool} is a development tool"
    core = targets()["core"]
    assert len(core) > 100
    assert import_all(python, core) == {}
    # imports inside functions too (redis for the reminders, PIL for the slides ...)
    assert import_all(python, [("module", name) for name in third_party(core)]) == {}


def test_the_rasa_environment_imports_the_modules_that_run_inside_the_rasa_server():
    rasa = targets()["rasa"]
    names = {name for _, name in rasa}
    assert "assistant.channels.whatsapp" in names and str(ROOT / "scripts/rasa_cli.py") in names
    python = ROOT / ".venv-rasa" / "bin" / "python"
    assert import_all(python, rasa) == {}
    assert import_all(python, [("module", name) for name in third_party(rasa)]) == {}
