"""Rules on exposures (the load balancer) and `discovery` (classic Cloud Map DNS)."""

from __future__ import annotations

from scc.codes import (
    SCC701,
    SCC702,
    SCC703,
    SCC706,
    SCC707,
    SCC708,
    SCC709,
    SCC710,
    SCC711,
    SCC712,
    SCC714,
    SCC721,
    SCC722,
    SCC723,
    SCC724,
    SCC725,
    SCC726,
    SCC727,
    SCC728,
    SCC729,
    SCC731,
    SCC732,
    problem,
)
from scc.diagnostics import Diagnostic, Path
from scc.limits import MAX_CONDITION_VALUES, MAX_TARGET_GROUPS
from scc.model import App, Discovery, Exposure, LoadBalancer, Service
from scc.plan import Listener, Plan, Route

APPLICATION = ("HTTP", "HTTPS")
CERTIFIED = ("HTTPS", "TLS")
EXISTING_OWNS = ("type", "scheme", "subnets", "idleTimeout", "accessLogs", "webAcl")


def check(plan: Plan) -> list[Diagnostic]:
    app = plan.app
    out: list[Diagnostic] = []
    taken: dict[tuple[str, int, str, str], tuple[str, Path]] = {}
    for svc in app.services:
        if len(svc.exposures) > MAX_TARGET_GROUPS:
            out.append(problem(SCC732, f"{svc.name!r} has {len(svc.exposures)} exposures; an ECS service registers "
                               f"with at most {MAX_TARGET_GROUPS} target groups", svc.at("expose"), at_key=True,
                               hint="expose fewer ports or routes"))
        for route in plan.service(svc.name).routes:
            out += _route(route, taken)
        if svc.discovery is not None:
            out += _discovery(app, svc, svc.discovery)
    out += _discovery_names(app)
    for lb in app.load_balancers:
        out += _load_balancer(lb)
        if not lb.application:
            out += _network_ports(app, lb)
    order = {s.name: i for i, s in enumerate(app.services)}
    for lbp in plan.load_balancers:
        for listener in lbp.listeners:
            out += _listener(listener, order)
    return out


def _where(svc: Service, exp: Exposure, *keys: str) -> tuple[Path, bool]:
    """A field of the exposure if written, else the exposure itself (its key)."""
    if svc.given(*exp.keys, *keys):
        return svc.at(*exp.keys, *keys), False
    return svc.at(*exp.keys), True


def _route(route: Route, routes: dict[tuple[str, int, str, str], tuple[str, Path]]) -> list[Diagnostic]:
    svc, exp, lb = route.service, route.exposure, route.load_balancer
    out = []
    proto, target = route.listener_protocol, route.port
    certified = bool(exp.certificate_arn or exp.certificate)
    if exp.certificate_arn and exp.certificate:
        out.append(problem(SCC724, f"exposure of {svc.name!r} has both certificateArn and certificate",
                           svc.at(*exp.keys, "certificate"), at_key=True,
                           hint="keep one: certificateArn for an existing certificate, certificate to create one"))
    if proto in CERTIFIED and not certified and lb.existing is None:
        path, key = _where(svc, exp, "port")
        out.append(problem(SCC702, f"{svc.name!r} listens with {proto} on {exp.listener_port} but has no certificate",
                           path, at_key=key, hint="add certificateArn (an ACM certificate ARN) or `certificate: "
                           "{domain: ..., zone: ...}`"))
    if proto not in CERTIFIED and certified:
        field = "certificateArn" if exp.certificate_arn else "certificate"
        out.append(problem(SCC703, f"a certificate is only used by HTTPS and TLS listeners; port "
                           f"{exp.listener_port} is {proto}", svc.at(*exp.keys, field), at_key=True,
                           hint="set `port: 443` (port 80 then redirects to HTTPS), or `protocol: https`"))
    spoken = APPLICATION if lb.application else ("TCP", "UDP", "TLS", "TCP_UDP")
    if proto not in spoken:
        out.append(problem(SCC723, f"{lb.type} load balancer {lb.name!r} does not listen with {proto.lower()}",
                           svc.at(*exp.keys, "protocol"),
                           hint=f"use one of: {', '.join(p.lower() for p in spoken)}"))
    elif lb.application and target.protocol == "udp":
        path, key = _where(svc, exp, "targetPort")
        out.append(problem(SCC714, f"port {target.name!r} of {svc.name!r} is udp, which the Application Load "
                           "Balancer does not forward", path, at_key=key,
                           hint="set `targetPort` to a tcp port, or expose it on a `type: network` load balancer"))
    elif not lb.application and (proto == "UDP") != (target.protocol == "udp") and proto != "TCP_UDP":
        path, key = _where(svc, exp, "protocol")
        out.append(problem(SCC723, f"a {proto.lower()} listener cannot forward to {target.protocol} port "
                           f"{target.name!r} of {svc.name!r}", path, at_key=key,
                           hint=f"use `protocol: {target.protocol}`, or another targetPort"))
    if lb.application and target.app_protocol == "grpc" and proto != "HTTPS":
        path, key = _where(svc, exp, "port")
        out.append(problem(SCC706, f"port {target.name!r} is grpc, which the load balancer forwards only "
                           "from HTTPS", path, at_key=key, hint="set `port: 443` and a certificate"))
    if not lb.application:
        for field in ("path", "host"):
            if svc.given(*exp.keys, field):
                out.append(problem(SCC722, f"network load balancer {lb.name!r} cannot route by {field}",
                                   svc.at(*exp.keys, field), at_key=True,
                                   hint="give the exposure its own port, or use an application load balancer"))
    out += _health(route)
    if lb.existing is not None:
        out += _existing(route)
    if lb.application:
        key_ = (lb.name, exp.listener_port, (exp.host or "").lower(), exp.path.rstrip("/*") or "/")
        # Host names are case-insensitive (the load balancer compares them so): API.example.com
        # and api.example.com are one rule, whichever service or exposure writes them.
        first, first_keys = routes.setdefault(key_, (svc.name, exp.keys))
        where = f"host {exp.host} " if exp.host else ""
        if first != svc.name:
            path, key = _where(svc, exp, "path")
            out.append(problem(SCC701, f"{svc.name!r} and {first!r} are both exposed on {lb.name} port "
                               f"{exp.listener_port}, {where}path {exp.path}", path, at_key=key,
                               hint="give one of them another `path` or a `host`"))
        elif first_keys != exp.keys:
            path, key = _where(svc, exp, "host" if exp.host else "path")
            out.append(problem(SCC701, f"{svc.name!r} is exposed twice on {lb.name} port {exp.listener_port}, "
                               f"{where}path {exp.path}", path, at_key=key,
                               hint="host names are compared without case: remove one of the two exposures"))
    return out


