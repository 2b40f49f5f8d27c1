"""Run the ``assistant`` command in-process, the way its console script runs it.

``run_cli`` invokes the click group that ``pyproject.toml`` names for the ``assistant``
script (``assistant.cli.main:main``, with the casework commands that ``assistant.cli.main`` attaches
when it is imported) through ``click.testing.CliRunner``, against the checkout. It returns
what a ``subprocess.run`` of the installed binary would: ``returncode``, ``stdout`` and
``stderr`` (and ``output``, both streams in the order they were written, as a terminal
shows them).

Differences from a real process, and how they are handled:

- Environment: ``env`` is applied only for the invocation (CliRunner restores
  ``os.environ`` afterwards), and the variables the command reads per run
  (``CLI_VARIABLES``) are removed for the invocation unless ``env`` gives them, so a
  developer's own ``ASSISTANT_DB`` or ``ASSISTANT_NIK_SALT`` never reaches a test.
- Caches: the knowledge is loaded once per process (``default_knowledge`` is an
  ``lru_cache``), so ``ASSISTANT_KNOWLEDGE_DIR`` cannot be changed per invocation; it is
  refused here. A test that needs other knowledge must run the binary in a subprocess.
  Nothing else that the commands cache depends on the environment or the database (the
  NIK salt is read per ``Casework``, the paths per call).
- Exceptions: an exception other than ``SystemExit`` is not turned into exit code 1, as
  CliRunner does by default, but raised, so the test fails with its traceback.
- Width: help text is wrapped at 78 columns, as in a process whose output is a pipe
  (CliRunner would force 80).
- stdin is never a terminal: ``cases register --nik`` reads the first line of ``stdin``.
  A test of the hidden prompt makes ``cli_casework.stdin_is_terminal`` answer True; the
  prompts then read ``stdin`` line by line (click's test prompts do not echo hidden input).
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = "assistant"
# read by the commands at each run; cleared for an invocation unless given in ``env``
CLI_VARIABLES = ("ASSISTANT_DB", "ASSISTANT_SANDBOX_DB", "ASSISTANT_USER", "ASSISTANT_NIK_SALT")
# read once per process (cached): cannot differ between invocations
PROCESS_VARIABLES = ("ASSISTANT_KNOWLEDGE_DIR",)
# click wraps help at min(terminal columns, 80) - 2; without a terminal that is 80 - 2
PIPE_WIDTH = 78


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    output: str  # stdout and stderr interleaved, as written


@cache
def console_script(name: str = PROGRAM) -> click.Command:
    """The click command that ``pyproject.toml``'s ``[project.scripts]`` runs as ``name``."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        target = tomllib.load(handle)["project"]["scripts"][name]
    module, _, attribute = target.partition(":")
    command = importlib.import_module(module)
    for part in attribute.split("."):
        command = getattr(command, part)
    assert isinstance(command, click.Command), target
    return command


def run_cli(
    args: list[str],
    *,
    stdin: str | bytes = "",
    env: dict[str, str] | None = None,
) -> CliResult:
    """Run ``assistant ARGS`` in this process with ``stdin`` and the environment ``env``."""
    given = dict(env or {})
    cached = sorted(set(given) & set(PROCESS_VARIABLES))
    if cached:
        raise ValueError(f"{cached} is read once per process: run the binary in a subprocess")
    overrides: dict[str, str | None] = {name: None for name in CLI_VARIABLES}
    overrides.update(given)
    result = CliRunner().invoke(
        console_script(),
        [str(arg) for arg in args],
        input=stdin,
        env=overrides,
        catch_exceptions=False,
        prog_name=PROGRAM,
        terminal_width=PIPE_WIDTH,
    )
    return CliResult(
        returncode=result.exit_code,
        stdout=result.stdout,
        stderr=result.stderr,
        output=result.output,
    )
