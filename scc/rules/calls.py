"""Rules on `calls` and `dependsOn`: targets exist and publish, URLs do not clash, no cycles."""

from __future__ import annotations

import difflib

from scc.codes import (
    SCC201,
    SCC202,
    SCC203,
    SCC204,
    SCC205,
    SCC206,
    SCC207,
    SCC208,
    SCC209,
    SCC210,
    SCC713,
    Code,
    problem,
)
from scc.diagnostics import Diagnostic, Path, dotted
from scc.model import App, Service, call_env, call_target, call_via


def check(app: App) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for svc in app.services:
        out += _calls(app, svc)
        out += _depends_on(app, svc)
    out += _cycles(app)
    return out


def _calls(app: App, svc: Service) -> list[Diagnostic]:
    out = []
    seen: set[tuple[str, str]] = set()
    env_owner: dict[str, Path] = {k: svc.at("environment", k) for k, _ in svc.environment}
    env_owner.update({k: svc.at("secrets", k) for k, _ in svc.secrets})
    for call in svc.calls:
        callee = app.service(call.service)
        if call.service == svc.name:
            out.append(problem(SCC205, f"service {svc.name!r} calls itself", call.path,
                               hint="a task reaches its own ports on localhost; remove this call"))
            continue
        if callee is None:
            out.append(_unknown(SCC201, call.service, app, call.path))
            continue
        via = call_via(app, svc, callee)
        if via is None and not svc.service_connect and callee.published:
            out.append(problem(SCC210, f"service {svc.name!r} has role none (no Service Connect proxy) and cannot "
                               f"resolve {call.service!r}, which has no DNS discovery", svc.at("role"),
                               hint=f"use `role: client`, or give {call.service!r} `discovery` in a dns namespace"))
            return out
        if via is None:
            out.append(problem(SCC203, f"{call.service!r} publishes nothing through Service Connect "
                               f"({_why_unpublished(callee)}), so {svc.name!r} cannot call it", call.path,
                               hint=_publish_hint(callee)))
            continue
        if via == "dns" and callee.discovery is not None and callee.discovery.record == "SRV":
            out.append(problem(SCC713, f"{call.service!r} has only an SRV record, which a URL cannot resolve",
                               call.path, hint=f"give {call.service!r} `discovery: {{record: A}}`, or reach it "
                               "through Service Connect"))
            continue
        reachable = callee.published if via == "service-connect" else callee.ports
        names = ", ".join(p.name for p in reachable)
        if call.port is not None and not any(p.name == call.port for p in reachable):
            close = difflib.get_close_matches(call.port, [p.name for p in reachable], n=1)
            verb = "publishes" if via == "service-connect" else "has"
            out.append(problem(SCC207, f"{call.service!r} {verb} no port named {call.port!r} "
                               f"(it {verb}: {names})", (*call.path, "port"),
                               hint=f"did you mean {close[0]!r}?" if close else f"use one of: {names}"))
            continue
        target = call_target(app, svc, call)
        if target is None:
            out.append(problem(SCC206, f"{call.service!r} publishes several ports ({names}); say which one",
                               call.path, hint=f"write {{service: {call.service}, port: <one of {names}>}}"))
            continue
        key = (call.service, target.port.name)
        if key in seen:
            out.append(problem(SCC209, f"port {target.port.name!r} of {call.service!r} is called twice", call.path))
            continue
        seen.add(key)
        env = call_env(call)
        if env in env_owner:
            first = env_owner[env]
            by_call = "calls" in first
            out.append(problem(SCC208, f"{env} is set by this call and already by {dotted(first)}", call.path,
                               hint="give one of the calls its own `env` name" if by_call else
                               f"set `env` on this call, or remove {env} from {first[-2]}"))
        env_owner.setdefault(env, call.path)
    return out


def _why_unpublished(callee: Service) -> str:
    if callee.role != "client-server":
        return f"role {callee.role}"
    return "no port" if not callee.ports else "every port has publish: false"


def _publish_hint(callee: Service) -> str:
    if callee.role == "client-server" and callee.ports:
        return f"remove `publish: false` from the port of {callee.name!r} that callers use"
    if callee.ports:
        return (f"give {callee.name!r} role client-server (or remove its role: the default with ports), "
                "or DNS `discovery` in a dns namespace")
    return f"give {callee.name!r} a port with appProtocol, so it publishes an endpoint"


def _depends_on(app: App, svc: Service) -> list[Diagnostic]:
    out = []
    for i, name in enumerate(svc.depends_on):
        if name == svc.name:
            out.append(problem(SCC205, f"service {svc.name!r} depends on itself", svc.at("dependsOn", i)))
        elif app.service(name) is None:
            out.append(_unknown(SCC202, name, app, svc.at("dependsOn", i)))
    return out


def _unknown(code: Code, name: str, app: App, path: Path) -> Diagnostic:
    names = [s.name for s in app.services]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "defined services: " + ", ".join(names)
    verb = "calls" if code is SCC201 else "depends on"
    return problem(code, f"{verb} {name!r}, which is not defined in services", path, hint=hint)


def ordering_edges(app: App) -> dict[str, list[tuple[str, Path]]]:
    """Service -> services it must be created after (ordered calls, dependsOn), with the spec path
    of each reason; unknown names and self-references are left to the other rules."""
    known = {s.name for s in app.services}
    edges: dict[str, list[tuple[str, Path]]] = {}
    for svc in app.services:
        out = edges.setdefault(svc.name, [])
        for call in svc.calls:
            if call.ordered and call.service in known and call.service != svc.name:
                out.append((call.service, call.path))
        for i, name in enumerate(svc.depends_on):
            if name in known and name != svc.name:
                out.append((name, svc.at("dependsOn", i)))
    return edges


def _cycles(app: App) -> list[Diagnostic]:
    """Depth-first search without recursion (a chain of a thousand services must not overflow
    the stack); each cycle is reported once, at the call or dependsOn entry that closes it."""
    edges = ordering_edges(app)
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    found: list[Diagnostic] = []
    reported: set[frozenset[str]] = set()
    for root in edges:
        if root in state:
            continue
        path = [root]
        todo = [iter(edges[root])]
        state[root] = 1
        while todo:
            step = next(todo[-1], None)
            if step is None:
                state[path.pop()] = 2
                todo.pop()
                continue
            nxt, where = step
            if state.get(nxt) == 1:
                loop = [*path[path.index(nxt):], nxt]
                if frozenset(loop) not in reported:
                    reported.add(frozenset(loop))
                    hint = ("set `ordered: false` on one call of the cycle (its network rule and URL stay)"
                            if "calls" in where else "remove one dependsOn entry of the cycle")
                    found.append(problem(SCC204, "ordering cycle: " + " -> ".join(loop), where, hint=hint))
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(edges[nxt]))
    return found
