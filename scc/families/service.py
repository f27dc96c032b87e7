"""Family service: the ECS service on Fargate with its Service Connect configuration, deployment
settings and creation order (DependsOn the services it calls and the rules that let it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from troposphere import GetAtt, Output, Ref, ecs

from scc.families import refs
from scc.families.alarms import alarm_names
from scc.families.discovery import registry
from scc.families.family import Emitted, Family
from scc.families.iam import TLS_ROLE
from scc.families.loadbalancer import alternate, attachment, production, target_group
from scc.families.logs import awslogs
from scc.families.storage import NFS
from scc.model import Port, Service
from scc.naming import Ids
from scc.plan import Plan, Route, ServicePlan

CONTROLLER = {"ecs": "ECS", "codedeploy": "CODE_DEPLOY", "external": "EXTERNAL"}
STRATEGY = {"rolling": "ROLLING", "blue-green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}


def ordering(sp: ServicePlan) -> list[str]:
    """Logical ids this service is created after: the services of ordered calls and dependsOn,
    then the ingress rules of its own calls (so its first tasks can connect at once), each once."""
    rules = dict.fromkeys(Ids(e.name).ingress_from(sp.name, e.number) for e in sp.endpoints
                          if (e.target is not None and e.via not in ("load-balancer", "queue"))
                          or (e.external is not None and e.external.security_group))
    # Its tasks mount EFS at start: the mount targets' group must accept them first (storage family).
    rules.update(dict.fromkeys(Ids(f"{v.name}-efs").ingress_from(sp.name, NFS) for v in sp.service.task.volumes
                               if v.efs is not None and v.efs.security_group))
    return [Ids(n).service for n in sp.after] + list(rules)


def _deployment(sp: ServicePlan) -> ecs.DeploymentConfiguration:
    dep = sp.service.deployment
    deployment = ecs.DeploymentConfiguration(MinimumHealthyPercent=dep.min_healthy_percent,
                                             MaximumPercent=dep.max_percent)
    if dep.controller == "ecs":
        # The circuit breaker is the ECS controller's, for rolling and blue-green deployments only.
        if dep.strategy in ("rolling", "blue-green"):
            deployment.DeploymentCircuitBreaker = ecs.DeploymentCircuitBreaker(
                Enable=dep.circuit_breaker, Rollback=dep.circuit_breaker and dep.rollback)
        deployment.Strategy = STRATEGY[dep.strategy]
    if dep.shifts_traffic:
        # Written out, not left to the defaults: reviewers see how long a deployment takes.
        deployment.BakeTimeInMinutes = dep.bake_time
        if dep.strategy == "canary":
            deployment.CanaryConfiguration = ecs.CanaryConfiguration(
                CanaryPercent=dep.steps.percent, CanaryBakeTimeInMinutes=dep.steps.bake_time)
        elif dep.strategy == "linear":
            deployment.LinearConfiguration = ecs.LinearConfiguration(
                StepPercent=dep.steps.percent, StepBakeTimeInMinutes=dep.steps.bake_time)
    names = alarm_names(sp)
    if names:
        deployment.Alarms = ecs.DeploymentAlarms(AlarmNames=names, Enable=True, Rollback=True)
    return deployment


def _balancing(sp: ServicePlan, route: Route) -> ecs.LoadBalancer:
    item = ecs.LoadBalancer(ContainerName=route.port.container, ContainerPort=route.port.port,
                            TargetGroupArn=Ref(target_group(route)))
    if sp.service.deployment.shifts_traffic:
        # ECS registers the new tasks in the alternate group and moves the production rule's (or
        # the network listener's) weights to it, with the infrastructure role's rights.
        item.AdvancedConfiguration = ecs.AdvancedConfiguration(
            AlternateTargetGroupArn=Ref(alternate(route)),
            ProductionListenerRule=Ref(production(route)),
            RoleArn=GetAtt(Ids.LB_INFRASTRUCTURE_ROLE, "Arn"),
        )
    return item


def _service(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    app, svc = plan.app, sp.service
    if svc.job:
        return  # a job has no ECS service: scc/families/job.py schedules it
    ids = Ids(svc.name)
    dep = svc.deployment
    # With scaling the count is Application Auto Scaling's: a DesiredCount here would reset a
    # scaled-out service to it on every stack update.
    count = {} if svc.scaling else {"DesiredCount": svc.desired_count}
    # An external controller brings task definition, capacity and network in its task sets.
    tasks: dict[str, Any] = {} if dep.controller == "external" else {
        "TaskDefinition": Ref(ids.task_definition),
        **count,
        "CapacityProviderStrategy": [ecs.CapacityProviderStrategyItem(CapacityProvider=p, Weight=w)
                                     for p, w in svc.capacity],
        "NetworkConfiguration": ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
            Subnets=refs.subnets(app),
            SecurityGroups=[GetAtt(ids.security_group, "GroupId")],
            AssignPublicIp="ENABLED" if app.network.assign_public_ip else "DISABLED",
        )),
    }
    if dep.controller == "external":
        tasks.update(count)
    resource = ecs.Service(
        ids.service,
        Cluster=refs.cluster(app),
        **tasks,
        DeploymentController=ecs.DeploymentController(Type=CONTROLLER[dep.controller]),
        DeploymentConfiguration=_deployment(sp),
        EnableExecuteCommand=svc.exec,
        EnableECSManagedTags=True,
        PropagateTags="SERVICE",
    )
    if svc.service_connect:
        resource.ServiceConnectConfiguration = service_connect(plan, svc)
    if sp.routes:
        resource.LoadBalancers = [_balancing(sp, r) for r in sp.routes]
        # Load balancer health checks start with the task; give slow starters their start period.
        start = svc.main.health_check.start_period if svc.main.health_check else 0
        resource.HealthCheckGracePeriodSeconds = max(60, start)
    if svc.discovery is not None:
        resource.ServiceRegistries = [registry(sp)]
    # A traffic-shifting service refers to its production rule or listener (AdvancedConfiguration),
    # which orders it already.
    attached = [] if svc.deployment.shifts_traffic else [attachment(r) for r in sp.routes]
    after = ordering(sp) + list(dict.fromkeys(attached))
    if after:
        resource.DependsOn = after
    yield Emitted(resource, ("services", svc.name), svc.name)
    yield Emitted(Output(f"{ids.base}ServiceName", Description=f"ECS service name of {svc.name}",
                         Value=GetAtt(ids.service, "Name")), ("services", svc.name), svc.name)


def service_connect(plan: Plan, svc: Service) -> ecs.ServiceConnectConfiguration:
    config = ecs.ServiceConnectConfiguration(
        Enabled=True,
        Namespace=refs.namespace(plan.app),
        LogConfiguration=awslogs(svc, "service-connect"),
    )
    if svc.published:
        config.Services = [_published(p) for p in svc.published]
    if svc.access_logs:
        config.AccessLogConfiguration = ecs.ServiceConnectAccessLogConfiguration(Format=svc.access_logs.upper())
    return config


def _published(port: Port) -> ecs.ServiceConnectService:
    item = ecs.ServiceConnectService(
        PortName=port.name,
        DiscoveryName=port.discovery_name,
        ClientAliases=[ecs.ServiceConnectClientAlias(DnsName=port.alias_dns, Port=port.alias_port)],
    )
    timeout = {}
    if port.idle_timeout is not None:
        timeout["IdleTimeoutSeconds"] = port.idle_timeout
    if port.per_request_timeout is not None:
        timeout["PerRequestTimeoutSeconds"] = port.per_request_timeout
    if timeout:
        item.Timeout = ecs.TimeoutConfiguration(**timeout)
    if port.tls:
        tls = ecs.ServiceConnectTlsConfiguration(
            IssuerCertificateAuthority=ecs.ServiceConnectTlsCertificateAuthority(AwsPcaAuthorityArn=port.tls.pca_arn),
            RoleArn=port.tls.role_arn or GetAtt(TLS_ROLE, "Arn"),
        )
        if port.tls.kms_key:
            tls.KmsKey = port.tls.kms_key
        item.Tls = tls
    return item


FAMILY = Family("service", service=_service)
