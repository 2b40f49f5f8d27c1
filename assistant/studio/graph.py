"""The decision drawn for a projector: the whole flow of the decision kind (from
``assistant.decisions.diagram.flow_of``, built from the rules themselves) with the path one
decision took highlighted, or two paths compared (what if). Rendered on the server by
Graphviz (`dot`, Debian's package) as SVG for the page, PNG and PDF for the exports: the
page needs no script library and works offline."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from typing import Any

from assistant.common.texts import text
from assistant.decisions.diagram import Flow, flow_of, path_links
from assistant.knowledge.loader import Knowledge
from assistant.store.decision import Decision

DOT_SECONDS = 30
TAKEN, ADDED, DROPPED, IDLE = "#e65100", "#2e7d32", "#c62828", "#9e9e9e"
PATH_FONT, IDLE_FONT = 15, 9  # points: the path legible from the back of a room, the rest context
_FLOW_LOCK = threading.Lock()


class GraphvizMissing(RuntimeError):
    """`dot` is not installed (scripts/install_studio.sh installs it)."""


def node_id(rule: str) -> str:
    """An id safe for DOT, SVG and CSS selectors."""
    return "rule-" + re.sub(r"[^A-Za-z0-9_-]", "-", rule)


_FLOWS: dict[tuple[str, str], Flow] = {}


def flow(kind: str, knowledge: Knowledge) -> Flow:
    """The kind's flow, worked out once per knowledge version (a few hundred engine runs)."""
    from rules.engine import engine_for

    key = (kind, knowledge.version)
    with _FLOW_LOCK:
        if key not in _FLOWS:
            _FLOWS[key] = flow_of(kind, engine_for(knowledge), knowledge)
        return _FLOWS[key]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _rule_label(rule: str, section: str, lang: str, step: int | None) -> str:
    # the id reads better broken at its dots: graduasi.pena / pendapatan_di_atas_umk / ...
    parts = rule.split(".")
    head = ".".join(parts[:2])
    tail = "\n".join(parts[2:])
    label = f"{head}\n{tail}" if tail else head
    prefix = f"{step}. " if step is not None else ""
    return f"{prefix}{label}\n{text('diagram.section', lang)} {section}"


def _steps(decision: Decision) -> dict[str, int]:
    order: dict[str, int] = {}
    for fired in decision.trace:
        order.setdefault(fired.rule, len(order) + 1)
    return order


def to_dot(
    decision: Decision, knowledge: Knowledge, lang: str = "id", before: Decision | None = None
) -> str:
    """DOT of the kind's flow with ``decision``'s path highlighted; with ``before``, the
    rules only the earlier decision took are shown struck (red, dashed) and those only the
    new one took in green."""
    whole = flow(decision.kind, knowledge)
    sections = dict(whole.rules)
    for fired in decision.trace + (before.trace if before else []):
        sections.setdefault(fired.rule, fired.source.section)
    links, concluding = path_links(decision)
    old_links, old_concluding = path_links(before) if before else ([], [])
    taken = {r for link in links for r in link} | set(concluding)
    was = {r for link in old_links for r in link} | set(old_concluding)
    steps = _steps(decision)
    lines = [
        "digraph decision {",
        '  graph [rankdir=LR, bgcolor="white", pad=0.3, nodesep=0.25, ranksep=0.5, '
        'fontname="DejaVu Sans"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", color="#bdbdbd", '
        f'fontcolor="#616161", fontname="DejaVu Sans", fontsize={IDLE_FONT}];',
        '  edge [color="#cfcfcf", arrowsize=0.6];',
    ]

    def state(rule: str) -> str:
        if rule in taken and (before is None or rule in was):
            return "taken"
        if rule in taken:
            return "added"
        if rule in was:
            return "dropped"
        return "idle"

    # the path in a larger type than the rest of the flow, which is there for context: on a
    # projector the whole flow is drawn small, the path must stay legible
    styles = {
        "taken": f'fillcolor="#ffe0b2", color="{TAKEN}", fontcolor="#000000", penwidth=2.5, '
        f"fontsize={PATH_FONT}",
        "added": f'fillcolor="#c8e6c9", color="{ADDED}", fontcolor="#000000", penwidth=2.5, '
        f"fontsize={PATH_FONT}",
        "dropped": f'fillcolor="#ffebee", color="{DROPPED}", fontcolor="#7f0000", '
        f'style="rounded,filled,dashed", penwidth=2, fontsize={PATH_FONT}',
        "idle": "",
    }
    given = text("diagram.input", lang)
    out = text("diagram.output", lang)
    lines.append(
        f'  "in" [id="node-in", class="taken", label={_quote(given)}, shape=oval, '
        f'fillcolor="#e3f2fd", color="#1565c0", fontcolor="#000000", penwidth=2, '
        f"fontsize={PATH_FONT}];"
    )
    lines.append(
        f'  "out" [id="node-out", class="taken", label={_quote(out)}, shape=oval, '
        f'fillcolor="#e3f2fd", color="#1565c0", fontcolor="#000000", penwidth=2, '
        f"fontsize={PATH_FONT}];"
    )
    for rule in sorted(sections):
        kind = state(rule)
        label = _rule_label(rule, sections[rule], lang, steps.get(rule))
        extra = ", " + styles[kind] if styles[kind] else ""
        attributes = f'id="{node_id(rule)}", class="{kind}", label={_quote(label)}{extra}'
        lines.append(f"  {_quote(rule)} [{attributes}];")
    path = set(links) | {(r, "out") for r in concluding}
    old_path = set(old_links) | {(r, "out") for r in old_concluding}
    every = set(whole.links) | path | old_path
    for source, target in sorted(every):
        if (source, target) in path:
            colour = TAKEN if before is None or (source, target) in old_path else ADDED
            style = f'color="{colour}", penwidth=3, class="taken"'
        elif (source, target) in old_path:
            style = f'color="{DROPPED}", penwidth=2, style=dashed, class="dropped"'
        else:
            style = 'class="idle"'
        lines.append(f"  {_quote(source)} -> {_quote(target)} [{style}];")
    lines.append("}")
    return "\n".join(lines)


def render(dot: str, fmt: str, dpi: int | None = None) -> bytes:
    """``dot`` rendered by Graphviz as ``fmt`` (svg, png or pdf)."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing("dot")
    command = [program, f"-T{fmt}"]
    if dpi:
        command.append(f"-Gdpi={dpi}")
    done = subprocess.run(
        command, input=dot.encode("utf-8"), capture_output=True, timeout=DOT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode("utf-8", errors="replace")[-500:])
    return done.stdout


def svg(decision: Decision, knowledge: Knowledge, lang: str = "id", before: Any = None) -> str:
    drawn = render(to_dot(decision, knowledge, lang, before), "svg").decode("utf-8")
    # the page sizes the drawing; the XML prologue and DOCTYPE have no place inside HTML
    start = drawn.find("<svg")
    return drawn[start:] if start >= 0 else drawn
