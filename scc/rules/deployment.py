"""Rules on deployments: controllers and strategies that cannot work with Service Connect."""

from __future__ import annotations

from scc.codes import problem
from scc.diagnostics import Diagnostic
from scc.model import App


def check(app: App) -> list[Diagnostic]:
    out = []
    for svc in app.services:
        dep = svc.deployment
        if dep.controller != "ecs" and svc.service_connect:
            out.append(problem("SCC501", f"service {svc.name!r} uses Service Connect, which ECS supports only with "
                               f"the ECS deployment controller, not {dep.controller}",
                               svc.at("deployment", "controller"),
                               hint="remove `controller` (ECS-native blue-green, canary and linear strategies "
                               "work with Service Connect), or set `role: none`"))
        if dep.strategy != "rolling" and dep.controller != "ecs":
            out.append(problem("SCC502", f"strategy {dep.strategy} is run by the ECS deployment controller, not "
                               f"{dep.controller}", svc.at("deployment", "strategy"),
                               hint="remove `controller` to use the ECS controller, or remove `strategy`"))
    return out
