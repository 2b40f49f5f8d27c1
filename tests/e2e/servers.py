"""Start the real action server and Rasa server for end-to-end tests exactly as `make serve`
does: scripts/serve.sh (127.0.0.1 only, the HTTP API behind a token, the action-server
launcher behind its token, both supervised), on free ports, with the database, the tokens
(created by serve.sh on first start) and the logs in the test's folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "models" / "assistant.tar.gz"
SERVE = ROOT / "scripts" / "serve.sh"
START_SECONDS = 360.0
# Inherited settings that would change what serve.sh does; a test passes them explicitly.
NOT_INHERITED = (
    "ASSISTANT_BIND",
    "ASSISTANT_CREDENTIALS",
    "ASSISTANT_VAR_DIR",
    "ASSISTANT_LOG_DIR",
    "ASSISTANT_CHAT_USER",
    "ASSISTANT_CHAT_CONVERSATION",
    "RASA_AUTH_TOKEN",
    "ACTION_SERVER_TOKEN",
    "ASSISTANT_MODEL",
    "ASSISTANT_REST",
    "REST_TOKEN",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree(root: int) -> list[int]:
    """``root`` and all its living descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if Path(f"/proc/{pid}").exists():
            tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else f"({path} missing)"


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    db_path: Path
    workdir: Path
    process: subprocess.Popen  # scripts/serve.sh
    api_token: str  # Rasa's HTTP API: ?token=...
    action_token: str  # the action server: Authorization: Bearer ...
    studio_url: str = ""  # the trainer studio (assistant/studio), started by serve.sh too
    rest_token: str = ""  # the REST channel: Authorization: Bearer ...

    @property
    def rest_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.rest_token}"}

    def say(self, sender: str, message: str) -> list[str]:
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=self.rest_headers,
            timeout=60,
        )
        response.raise_for_status()
        return [item["text"] for item in response.json() if "text" in item]

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to Rasa's HTTP API with the token."""
        params = {**kwargs.pop("params", {}), "token": self.api_token}
        kwargs.setdefault("timeout", 30)
        return requests.request(method, f"{self.rasa_url}{path}", params=params, **kwargs)

    def tracker(self, sender: str) -> dict[str, Any]:
        response = self.api("GET", f"/conversations/{sender}/tracker")
        response.raise_for_status()
        return response.json()

    @property
    def action_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.action_token}"}

    def pids(self) -> list[int]:
        """serve.sh and every process it started, living."""
        return process_tree(self.process.pid)

    def pid_of(self, marker: str) -> int:
        """The process of the tree whose command line holds ``marker``."""
        for pid in self.pids():
            if pid != self.process.pid and marker in command_line(pid):
                return pid
        raise LookupError(f"no process with {marker!r} under serve.sh ({self.process.pid})")

    def action_pid(self) -> int:
        return self.pid_of("scripts/action_server.py")

    def rasa_pid(self) -> int:
        return self.pid_of("scripts/rasa_cli.py")

    def stop(self) -> None:
        """SIGTERM to serve.sh (as Ctrl-C or systemd would); whatever is left after a
        minute is killed."""
        left = self.pids()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in left:
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _token(name: str, given: Mapping[str, str], file: Path) -> str:
    if given.get(name):
        return given[name]
    return file.read_text(encoding="utf-8").splitlines()[0].strip()


def _wait_until_up(servers: Servers, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if servers.process.poll() is not None:
            raise RuntimeError(
                f"scripts/serve.sh exited early ({servers.process.returncode}):\n{tail(log)}\n"
                f"rasa.log:\n{tail(servers.workdir / 'rasa.log')}\n"
                f"actions.log:\n{tail(servers.workdir / 'actions.log')}"
            )
        try:
            if (
                requests.get(f"{servers.action_url}/health", timeout=2).ok
                and requests.get(f"{servers.rasa_url}/version", timeout=2).ok
            ):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"servers not up after {seconds}s:\n{tail(log)}\n"
        f"rasa.log:\n{tail(servers.workdir / 'rasa.log')}"
    )


def start(
    workdir: Path,
    seed: Callable[[Path], None] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Servers:
    for needed, what in ((RASA, "the Rasa environment"), (MODEL, "a trained model")):
        if not needed.exists():
            raise RuntimeError(f"{what} is missing ({needed}); run `make test`, which builds it")
    db_path = workdir / "e2e.db"
    if seed is not None:
        seed(db_path)
    extra = dict(extra_env or {})
    action_port, rasa_port, studio_port = free_port(), free_port(), free_port()
    var_dir = workdir / "var"
    env = {
        **{k: v for k, v in os.environ.items() if k not in NOT_INHERITED},
        "ASSISTANT_DB": str(db_path),
        "ASSISTANT_SANDBOX_DB": str(workdir / "sandbox.db"),
        "ACTION_PORT": str(action_port),
        "RASA_PORT": str(rasa_port),
        "STUDIO_PORT": str(studio_port),
        "ASSISTANT_VAR_DIR": str(var_dir),
        "ASSISTANT_LOG_DIR": str(workdir),  # rasa.log, actions.log, supervisor.log
        "ASSISTANT_REST": "1",  # the REST channel, with its token (var/rest-token)
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONWARNINGS": "ignore",
        **extra,
    }
    log = workdir / "serve.log"
    process = subprocess.Popen(
        ["bash", str(SERVE)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    servers = Servers(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        db_path=db_path,
        workdir=workdir,
        process=process,
        api_token="",
        action_token="",
        studio_url=f"http://127.0.0.1:{studio_port}",
    )
    try:
        _wait_until_up(servers, log, START_SECONDS)
        servers.api_token = _token("RASA_AUTH_TOKEN", extra, var_dir / "rasa-token")
        servers.action_token = _token("ACTION_SERVER_TOKEN", extra, var_dir / "action-token")
        servers.rest_token = _token("REST_TOKEN", extra, var_dir / "rest-token")
    except BaseException:
        servers.stop()
        raise
    return servers
