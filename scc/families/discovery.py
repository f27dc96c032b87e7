"""Family discovery: a Cloud Map DNS service (MULTIVALUE answers, health reported by ECS through a
custom health check) that the ECS service registers its tasks in."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import AWSHelperFn, GetAtt, ecs, servicediscovery

from scc.families.family import Emitted, Family
from scc.model import App
from scc.naming import Ids
from scc.plan import Plan, ServicePlan


def namespace_id(app: App) -> str | AWSHelperFn:
    ns = app.namespace
    if ns is not None and ns.existing:
        return ns.existing.rsplit("/", 1)[1]  # arn:...:namespace/ns-xxxx -> ns-xxxx
    return GetAtt(Ids.NAMESPACE, "Id")


def _discovery_service(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    svc, disc = sp.service, sp.service.discovery
    if disc is None:
        return
    yield Emitted(servicediscovery.Service(
        Ids(svc.name).discovery,
        Name=disc.name,
        NamespaceId=namespace_id(plan.app),
        Description=f"DNS discovery of {plan.app.name} {svc.name}",
        DnsConfig=servicediscovery.DnsConfig(
            RoutingPolicy="MULTIVALUE",
            DnsRecords=[servicediscovery.DnsRecord(Type=disc.record, TTL=disc.ttl)],
        ),
        # ECS reports task health (from the container health check) to Cloud Map.
        HealthCheckCustomConfig=servicediscovery.HealthCheckCustomConfig(FailureThreshold=1),
    ), ("services", svc.name, "discovery"), svc.name)


def registry(sp: ServicePlan) -> ecs.ServiceRegistry:
    """The ECS service's entry in its Cloud Map service; an SRV record also names the port."""
    entry = ecs.ServiceRegistry(RegistryArn=GetAtt(Ids(sp.name).discovery, "Arn"))
    if sp.discovery_port is not None:
        entry.ContainerName = sp.discovery_port.container
        entry.ContainerPort = sp.discovery_port.port
    return entry


FAMILY = Family("discovery", service=_discovery_service)
