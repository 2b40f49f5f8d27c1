"""Chat benchmark (`make bench`): scripted conversations over the REST channel of the real
Rasa and action servers; per-turn round trip p50/p95 beside the NLU parse alone
(`/model/parse`) for the same messages, the time our actions (with the rules engine and
the store) take for each turn, measured by replaying that turn's custom actions against
the action server, and the resident memory of both servers.
Target on this machine: p95 per turn under 300 ms, actions + engine + store adding at
most 30% to the NLU parse time."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from tests.e2e.conftest import RINA, seed
from tests.e2e.servers import start

ROUNDS = 15
RASA_OWN = {
    "action_listen",
    "action_session_start",
    "action_deactivate_loop",
    "action_default_fallback",
    "action_restart",
    "action_back",
}
TARGET_P95_MS = 300.0
TARGET_OVERHEAD = 0.30

# (sender kind, messages) - each conversation is one journey, typed as on WhatsApp
SCRIPTS = [
    (
        "warga",
        ["ada warga protes dana bantuan dibagi gak merata", "2", "gak", "tidak ada", "kenapa?"],
    ),
    ("warga", ["warga gak punya modal, terus gak ngerti ngatur uang", "ya", "lanjut"]),
    ("warga", ["desa kami banyak lansia, warga masih tergantung bansos", "iya"]),
    ("warga", ["apa itu PENA?", "tahap perencanaan harus siapin apa aja?", "lanjut"]),
    ("pendamping", ["cek graduasi bu siti", "2,6 jt", "iya udah berubah", "jadwal saya"]),
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def custom_actions_of_last_turn(tracker: dict[str, Any]) -> list[str]:
    """The custom actions (ours, served by the action server) of the latest turn."""
    names: list[str] = []
    for event in reversed(tracker["events"]):
        if event.get("event") == "user":
            break
        name = event.get("name") or ""
        if event.get("event") == "action" and (
            name.startswith("validate_") or (name.startswith("action_") and name not in RASA_OWN)
        ):
            names.append(name)
    return names[::-1]


def action_time(servers: Any, sender: str, domain: dict[str, Any]) -> float:
    """Seconds the action server needs for the custom actions of the sender's last turn."""
    tracker = servers.tracker(sender)
    spent = 0.0
    for name in custom_actions_of_last_turn(tracker):
        call = {
            "next_action": name,
            "sender_id": sender,
            "tracker": tracker,
            "domain": domain,
            "version": "3.6.21",
        }
        t0 = time.perf_counter()
        answer = requests.post(
            f"{servers.action_url}/webhook", json=call, headers=servers.action_headers, timeout=30
        )
        if answer.status_code == 401:  # replays that never ran would time nothing
            answer.raise_for_status()
        spent += time.perf_counter() - t0
    return spent


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print("Menyalakan server Rasa dan server aksi (sekitar 1 menit)...", flush=True)
        servers = start(Path(folder), seed=seed)
        try:
            turns: list[float] = []
            parses: list[float] = []
            actions: list[float] = []
            domain = servers.api("GET", "/domain", headers={"Accept": "application/json"}).json()
            for round_number in range(ROUNDS):
                for kind, messages in SCRIPTS:
                    sender = RINA if kind == "pendamping" else f"bench-{round_number}-{kind}"
                    for message in messages:
                        t0 = time.perf_counter()
                        servers.say(sender, message)
                        turns.append(time.perf_counter() - t0)
                        t0 = time.perf_counter()
                        parsed = servers.api("POST", "/model/parse", json={"text": message})
                        parsed.raise_for_status()
                        parses.append(time.perf_counter() - t0)
                        actions.append(action_time(servers, sender, domain))
                    if kind == "pendamping":
                        servers.say(sender, "batal")
            action_pid, rasa_pid = servers.action_pid(), servers.rasa_pid()
            turn50, turn95 = quantile(turns, 50), quantile(turns, 95)
            parse50, parse95 = quantile(parses, 50), quantile(parses, 95)
            action50, action95 = quantile(actions, 50), quantile(actions, 95)
            overhead = action50 / parse50
            print(f"{len(turns)} giliran percakapan, {ROUNDS} putaran x {len(SCRIPTS)} percakapan")
            print(f"- satu giliran lewat REST: p50 {turn50:.0f} ms, p95 {turn95:.0f} ms")
            print(f"- parse NLU saja:          p50 {parse50:.0f} ms, p95 {parse95:.0f} ms")
            print(
                f"- aksi + mesin + penyimpanan per giliran: p50 {action50:.0f} ms, "
                f"p95 {action95:.0f} ms = {overhead * 100:.0f}% dari parse NLU (p50)"
            )
            print(
                f"- sisanya dialog Rasa (kebijakan, pelacak, panggilan HTTP): "
                f"p50 {turn50 - parse50 - action50:.0f} ms"
            )
            print(
                f"- memori: server Rasa {rss_mb(rasa_pid):.0f} MB, "
                f"server aksi {rss_mb(action_pid):.0f} MB"
            )
            print(
                f"Target p95 < {TARGET_P95_MS:.0f} ms: "
                f"{'TERCAPAI' if turn95 < TARGET_P95_MS else 'MELESET'}; "
                f"tambahan <= {TARGET_OVERHEAD * 100:.0f}%: "
                f"{'TERCAPAI' if overhead <= TARGET_OVERHEAD else 'MELESET'}"
            )
        finally:
            servers.stop()


if __name__ == "__main__":
    main()
