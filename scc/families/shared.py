"""Family shared: the network parameters, the cluster and the Cloud Map namespace, and their
outputs."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import GetAtt, Output, Parameter, ecs, servicediscovery

from scc.families import refs
from scc.families.family import Emitted, Family
from scc.naming import Ids
from scc.plan import Plan


def _parameters(plan: Plan) -> Iterator[Emitted]:
    network = plan.app.network
    if not network.vpc:
        yield Emitted(Parameter(Ids.VPC_PARAM, Type="AWS::EC2::VPC::Id",
                                Description="VPC of the task security groups"), ("network",), None)
    if not network.subnets:
        yield Emitted(Parameter(Ids.SUBNETS_PARAM, Type="List<AWS::EC2::Subnet::Id>",
                                Description="Subnets the tasks run in (normally private subnets)"), ("network",), None)
    if network.egress == "vpc" and not network.vpc_cidr:
        yield Emitted(Parameter(Ids.VPC_CIDR_PARAM, Type="String", AllowedPattern=r"^[0-9./]+$",
                                Description="CIDR of the VPC, the only destination tasks may connect to"),
                      ("network",), None)


def _cluster(plan: Plan) -> Iterator[Emitted]:
    cl = plan.app.cluster
    if cl.existing:
        return
    yield Emitted(ecs.Cluster(
        Ids.CLUSTER,
        ClusterName=cl.name,
        ClusterSettings=[ecs.ClusterSetting(Name="containerInsights", Value=cl.container_insights)],
        CapacityProviders=list(cl.capacity_providers),
        DefaultCapacityProviderStrategy=[
            ecs.CapacityProviderStrategyItem(CapacityProvider=cl.capacity_providers[0], Weight=1)
        ],
    ), ("cluster",), None)


def _namespace(plan: Plan) -> Iterator[Emitted]:
    app = plan.app
    ns = app.namespace
    if ns is None or ns.existing:
        return
    kind = "Service Connect" if any(s.service_connect for s in app.services) else "Cloud Map DNS"
    description = f"{kind} namespace of {app.name}"
    if ns.type == "dns":
        yield Emitted(servicediscovery.PrivateDnsNamespace(Ids.NAMESPACE, Name=ns.name, Vpc=refs.vpc(app),
                                                           Description=description), ("namespace",), None)
    else:
        yield Emitted(servicediscovery.HttpNamespace(Ids.NAMESPACE, Name=ns.name, Description=description),
                      ("namespace",), None)


def _outputs(plan: Plan) -> Iterator[Emitted]:
    app = plan.app
    yield Emitted(Output("ClusterName", Description="ECS cluster of the services", Value=refs.cluster(app)),
                  ("cluster",), None)
    if app.namespace is not None:
        yield Emitted(Output("NamespaceArn", Description="Cloud Map namespace of the services",
                             Value=app.namespace.existing or GetAtt(Ids.NAMESPACE, "Arn")), ("namespace",), None)


def _app(plan: Plan) -> Iterator[Emitted]:
    yield from _parameters(plan)
    yield from _cluster(plan)
    yield from _namespace(plan)
    yield from _outputs(plan)


FAMILY = Family("shared", app=_app)
