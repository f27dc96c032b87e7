"""Rules on tasks of several containers: names, volumes and mounts, container dependencies,
sizes that fit next to the Service Connect proxy, capabilities Fargate allows."""

from __future__ import annotations

from scc.codes import (
    SCC309,
    SCC410,
    SCC411,
    SCC412,
    SCC413,
    SCC414,
    SCC415,
    SCC416,
    SCC417,
    SCC418,
    SCC419,
    SCC420,
    problem,
)
from scc.diagnostics import Diagnostic
from scc.limits import FIRELENS_MEMORY_RESERVATION, PROXY_CPU, PROXY_MEMORY
from scc.model import Service
from scc.naming import LOG_ROUTER as ROUTER
from scc.plan import Plan

FARGATE_CAPABILITIES = {"SYS_PTRACE"}  # all Fargate lets a task add


def check(plan: Plan) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for svc in plan.app.services:
        out += _names(svc) + _mounts(svc) + _waits(svc) + _size(svc) + _options(svc)
        out += _efs(svc, plan.app.network.egress) + _exec(svc)
    return out


def _exec(svc: Service) -> list[Diagnostic]:
    """ECS Exec's agent needs a writable root file system in the containers it opens shells in."""
    if not svc.exec:
        return []
    out = []
    for c in svc.task.containers:
        if c.readonly_root:
            key = (*c.spec_path[2:], "readonlyRootFilesystem") if c is not svc.main else ("readonlyRootFilesystem",)
            out.append(problem(SCC420, f"exec is on, and container {c.name!r} has a read-only root file system, "
                               "where ECS Exec's agent cannot start", svc.at(*key),
                               hint="turn `exec` off, or let this container's root file system be writable"))
    return out


def _names(svc: Service) -> list[Diagnostic]:
    out = []
    for c in svc.task.sidecars:
        taken = "the service's main container" if c.name == svc.name else (
            "the FireLens log router" if c.name == ROUTER and svc.task.logs.router else "")
        if taken:
            out.append(problem(SCC411, f"container {c.name!r} has the name of {taken}", c.spec_path, at_key=True,
                               hint="rename the container"))
    return out


def _mounts(svc: Service) -> list[Diagnostic]:
    volumes = {v.name for v in svc.task.volumes}
    out = []
    for c in svc.task.containers:
        for m in c.mounts:
            if m.volume not in volumes:
                known = ", ".join(sorted(volumes)) or "none"
                out.append(problem(SCC410, f"container {c.name!r} mounts {m.volume!r}, which is not a volume of "
                                   f"{svc.name!r} (volumes: {known})", (*m.spec_path, "volume"),
                                   hint=f"add `volumes: {{{m.volume}: {{}}}}` for task storage, or use a volume "
                                   "the service has"))
    return out


def _waits(svc: Service) -> list[Diagnostic]:
    containers = {c.name: c for c in svc.task.containers}
    out = []
    for c in svc.task.containers:
        for other, condition in c.wait_for:
            where = (*c.spec_path, "waitFor", other)
            target = containers.get(other)
            if target is None or other == c.name:
                out.append(problem(SCC412, f"container {c.name!r} waits for {other!r}, which is "
                                   f"{'itself' if other == c.name else 'not a container of the task'}", where,
                                   at_key=True, hint="containers: " + ", ".join(containers)))
            elif condition == "healthy" and target.health_check is None:
                out.append(problem(SCC414, f"{c.name!r} waits for {other!r} to be healthy, and {other!r} has no "
                                   "health check", where, hint=f"give {other!r} a healthCheck, or wait for start"))
            elif condition in ("complete", "success") and target.essential:
                verb = "succeed" if condition == "success" else "complete"
                out.append(problem(SCC415, f"{c.name!r} waits for {other!r} to {verb}, and {other!r} is "
                                   "essential: its exit stops the task", where,
                                   hint=f"set `essential: false` on {other!r}"))
    out += _wait_cycles(svc)
    return out


