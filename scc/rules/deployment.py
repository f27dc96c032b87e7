"""Rules on deployments: controllers and strategies that cannot work with Service Connect, and what
traffic-shifting deployments and their rollback alarms need."""

from __future__ import annotations

from scc.codes import SCC501, SCC502, SCC503, SCC504, SCC505, SCC506, SCC507, SCC508, SCC509, SCC510, SCC511, problem
from scc.diagnostics import Diagnostic
from scc.plan import Plan, ServicePlan

# CloudFormation waits 36 hours for a resource; ECS refuses deployments estimated above 33.
MAX_DEPLOYMENT_MINUTES = 33 * 60


def steps(percent: float) -> int:
    """How many bake periods a linear deployment waits: one after each step but the last."""
    whole = 100 / percent
    return int(whole) - 1 if whole == int(whole) else int(whole)


def _shifting(sp: ServicePlan) -> list[Diagnostic]:
    svc = sp.service
    dep, out = svc.deployment, []
    for key, strategy in (("canary", "canary"), ("linear", "linear")):
        if svc.given("deployment", key) and dep.strategy != strategy:
            out.append(problem(SCC509, f"`{key}` configures `strategy: {strategy}`; this service's is {dep.strategy}",
                               svc.at("deployment", key), at_key=True,
                               hint=f"set `strategy: {strategy}`, or remove {key}"))
    if svc.given("deployment", "bakeTime") and not dep.shifts_traffic:
        out.append(problem(SCC509, f"bakeTime is for blue-green, canary and linear deployments; this one is "
                           f"{dep.strategy}", svc.at("deployment", "bakeTime"), at_key=True,
                           hint="set a traffic-shifting `strategy`, or remove bakeTime"))
    if dep.shifts_traffic and dep.strategy in ("canary", "linear"):
        waits = 1 if dep.strategy == "canary" else steps(dep.steps.percent)
        total = dep.bake_time + waits * dep.steps.bake_time
        if total > MAX_DEPLOYMENT_MINUTES:
            out.append(problem(SCC511, f"a {dep.strategy} deployment of {svc.name!r} bakes {total} minutes "
                               f"({waits} step(s) of {dep.steps.bake_time} plus {dep.bake_time}); CloudFormation waits "
                               f"at most {MAX_DEPLOYMENT_MINUTES}", svc.at("deployment", dep.strategy)
                               if svc.given("deployment", dep.strategy) else svc.at("deployment", "strategy"),
                               hint="shorten the bake times, or take larger steps"))
    scaling = svc.scaling
    if dep.shifts_traffic and sp.routes and scaling and any(k == "albRequests" for k, _ in scaling.targets):
        out.append(problem(SCC508, f"albRequests tracks one target group of {svc.name!r}, and its {dep.strategy} "
                           "deployments move the traffic to the other", svc.at("scaling", "targets", "albRequests"),
                           at_key=True, hint="scale on requests (Service Connect), cpu or memory"))
    alarms = dep.alarms
    if alarms and (alarms.errors is not None or alarms.latency is not None) and sp.alarm_source is None:
        key = "errors" if alarms.errors is not None else "latency"
        out.append(problem(SCC510, f"{svc.name!r} has no HTTP metrics for its {key} alarm: it is neither behind an "
                           "application load balancer nor publishes an http port", svc.at("deployment", "alarms", key),
                           at_key=True, hint="expose it on an application load balancer, publish an http port, or "
                           "list existing alarms in `names`"))
    return out


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
        out += _shifting(plan.service(svc.name))
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
