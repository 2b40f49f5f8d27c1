"""Load benchmark (`make bench`): simulated people holding whole journeys (graduation,
conflict, needs, questions, approach) over the WhatsApp webhook - signed payloads through
nginx to the Rasa servers, answers to a fake Graph API in this process - at rising
concurrency, on scale-out mode (scripts/cluster.sh) with one Rasa server and with two.

Each person sends its next message as soon as the first answer to the previous one
arrives, going from one journey to the next (up to ``TURNS_PER_PERSON`` turns). Per step:
turns per second, p50/p95/p99 from the webhook POST to the Graph API send of the first
answer, errors (a refused webhook, no answer within ``ANSWER_SECONDS``,
the assistant's "not understood" apology does not count as an error), and CPU per
component in % of one core (/proc, sampled over the step).

Bounded: at most ``TURNS_PER_PERSON`` turns a person, and a step starts no turn after
``LOAD_SECONDS``. Loopback only. Settings: LOAD_PEOPLE ("10 50 100 200"), LOAD_SERVERS
("1 2"), LOAD_SECONDS (60), LOAD_QUICK=1 (people "5 10", 20 s: a smoke run).
Figures go to the terminal and bench/out/load.json. The machine is shared: expect noise."""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from assistant.channels.whatsapp_payloads import signature_for
from tests.e2e import cluster as scale
from tests.e2e import conftest as e2e
from tests.e2e import servers as real

QUICK = os.environ.get("LOAD_QUICK") == "1"
PEOPLE = [
    int(n) for n in os.environ.get("LOAD_PEOPLE", "5 10" if QUICK else "10 50 100 200").split()
]
SERVERS = [int(n) for n in os.environ.get("LOAD_SERVERS", "1 2").split()]
STEP_SECONDS = float(os.environ.get("LOAD_SECONDS", "20" if QUICK else "60"))
TURNS_PER_PERSON = 12
ANSWER_SECONDS = 90.0
APP_SECRET, PHONE_NUMBER_ID = "bench-app-secret", "100000000001"
FACILITATORS = [f"62877{n:06d}" for n in range(200)]
OUT = Path(__file__).resolve().parent / "out" / "load.json"

JOURNEYS: list[tuple[str, list[str]]] = [
    ("konflik", ["ada warga protes dana bantuan dibagi gak merata", "2", "gak", "tidak ada"]),
    ("kebutuhan", ["warga gak punya modal, terus gak ngerti ngatur uang", "ya", "lanjut"]),
    ("pertanyaan", ["apa itu PENA?", "tahap perencanaan harus siapin apa aja?", "lanjut"]),
    ("pendekatan", ["desa kami banyak lansia, warga masih tergantung bansos", "iya"]),
    ("graduasi", ["cek graduasi bu siti", "2,6 jt", "iya udah berubah"]),
]


def seed(db: Path) -> None:
    """The end-to-end seed plus facilitators, each with a household to check."""
    e2e.seed(db)
    work = e2e.Casework(e2e.Store(db))
    admin = work.user("admin")
    for number in FACILITATORS:
        work.add_user(admin, e2e.User(id=number, name=f"Pendamping {number}", role="pendamping"))
        work.register(
            work.user(number), name="Siti Aminah", village_id="sukamaju", gender="P", program="pena"
        )
    work.store.close()


# --- fake Graph API ---------------------------------------------------------------------