def _health(route: Route) -> list[Diagnostic]:
    svc, exp, lb = route.service, route.exposure, route.load_balancer
    health, out = exp.health, []
    if health.timeout >= health.interval:
        out.append(problem(SCC707, f"health check timeout {health.timeout}s must be shorter than its "
                           f"interval {health.interval}s", svc.at(*exp.keys, "healthCheck", "timeout")))
    if lb.application and health.protocol == "tcp":
        out.append(problem(SCC725, "an application load balancer checks targets over http or https, not tcp",
                           svc.at(*exp.keys, "healthCheck", "protocol"), hint="remove `protocol` (http)"))
    if not lb.application and route.target_protocol == "UDP" and route.health_port.protocol == "udp":
        path, key = _where(svc, exp, "healthCheck", "port")
        if not svc.given(*exp.keys, "healthCheck"):
            path, key = svc.at(*exp.keys), True
        out.append(problem(SCC726, f"udp port {route.port.name!r} of {svc.name!r} cannot be health-checked over udp",
                           path, at_key=key, hint="add `healthCheck: {port: <a tcp port of the service>}`"))
    return out


def _existing(route: Route) -> list[Diagnostic]:
    svc, exp, lb = route.service, route.exposure, route.load_balancer
    assert lb.existing is not None
    out = []
    if exp.priority is None:
        out.append(problem(SCC728, f"the rule of {svc.name!r} on existing load balancer {lb.name!r} needs a "
                           "priority", svc.at(*exp.keys), at_key=True,
                           hint="add `priority: <1..50000>` that no other rule of that listener uses"))
    if exp.domain is not None:
        out.append(problem(SCC727, f"scc does not know the DNS name of existing load balancer {lb.name!r}",
                           svc.at(*exp.keys, "domain"), at_key=True,
                           hint="create the record where the load balancer is defined"))
    return out


def _load_balancer(lb: LoadBalancer) -> list[Diagnostic]:
    out = []
    if lb.existing is not None:
        for key in EXISTING_OWNS:
            if key in lb.given:
                out.append(problem(SCC729, f"{key} belongs to existing load balancer {lb.name!r}, which scc does "
                                   "not create", (*lb.spec_path, key), at_key=True, hint=f"remove {key}"))
        return out
    if not lb.application:
        for key in ("idleTimeout", "webAcl"):
            if key in lb.given:
                out.append(problem(SCC725, f"{key} is a setting of application load balancers; {lb.name!r} is a "
                                   "network load balancer", (*lb.spec_path, key), at_key=True,
                                   hint=f"remove {key}, or set `type: application`"))
    return out


