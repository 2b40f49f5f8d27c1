"""Start scale-out mode for end-to-end tests and benchmarks exactly as an operator does:
``scripts/cluster.sh start`` (N Rasa servers and the action servers behind nginx, Redis,
PostgreSQL), on free ports, with the var and log folders in the test's folder; stopped
and its databases deleted with ``scripts/cluster.sh purge``, and whatever is still running
of it killed, also when the test failed."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.e2e import servers as real

ROOT = real.ROOT
CLUSTER = ROOT / "scripts" / "cluster.sh"
START_SECONDS = 900


@dataclass
class Cluster:
    proxy_url: str  # nginx in front of the Rasa servers
    rasa_urls: list[str]  # each Rasa server, directly
    workdir: Path
    env: dict[str, str]
    api_token: str = ""
    redis_password: str = ""
    postgres_password: str = ""
    redis_port: int = 0
    postgres_port: int = 0

    @property
    def var_dir(self) -> Path:
        return self.workdir / "var"

    @property
    def log_dir(self) -> Path:
        return self.workdir / "log"

    @property
    def rest_headers(self) -> dict[str, str]:
        """The REST channel's token (made by scripts/cluster.sh on its first start)."""
        token = (self.var_dir / "rest-token").read_text(encoding="utf-8").split()[0]
        return {"Authorization": f"Bearer {token}"}

    def say(self, sender: str, message: str, url: str | None = None) -> list[str]:
        """A turn over the REST channel, through nginx or to one server."""
        response = requests.post(
            f"{url or self.proxy_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=self.rest_headers,
            timeout=120,
        )
        response.raise_for_status()
        return [item["text"] for item in response.json() if "text" in item]

    def tracker(self, sender: str, url: str | None = None) -> dict[str, Any]:
        response = requests.get(
            f"{url or self.proxy_url}/conversations/{sender}/tracker",
            params={"token": self.api_token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def user_texts(self, sender: str) -> list[str]:
        return [e.get("text") for e in self.tracker(sender)["events"] if e["event"] == "user"]

    def redis_cli(self, *command: str, db: int = 0) -> str:
        """One command to the cluster's Redis (db 0: Rasa's lock store), its answer."""
        done = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.redis_port), "-n", str(db), *command],
            env={**self.env, "REDISCLI_AUTH": self.redis_password},
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout.strip()

    def pid_of(self, marker: str) -> int:
        """The process whose command line holds ``marker`` (the cluster's own only)."""
        for pid in self.pids():
            if marker in real.command_line(pid):
                return pid
        raise LookupError(marker)

    def pids(self) -> list[int]:
        """Every living process of the cluster's run script (PostgreSQL, which pg_ctl
        detaches, is stopped by the script)."""
        run_pid = self.var_dir / "cluster" / "run.pid"
        if not run_pid.exists():
            return []
        return real.process_tree(int(run_pid.read_text().split()[0]))

    def script(self, command: str, timeout: float = START_SECONDS) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(CLUSTER), command],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def stop(self) -> None:
        """Stop and delete the databases; then kill anything of it still running."""
        left = self.pids()
        try:
            self.script("purge", timeout=300)
        finally:
            for pid in left:
                if real.alive(pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


def start(
    workdir: Path,
    rasa_servers: int = 2,
    seed: Callable[[Path], None] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Cluster:
    for needed, what in ((real.RASA, "the Rasa environment"), (real.MODEL, "a trained model")):
        if not needed.exists():
            raise RuntimeError(f"{what} is missing ({needed}); run `make test`, which builds it")
    db_path = workdir / "e2e.db"
    if seed is not None:
        seed(db_path)
    rasa_ports = [real.free_port() for _ in range(rasa_servers)]
    proxy, action_proxy, action = real.free_port(), real.free_port(), real.free_port()
    redis_port, postgres_port = real.free_port(), real.free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in real.NOT_INHERITED},
        "ASSISTANT_DB": str(db_path),
        "ASSISTANT_SANDBOX_DB": str(workdir / "sandbox.db"),
        "ASSISTANT_VAR_DIR": str(workdir / "var"),
        "ASSISTANT_LOG_DIR": str(workdir / "log"),
        "RASA_PORT": str(proxy),
        "ACTION_PORT": str(action_proxy),
        "ASSISTANT_RASA_PORTS": " ".join(map(str, rasa_ports)),
        "ASSISTANT_ACTION_PORTS": str(action),
        "REDIS_PORT": str(redis_port),
        "POSTGRES_PORT": str(postgres_port),
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONWARNINGS": "ignore",
        **dict(extra_env or {}),
    }
    for name in ("REDIS_URL", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "ASSISTANT_PG_DATA"):
        env.pop(name, None)
    cluster = Cluster(
        proxy_url=f"http://127.0.0.1:{proxy}",
        rasa_urls=[f"http://127.0.0.1:{port}" for port in rasa_ports],
        workdir=workdir,
        env=env,
        redis_port=redis_port,
        postgres_port=postgres_port,
    )
    try:
        done = cluster.script("start")
        if done.returncode != 0:
            raise RuntimeError(
                f"scripts/cluster.sh start failed ({done.returncode}):\n{done.stderr[-3000:]}\n"
                f"cluster.log:\n{real.tail(cluster.log_dir / 'cluster.log')}"
            )
        tokens = cluster.var_dir
        cluster.api_token = (tokens / "rasa-token").read_text().split()[0]
        cluster.redis_password = (tokens / "redis-token").read_text().split()[0]
        cluster.postgres_password = (tokens / "postgres-token").read_text().split()[0]
        for url in [cluster.proxy_url, *cluster.rasa_urls]:
            requests.get(f"{url}/version", timeout=10).raise_for_status()
    except BaseException:
        cluster.stop()
        raise
    return cluster