def _wait_cycles(svc: Service) -> list[Diagnostic]:
    edges = {c.name: [o for o, _ in c.wait_for] for c in svc.task.containers}
    paths = {c.name: c.spec_path for c in svc.task.containers}
    out, reported = [], set()
    for start in edges:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in edges.get(node, []):
                if nxt == start and len(path) > 1:
                    loop = frozenset(path)
                    if loop not in reported:
                        reported.add(loop)
                        out.append(problem(SCC413, "containers wait for each other: " + " -> ".join([*path, nxt]),
                                           (*paths[path[-1]], "waitFor", nxt), at_key=True,
                                           hint="remove one waitFor entry of the cycle"))
                elif nxt not in path and nxt in edges:
                    stack.append((nxt, [*path, nxt]))
    return out


def _size(svc: Service) -> list[Diagnostic]:
    """The task's budget: its other containers' reservations, the Service Connect proxy's share and
    FireLens's, and what they leave the main container (SCC416 when nothing, SCC309 when too little
    next to the proxy)."""
    task = svc.task
    proxy = svc.service_connect
    sidecar_cpu = sum(c.cpu or 0 for c in task.sidecars)
    cpu = sidecar_cpu + (PROXY_CPU if proxy else 0)
    memory = sum(c.memory or c.memory_reservation or 0 for c in task.sidecars) + (PROXY_MEMORY if proxy else 0)
    memory += FIRELENS_MEMORY_RESERVATION if task.logs.router else 0
    out = []
    left = task.cpu - cpu
    if proxy and left < PROXY_CPU and not (sidecar_cpu and left <= 0):
        theirs = f" and its other containers {sidecar_cpu}" if sidecar_cpu else ""
        out.append(problem(SCC309, f"service {svc.name!r} has {task.cpu} CPU units; the Service Connect proxy "
                           f"needs about {PROXY_CPU} of them and {PROXY_MEMORY} MiB{theirs}, leaving the "
                           f"application {left}", svc.at("cpu"), hint="use cpu: 512 (with memory 1024 or more)"))
    for what, used, total, key in (("CPU units", cpu, task.cpu, "cpu"), ("MiB", memory, task.memory, "memory")):
        reserved = any((c.cpu if key == "cpu" else (c.memory or c.memory_reservation)) for c in task.sidecars)
        if reserved and used >= total:
            out.append(problem(SCC416, f"the containers of {svc.name!r} reserve {used} {what}"
                               f"{' with the Service Connect proxy' if proxy else ''}, and the task has {total}: "
                               "nothing is left for the main container", svc.at(key),
                               hint=f"raise {key} (a larger Fargate size) or lower the containers' reservations"))
    return out


def _options(svc: Service) -> list[Diagnostic]:
    out = []
    for c in svc.task.containers:
        for cap in c.capabilities_add:
            if cap not in FARGATE_CAPABILITIES:
                out.append(problem(SCC417, f"Fargate does not let {c.name!r} add {cap}", (*c.spec_path, "capabilities",
                                   "add"), hint="Fargate adds only SYS_PTRACE; drop capabilities instead"))
    return out


def _efs(svc: Service, egress: str) -> list[Diagnostic]:
    out = []
    for v in svc.task.volumes:
        if v.efs is None:
            continue
        if v.efs.access_point and v.efs.root_directory:
            out.append(problem(SCC418, f"volume {v.name!r} has an access point, which sets its own root directory",
                               (*v.spec_path, "efs", "rootDirectory"), at_key=True, hint="remove rootDirectory"))
        if egress == "none" and not v.efs.security_group:
            out.append(problem(SCC419, f"volume {v.name!r} is EFS, and with egress none its mount targets are "
                               "reachable only through their security group", (*v.spec_path, "efs"), at_key=True,
                               hint="add `securityGroup: sg-...` (the mount targets' group)"))
    return out
