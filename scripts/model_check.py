"""Is the trained assistant the same on every machine, and do its tests ride on luck?

    .venv/bin/python scripts/model_check.py reproducibility   # make reproducibility
    .venv/bin/python scripts/model_check.py seeds [--seeds 1 2 3] [--messages FILE]

``reproducibility`` trains the model twice from the same data, config and versions, under
different conditions: the second run on one CPU instead of all, from another folder whose
files were written in the reverse order, in an environment that asks for other numerics
(AVX-512 kernels, four OpenMP and BLAS threads: scripts/rasa_cli.py must override them). It
then parses every held-out message (tests/nlu/) with both models and compares: the same
intent and confidences within 1e-6, or it fails and lists the differences.

``seeds`` trains the model with other DIET seeds (config.yml's ``random_seed`` replaced),
runs the held-out NLU gates (scripts/nlu_score.py) on each, and parses a list of messages
(by default the held-out ones, plus ``--messages``: one JSON string per line, e.g. from
``collect-messages``) with each model. It reports every message whose intent changes
between seeds, whose winning intent is within ``MARGIN`` of its runner-up, or whose
confidence is within ``MARGIN`` of the fallback threshold, on any seed.

``collect-messages DIR`` prints every user message stored in the Rasa tracker files
(rasa-tracker.db) under DIR, e.g. the end-to-end tests' ``--basetemp`` folder, one JSON
string per line, so that ``seeds --messages`` can check what the tests really send.

Everything is written under var/model-check/. Each training takes 6-8 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "model-check"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
TOLERANCE = 1e-6
MARGIN = 0.1
ENTITY = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def say(message: str) -> None:
    print(f"[model-check] {message}", file=sys.stderr, flush=True)


def held_out_messages() -> list[str]:
    """Every example of tests/nlu/*.yml, entity marks removed, as `rasa test nlu` reads them."""
    messages: list[str] = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    messages.append(ENTITY.sub(r"\1", line[2:].strip()))
    return messages


def fallback_threshold(config: dict[str, Any]) -> float:
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.3


def project_copy(target: Path, seed: int | None = None, reverse: bool = False) -> Path:
    """data/, domain/ and config.yml copied to ``target`` (files written in reverse order when
    ``reverse``), with DIET's random_seed replaced when ``seed`` is given."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = sorted(
        path for name in ("data", "domain") for path in (ROOT / name).rglob("*") if path.is_file()
    )
    for path in reversed(files) if reverse else files:
        destination = target / path.relative_to(ROOT)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    if seed is not None:
        for component in config["pipeline"]:
            if component.get("name") == "DIETClassifier":
                component["random_seed"] = seed
    (target / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


def train(
    project: Path,
    out: Path,
    extra_env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
) -> Path:
    """Train as scripts/train.sh does (rasa_cli.py, PYTHONHASHSEED=0) from ``project``."""
    out.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        # no training cache: every run trains (the cache lives in the project's .rasa/)
        "RASA_MAX_CACHE_SIZE": "0",
        "PYTHONHASHSEED": "0",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        **(extra_env or {}),
    }
    command = [
        *(prefix or []),
        str(RASA_PYTHON),
        str(ROOT / "scripts" / "rasa_cli.py"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain",
        "--data",
        "data",
        "--fixed-model-name",
        "model",
        "--out",
        str(out),
        "--quiet",
    ]
    started = time.monotonic()
    log = out / "train.log"
    with log.open("wb") as handle:
        done = subprocess.run(
            command, cwd=project, env=env, stdout=handle, stderr=subprocess.STDOUT
        )
    if done.returncode != 0:
        raise SystemExit(f"training in {project} failed; see {log}")
    say(f"trained {out / 'model.tar.gz'} in {time.monotonic() - started:.0f} s")
    return out / "model.tar.gz"


def predict(model: Path, messages: list[str], out: Path) -> list[dict[str, Any]]:
    listing = out.with_suffix(".messages")
    listing.write_text(
        "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages), encoding="utf-8"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    with out.open("wb") as handle:
        subprocess.run(
            [str(RASA_PYTHON), str(ROOT / "scripts" / "nlu_predict.py"), str(model), str(listing)],
            env=env,
            stdout=handle,
            check=True,
            cwd=ROOT,
        )
    # Rasa's own log lines may reach stdout too; the predictions are the JSON objects
    lines = out.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.startswith("{")]
    if len(rows) != len(messages):
        raise SystemExit(f"{model}: {len(rows)} predictions for {len(messages)} messages")
    return rows


def compare(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[str]:
    differences = []
    for a, b in zip(first, second, strict=True):
        keys = ("intent", "top", "runner_up")
        numbers = ("confidence", "top_confidence", "runner_up_confidence")
        worst = max(abs(float(a[k]) - float(b[k])) for k in numbers)
        if any(a[k] != b[k] for k in keys) or worst > TOLERANCE:
            differences.append(
                f"{a['text']!r}: {a['intent']} {a['confidence']:.6f} / "
                f"{b['intent']} {b['confidence']:.6f} (largest difference {worst:.2e})"
            )
    return differences


def reproducibility(args: argparse.Namespace) -> int:
    messages = held_out_messages()
    a = WORK / "repro-a" / "model.tar.gz"
    if not (args.reuse and a.exists()):
        a = train(project_copy(WORK / "repro-a" / "project"), WORK / "repro-a")
    cores = os.sched_getaffinity(0)
    one_cpu = ["taskset", "-c", str(min(cores))] if shutil.which("taskset") else []
    b = WORK / "repro-b" / "model.tar.gz"
    if not (args.reuse and b.exists()):
        b = train(
            project_copy(WORK / "repro-b" / "elsewhere" / "project", reverse=True),
            WORK / "repro-b",
            extra_env={
                "ONEDNN_MAX_CPU_ISA": "AVX512_CORE_AMX",
                "OMP_NUM_THREADS": "4",
                "MKL_NUM_THREADS": "4",
                "OPENBLAS_NUM_THREADS": "4",
            },
            prefix=one_cpu,
        )
    first = predict(a, messages, WORK / "repro-a" / "held-out.jsonl")
    second = predict(b, messages, WORK / "repro-b" / "held-out.jsonl")
    differences = compare(first, second)
    largest = max(
        abs(float(x[k]) - float(y[k]))
        for x, y in zip(first, second, strict=True)
        for k in ("confidence", "top_confidence", "runner_up_confidence")
    )
    say(
        f"{len(messages)} held-out messages; second training on {one_cpu or 'all CPUs'}, "
        "asking for AVX-512 and 4 OpenMP/BLAS threads, files written in reverse order elsewhere"
    )
    same = sum(1 for x, y in zip(first, second, strict=True) if x["intent"] == y["intent"])
    say(
        f"same intent: {same}/{len(messages)}; largest confidence difference {largest:.2e}"
        f" (tolerance {TOLERANCE:g})"
    )
    for line in differences[:40]:
        say(f"  differs: {line}")
    return 1 if differences else 0


def seeds(args: argparse.Namespace) -> int:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    threshold = fallback_threshold(config)
    held_out = held_out_messages()
    checked = held_out
    if args.messages:
        extra = [
            json.loads(line)
            for line in Path(args.messages).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        checked = list(dict.fromkeys(extra))
    results: dict[str, list[dict[str, Any]]] = {}
    gates: dict[int, str] = {}
    failed = False
    shipped = ROOT / "models" / "assistant.tar.gz"
    if shipped.exists():
        results["shipped"] = predict(shipped, checked, WORK / "shipped-messages.jsonl")
    for seed in args.seeds:
        folder = WORK / f"seed-{seed}"
        model = folder / "model.tar.gz"
        if not (args.reuse and model.exists()):
            model = train(project_copy(folder / "project", seed=seed), folder)
        report = folder / "nlu"
        subprocess.run(
            [str(RASA_PYTHON), str(ROOT / "scripts" / "rasa_cli.py"), "test", "nlu",
             "--model", str(model), "--nlu", str(ROOT / "tests" / "nlu"),
             "--out", str(report), "--quiet"],
            cwd=ROOT,
            check=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        score = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "nlu_score.py"), str(report)],
            capture_output=True,
            text=True,
        )
        gates[seed] = score.stdout.strip()
        failed |= score.returncode != 0
        results[f"seed {seed}"] = predict(model, checked, folder / "messages.jsonl")
    print("== gates per seed (scripts/nlu_score.py on tests/nlu) ==")
    for seed, text in gates.items():
        print(f"-- seed {seed}\n{text}")
    print("== minimum over seeds ==")
    for line in minimum_gates(args.seeds):
        print(line)
    what = "messages given" if args.messages else "held-out messages"
    print(f"== {what} near a boundary on any model (margin < {MARGIN}; fallback {threshold}) ==")
    shaky = 0
    for index, text in enumerate(checked):
        rows = {name: rows[index] for name, rows in results.items()}
        intents = {row["intent"] for row in rows.values()}
        reasons = []
        if len(intents) > 1:
            reasons.append("intent changes: " + ", ".join(sorted(str(i) for i in intents)))
        for name, row in rows.items():
            gap = row["top_confidence"] - row["runner_up_confidence"]
            if gap < MARGIN:
                reasons.append(
                    f"{name}: {row['top']} {row['top_confidence']:.2f} vs "
                    f"{row['runner_up']} {row['runner_up_confidence']:.2f}"
                )
            if abs(row["top_confidence"] - threshold) < MARGIN:
                reasons.append(f"{name}: {row['top']} {row['top_confidence']:.2f} near fallback")
        if reasons:
            shaky += 1
            print(json.dumps({"text": text, "why": reasons}, ensure_ascii=False))
    print(f"== {shaky} of {len(checked)} messages near a boundary ==")
    return 1 if failed else 0


def minimum_gates(seed_list: list[int]) -> list[str]:
    lowest: dict[str, float] = {}
    for seed in seed_list:
        report = json.loads((WORK / f"seed-{seed}" / "nlu" / "intent_report.json").read_text())
        for name, scores in report.items():
            if isinstance(scores, dict) and "f1-score" in scores and scores.get("support", 0) > 0:
                lowest[name] = min(lowest.get(name, 1.0), scores["f1-score"])
                if name == "report_abuse":
                    lowest["report_abuse recall"] = min(
                        lowest.get("report_abuse recall", 1.0), scores["recall"]
                    )
    return [f"{name}: {value:.3f}" for name, value in sorted(lowest.items(), key=lambda kv: kv[1])]


def written_in_tests() -> set[str]:
    """Messages the tests write themselves (the dialogue suite's turns, string constants of
    tests/e2e/, the harm evaluation set): what a test may depend on. The conversation
    fuzzer's generated messages only meet invariants and are left out."""
    import ast

    found: set[str] = set()
    for path in (ROOT / "tests" / "dialogues").glob("*.yml"):
        for dialogue in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.update(str(turn["say"]) for turn in dialogue.get("turns", []))
    for path in (ROOT / "tests" / "safeguarding_eval").glob("*.yml"):
        found.update(str(row["text"]) for row in yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in (ROOT / "tests" / "e2e").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def collect_messages(args: argparse.Namespace) -> int:
    seen: dict[str, None] = {}
    for db in sorted(Path(args.folder).rglob("rasa-tracker.db")):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            for (data,) in connection.execute("SELECT data FROM events WHERE type_name = 'user'"):
                text = json.loads(data).get("text")
                if isinstance(text, str) and text and not text.startswith("/"):
                    seen.setdefault(text, None)
    if args.only_tests:
        written = written_in_tests()
        seen = {text: None for text in seen if text in written}
    for text in seen:
        print(json.dumps(text, ensure_ascii=False))
    say(f"{len(seen)} different user messages")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    repro = commands.add_parser("reproducibility")
    repro.add_argument("--reuse", action="store_true", help="reuse models already trained")
    repro.set_defaults(run=reproducibility)
    seed_parser = commands.add_parser("seeds")
    seed_parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    seed_parser.add_argument("--messages", help="more messages, one JSON string per line")
    seed_parser.add_argument("--reuse", action="store_true", help="reuse models already trained")
    seed_parser.set_defaults(run=seeds)
    collect = commands.add_parser("collect-messages")
    collect.add_argument("folder")
    collect.add_argument(
        "--only-tests", action="store_true", help="only messages the tests write themselves"
    )
    collect.set_defaults(run=collect_messages)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
