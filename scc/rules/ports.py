"""Rules on ports and Service Connect: names, namespace-wide uniqueness, protocol-dependent
settings and the namespace itself (the proxy's share of the task: rules/task.py)."""

from __future__ import annotations

from scc.codes import (
    SCC301,
    SCC302,
    SCC303,
    SCC304,
    SCC305,
    SCC306,
    SCC307,
    SCC310,
    SCC311,
    SCC312,
    SCC313,
    problem,
)
from scc.diagnostics import Diagnostic, Path
from scc.model import App, Service
from scc.plan import Plan

# Port keys that only mean something on a port published through Service Connect.
PUBLISHED_ONLY = ("discoveryName", "alias", "timeout", "tls")


def check(plan: Plan) -> list[Diagnostic]:
    app = plan.app
    out: list[Diagnostic] = []
    for svc in app.services:
        out += _ports(svc)
        out += _service_connect(app, svc)
    out += _namespace_unique(app)
    return out


def _ports(svc: Service) -> list[Diagnostic]:
    out = []
    names: dict[str, Path] = {}
    numbers: dict[int, Path] = {}
    for port in svc.ports:
        own = [p for p in svc.ports if p.container == port.container]
        if not port.named and len(own) > 1:
            holder = f"service {svc.name!r}" if port.container == svc.name else f"container {port.container!r}"
            out.append(problem(SCC302, f"{holder} has {len(own)} ports, so each needs a name",
                               port.path, hint="add `name: <port name>`, e.g. the protocol (http, grpc, admin)"))
        elif port.named and port.name in names:
            out.append(problem(SCC301, f"port name {port.name!r} is used twice in {svc.name!r}",
                               (*port.path, "name")))
        names.setdefault(port.name, port.path)
        if port.port in numbers:
            out.append(problem(SCC310, f"container port {port.port} is mapped twice in {svc.name!r}",
                               (*port.path, "port")))
        numbers.setdefault(port.port, port.path)
        if port.protocol == "udp":
            if "appProtocol" in port.given:
                out.append(problem(SCC312, f"port {port.name!r} is udp, which has no application protocol",
                                   (*port.path, "appProtocol"), at_key=True,
                                   hint="remove appProtocol, or set `protocol: tcp`"))
            if "publish" in port.given and port.publish_asked:
                out.append(problem(SCC313, f"port {port.name!r} is udp, which Service Connect does not carry",
                                   (*port.path, "publish"), at_key=True,
                                   hint="remove `publish: true`; reach the port through DNS `discovery`"))
                continue
        if port.per_request_timeout is not None and port.app_protocol == "tcp":
            out.append(problem(SCC305, f"port {port.name!r} is tcp (no appProtocol), so it cannot have a "
                               "per-request timeout", (*port.path, "timeout", "perRequest"),
                               hint="set appProtocol: http, http2 or grpc, or remove timeout.perRequest"))
        if "publish" in port.given and port.publish and svc.role != "client-server":
            out.append(problem(SCC307, f"port {port.name!r} cannot be published: service {svc.name!r} has role "
                               f"{svc.role}", (*port.path, "publish"),
                               hint="use `role: client-server` to publish ports"))
        elif not (port.publish and svc.role == "client-server"):
            for key in PUBLISHED_ONLY:
                if key in port.given:
                    out.append(problem(SCC307, f"{key} has no effect: port {port.name!r} is not published "
                                       "through Service Connect", (*port.path, key), at_key=True,
                                       hint="remove it, or publish the port (role client-server)"))
    return out


def _service_connect(app: App, svc: Service) -> list[Diagnostic]:
    out = []
    if not svc.service_connect:
        if svc.access_logs is not None:
            out.append(problem(SCC311, f"service {svc.name!r} has role none, so it has no Service Connect "
                               "proxy to log", svc.at("serviceConnect"), at_key=True))
        return out
    if app.namespace is None and svc is next(s for s in app.services if s.service_connect):
        out.append(problem(SCC306, f"service {svc.name!r} uses Service Connect (role {svc.role}) but the spec "
                           "has no namespace", ("services", svc.name), at_key=True,
                           hint="add `namespace: local` at the top level, or give the service `role: none`"))
    return out


def _namespace_unique(app: App) -> list[Diagnostic]:
    out = []
    discovery: dict[str, str] = {}
    aliases: dict[tuple[str, int], str] = {}
    for svc in app.services:
        if svc.role != "client-server":
            continue
        for port in svc.ports:
            if not port.publish:
                continue
            owner = f"{svc.name}.{port.name}"
            first = discovery.setdefault(port.discovery_name, owner)
            if first != owner:
                key = "discoveryName" if "discoveryName" in port.given else "name"
                out.append(problem(SCC303, f"discovery name {port.discovery_name!r} of {owner} is already used "
                                   f"by {first}", (*port.path, key) if key in port.given else port.path,
                                   hint="set a distinct `discoveryName` on one of the ports"))
                continue
            alias = (port.alias_dns.lower(), port.alias_port)
            first = aliases.setdefault(alias, owner)
            if first != owner:
                out.append(problem(SCC304, f"alias {port.alias_dns}:{port.alias_port} of {owner} is already used "
                                   f"by {first}", (*port.path, "alias") if "alias" in port.given else port.path,
                                   hint="give one of the ports another alias dnsName or port"))
    return out