class Graph:
    """Records when each number was sent something; a person waits on its own event."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: dict[str, list[float]] = {}
        self.events: dict[str, threading.Event] = {}
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        graph = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                graph.record(str(json.loads(raw).get("to", "")))
                body = b'{"messaging_product":"whatsapp","messages":[{"id":"wamid.bench"}]}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer.request_queue_size = 1024
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def record(self, number: str) -> None:
        now = time.monotonic()
        with self.lock:
            self.sent.setdefault(number, []).append(now)
            event = self.events.get(number)
        if event is not None:
            event.set()

    def expect(self, number: str) -> threading.Event:
        with self.lock:
            event = self.events[number] = threading.Event()
            return event

    def count(self, number: str) -> int:
        with self.lock:
            return len(self.sent.get(number, []))

    def first_after(self, number: str, count: int) -> float | None:
        with self.lock:
            times = self.sent.get(number, [])
            return times[count] if len(times) > count else None

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()


# --- CPU of each component, from /proc ---------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def components(cluster: scale.Cluster) -> dict[str, list[int]]:
    """name -> its processes: each Rasa server, the action servers, nginx, Redis,
    PostgreSQL (the postmaster and its backends)."""
    found: dict[str, list[int]] = {}
    ports = [url.rsplit(":", 1)[1] for url in cluster.rasa_urls]
    for pid in cluster.pids():
        line = real.command_line(pid)
        if "scripts/rasa_cli.py" in line:
            number = next((n for n, port in enumerate(ports, 1) if f"--port {port} " in line), 0)
            found.setdefault(f"rasa-{number}", []).append(pid)
        elif "action_server.py" in line:
            found.setdefault("aksi", []).append(pid)
        elif line.startswith("nginx"):
            found.setdefault("nginx", []).append(pid)
        elif line.startswith("redis-server"):
            found.setdefault("redis", []).append(pid)
    found["postgres"] = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _is_postgres_of(int(entry.name), cluster.postgres_port)
    ]
    return found


def _is_postgres_of(pid: int, port: int) -> bool:
    """A process of the PostgreSQL that listens on ``port`` (its postmaster.pid names it)."""
    line = real.command_line(pid)
    if not line.startswith(("postgres", "/usr/lib/postgresql")):
        return False
    try:
        marker = Path(f"/proc/{pid}/cwd").resolve() / "postmaster.pid"
    except OSError:
        return False
    try:
        return marker.exists() and marker.read_text().splitlines()[3].strip() == str(port)
    except (OSError, IndexError):
        return False


@contextmanager
def measured(parts: dict[str, list[int]]) -> Iterator[dict[str, float]]:
    """CPU % of one core per component over the block."""
    result: dict[str, float] = {}
    before = {name: cpu_seconds(pids) for name, pids in parts.items()}
    started = time.monotonic()
    yield result
    wall = time.monotonic() - started
    for name, pids in parts.items():
        result[name] = 100 * (cpu_seconds(pids) - before[name]) / wall
    result["_rasa_cpu_seconds"] = sum(
        cpu_seconds(pids) - before[name] for name, pids in parts.items() if name.startswith("rasa")
    )


# --- people -------------------------------------------------------------------------------


@dataclass
class Step:
    people: int
    servers: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    turns: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def webhook(number: str, body: str) -> bytes:
    message = {
        "from": number,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": body},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Warga"}, "wa_id": number}],
        "messages": [message],
    }
    entry = {"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


def person(
    url: str,
    graph: Graph,
    number: str,
    messages: list[str],
    step: Step,
    lock: threading.Lock,
    deadline: float,
) -> None:
    session = requests.Session()
    time.sleep(random.uniform(0, 1.0))  # people do not all press send in the same ms
    for text in messages:
        if time.monotonic() > deadline:
            return
        body = webhook(number, text)
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature_for(body, APP_SECRET),
        }
        already = graph.count(number)
        arrived = graph.expect(number)
        posted = time.monotonic()
        try:
            answer = session.post(url, data=body, headers=headers, timeout=30)
        except requests.RequestException:
            with lock:
                step.error("webhook tidak menjawab")
            return
        if answer.status_code != 200:
            with lock:
                step.error(f"webhook {answer.status_code}")
            return
        while graph.count(number) <= already:
            if not arrived.wait(timeout=ANSWER_SECONDS):
                with lock:
                    step.error("tanpa jawaban")
                return
            arrived.clear()
        sent = graph.first_after(number, already) or time.monotonic()
        with lock:
            step.latencies.append(sent - posted)
            step.turns += 1


def run_step(cluster: scale.Cluster, graph: Graph, people: int, servers: int, level: int) -> Step:
    step = Step(people, servers)
    lock = threading.Lock()
    url = f"{cluster.proxy_url}/webhooks/whatsapp/webhook"
    plans = []
    for n in range(people):
        kind, messages = JOURNEYS[n % len(JOURNEYS)]
        if kind == "graduasi":
            number = FACILITATORS[(level * 50 + n // len(JOURNEYS)) % len(FACILITATORS)]
        else:
            number = "6289" + str(uuid.uuid4().int)[:9]
        # then the other journeys in turn (a graduation check is done once per household)
        others = [m for k, m in JOURNEYS[n % len(JOURNEYS) + 1 :] + JOURNEYS if k != "graduasi"]
        script = list(messages) + [text for journey in others for text in journey]
        plans.append((number, script[:TURNS_PER_PERSON]))
    deadline = time.monotonic() + STEP_SECONDS
    with measured(components(cluster)) as cpu, ThreadPoolExecutor(people) as pool:
        started = time.monotonic()
        for number, messages in plans:
            pool.submit(person, url, graph, number, messages, step, lock, deadline)
        pool.shutdown(wait=True)
        step.seconds = time.monotonic() - started
    step.cpu = cpu
    return step


def quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(step: Step) -> dict[str, Any]:
    rasa_ms = 1000 * step.cpu.get("_rasa_cpu_seconds", 0.0) / max(step.turns, 1)
    row = {
        "servers": step.servers,
        "people": step.people,
        "turns": step.turns,
        "seconds": round(step.seconds, 1),
        "turns_per_s": round(step.turns / step.seconds, 2) if step.seconds else 0.0,
        "p50_ms": round(1000 * quantile(step.latencies, 50)),
        "p95_ms": round(1000 * quantile(step.latencies, 95)),
        "p99_ms": round(1000 * quantile(step.latencies, 99)),
        "errors": step.errors,
        "rasa_cpu_ms_per_turn": round(rasa_ms, 1),
        "cpu_percent": {k: round(v) for k, v in step.cpu.items() if not k.startswith("_")},
    }
    cpu = " ".join(f"{k} {v}%" for k, v in sorted(row["cpu_percent"].items()))
    errors = sum(step.errors.values())
    print(
        f"{step.servers:>6} {step.people:>6} {step.turns:>6} {row['turns_per_s']:>7} "
        f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7} {errors:>6} "
        f"{row['rasa_cpu_ms_per_turn']:>8}  {cpu}",
        flush=True,
    )
    return row


def warm_up(cluster: scale.Cluster) -> None:
    """Every Rasa server's first turns are slow (lazy loading): not part of the figures."""
    for url in cluster.rasa_urls:
        for text in ("halo", "apa itu PENA?", "ada warga protes dana bantuan dibagi gak merata"):
            requests.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": f"pemanasan-{uuid.uuid4().hex[:6]}", "message": text},
                headers=cluster.rest_headers,
                timeout=120,
            )


