"""Compile the app-wide resources: network parameters, the cluster and the Cloud Map namespace."""

from __future__ import annotations

from troposphere import Parameter, ecs, servicediscovery

from scc.families.context import Context
from scc.naming import Ids


def parameters(ctx: Context) -> list[Parameter]:
    out = []
    if not ctx.app.network.vpc:
        out.append(Parameter(Ids.VPC_PARAM, Type="AWS::EC2::VPC::Id",
                             Description="VPC of the task security groups"))
    if not ctx.app.network.subnets:
        out.append(Parameter(Ids.SUBNETS_PARAM, Type="List<AWS::EC2::Subnet::Id>",
                             Description="Subnets the tasks run in (normally private subnets)"))
    if ctx.app.network.egress == "vpc" and not ctx.app.network.vpc_cidr:
        out.append(Parameter(Ids.VPC_CIDR_PARAM, Type="String", AllowedPattern=r"^[0-9./]+$",
                             Description="CIDR of the VPC, the only destination tasks may connect to"))
    if not ctx.app.network.public_subnets and any(s.public for s in ctx.app.services):
        out.append(Parameter(Ids.PUBLIC_SUBNETS_PARAM, Type="List<AWS::EC2::Subnet::Id>",
                             Description="Public subnets of the internet-facing load balancer (two or more AZs)"))
    return out


def cluster(ctx: Context) -> list[ecs.Cluster]:
    cl = ctx.app.cluster
    if cl.existing:
        return []
    return [ecs.Cluster(
        Ids.CLUSTER,
        ClusterName=cl.name,
        ClusterSettings=[ecs.ClusterSetting(Name="containerInsights", Value=cl.container_insights)],
        CapacityProviders=list(cl.capacity_providers),
        DefaultCapacityProviderStrategy=[
            ecs.CapacityProviderStrategyItem(CapacityProvider=cl.capacity_providers[0], Weight=1)
        ],
    )]


def namespace(ctx: Context) -> list[object]:
    ns = ctx.app.namespace
    if ns is None or ns.existing:
        return []
    kind = "Service Connect" if any(s.service_connect for s in ctx.app.services) else "Cloud Map DNS"
    description = f"{kind} namespace of {ctx.app.name}"
    if ns.type == "dns":
        return [servicediscovery.PrivateDnsNamespace(Ids.NAMESPACE, Name=ns.name, Vpc=ctx.vpc,
                                                     Description=description)]
    return [servicediscovery.HttpNamespace(Ids.NAMESPACE, Name=ns.name, Description=description)]

