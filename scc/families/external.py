"""Family external: what calls to external targets (scc/model: `external`) need in the stack: a
template parameter for each target without a `host`, and, on a target's own security group, one
ingress rule from each caller's group (with `egress: none`, the caller's egress rule to it)."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import GetAtt, Parameter, ec2

from scc.families.family import Emitted, Family
from scc.naming import Ids, external_host_parameter
from scc.plan import Plan, ServicePlan


def _parameters(plan: Plan) -> Iterator[Emitted]:
    for ext in plan.app.externals:
        if ext.host is None:
            yield Emitted(Parameter(external_host_parameter(ext.name), Type="String", MinLength=1,
                                    Description=f"DNS name or IP address of {ext.name} (external, port {ext.port})"),
                          ext.path, None)


def _rules(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    caller = sp.name
    where = (sp.service.root, caller, "calls")
    for e in sp.endpoints:
        ext = e.external
        if ext is None:
            continue
        if ext.security_group:
            yield Emitted(ec2.SecurityGroupIngress(
                Ids(ext.name).ingress_from(caller, ext.port),
                GroupId=ext.security_group,
                SourceSecurityGroupId=GetAtt(Ids(caller).security_group, "GroupId"),
                IpProtocol="tcp", FromPort=ext.port, ToPort=ext.port,
                Description=f"{caller} calls {ext.name} (external) on {ext.port}",
            ), where, caller)
        if plan.app.network.egress == "none":
            # Out to the target's group when it is known, else to its port anywhere: the target is
            # outside the stack, its address may be anything its host resolves to.
            egress = ec2.SecurityGroupEgress(
                Ids(caller).egress_to(ext.name, ext.port),
                GroupId=GetAtt(Ids(caller).security_group, "GroupId"),
                IpProtocol="tcp", FromPort=ext.port, ToPort=ext.port,
                Description=f"{caller} calls {ext.name} (external) on {ext.port}",
            )
            if ext.security_group:
                egress.DestinationSecurityGroupId = ext.security_group
            else:
                egress.CidrIp = "0.0.0.0/0"
            yield Emitted(egress, where, caller)


FAMILY = Family("external", app=_parameters, edges=_rules)
