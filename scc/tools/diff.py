"""`scc diff OLD NEW`: two rule-checked Apps -> what the change does to the infrastructure, in
words, with warnings for changes that replace resources or need callers redeployed. Pure:
compares the typed models field by field, so no setting can change unnoticed."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from scc.model import App, Port, Service

# Fields that say where something was written, not what it is.
_WHERE = {"origins", "path", "given", "file", "named", "health_path_given", "desired_count_given"}


@dataclass(frozen=True)
class Change:
    text: str
    warning: str = ""


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.name not in _WHERE}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _show(value: Any) -> str:
    if value is None or value == [] or value == ():
        return "none"
    if isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 for v in value):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value) + "}"
    return str(value)


def _fields(prefix: str, old: Any, new: Any, skip: set[str]) -> list[Change]:
    return _leaves(prefix, _plain(old), _plain(new), skip)


def _leaves(prefix: str, a: Any, b: Any, skip: set[str] = frozenset()) -> list[Change]:  # type: ignore[assignment]
    """One line per changed leaf: `backend scaling max: 10 -> 20`."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for name in a:
            if name not in skip and a[name] != b.get(name):
                out += _leaves(f"{prefix}{name.replace('_', ' ')} ", a[name], b.get(name))
        return out
    return [Change(f"~ {prefix.strip()}: {_show(a)} -> {_show(b)}")]


def _ports(svc: str, old: Service, new: Service) -> list[Change]:
    out: list[Change] = []
    before = {p.name: p for p in old.ports}
    after = {p.name: p for p in new.ports}
    for name in after.keys() - before.keys():
        out.append(Change(f"+ {svc} port {name} ({after[name].port}, {after[name].app_protocol})"))
    for name in before.keys() - after.keys():
        gone = before[name]
        warn = ""
        if gone.publish and old.role == "client-server":
            warn = f"callers of {svc}.{name} lose their endpoint; remove their calls first"
        out.append(Change(f"- {svc} port {name}", warn))
    for name in sorted(before.keys() & after.keys()):
        out += _port(f"{svc} port {name} ", old, before[name], after[name])
    return out


def _port(prefix: str, svc: Service, a: Port, b: Port) -> list[Change]:
    out = _fields(prefix, a, b, set())
    published = a.publish and svc.role == "client-server"
    if published and a.app_protocol != b.app_protocol:
        out.append(Change("", f"{prefix.strip()}: appProtocol of a Service Connect port cannot change in place; "
                              "the ECS service has to be recreated (deploy it under a new name, move callers, "
                              "remove the old one)"))
    if published and (a.discovery_name, a.alias_dns, a.alias_port) != (b.discovery_name, b.alias_dns, b.alias_port):
        out.append(Change("", f"{prefix.strip()}: its Service Connect name changes; running callers keep the old "
                              "one until their tasks are replaced (the new URL variable does that)"))
    return out


def _service(old: Service, new: Service) -> list[Change]:
    name = new.name
    out = _fields(f"{name} ", old, new, {"ports", "name"})
    out += _ports(name, old, new)
    if old.deployment.controller != new.deployment.controller:
        out.append(Change("", f"{name}: a new deployment controller replaces the ECS service (its tasks restart)"))
    if old.service_connect != new.service_connect:
        out.append(Change("", f"{name}: Service Connect is turned {'on' if new.service_connect else 'off'}; its "
                              "callers must be redeployed to resolve it"))
    if old.cpu != new.cpu or old.memory != new.memory or old.image != new.image:
        out.append(Change("", f"{name}: a new task definition: ECS replaces the tasks in a deployment"))
    return [c for c in out if c.text or c.warning]


def diff(old: App, new: App) -> list[Change]:
    out: list[Change] = []
    out += _fields("cluster ", old.cluster, new.cluster, set())
    if old.cluster.name != new.cluster.name:
        out.append(Change("", "a new cluster name replaces the cluster, and every service with it"))
    if _plain(old.namespace) != _plain(new.namespace):
        out.append(Change(f"~ namespace: {_show(_plain(old.namespace))} -> {_show(_plain(new.namespace))}",
                          "a new namespace replaces the Cloud Map namespace: every Service Connect service is "
                          "redeployed and callers resolve names only after their tasks are replaced"))
    out += _fields("network ", old.network, new.network, set())
    out += [c for c in _fields("", old, new, {"services", "cluster", "namespace", "network", "file", "name"})]
    before = {s.name: s for s in old.services}
    after = {s.name: s for s in new.services}
    for name in after.keys() - before.keys():
        svc = after[name]
        out.append(Change(f"+ service {name} ({svc.image}, {len(svc.ports)} port(s), role {svc.role})"))
    for name in before.keys() - after.keys():
        callers = [s.name for s in new.services if any(c.service == name for c in s.calls)]
        out.append(Change(f"- service {name}", f"{', '.join(callers)} still call {name}" if callers else ""))
    for svc in new.services:
        if svc.name in before:
            out += _service(before[svc.name], svc)
    return out


def render(changes: list[Change]) -> str:
    if not changes:
        return "no infrastructure change\n"
    lines = [c.text for c in changes if c.text]
    lines += [f"warning: {c.warning}" for c in changes if c.warning]
    return "\n".join(lines) + "\n"
