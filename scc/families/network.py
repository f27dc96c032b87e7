"""Compile the network: a security group per service and one ingress rule per call, on the called
container port from the caller's group. Rules are separate resources, so no cycle can form
through security groups whatever the call graph."""

from __future__ import annotations

from troposphere import GetAtt, Ref, ec2

from scc.families.context import Context
from scc.model import App, Service, call_target
from scc.naming import Ids


def security_group(ctx: Context, svc: Service) -> ec2.SecurityGroup:
    group = ec2.SecurityGroup(Ids(svc.name).security_group,
                              GroupDescription=f"{ctx.app.name} {svc.name} tasks", VpcId=ctx.vpc)
    egress = ctx.app.network.egress
    if egress == "vpc":
        group.SecurityGroupEgress = [ec2.SecurityGroupRule(
            IpProtocol="-1", CidrIp=ctx.app.network.vpc_cidr or Ref(Ids.VPC_CIDR_PARAM),
            Description="inside the VPC only")]
    elif egress == "none":
        # An egress list replaces the allow-all default; this entry matches nothing (the
        # pattern AWS CDK uses), and each call adds its own egress rule.
        group.SecurityGroupEgress = [ec2.SecurityGroupRule(
            IpProtocol="icmp", FromPort=252, ToPort=86, CidrIp="255.255.255.255/32", Description="no traffic")]
    return group


def egress_rules(app: App, caller: Service) -> list[ec2.SecurityGroupEgress]:
    """With `egress: none`, the one way out of a task: to the services it calls."""
    if app.network.egress != "none":
        return []
    out = []
    for call in caller.calls:
        target = call_target(app, caller, call)
        assert target is not None, "rules accept only calls that resolve"
        out.append(ec2.SecurityGroupEgress(
            Ids(caller.name).egress_to(target.service.name, target.port.port),
            GroupId=GetAtt(Ids(caller.name).security_group, "GroupId"),
            DestinationSecurityGroupId=GetAtt(Ids(target.service.name).security_group, "GroupId"),
            IpProtocol="tcp", FromPort=target.port.port, ToPort=target.port.port,
            Description=f"{caller.name} calls {target.service.name} on {target.port.name}",
        ))
    return out


def ingress_rules(app: App, caller: Service) -> list[ec2.SecurityGroupIngress]:
    out = []
    for call in caller.calls:
        target = call_target(app, caller, call)
        assert target is not None, "rules accept only calls that resolve"
        callee, port = target.service, target.port
        out.append(ec2.SecurityGroupIngress(
            Ids(callee.name).ingress_from(caller.name, port.port),
            GroupId=GetAtt(Ids(callee.name).security_group, "GroupId"),
            SourceSecurityGroupId=GetAtt(Ids(caller.name).security_group, "GroupId"),
            IpProtocol="tcp",
            FromPort=port.port,
            ToPort=port.port,
            Description=f"{caller.name} calls {callee.name} on {port.name}",
        ))
    return out
