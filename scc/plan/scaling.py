"""Plan scaling: each target of a service's `scaling` resolved to the metric it tracks (predefined,
Service Connect's server-side metric on a published port, or the load balancer's per-target
request count). A target with nothing to measure is reported here."""

from __future__ import annotations

from scc.codes import SCC603, SCC604, SCC605, SCC609, problem
from scc.diagnostics import Diagnostic
from scc.model import App, Port, Service
from scc.plan import MetricTarget, Route, ScalingPlan

# Service Connect publishes request metrics only for these application protocols.
L7 = ("http", "http2", "grpc")
PREDEFINED = ("cpu", "memory")
SERVICE_CONNECT = ("requests", "connections")


def metric_port(svc: Service, target: str) -> Port | None:
    """The published port whose DiscoveryName dimension a Service Connect scaling target uses:
    for requests the first published port with an L7 appProtocol, for connections the first."""
    ports = [p for p in svc.published if target != "requests" or p.app_protocol in L7]
    return ports[0] if ports else None


def scaling(app: App, svc: Service, route: Route | None) -> tuple[ScalingPlan | None, list[Diagnostic]]:
    if svc.scaling is None:
        return None, []
    targets: list[MetricTarget] = []
    out: list[Diagnostic] = []
    for kind, value in svc.scaling.targets:
        where = svc.at("scaling", "targets", kind)
        if kind in PREDEFINED:
            targets.append(MetricTarget(kind, value, "predefined"))
        elif kind == "backlog" and svc.queue is None:
            out.append(problem(SCC609, f"backlog scaling tracks the queue of {svc.name!r}, which has none", where,
                               at_key=True, hint="add `queue: {}`, or scale on cpu, memory or requests"))
        elif kind == "backlog":
            targets.append(MetricTarget(kind, value, "queue"))
        elif kind in SERVICE_CONNECT and metric_port(svc, "connections") is None:
            out.append(problem(SCC604, f"{kind} scaling needs a port published through Service Connect, and "
                               f"{svc.name!r} publishes none (role {svc.role})", where, at_key=True,
                               hint="scale on cpu or memory, or publish a port (role client-server)"))
        elif kind in SERVICE_CONNECT:
            port = metric_port(svc, kind)
            if port is None:
                out.append(problem(SCC603, f"requests scaling would never act: the published ports of "
                                   f"{svc.name!r} are tcp, which publishes no RequestCount", where, at_key=True,
                                   hint=f"set appProtocol ({', '.join(L7)}) on the published port, or scale on "
                                   "connections or cpu"))
            else:
                targets.append(MetricTarget(kind, value, "service-connect", port=port))
        elif not any(e.load_balancer == lb.name for e in svc.exposures for lb in app.load_balancers
                     if lb.application):
            out.append(problem(SCC605, f"albRequests scaling needs {svc.name!r} behind an application load "
                               "balancer", where, at_key=True,
                               hint="add `public` (or an `expose` entry on an application load balancer), or "
                               "scale on requests (Service Connect), cpu or memory"))
        elif route is not None:  # without a route its target port is reported already
            targets.append(MetricTarget(kind, value, "load-balancer", route=route))
    return ScalingPlan(svc.scaling, tuple(targets)), out
