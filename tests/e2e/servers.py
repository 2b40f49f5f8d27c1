"""Start the real action server and Rasa server for end-to-end tests, on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "models" / "assistant.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {seconds}s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    db_path: Path
    processes: list[subprocess.Popen]

    def say(self, sender: str, message: str) -> list[str]:
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return [item["text"] for item in response.json() if "text" in item]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


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
    env = {
        **os.environ,
        "ASSISTANT_DB": str(db_path),
        "ASSISTANT_SANDBOX_DB": str(workdir / "sandbox.db"),
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONWARNINGS": "ignore",
        # the Rasa server imports our channels (credentials.yml) from the project root
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        **(extra_env or {}),
    }
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8"
    )
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    processes: list[subprocess.Popen] = []
    processes.append(
        subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            cwd=ROOT,
            env=env,
            stdout=action_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
    )
    processes.append(
        subprocess.Popen(
            [
                str(RASA),
                "run",
                "-m",
                str(MODEL),
                "--enable-api",
                "--port",
                str(rasa_port),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--endpoints",
                str(endpoints),
            ],
            cwd=ROOT,
            env=env,
            stdout=rasa_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
    )
    servers = Servers(
        f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", db_path, processes
    )
    try:
        wait_until_up(f"{servers.action_url}/health", processes[0], 60, action_log)
        wait_until_up(f"{servers.rasa_url}/status", processes[1], 240, rasa_log)
    except BaseException:
        servers.stop()
        raise
    return servers
