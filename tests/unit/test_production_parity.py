"""Production runs what was tested: the systemd units start the servers with the same
launcher, interpreter and options as `make serve` (scripts/servers.sh), which the
end-to-end tests and the benchmarks run; and settings that production and the tests share
are written once."""

from __future__ import annotations

import re
import shlex

from tests.conftest import ROOT

SERVERS_SH = ROOT / "scripts" / "servers.sh"
UNITS = ROOT / "deploy" / "systemd"


def exec_start(unit: str) -> list[str]:
    text = (UNITS / unit).read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def shell_function(name: str) -> list[str]:
    """The words of a function's body in scripts/servers.sh, line continuations joined."""
    text = SERVERS_SH.read_text(encoding="utf-8").replace("\\\n", " ")
    body = re.search(rf"^{name}\(\) {{[^\n]*\n(.*?)^}}", text, re.S | re.M)
    assert body, name
    return shlex.split(body.group(1), comments=True)


def rasa_cli() -> list[str]:
    text = SERVERS_SH.read_text(encoding="utf-8")
    match = re.search(r"^RASA_CLI=\((.*?)\)$", text, re.M)
    assert match, "RASA_CLI=(...) in scripts/servers.sh"
    return shlex.split(match.group(1))


def options(words: list[str]) -> dict[str, str | None]:
    """--flag value pairs (a flag followed by another flag has no value)."""
    found: dict[str, str | None] = {}
    for index, word in enumerate(words):
        if word.startswith("-"):
            following = words[index + 1] if index + 1 < len(words) else None
            found[word] = None if following is None or following.startswith("-") else following
    return found


def test_rasa_starts_through_the_same_launcher_in_production_and_in_make_serve():
    launcher = rasa_cli()
    assert launcher == [".venv-rasa/bin/python", "scripts/rasa_cli.py"]
    unit = exec_start("pemberdayaan-rasa.service")
    assert unit[0].endswith("/.venv-rasa/bin/python")
    assert unit[1].endswith("/scripts/rasa_cli.py")
    assert unit[2] == "run"


def test_rasa_gets_the_same_options_in_production_and_in_make_serve():
    serve = shell_function("start_rasa_server")
    assert serve[:4] == ["in_background", "rasa", "${RASA_CLI[@]}", "run"]
    served, produced = options(serve[4:]), options(exec_start("pemberdayaan-rasa.service")[3:])
    assert set(served) == set(produced)
    # the token from the environment (never on a command line), the API on, one endpoints file
    for same in ("--auth-token", "--endpoints", "--enable-api"):
        assert served[same] == produced[same], same
    assert produced["--interface"] == "127.0.0.1"
    # production serves WhatsApp only; make serve's credentials come from ASSISTANT_CREDENTIALS
    assert produced["--credentials"] == "credentials.production.yml"


def test_the_action_server_starts_the_same_way():
    serve = shell_function("start_action_server")
    start = serve.index(".venv/bin/python")
    unit = exec_start("pemberdayaan-actions.service")
    assert unit[0].endswith("/.venv/bin/python")
    assert unit[1] == serve[start + 1] == "scripts/action_server.py"
    assert set(options(unit[2:])) == set(options(serve[start + 2 :]))


def test_production_units_set_the_folder_the_servers_keep_their_files_in():
    for unit in ("pemberdayaan-rasa.service", "pemberdayaan-actions.service"):
        text = (UNITS / unit).read_text(encoding="utf-8")
        assert "Environment=ASSISTANT_VAR_DIR=/opt/pemberdayaan/var" in text, unit


def test_the_graph_api_version_is_written_once():
    version = re.compile(r"""["'/]v\d+\.\d+["'/]""")
    found = []
    for path in [
        *ROOT.glob("*.yml"),
        *(ROOT / "assistant").rglob("*.py"),
        *(ROOT / "scripts").glob("*"),
        *(ROOT / "deploy").rglob("*"),
        *(ROOT / "tests").rglob("*.py"),
    ]:
        if not path.is_file() or path.name == "graph_api.py" or path == ROOT / __file__:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if version.search(line) and "graph" in text.lower():
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def requirement_names(path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~\[ ]", line)[0].lower().replace("_", "-"))
    return names


def test_the_package_declares_what_the_runtime_requirements_name():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~\[ ]", d)[0].lower() for d in project["dependencies"]}
    assert declared == requirement_names(ROOT / "requirements" / "runtime.in")
    assert project["license"] == "Apache-2.0" and (ROOT / "LICENSE").exists()


def test_every_lock_pins_every_package_with_a_hash():
    for lock in ("runtime.lock", "dev.lock", "rasa.lock"):
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        entries = re.findall(
            r"^([A-Za-z0-9._-]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:\w+)+)", text, re.M
        )
        lines = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
        assert entries and len(entries) == len(lines), lock
    runtime = requirement_names(ROOT / "requirements" / "runtime.lock")
    assert runtime <= requirement_names(ROOT / "requirements" / "dev.lock")
