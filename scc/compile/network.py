"""Compile the network: a security group per service and one ingress rule per call, on the called
container port from the caller's group. Rules are separate resources, so no cycle can form
through security groups whatever the call graph."""

from __future__ import annotations

from troposphere import GetAtt, ec2

from scc.compile.context import Context
from scc.model import App, Service, call_target
from scc.naming import Ids


def security_group(ctx: Context, svc: Service) -> ec2.SecurityGroup:
    return ec2.SecurityGroup(Ids(svc.name).security_group,
                             GroupDescription=f"{ctx.app.name} {svc.name} tasks", VpcId=ctx.vpc)


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
