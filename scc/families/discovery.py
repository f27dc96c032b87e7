"""Compile `discovery`: a Cloud Map DNS service (MULTIVALUE answers, health reported by ECS
through a custom health check) that the ECS service registers its tasks in."""

from __future__ import annotations

from troposphere import GetAtt, ecs, servicediscovery

from scc.families.context import Context
from scc.model import Service, named_port
from scc.naming import Ids


def namespace_id(ctx: Context) -> object:
    ns = ctx.app.namespace
    assert ns is not None, "rules accept discovery only with a dns namespace"
    if ns.existing:
        return ns.existing.rsplit("/", 1)[1]  # arn:...:namespace/ns-xxxx -> ns-xxxx
    return GetAtt(Ids.NAMESPACE, "Id")


def discovery_service(ctx: Context, svc: Service) -> servicediscovery.Service:
    disc = svc.discovery
    assert disc is not None
    return servicediscovery.Service(
        Ids(svc.name).discovery,
        Name=disc.name,
        NamespaceId=namespace_id(ctx),
        Description=f"DNS discovery of {ctx.app.name} {svc.name}",
        DnsConfig=servicediscovery.DnsConfig(
            RoutingPolicy="MULTIVALUE",
            DnsRecords=[servicediscovery.DnsRecord(Type=disc.record, TTL=disc.ttl)],
        ),
        # ECS reports task health (from the container health check) to Cloud Map.
        HealthCheckCustomConfig=servicediscovery.HealthCheckCustomConfig(FailureThreshold=1),
    )


def registry(svc: Service) -> ecs.ServiceRegistry:
    disc = svc.discovery
    assert disc is not None
    entry = ecs.ServiceRegistry(RegistryArn=GetAtt(Ids(svc.name).discovery, "Arn"))
    if disc.record == "SRV":
        port = named_port(svc, disc.port)
        assert port is not None, "rules accept SRV records only with a port"
        entry.ContainerName = svc.name
        entry.ContainerPort = port.port
    return entry
