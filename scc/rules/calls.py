"""Rules on resolved calls and the creation order: variables do not clash, a port is called once,
no ordering cycles."""

from __future__ import annotations

from scc.codes import SCC204, SCC208, SCC209, SCC211, SCC212, problem
from scc.diagnostics import Diagnostic, Path, dotted
from scc.plan import Plan, ServicePlan


def check(plan: Plan) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for ext in plan.app.externals:
        if plan.app.service(ext.name) is not None:
            out.append(problem(SCC211, f"{ext.name!r} is both a service and an external target", ext.path,
                               at_key=True, hint="rename the external target"))
    for svc in plan.services:
        out += _variables(svc)
    out += _cycles(plan)
    return out


def _variables(plan: ServicePlan) -> list[Diagnostic]:
    out = []
    svc = plan.service
    seen: set[tuple[str, str]] = set()
    env_owner: dict[str, Path] = {k: svc.at("environment", k) for k, _ in svc.main.environment}
    env_owner.update({k: svc.at("secrets", k) for k, _ in svc.main.secrets})
    for endpoint in plan.endpoints:
        call = endpoint.call
        key = (call.service, endpoint.port_name)
        if key in seen:
            out.append(problem(SCC209, f"port {endpoint.port_name!r} of {call.service!r} is called twice",
                               call.path))
            continue
        seen.add(key)
        if endpoint.variable is None:
            if call.env is not None:
                out.append(problem(SCC212, "env has no effect with format: none", (*call.path, "env"), at_key=True,
                                   hint="remove `env`, or set format url, address or host"))
            continue
        env = endpoint.variable.name
        if env in env_owner:
            first = env_owner[env]
            by_call = "calls" in first
            out.append(problem(SCC208, f"{env} is set by this call and already by {dotted(first)}", call.path,
                               hint="give one of the calls its own `env` name" if by_call else
                               f"set `env` on this call, or remove {env} from {first[-2]}"))
        env_owner.setdefault(env, call.path)
    return out


def _cycles(plan: Plan) -> list[Diagnostic]:
    """Depth-first search without recursion (a chain of a thousand services must not overflow
    the stack); each cycle is reported once, at the call or dependsOn entry that closes it."""
    edges = plan.ordering
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
