"""Rules on deployments: controllers and strategies that cannot work with Service Connect."""

from __future__ import annotations

from scc.codes import SCC501, SCC502, SCC503, SCC504, SCC505, SCC506, SCC507, SCC508, problem
from scc.diagnostics import Diagnostic
from scc.plan import Plan


def check(plan: Plan) -> list[Diagnostic]:
    out = []
    for svc in plan.app.services:
        dep = svc.deployment
        if dep.controller != "ecs" and svc.service_connect:
            out.append(problem(SCC501, f"service {svc.name!r} uses Service Connect, which ECS supports only with "
                               f"the ECS deployment controller, not {dep.controller}",
                               svc.at("deployment", "controller"),
                               hint="remove `controller` (ECS-native blue-green, canary and linear strategies "
                               "work with Service Connect), or set `role: none`"))
        if dep.strategy != "rolling" and dep.controller != "ecs":
            out.append(problem(SCC502, f"strategy {dep.strategy} is run by the ECS deployment controller, not "
                               f"{dep.controller}", svc.at("deployment", "strategy"),
                               hint="remove `controller` to use the ECS controller, or remove `strategy`"))
        if dep.controller == "codedeploy" and svc.public is None:
            out.append(problem(SCC503, f"CodeDeploy shifts traffic between target groups, and {svc.name!r} is not "
                               "public", svc.at("deployment", "controller"),
                               hint="use the ECS-native `strategy: blue-green` instead, or make the service public"))
        if dep.controller == "external":
            for key in ("public", "discovery"):
                if svc.given(key):
                    out.append(problem(SCC504, f"with the external controller, {key} belongs to your task sets",
                                       svc.at(key), at_key=True, hint=f"remove {key}, or use the ECS controller"))
        if svc.given("deployment", "circuitBreaker") and dep.circuit_breaker and dep.strategy in ("canary", "linear"):
            out.append(problem(SCC505, f"the circuit breaker does not work with {dep.strategy} deployments",
                               svc.at("deployment", "circuitBreaker"), at_key=True,
                               hint="remove circuitBreaker (use CloudWatch alarms), or use rolling or blue-green"))
        if dep.controller == "ecs" and dep.strategy != "rolling" and svc.exposures:
            out.append(problem(SCC508, f"{dep.strategy} deployments of {svc.name!r} behind the load balancer "
                               "need an alternate target group and listener rule that scc does not make yet",
                               svc.at("deployment", "strategy"),
                               hint="use `strategy: rolling` for a public service; blue-green, canary and linear "
                               "work for services reached through Service Connect only"))
        if dep.min_healthy_percent >= dep.max_percent:
            out.append(problem(SCC506, f"minHealthyPercent {dep.min_healthy_percent} is not below maxPercent "
                               f"{dep.max_percent}, so a deployment can neither add nor remove a task",
                               next((svc.at("deployment", k) for k in ("minHealthyPercent", "maxPercent")
                                     if svc.given("deployment", k)), svc.at("deployment")),
                               hint="for example minHealthyPercent: 100 and maxPercent: 200"))
        if not dep.circuit_breaker and svc.given("deployment", "circuitBreaker", "rollback") and dep.rollback:
            out.append(problem(SCC507, "rollback has no effect with the circuit breaker off",
                               svc.at("deployment", "circuitBreaker", "rollback"), at_key=True,
                               hint="remove rollback, or set enabled: true"))
    return out
