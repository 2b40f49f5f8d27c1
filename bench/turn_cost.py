"""Cost of one chat turn (`make bench`, issue 15 item 4): server CPU per turn, one request
in flight, over the REST channel of the real Rasa and action servers (scripts/serve.sh via
tests/e2e/servers.py, free ports, a seeded database in a temporary folder).

Each simulated person plays every journey of bench/load.py (graduation, conflict, needs,
questions, approach) one message at a time, starting at a different journey, so that each
journey is seen early and late in a conversation (the dialogue policies look at the whole
history). For each turn: CPU of the Rasa process and of the action server over the turn,
read from /proc before the request and after the answer. Per journey and overall: p50 and
p95 of Rasa CPU ms per turn, mean action-server CPU ms per turn, and from the stored
tracker the dialogue predictions and action-server calls per user message.

CPU comes from /proc/<pid>/task/*/schedstat (time on CPU in ns, every thread); utime+stime
of /proc/<pid>/stat counts in 10 ms ticks, too coarse for one turn, and is shown as a
cross-check of the total. Action-server calls are counted from the tracker's events the
way Rasa 3.6 makes them: one per custom action, and per form run one `validate_<form>`
call plus one `action_ask_<slot>` call when it asks for a slot.

    .venv/bin/python -m bench.turn_cost [--people 6] [--model /tmp/exp/model.tar.gz]
        [--env NAME=VALUE ...] [--out bench/out/turn_cost.json]

The machine is shared: CPU time of the processes is what counts, not wall time.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests
import yaml

from bench import load
from tests.e2e import servers as real

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out" / "turn_cost.json"
SETTLE_SECONDS = 0.03  # after the answer, before the CPU is read again
WARM_UP = ["halo", "apa itu PENA?", "ada warga protes dana bantuan dibagi gak merata", "batal"]


def cpu_ns(pid: int) -> int:
    """Time on CPU of every thread of ``pid`` so far, in ns."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended meanwhile
    return total


@dataclass
class Turn:
    journey: str
    person: str
    position: int  # 1-based number of the message in the person's conversation
    message: str
    rasa_ms: float
    action_ms: float
    wall_ms: float
    predictions: int = 0
    action_calls: int = 0
    answer: str = ""  # the start of the first reply, to check the journey went as scripted


def custom_actions(domain_dir: Path) -> tuple[set[str], set[str]]:
    """Names of the domain's custom actions, and of its forms."""
    actions: set[str] = set()
    forms: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        actions.update(a for a in part.get("actions") or [] if isinstance(a, str))
        forms.update((part.get("forms") or {}).keys())
    return actions, forms


def count_per_message(
    events: list[dict[str, Any]], actions: set[str], forms: set[str]
) -> list[tuple[int, int]]:
    """(predictions, action-server calls) for each user message of a tracker, in order."""
    counts: list[list[int]] = []
    form_running = False
    for event in events:
        kind = event.get("event")
        if kind == "user":
            counts.append([0, 0])
            form_running = False
            continue
        if not counts:
            continue
        if kind == "action":
            name = event.get("name") or ""
            form_running = False
            if event.get("policy"):
                counts[-1][0] += 1
            if name in forms:
                counts[-1][1] += 1 if f"validate_{name}" in actions else 0
                form_running = True
            elif name in actions:
                counts[-1][1] += 1
        elif kind == "slot" and form_running and event.get("name") == "requested_slot":
            slot = event.get("value")
            if slot and f"action_ask_{slot}" in actions:
                counts[-1][1] += 1
    return [(p, c) for p, c in counts]


