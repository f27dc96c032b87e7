"""Stage plan: the model -> the Plan (scc/plan/__init__.py), every reference resolved once."""

from __future__ import annotations

from scc.codes import SCC704, SCC705, problem
from scc.diagnostics import Diagnostic
from scc.model import App, Port, Service
from scc.plan import Plan, ServicePlan, calls, routing
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
    routes = {r.service.name: r for lb in balancers for r in lb.routes}
    services = []
    for svc in app.services:
        endpoints, diags = calls.endpoints(app, svc)
        found += diags + calls.depends_on(app, svc)
        discovery_port, diags = _discovery_port(svc)
        found += diags
        route = routes.get(svc.name)
        scaling_plan, diags = scaling(svc, route)
        found += diags
        services.append(ServicePlan(svc, tuple(endpoints), calls.after(app, svc), route, discovery_port, scaling_plan))
    found += routing.target_ports(app)
    return Plan(app=app, services=tuple(services), load_balancers=balancers, ordering=calls.ordering(app),
                diagnostics=tuple(found))
