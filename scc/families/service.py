"""Compile a service: the ECS service on Fargate with its Service Connect configuration,
deployment settings and creation order (DependsOn the services it calls)."""

from __future__ import annotations

from troposphere import GetAtt, Ref, ecs

from scc.families.context import Context
from scc.families.discovery import registry
from scc.families.iam import TLS_ROLE
from scc.families.loadbalancer import attachment
from scc.families.logs import awslogs
from scc.model import App, Port, Service, call_env, call_target
from scc.naming import Ids, url
from scc.plan.routing import Route

CONTROLLER = {"ecs": "ECS", "codedeploy": "CODE_DEPLOY", "external": "EXTERNAL"}
STRATEGY = {"rolling": "ROLLING", "blue-green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}


def call_urls(app: App, svc: Service) -> dict[str, str]:
    """`<SERVICE>_URL` (or `env`) -> the called port's Service Connect URL."""
    out = {}
    for call in svc.calls:
        target = call_target(app, svc, call)
        assert target is not None, "rules accept only calls that resolve"
        out[call_env(call)] = url(target.port.app_protocol, target.host, target.host_port)
    return out


def ordering(app: App, svc: Service) -> list[str]:
    """Logical ids this service is created after: the services of ordered calls and dependsOn,
    then the ingress rules of its own calls (so its first tasks can connect at once), each once."""
    names = [c.service for c in svc.calls if c.ordered] + list(svc.depends_on)
    rules = []
    for call in svc.calls:
        target = call_target(app, svc, call)
        assert target is not None, "rules accept only calls that resolve"
        rules.append(Ids(target.service.name).ingress_from(svc.name, target.port.port))
    return [Ids(n).service for n in dict.fromkeys(names)] + list(dict.fromkeys(rules))


def service(ctx: Context, svc: Service, route: Route | None) -> ecs.Service:
    ids = Ids(svc.name)
    dep = svc.deployment
    deployment = ecs.DeploymentConfiguration(MinimumHealthyPercent=dep.min_healthy_percent,
                                             MaximumPercent=dep.max_percent)
    if dep.controller == "ecs":
        # The circuit breaker is the ECS controller's, for rolling and blue-green deployments only.
        if dep.strategy in ("rolling", "blue-green"):
            deployment.DeploymentCircuitBreaker = ecs.DeploymentCircuitBreaker(
                Enable=dep.circuit_breaker, Rollback=dep.circuit_breaker and dep.rollback)
        deployment.Strategy = STRATEGY[dep.strategy]
    # With scaling the count is Application Auto Scaling's: a DesiredCount here would reset a
    # scaled-out service to it on every stack update.
    count = {} if svc.scaling else {"DesiredCount": svc.desired_count}
    # An external controller brings task definition, capacity and network in its task sets.
    tasks = {} if dep.controller == "external" else {
        "TaskDefinition": Ref(ids.task_definition),
        **count,
        "CapacityProviderStrategy": [ecs.CapacityProviderStrategyItem(CapacityProvider=p, Weight=w)
                                     for p, w in svc.capacity],
        "NetworkConfiguration": ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
            Subnets=ctx.subnets,
            SecurityGroups=[GetAtt(ids.security_group, "GroupId")],
            AssignPublicIp="ENABLED" if ctx.app.network.assign_public_ip else "DISABLED",
        )),
    }
    if dep.controller == "external":
        tasks.update(count)
    resource = ecs.Service(
        ids.service,
        Cluster=ctx.cluster,
        **tasks,
        DeploymentController=ecs.DeploymentController(Type=CONTROLLER[dep.controller]),
        DeploymentConfiguration=deployment,
        EnableExecuteCommand=svc.exec,
        EnableECSManagedTags=True,
        PropagateTags="SERVICE",
    )
    if svc.service_connect:
        resource.ServiceConnectConfiguration = service_connect(ctx, svc)
    if route is not None:
        resource.LoadBalancers = [ecs.LoadBalancer(ContainerName=svc.name, ContainerPort=route.port.port,
                                                   TargetGroupArn=Ref(Ids(svc.name).target_group))]
        # Load balancer health checks start with the task; give slow starters their start period.
        start = svc.health_check.start_period if svc.health_check else 0
        resource.HealthCheckGracePeriodSeconds = max(60, start)
    if svc.discovery is not None:
        resource.ServiceRegistries = [registry(svc)]
    after = ordering(ctx.app, svc) + ([attachment(route)] if route else [])
    if after:
        resource.DependsOn = after
    return resource


def service_connect(ctx: Context, svc: Service) -> ecs.ServiceConnectConfiguration:
    config = ecs.ServiceConnectConfiguration(
        Enabled=True,
        Namespace=ctx.namespace,
        LogConfiguration=awslogs(svc, "service-connect"),
    )
    if svc.role == "client-server" and svc.published:
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
