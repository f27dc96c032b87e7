"""Stage plan: the model -> the Plan (scc/plan/__init__.py), every reference resolved once."""

from __future__ import annotations

from scc.codes import SCC704, SCC705, problem
from scc.diagnostics import Diagnostic
from scc.model import App, Port, Service
from scc.plan import Plan, Route, ServicePlan, calls, routing
from scc.plan.calls import named_port
from scc.plan.scaling import scaling


def _discovery_port(svc: Service) -> tuple[Port | None, list[Diagnostic]]:
    """The port an SRV record announces (A records announce none)."""
    disc = svc.discovery
    if disc is None:
        return None, []
    if disc.record == "SRV" and not svc.ports:
        return None, [problem(SCC705, f"an SRV record announces a port, and {svc.name!r} has none",
                              svc.at("discovery", "record"))]
    port = named_port(svc, disc.port)
    if disc.port is not None and port is None:
        names = ", ".join(p.name for p in svc.ports) or "none"
        return None, [problem(SCC704, f"discovery port {disc.port!r} is not a port of {svc.name!r} (ports: {names})",
                              svc.at("discovery", "port"))]
    return (port if disc.record == "SRV" else None), []


def build(app: App) -> Plan:
    found: list[Diagnostic] = []
    balancers = routing.load_balancers(app)
    routes: dict[str, list[Route]] = {}
    for r in sorted((r for lb in balancers for r in lb.routes), key=lambda r: r.service.exposures.index(r.exposure)):
        routes.setdefault(r.service.name, []).append(r)
    services = []
    by_service = {name: tuple(rs) for name, rs in routes.items()}
    for svc in app.services:
        endpoints, diags = calls.endpoints(app, svc, by_service)
        found += diags + calls.depends_on(app, svc)
        discovery_port, diags = _discovery_port(svc)
        found += diags
        own = tuple(routes.get(svc.name, ()))
        scaling_plan, diags = scaling(app, svc, next((r for r in own if r.application), None))
        found += diags
        services.append(ServicePlan(svc, tuple(endpoints), calls.after(app, svc), own, discovery_port, scaling_plan))
    found += routing.unresolved(app)
    return Plan(app=app, services=tuple(services), load_balancers=balancers, ordering=calls.ordering(app),
                diagnostics=tuple(found))
