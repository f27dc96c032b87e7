"""`scc graph`: the plan -> its call graph and deployment order, as Mermaid or DOT text for
READMEs and pull requests. Pure: reads the plan only."""

from __future__ import annotations

from scc.plan import Plan


def _edges(plan: Plan) -> list[tuple[str, str, str, bool]]:
    """(caller, callee, label, ordered) for every call, then (svc, dep, 'dependsOn', True)."""
    out = []
    for sp in plan.services:
        for e in sp.endpoints:
            if e.via == "queue":  # messages, not connections: no order, no network rule
                out.append((sp.name, e.name, "queue", False))
                continue
            via = "" if e.via == "service-connect" else f" {e.via}"
            out.append((sp.name, e.name, f"{e.app_protocol} :{e.number}{via}", e.call.ordered and e.target is not None))
        out += [(sp.name, dep, "dependsOn", True) for dep in sp.service.depends_on]
    return out


def _tasks(plan: Plan) -> list[str]:
    """One line per task with more than its main container: the other containers with their
    ports, then what each container waits for."""
    out = []
    for svc in plan.app.services:
        task = svc.task
        if not task.sidecars and not any(c.wait_for for c in task.containers):
            continue
        parts = [c.name + (f" ({', '.join(f'{p.name} :{p.port}' for p in c.ports)})" if c.ports else "")
                 for c in task.sidecars]
        waits = [f"{c.name} waits for {other} {cond}" for c in task.containers for other, cond in c.wait_for]
        out.append(f"task {svc.name}: containers {', '.join(parts) or 'none'}" + (f"; {'; '.join(waits)}" if waits
                                                                                   else ""))
    return out


def _routes(plan: Plan) -> list[str]:
    """One line per exposure: load balancer, listener and what it routes to."""
    out = []
    for sp in plan.services:
        for r in sp.routes:
            match = " ".join(x for x in (r.exposure.host or "", r.exposure.path if r.application else "") if x)
            kind = "default" if r.default else f"rule {r.priority}"
            out.append(f"{r.load_balancer.name} :{r.listener_port} {r.listener_protocol}"
                       f"{' ' + match if match else ''} -> {sp.name}.{r.port.name} ({kind})")
    return out


def _jobs(plan: Plan) -> list[str]:
    """When each job runs, and each queue's subscriptions."""
    out = [f"queue {s.name}: subscribes {', '.join(s.queue.subscribe)}" for s in plan.app.services
           if s.queue is not None and s.queue.subscribe]
    for svc in plan.app.jobs:
        when = svc.run.schedule if svc.run else None
        zone = f" {when.timezone}" if when and when.timezone else ""
        out.append(f"job {svc.name}: " + (f"{when.kind}({when.expression}){zone}" if when else "on demand"))
    return out


def _node(name: str) -> str:
    return name.replace("-", "_")


def mermaid(plan: Plan) -> str:
    app = plan.app
    lines = ["flowchart LR"]
    for svc in app.services:
        if svc.job:
            shape = f"{_node(svc.name)}[/{svc.name}/]"  # a job: a task that runs to completion
        elif svc.exposures:
            shape = f"{_node(svc.name)}([{svc.name}])"
        else:
            shape = f"{_node(svc.name)}[{svc.name}]"
        lines.append(f"  {shape}")
    for caller, callee, label, ordered in _edges(plan):
        arrow = "-.->" if label == "dependsOn" or not ordered else "-->"
        lines.append(f"  {_node(caller)} {arrow}|{label}| {_node(callee)}")
    for i, wave in enumerate(plan.waves, start=1):
        lines.append(f"  %% created in wave {i}: {', '.join(wave)}")
    lines += [f"  %% {line}" for line in _tasks(plan)]
    lines += [f"  %% exposed: {line}" for line in _routes(plan)]
    lines += [f"  %% {line}" for line in _jobs(plan)]
    return "\n".join(lines) + "\n"


def dot(plan: Plan) -> str:
    app = plan.app
    lines = [f'digraph "{app.name}" {{', "  rankdir=LR;"]
    for i, wave in enumerate(plan.waves, start=1):
        lines.append(f'  subgraph "wave{i}" {{ rank=same; ' + " ".join(f'"{n}";' for n in wave) + " }")
    for svc in app.services:
        if svc.exposures:
            lines.append(f'  "{svc.name}" [shape=doubleoctagon];')
        elif svc.job:
            lines.append(f'  "{svc.name}" [shape=parallelogram];')
    for caller, callee, label, ordered in _edges(plan):
        style = ", style=dashed" if label == "dependsOn" or not ordered else ""
        lines.append(f'  "{caller}" -> "{callee}" [label="{label}"{style}];')
    lines += [f"  // {line}" for line in _tasks(plan)]
    lines += [f"  // exposed: {line}" for line in _routes(plan)]
    lines += [f"  // {line}" for line in _jobs(plan)]
    return "\n".join(lines) + "\n}\n"
