"""Plan the load balancers: for each, its listeners (one per port, with its protocol, audience
and certificates) and each exposure's route (the listener's default action or a rule, in
priority order). The one place a listener's protocol is decided. Exposures that do not resolve
(an unknown load balancer, target port or health check port) are reported here and get no route."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from itertools import groupby

from scc.codes import SCC704, SCC705, SCC720, SCC730, problem
from scc.diagnostics import Diagnostic
from scc.model import App, Exposure, LoadBalancer, Port, Service
from scc.naming import Ids, exposure_suffixes
from scc.plan import CertificateRef, Listener, LoadBalancerPlan, Route
from scc.plan.calls import named_port

# 1.0's listeners, which keep their meaning: HTTPS on 443, and HTTP on 80 that redirects there.
HTTP_PORT, HTTPS_PORT = 80, 443
EVERYWHERE = ("0.0.0.0/0",)


def protocol(lb: LoadBalancer, exp: Exposure, target: Port | None) -> str:
    """The listener protocol of an exposure: as written, else from the load balancer's type, the
    port and the certificate (HTTPS on 443 or with a certificate on any port but 80; TLS with a
    certificate on a network load balancer, UDP for a udp target, else TCP)."""
    if exp.protocol:
        return exp.protocol.upper()
    certificate = bool(exp.certificate_arn or exp.certificate)
    if lb.application:
        https = exp.listener_port == HTTPS_PORT or (certificate and exp.listener_port != HTTP_PORT)
        return "HTTPS" if https else "HTTP"
    if certificate:
        return "TLS"
    return "UDP" if target is not None and target.protocol == "udp" else "TCP"


def audience(cidrs: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """CIDRs as a set, written the same way whatever their order: networks inside another one
    are dropped, neighbours merged (`0.0.0.0/0` and `10.0.0.0/8` are just `0.0.0.0/0`)."""
    networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    v4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    return (*(str(n) for n in ipaddress.collapse_addresses(v4)), *(str(n) for n in ipaddress.collapse_addresses(v6)))


def suffixes(svc: Service) -> dict[Exposure, str]:
    return dict(zip(svc.exposures, exposure_suffixes([(e.load_balancer, e.listener_port) for e in svc.exposures]),
                    strict=True))


def _rank(route: Route) -> tuple[bool, bool, int, str, int]:
    # The load balancer takes the first matching rule: exact hosts, then wildcard hosts, then
    # no host; within each, longer paths first.
    exp = route.exposure
    return (exp.host is None, bool(exp.host and "*" in exp.host), -len(exp.path.rstrip("/*")), route.service.name,
            route.listener_port)


def unresolved(app: App) -> list[Diagnostic]:
    """The exposures whose load balancer, target port or health check port does not resolve."""
    out = []
    names = {lb.name for lb in app.load_balancers}
    for svc in app.services:
        for exp in svc.exposures:
            lb = app.load_balancer(exp.load_balancer)
            if lb is not None and lb.existing is not None and lb.existing.listener(exp.listener_port) is None:
                ports = ", ".join(str(p) for p, _ in lb.existing.listeners)
                where = ("port",) if svc.given(*exp.keys, "port") else ()
                out.append(problem(SCC730, f"existing load balancer {lb.name!r} lists no listener on port "
                                   f"{exp.listener_port} (listeners: {ports})", svc.at(*exp.keys, *where),
                                   at_key=not where, hint=f"use one of ports {ports}, or add the listener under "
                                   f"loadBalancers.{lb.name}.existing.listeners"))
            if exp.load_balancer not in names:
                known = ", ".join(sorted(names - {"public"})) or "none"
                out.append(problem(SCC720, f"{svc.name!r} is exposed through load balancer {exp.load_balancer!r}, "
                                   f"which `loadBalancers` does not name (named: {known})",
                                   svc.at(*exp.keys, "loadBalancer"),
                                   hint=f"add `loadBalancers: {{{exp.load_balancer}: {{}}}}` or use another name"))
            if not svc.ports:
                out.append(problem(SCC705, f"exposed service {svc.name!r} has no port for the load balancer",
                                   svc.at(*exp.keys), at_key=True,
                                   hint="add `ports: [{port: 8080, appProtocol: http}]`"))
                continue
            names_of = ", ".join(p.name for p in svc.ports)
            if named_port(svc, exp.target_port) is None:
                out.append(problem(SCC704, f"targetPort {exp.target_port!r} is not a port of {svc.name!r} "
                                   f"(ports: {names_of})", svc.at(*exp.keys, "targetPort")))
            if exp.health.port is not None and named_port(svc, exp.health.port) is None:
                out.append(problem(SCC704, f"health check port {exp.health.port!r} is not a port of {svc.name!r} "
                                   f"(ports: {names_of})", svc.at(*exp.keys, "healthCheck", "port")))
    return out


def _routes(app: App, lb: LoadBalancer) -> list[Route]:
    """Every resolvable exposure on `lb`, not yet placed on a listener (default, priority 0)."""
    out = []
    for svc in app.services:
        names = suffixes(svc)
        for exp in svc.exposures:
            target = named_port(svc, exp.target_port)
            health = named_port(svc, exp.health.port) if exp.health.port else target
            if exp.load_balancer != lb.name or target is None or health is None:
                continue
            out.append(Route(svc, exp, lb, target, health, exp.listener_port, protocol(lb, exp, target), False, 0, (),
                             names[exp]))
    return out


def _certificates(routes: list[Route]) -> tuple[CertificateRef, ...]:
    """The listener's certificates in spec order: the first is its default, the others are chosen
    by SNI."""
    refs = []
    for r in routes:
        exp = r.exposure
        if exp.certificate_arn:
            refs.append(CertificateRef(exp.certificate_arn, None))
        elif exp.certificate:
            refs.append(CertificateRef(None, Ids(r.service.name).exposed(r.suffix, "Certificate")))
    return tuple(dict.fromkeys(refs))


def _priorities(ranked: list[Route]) -> list[int]:
    """Priorities for ranked rules: the ones written, and for the others the smallest free
    numbers in rank order (duplicates written are the rules' to refuse)."""
    taken = {r.exposure.priority for r in ranked if r.exposure.priority is not None}
    free = (n for n in range(1, 50001) if n not in taken)
    return [r.exposure.priority if r.exposure.priority is not None else next(free) for r in ranked]


def _application(lb: LoadBalancer, port: int, routes: list[Route], https_audience: tuple[str, ...] | None,
                 existing: str | None) -> Listener:
    """One application listener: on a listener scc creates, the `/` exposure without host that is
    open to the listener's whole audience is its default action; the others are rules, ranked.
    On an existing listener every exposure is a rule with the priority it gives."""
    whole = audience([c for r in routes for c in r.exposure.allow_from])
    # A service whose deployments shift traffic needs a rule of its own: ECS moves the weights of
    # its production listener rule, and a listener's default action is not one.
    default = None if existing else next(
        (r for r in routes if r.exposure.path == "/" and r.exposure.host is None
         and audience(r.exposure.allow_from) == whole and not r.service.deployment.shifts_traffic), None)
    ranked = sorted((r for r in routes if r is not default), key=_rank)
    placed = [_replace(default, True, 0, ())] if default else []
    for route, priority in zip(ranked, _priorities(ranked), strict=True):
        own = audience(route.exposure.allow_from)
        # On an existing listener scc does not know who may connect: any narrowing is a condition.
        wider = EVERYWHERE if existing else whole
        placed.append(_replace(route, False, priority, own if own != wider else ()))
    # Port 80 also serves the HTTPS audience when it redirects them.
    listening = whole if https_audience is None else audience([*whole, *https_audience])
    proto = routes[0].listener_protocol if routes else "HTTP"
    return Listener(load_balancer=lb, port=port, protocol=proto, audience=listening, routes=tuple(placed),
                    redirect=https_audience is not None and default is None, certificates=_certificates(routes),
                    arn=existing)


def _replace(route: Route, default: bool, priority: int, source_ips: tuple[str, ...]) -> Route:
    return replace(route, default=default, priority=priority, source_ips=source_ips)


def load_balancer(app: App, lb: LoadBalancer) -> LoadBalancerPlan:
    routes = sorted(_routes(app, lb), key=lambda r: r.listener_port)
    listeners = []
    by_port = {port: list(group) for port, group in groupby(routes, key=lambda r: r.listener_port)}
    if lb.existing is not None:
        for port, group in by_port.items():
            arn = lb.existing.listener(port)
            if arn is not None:  # an unknown port is the rules' to report (SCC730)
                listeners.append(_application(lb, port, group, None, arn))
        return LoadBalancerPlan(lb, tuple(listeners))
    if not lb.application:
        for port, group in by_port.items():
            first = _replace(group[0], True, 0, ())  # a port carries one exposure (SCC722 for more)
            listeners.append(Listener(lb, port, first.listener_protocol, audience(first.exposure.allow_from),
                                      (first,), False, _certificates([first])))
        return LoadBalancerPlan(lb, tuple(listeners))
    https = by_port.get(HTTPS_PORT, [])
    https_audience = (audience([c for r in https for c in r.exposure.allow_from])
                      if https and https[0].listener_protocol == "HTTPS" else None)
    if https_audience is not None and HTTP_PORT not in by_port:
        by_port = {HTTP_PORT: [], **by_port}
    for port, group in by_port.items():
        redirect_from = https_audience if port == HTTP_PORT and all(
            r.listener_protocol == "HTTP" for r in group) else None
        listeners.append(_listener(lb, port, group, redirect_from))
    return LoadBalancerPlan(lb, tuple(listeners))


def _listener(lb: LoadBalancer, port: int, group: list[Route], redirect_from: tuple[str, ...] | None) -> Listener:
    if group:
        return _application(lb, port, group, redirect_from, None)
    return Listener(lb, port, "HTTP", redirect_from or (), (), True, ())  # only redirects to HTTPS


def load_balancers(app: App) -> tuple[LoadBalancerPlan, ...]:
    """The load balancers an exposure uses; the others are not created."""
    used = {e.load_balancer for s in app.services for e in s.exposures}
    return tuple(load_balancer(app, lb) for lb in app.load_balancers if lb.name in used)