def _listener(listener: Listener, order: dict[str, int]) -> list[Diagnostic]:
    out = []
    routes = list(listener.routes)
    first = routes[0] if routes else None
    for route in routes[1:]:
        svc, exp = route.service, route.exposure
        assert first is not None
        if route.listener_protocol != first.listener_protocol:
            path, key = _where(svc, exp, "protocol")
            out.append(problem(SCC721, f"port {listener.port} of {listener.load_balancer.name!r} is "
                               f"{first.listener_protocol} for {first.service.name!r} and "
                               f"{route.listener_protocol} for {svc.name!r}", path, at_key=key,
                               hint="use one protocol per listener port, or another port"))
    if not listener.load_balancer.application:
        return out
    seen: dict[int, Route] = {}
    for route in sorted(routes, key=lambda r: (order[r.service.name], r.exposure.keys)):
        svc, exp = route.service, route.exposure
        if exp.priority is not None:
            other = seen.setdefault(exp.priority, route)
            if other is not route:
                out.append(problem(SCC731, f"priority {exp.priority} on port {listener.port} of "
                                   f"{listener.load_balancer.name!r} is taken by {other.service.name!r}",
                                   svc.at(*exp.keys, "priority"), hint="choose a priority no other rule uses"))
        if route.condition_values > MAX_CONDITION_VALUES:
            parts = [f"{len(route.path_patterns)} path patterns", "1 host" if exp.host else "",
                     f"{len(route.source_ips)} source CIDRs"]
            out.append(problem(SCC712, f"the load balancer rule of {svc.name!r} needs {route.condition_values} "
                               f"condition values ({', '.join(p for p in parts if p)}); "
                               f"at most {MAX_CONDITION_VALUES} are allowed", svc.at(*exp.keys, "allowFrom"),
                               hint="use fewer (or wider) allowFrom CIDRs"))
    return out


def _network_ports(app: App, lb: LoadBalancer) -> list[Diagnostic]:
    """A network listener forwards to one target group: a second exposure on its port is refused."""
    out = []
    first: dict[int, str] = {}
    for svc in app.services:
        for exp in svc.exposures:
            if exp.load_balancer != lb.name:
                continue
            other = first.get(exp.listener_port)
            first.setdefault(exp.listener_port, svc.name)
            if other is not None:
                path, key = _where(svc, exp, "port")
                out.append(problem(SCC722, f"port {exp.listener_port} of network load balancer {lb.name!r} already "
                                   f"forwards to {other!r}; a network listener has one target", path, at_key=key,
                                   hint="use another port"))
    return out


def _discovery(app: App, svc: Service, disc: Discovery) -> list[Diagnostic]:
    out = []
    ns = app.namespace
    if ns is None or ns.type != "dns":
        kind = "no namespace" if ns is None else f"namespace {ns.name!r} is {ns.type}"
        out.append(problem(SCC708, f"DNS discovery of {svc.name!r} needs a dns namespace ({kind})",
                           svc.at("discovery"), at_key=True,
                           hint="set `namespace: {name: ..., type: dns}` (Service Connect works there too)"))
    main = svc.main
    if main.stop_timeout < disc.ttl:
        where = next((svc.at(*k) for k in (("stopTimeout",), ("discovery", "ttl")) if svc.given(*k)),
                     svc.at("discovery"))
        out.append(problem(SCC710, f"stopTimeout {main.stop_timeout}s is shorter than the DNS TTL {disc.ttl}s: "
                           "callers keep a stopped task's address for up to the TTL, so their requests fail "
                           "after it stops", where, at_key=where == svc.at("discovery"),
                           hint=f"set stopTimeout: {min(max(disc.ttl, 2), 120)} (or lower discovery.ttl)"))
    if main.health_check is None:
        out.append(problem(SCC711, f"{svc.name!r} is found through DNS but has no container health check, so "
                           "callers can reach tasks that are not ready", svc.at("discovery"), at_key=True,
                           hint="add `healthCheck: {command: ...}`"))
    return out


def _discovery_names(app: App) -> list[Diagnostic]:
    """DNS discovery names against Service Connect's and each other's, in the one namespace."""
    out = []
    owners = {p.discovery_name: f"Service Connect port {s.name}.{p.name}" for s in app.services for p in s.published}
    hints = {name: "set another `discovery.name`, or another `discoveryName` on that port" for name in owners}
    for svc in app.services:
        if svc.discovery is None:
            continue
        name = svc.discovery.name
        if name in owners:
            path = svc.at("discovery", "name") if svc.given("discovery", "name") else svc.at("discovery")
            out.append(problem(SCC709, f"discovery name {name!r} of {svc.name!r} is already the name of "
                               f"{owners[name]}", path, at_key=not svc.given("discovery", "name"),
                               hint=hints[name]))
        else:
            owners[name] = f"the DNS discovery of {svc.name}"
            hints[name] = "give one of the two services another `discovery.name`"
    return out
