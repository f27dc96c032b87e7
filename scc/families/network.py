"""Family network: a security group per service and one ingress rule per call, on the called
container port from the caller's group (and an egress rule with `egress: none`). Rules are
separate resources, so no cycle can form through security groups whatever the call graph."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import GetAtt, Ref, ec2

from scc.families import refs
from scc.families.family import Emitted, Family
from scc.naming import Ids
from scc.plan import Plan, ServicePlan


def _security_group(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    app = plan.app
    group = ec2.SecurityGroup(Ids(sp.name).security_group,
                              GroupDescription=f"{app.name} {sp.name} tasks", VpcId=refs.vpc(app))
    egress = app.network.egress
    if egress == "vpc":
        group.SecurityGroupEgress = [ec2.SecurityGroupRule(
            IpProtocol="-1", CidrIp=app.network.vpc_cidr or Ref(Ids.VPC_CIDR_PARAM),
            Description="inside the VPC only")]
    elif egress == "none":
        # An egress list replaces the allow-all default; this entry matches nothing (the
        # pattern AWS CDK uses), and each call adds its own egress rule.
        group.SecurityGroupEgress = [ec2.SecurityGroupRule(
            IpProtocol="icmp", FromPort=252, ToPort=86, CidrIp="255.255.255.255/32", Description="no traffic")]
    yield Emitted(group, (sp.service.root, sp.name), sp.name)


def _rules(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    caller = sp.name
    where = (sp.service.root, caller, "calls")
    # External targets: scc/families/external.py. Through a load balancer, the load balancer's
    # group already reaches the service; only the caller's egress (below) is the call's.
    called = [e for e in sp.endpoints if e.target is not None and e.via not in ("load-balancer", "queue")]
    for e in called:
        yield Emitted(ec2.SecurityGroupIngress(
            Ids(e.name).ingress_from(caller, e.number),
            GroupId=GetAtt(Ids(e.name).security_group, "GroupId"),
            SourceSecurityGroupId=GetAtt(Ids(caller).security_group, "GroupId"),
            IpProtocol=e.protocol,
            FromPort=e.number,
            ToPort=e.number,
            Description=f"{caller} calls {e.name} on {e.port_name}",
        ), where, caller)
    if plan.app.network.egress != "none":
        return
    # With `egress: none`, the one way out of a task: to the services it calls.
    for e in called:
        yield Emitted(ec2.SecurityGroupEgress(
            Ids(caller).egress_to(e.name, e.number),
            GroupId=GetAtt(Ids(caller).security_group, "GroupId"),
            DestinationSecurityGroupId=GetAtt(Ids(e.name).security_group, "GroupId"),
            IpProtocol=e.protocol, FromPort=e.number, ToPort=e.number,
            Description=f"{caller} calls {e.name} on {e.port_name}",
        ), where, caller)
    for e in sp.endpoints:
        if e.via == "load-balancer" and e.via_group is not None:
            group = e.via_group if e.via_group.startswith("sg-") else GetAtt(e.via_group, "GroupId")
            yield Emitted(ec2.SecurityGroupEgress(
                Ids(caller).egress_to(f"{e.name}-load-balancer", e.number),
                GroupId=GetAtt(Ids(caller).security_group, "GroupId"),
                DestinationSecurityGroupId=group,
                IpProtocol="tcp", FromPort=e.number, ToPort=e.number,
                Description=f"{caller} calls {e.name} through its load balancer",
            ), where, caller)


FAMILY = Family("network", service=_security_group, edges=_rules)