def main() -> None:
    rows: list[dict[str, Any]] = []
    print(
        f"Beban lewat webhook WhatsApp (nginx, PostgreSQL, Redis); {os.cpu_count()} inti; "
        f"tiap langkah paling lama {STEP_SECONDS:.0f} s. Latensi: POST webhook -> kirim Graph API."
    )
    print(
        f"{'server':>6} {'orang':>6} {'giliran':>6} {'gil/s':>7} {'p50ms':>7} {'p95ms':>7} "
        f"{'p99ms':>7} {'galat':>6} {'ms CPU Rasa/giliran':>8}  CPU per komponen (% satu inti)"
    )
    for servers in SERVERS:
        graph = Graph()
        base = graph.start()
        with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
            cluster = scale.start(
                Path(folder),
                rasa_servers=servers,
                seed=seed,
                extra_env={
                    "WHATSAPP_VERIFY_TOKEN": "bench-verify",
                    "WHATSAPP_APP_SECRET": APP_SECRET,
                    "WHATSAPP_ACCESS_TOKEN": "bench-access-token",
                    "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
                    "WHATSAPP_API_BASE": base,
                    "WHATSAPP_RATE_PER_MINUTE": "60",
                },
            )
            try:
                warm_up(cluster)
                for level, people in enumerate(PEOPLE):
                    rows.append(report(run_step(cluster, graph, people, servers, level)))
            finally:
                cluster.stop()
                graph.stop()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, indent=1))
    print(f"Hasil lengkap: {OUT}")


if __name__ == "__main__":
    main()
