"""Compile a service: the ECS service on Fargate with its Service Connect configuration,
deployment settings and creation order (DependsOn the services it calls)."""

from __future__ import annotations

from troposphere import GetAtt, Ref, ecs

from scc.compile.context import Context
from scc.compile.iam import TLS_ROLE
from scc.compile.logs import awslogs
from scc.model import App, Port, Service, call_env, call_target
from scc.naming import Ids, url

STRATEGY = {"rolling": "ROLLING", "blue-green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}


def call_urls(app: App, svc: Service) -> dict[str, str]:
    """`<SERVICE>_URL` (or `env`) -> the called port's Service Connect URL."""
    out = {}
    for call in svc.calls:
        target = call_target(app, call)
        assert target is not None, "rules accept only calls that resolve"
        port = target[1]
        out[call_env(call)] = url(port.app_protocol, port.alias_dns, port.alias_port)
    return out


def ordering(svc: Service) -> list[str]:
    """Logical ids this service is created after: ordered calls, then dependsOn, each once."""
    names = [c.service for c in svc.calls if c.ordered] + list(svc.depends_on)
    return [Ids(n).service for n in dict.fromkeys(names)]


def service(ctx: Context, svc: Service) -> ecs.Service:
    ids = Ids(svc.name)
    dep = svc.deployment
    deployment = ecs.DeploymentConfiguration(
        MinimumHealthyPercent=dep.min_healthy_percent,
        MaximumPercent=dep.max_percent,
        DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=dep.circuit_breaker,
                                                              Rollback=dep.circuit_breaker and dep.rollback),
    )
    if dep.controller == "ecs":
        deployment.Strategy = STRATEGY[dep.strategy]
    # With scaling the count is Application Auto Scaling's: a DesiredCount here would reset a
    # scaled-out service to it on every stack update.
    count = {} if svc.scaling else {"DesiredCount": svc.desired_count}
    resource = ecs.Service(
        ids.service,
        Cluster=ctx.cluster,
        TaskDefinition=Ref(ids.task_definition),
        **count,
        CapacityProviderStrategy=[ecs.CapacityProviderStrategyItem(CapacityProvider=p, Weight=w)
                                  for p, w in svc.capacity],
        NetworkConfiguration=ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
            Subnets=ctx.subnets,
            SecurityGroups=[GetAtt(ids.security_group, "GroupId")],
            AssignPublicIp="ENABLED" if ctx.app.network.assign_public_ip else "DISABLED",
        )),
        DeploymentController=ecs.DeploymentController(Type=dep.controller.upper()),
        DeploymentConfiguration=deployment,
        EnableExecuteCommand=svc.exec,
        EnableECSManagedTags=True,
        PropagateTags="SERVICE",
    )
    if svc.service_connect:
        resource.ServiceConnectConfiguration = service_connect(ctx, svc)
    after = ordering(svc)
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
