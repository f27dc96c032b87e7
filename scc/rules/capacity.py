"""Rules on task size and capacity: Fargate cpu/memory pairs, Spot, cluster providers."""

from __future__ import annotations

from scc.codes import SCC401, SCC402, SCC403, SCC404, SCC405, problem
from scc.diagnostics import Diagnostic
from scc.limits import fargate_memory
from scc.model import App, Service
from scc.plan import Plan


def check(plan: Plan) -> list[Diagnostic]:
    app = plan.app
    out = _cluster(app)
    for svc in app.services:
        out += _service(app, svc)
    return out


def _cluster(app: App) -> list[Diagnostic]:
    out = []
    if app.cluster.existing:
        for key in ("containerInsights", "capacityProviders"):
            if key in app.cluster.given:
                out.append(problem(SCC404, f"{key} cannot be set on an existing cluster: scc creates nothing "
                                   "there", ("cluster", key), at_key=True,
                                   hint="configure it on the cluster itself, or remove `existing: true`"))
    return out


def _service(app: App, svc: Service) -> list[Diagnostic]:
    out = []
    task = svc.task
    allowed = fargate_memory(task.cpu)
    if task.memory not in allowed:
        low, high = allowed[0], allowed[-1]
        step = allowed[1] - allowed[0]
        defaulted = [f"{k} {v} is the default" for k, v in (("cpu", task.cpu), ("memory", task.memory))
                     if not svc.given(k)]
        note = f" ({'; '.join(defaulted)})" if defaulted else ""
        out.append(problem(SCC401, f"Fargate has no task with cpu {task.cpu} and memory {task.memory}{note}",
                           svc.at("memory"),
                           hint=f"with cpu {task.cpu}, memory is {', '.join(map(str, allowed))}" if len(allowed) <= 4
                           else f"with cpu {task.cpu}, memory is {low} to {high} in steps of {step}"))
    providers = dict(svc.capacity)
    if providers.get("FARGATE_SPOT") and task.platform == "arm64":
        out.append(problem(SCC402, f"service {svc.name!r} is arm64, which Fargate Spot does not run",
                           svc.at("capacity"), hint="use `capacity: fargate` or `platform: x86_64`"))
    if not any(providers.values()):
        out.append(problem(SCC405, "every capacity weight is 0", svc.at("capacity"),
                           hint="give FARGATE (or FARGATE_SPOT) a weight of 1 or more"))
    if not app.cluster.existing:
        for provider in providers:
            if provider not in app.cluster.capacity_providers:
                out.append(problem(SCC403, f"service {svc.name!r} uses {provider}, which the cluster does not "
                                   "have", svc.at("capacity"),
                                   hint=f"add {provider} to cluster.capacityProviders"))
    return out