def scripts(people: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per person: the sender id and its (journey, message) list. Graduation needs a
    facilitator with a household (bench/load.py's seed), one per person."""
    plans = []
    journeys = load.JOURNEYS
    for n in range(people):
        sender = load.FACILITATORS[n]
        order = journeys[n % len(journeys) :] + journeys[: n % len(journeys)]
        plans.append((sender, [(kind, text) for kind, texts in order for text in texts]))
    return plans


def play(servers: real.Servers, plans: Iterable[tuple[str, list[tuple[str, str]]]]) -> list[Turn]:
    rasa, action = servers.rasa_pid(), servers.action_pid()
    actions, forms = custom_actions(ROOT / "domain")
    session = requests.Session()
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    turns: list[Turn] = []
    for sender, messages in plans:
        mine: list[Turn] = []
        for position, (journey, text) in enumerate(messages, 1):
            rasa_before, action_before = cpu_ns(rasa), cpu_ns(action)
            started = time.perf_counter()
            answer = session.post(
                url,
                json={"sender": sender, "message": text},
                headers=servers.rest_headers,
                timeout=60,
            )
            wall = time.perf_counter() - started
            answer.raise_for_status()
            time.sleep(SETTLE_SECONDS)
            mine.append(
                Turn(
                    journey=journey,
                    person=sender,
                    position=position,
                    message=text,
                    rasa_ms=(cpu_ns(rasa) - rasa_before) / 1e6,
                    action_ms=(cpu_ns(action) - action_before) / 1e6,
                    wall_ms=1000 * wall,
                    answer=first_text(answer.json()),
                )
            )
        # outside the measured turns: what the dialogue did, from the stored tracker
        events = servers.tracker(sender)["events"]
        counted = count_per_message(events, actions, forms)[-len(mine) :]
        for turn, (predictions, calls) in zip(mine, counted, strict=False):
            turn.predictions, turn.action_calls = predictions, calls
        turns.extend(mine)
    return turns


def first_text(replies: list[dict[str, Any]]) -> str:
    return next((r["text"] for r in replies if "text" in r), "")[:120]


def summary(turns: list[Turn]) -> dict[str, float]:
    rasa = [t.rasa_ms for t in turns]
    return {
        "turns": len(turns),
        "rasa_p50_ms": round(load.quantile(rasa, 50), 1),
        "rasa_p95_ms": round(load.quantile(rasa, 95), 1),
        "rasa_mean_ms": round(statistics.fmean(rasa), 1),
        "action_mean_ms": round(statistics.fmean(t.action_ms for t in turns), 1),
        "wall_p50_ms": round(load.quantile([t.wall_ms for t in turns], 50), 1),
        "predictions": round(statistics.fmean(t.predictions for t in turns), 2),
        "action_calls": round(statistics.fmean(t.action_calls for t in turns), 2),
    }


def report(turns: list[Turn], total_check: dict[str, float]) -> dict[str, Any]:
    groups: dict[str, list[Turn]] = {}
    for turn in turns:
        groups.setdefault(turn.journey, []).append(turn)
    by_position = {
        "giliran 1-4": [t for t in turns if t.position <= 4],
        "giliran 5-10": [t for t in turns if 5 <= t.position <= 10],
        "giliran 11+": [t for t in turns if t.position >= 11],
    }
    rows = {name: summary(group) for name, group in groups.items()}
    rows.update({name: summary(group) for name, group in by_position.items() if group})
    rows["semua"] = summary(turns)
    print(
        f"{'perjalanan':<14} {'giliran':>7} {'Rasa p50':>9} {'p95':>7} {'rerata':>7} "
        f"{'aksi':>6} {'prediksi':>8} {'panggilan':>9} {'wall p50':>9}"
    )
    for name, row in rows.items():
        print(
            f"{name:<14} {row['turns']:>7} {row['rasa_p50_ms']:>9} {row['rasa_p95_ms']:>7} "
            f"{row['rasa_mean_ms']:>7} {row['action_mean_ms']:>6} {row['predictions']:>8} "
            f"{row['action_calls']:>9} {row['wall_p50_ms']:>9}"
        )
    print(
        "(ms CPU per giliran; aksi = rerata CPU server aksi; prediksi dan panggilan server aksi "
        "per pesan pengguna)"
    )
    print(
        f"Cek silang utime+stime: Rasa {total_check['rasa_ms_per_turn']:.1f} ms/giliran, "
        f"server aksi {total_check['action_ms_per_turn']:.1f} ms/giliran"
    )
    return {"rows": rows, "ticks_check": total_check, "turns": [asdict(t) for t in turns]}


def profile(py_spy: Path, pid: int, out: Path) -> subprocess.Popen:
    """py-spy sampling ``pid`` (not pausing it) into <out>.stacks.txt, collapsed stacks."""
    stacks = out.with_suffix(".stacks.txt")
    stacks.parent.mkdir(parents=True, exist_ok=True)
    command = [str(py_spy), "record", "--pid", str(pid), "--rate", "250", "--nonblocking"]
    command += ["--format", "raw", "--output", str(stacks)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)  # attached before the first measured turn
    return process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=6, help="people per run (6)")
    parser.add_argument("--model", type=Path, help="another trained model (an experiment)")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="for the servers"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="PY_SPY",
        help="profile the Rasa server during the measured turns with this py-spy binary "
        "(collapsed stacks next to --out)",
    )
    args = parser.parse_args(argv)
    extra = {"STUDIO": "0"}
    extra.update(dict(item.split("=", 1) for item in args.env))
    if args.model:
        extra["ASSISTANT_MODEL"] = str(args.model.resolve())
    with tempfile.TemporaryDirectory(prefix="bench-turn-") as folder:
        servers = real.start(Path(folder), seed=load.seed, extra_env=extra)
        try:
            for text in WARM_UP:  # lazy loading on the first turns: not measured
                servers.say("pemanasan", text)
            rasa, action = servers.rasa_pid(), servers.action_pid()
            profiler = profile(args.py_spy, rasa, args.out) if args.py_spy else None
            ticks_before = load.cpu_seconds([rasa]), load.cpu_seconds([action])
            turns = play(servers, scripts(args.people))
            ticks_after = load.cpu_seconds([rasa]), load.cpu_seconds([action])
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                profiler.wait(timeout=60)
        finally:
            servers.stop()
    # the tracker reads between people are inside the tick totals: an upper bound
    check = {
        "rasa_ms_per_turn": 1000 * (ticks_after[0] - ticks_before[0]) / len(turns),
        "action_ms_per_turn": 1000 * (ticks_after[1] - ticks_before[1]) / len(turns),
    }
    print(
        f"Biaya CPU per giliran: {args.people} orang x {len(load.JOURNEYS)} perjalanan, satu "
        f"permintaan sekaligus; model {args.model or real.MODEL.relative_to(ROOT)}"
        + (f"; env {' '.join(args.env)}" if args.env else "")
    )
    result = report(turns, check)
    result["model"] = str(args.model or real.MODEL)
    result["env"] = args.env
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"Hasil lengkap: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
