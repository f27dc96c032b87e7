"""Plan the load balancers: for each, its listeners, their audiences and certificates, and each
exposure's route (the listener's default action or a rule, in priority order). Exposures whose
target port does not resolve are reported here and get no route."""

from __future__ import annotations

import ipaddress

from scc.codes import SCC704, SCC705, problem
from scc.diagnostics import Diagnostic
from scc.model import App, Exposure, LoadBalancer, Service
from scc.plan import Listener, LoadBalancerPlan, Route
from scc.plan.calls import named_port

# 1.0's listeners: HTTP on 80 always (it redirects when it serves nothing itself), HTTPS on 443.
HTTP_PORT, HTTPS_PORT = 80, 443


def protocol(port: int) -> str:
    return "HTTPS" if port == HTTPS_PORT else "HTTP"


def audience(cidrs: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """CIDRs as a set, written the same way whatever their order: networks inside another one
    are dropped, neighbours merged (`0.0.0.0/0` and `10.0.0.0/8` are just `0.0.0.0/0`)."""
    networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    return (*(str(n) for n in ipaddress.collapse_addresses(v4)), *(str(n) for n in ipaddress.collapse_addresses(v6)))


def _rank(item: tuple[Service, Exposure]) -> tuple[bool, bool, int, str]:
    # The load balancer takes the first matching rule: exact hosts, then wildcard hosts, then
    # no host; within each, longer paths first.
    svc, exp = item
    return (exp.host is None, bool(exp.host and "*" in exp.host), -len(exp.path.rstrip("/*")), svc.name)


def target_ports(app: App) -> list[Diagnostic]:
    """The exposures whose target port does not resolve."""
    out = []
    for svc in app.services:
        for exp in svc.exposures:
            if not svc.ports:
                out.append(problem(SCC705, f"public service {svc.name!r} has no port for the load balancer",
                                   exp.spec_path, at_key=True,
                                   hint="add `ports: [{port: 8080, appProtocol: http}]`"))
            elif named_port(svc, exp.target_port) is None:
                names = ", ".join(p.name for p in svc.ports)
                out.append(problem(SCC704, f"targetPort {exp.target_port!r} is not a port of {svc.name!r} "
                                   f"(ports: {names})", (*exp.spec_path, "targetPort")))
    return out


def _listener(port: int, exposed: list[tuple[Service, Exposure]], https_audience: tuple[str, ...] | None,
              certificates: tuple[str, ...]) -> Listener:
    """One listener: the `/` exposure without host that is open to the listener's whole audience
    is its default action; the others are rules, ranked."""
    whole = audience([c for _, e in exposed for c in e.allow_from])
    default = next((item for item in exposed if item[1].path == "/" and item[1].host is None
                    and audience(item[1].allow_from) == whole), None)
    ranked = sorted((item for item in exposed if item is not default), key=_rank)
    planned: list[tuple[tuple[Service, Exposure], int, tuple[str, ...]]] = [(default, 0, ())] if default else []
    for priority, item in enumerate(ranked, start=1):
        own = audience(item[1].allow_from)
        planned.append((item, priority, own if own != whole else ()))
    routes = []
    for item, priority, source_ips in planned:
        svc, exp = item
        target = named_port(svc, exp.target_port)
        if target is not None:  # without one, target_ports() reports it and nothing is built
            routes.append(Route(svc, exp, target, port, protocol(port), item is default, priority, source_ips))
    # Port 80 also serves the HTTPS audience when it redirects them.
    listening = whole if https_audience is None else audience([*whole, *https_audience])
    return Listener(port=port, protocol=protocol(port), audience=listening, routes=tuple(routes),
                    redirect=https_audience is not None and default is None, certificates=certificates)


def load_balancer(app: App, lb: LoadBalancer) -> LoadBalancerPlan:
    exposed = [(s, e) for s in app.services for e in s.exposures if e.load_balancer == lb.name]
    https = [(s, e) for s, e in exposed if e.listener_port == HTTPS_PORT]
    http = [(s, e) for s, e in exposed if e.listener_port == HTTP_PORT]
    # The HTTPS listener's certificates in spec order: the first is its default, the others are
    # chosen by SNI.
    certificates = tuple(dict.fromkeys(e.certificate_arn for _, e in https if e.certificate_arn))
    listeners = []
    https_listener = _listener(HTTPS_PORT, https, None, certificates) if https else None
    listeners.append(_listener(HTTP_PORT, http, https_listener.audience if https_listener else None, ()))
    if https_listener is not None:
        listeners.append(https_listener)
    return LoadBalancerPlan(lb, tuple(listeners))


def load_balancers(app: App) -> tuple[LoadBalancerPlan, ...]:
    return tuple(load_balancer(app, lb) for lb in app.load_balancers)
