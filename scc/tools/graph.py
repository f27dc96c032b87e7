"""`scc graph`: a rule-checked App -> its call graph and deployment order, as Mermaid or DOT text
for READMEs and pull requests. Pure: reads the model only."""

from __future__ import annotations

from scc.model import App, call_target
from scc.rules.calls import ordering_edges


def waves(app: App) -> list[list[str]]:
    """Services grouped by when CloudFormation can create them: each wave only after the ones
    before it (ordered calls and dependsOn), services in spec order within a wave."""
    after = {name: {dep for dep, _ in deps} for name, deps in ordering_edges(app).items()}
    done: set[str] = set()
    out: list[list[str]] = []
    while len(done) < len(after):
        wave = [s.name for s in app.services if s.name not in done and after[s.name] <= done]
        if not wave:  # a cycle: rules refuse it before this point
            break
        out.append(wave)
        done |= set(wave)
    return out


def _edges(app: App) -> list[tuple[str, str, str, bool]]:
    """(caller, callee, label, ordered) for every call, then (svc, dep, 'dependsOn', True)."""
    out = []
    for svc in app.services:
        for call in svc.calls:
            target = call_target(app, svc, call)
            if target is None:
                continue
            via = "" if target.via == "service-connect" else " dns"
            label = f"{target.port.app_protocol} :{target.port.port}{via}"
            out.append((svc.name, call.service, label, call.ordered))
        out += [(svc.name, dep, "dependsOn", True) for dep in svc.depends_on]
    return out


def _node(name: str) -> str:
    return name.replace("-", "_")


def mermaid(app: App) -> str:
    lines = ["flowchart LR"]
    for svc in app.services:
        shape = f"{_node(svc.name)}([{svc.name}])" if svc.public else f"{_node(svc.name)}[{svc.name}]"
        lines.append(f"  {shape}")
    for caller, callee, label, ordered in _edges(app):
        arrow = "-.->" if label == "dependsOn" or not ordered else "-->"
        lines.append(f"  {_node(caller)} {arrow}|{label}| {_node(callee)}")
    for i, wave in enumerate(waves(app), start=1):
        lines.append(f"  %% created in wave {i}: {', '.join(wave)}")
    return "\n".join(lines) + "\n"


def dot(app: App) -> str:
    lines = [f'digraph "{app.name}" {{', "  rankdir=LR;"]
    for i, wave in enumerate(waves(app), start=1):
        lines.append(f'  subgraph "wave{i}" {{ rank=same; ' + " ".join(f'"{n}";' for n in wave) + " }")
    for svc in app.services:
        if svc.public:
            lines.append(f'  "{svc.name}" [shape=doubleoctagon];')
    for caller, callee, label, ordered in _edges(app):
        style = ", style=dashed" if label == "dependsOn" or not ordered else ""
        lines.append(f'  "{caller}" -> "{callee}" [label="{label}"{style}];')
    return "\n".join(lines) + "\n}\n"
