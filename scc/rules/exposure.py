"""Rules on exposures (the load balancer) and `discovery` (classic Cloud Map DNS)."""

from __future__ import annotations

from scc.codes import SCC701, SCC702, SCC703, SCC706, SCC707, SCC708, SCC709, SCC710, SCC711, SCC712, SCC714, problem
from scc.diagnostics import Diagnostic
from scc.limits import MAX_CONDITION_VALUES
from scc.model import App, Discovery, Exposure, Service
from scc.plan import Plan, Route
from scc.plan.routing import protocol


def check(plan: Plan) -> list[Diagnostic]:
    app = plan.app
    out: list[Diagnostic] = []
    taken: dict[tuple[int, str, str], str] = {}
    for svc in app.services:
        route = plan.service(svc.name).route
        for exp in svc.exposures:
            out += _exposure(svc, exp, route, taken)
        if svc.discovery is not None:
            out += _discovery(app, svc, svc.discovery)
    out += _discovery_names(app)
    for route in plan.routes:
        if route.condition_values > MAX_CONDITION_VALUES:
            svc = route.service
            parts = [f"{len(route.path_patterns)} path patterns", "1 host" if route.exposure.host else "",
                     f"{len(route.source_ips)} source CIDRs"]
            out.append(problem(SCC712, f"the load balancer rule of {svc.name!r} needs {route.condition_values} "
                               f"condition values ({', '.join(p for p in parts if p)}); "
                               f"at most {MAX_CONDITION_VALUES} are allowed", svc.at("public", "allowFrom"),
                               hint="use fewer (or wider) allowFrom CIDRs"))
    return out


def _exposure(svc: Service, pub: Exposure, route: Route | None, routes: dict[tuple[int, str, str], str]
              ) -> list[Diagnostic]:
    out = []
    https = protocol(pub.listener_port) == "HTTPS"
    if https and not pub.certificate_arn:
        out.append(problem(SCC702, f"public service {svc.name!r} listens on {pub.listener_port} but has no "
                           "certificateArn", svc.at("public", "port"),
                           hint="add public.certificateArn (an ACM certificate ARN)"))
    if not https and pub.certificate_arn:
        out.append(problem(SCC703, "certificateArn is only used on port 443", svc.at("public", "certificateArn"),
                           at_key=True, hint="set `port: 443`; port 80 then redirects to HTTPS"))
    if route is not None and route.port.protocol == "udp":
        given = svc.given("public", "targetPort")
        out.append(problem(SCC714, f"port {route.port.name!r} of {svc.name!r} is udp, which the Application Load "
                           "Balancer does not forward", svc.at("public", "targetPort") if given else svc.at("public"),
                           at_key=not given,
                           hint="set `targetPort` to a tcp port; reach udp ports through DNS `discovery`"))
    if route is not None and route.port.app_protocol == "grpc" and not https:
        out.append(problem(SCC706, f"port {route.port.name!r} is grpc, which the load balancer forwards only "
                           "from HTTPS", svc.at("public", "port") if svc.given("public", "port")
                           else svc.at("public"), at_key=not svc.given("public", "port"),
                           hint="set `port: 443` and certificateArn"))
    health = pub.health
    if health.timeout >= health.interval:
        out.append(problem(SCC707, f"health check timeout {health.timeout}s must be shorter than its "
                           f"interval {health.interval}s", svc.at("public", "healthCheck", "timeout")))
    key = (pub.listener_port, pub.host or "", pub.path.rstrip("/*") or "/")
    first = routes.setdefault(key, svc.name)
    if first != svc.name:
        where = f"host {pub.host} " if pub.host else ""
        out.append(problem(SCC701, f"{svc.name!r} and {first!r} are both public on port {pub.listener_port}, "
                           f"{where}path {pub.path}", svc.at("public", "path") if svc.given("public", "path")
                           else svc.at("public"), at_key=not svc.given("public", "path"),
                           hint="give one of them another `path` or a `host`"))
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
