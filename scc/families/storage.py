"""Family storage: the network rules EFS volumes need. With the file system's `securityGroup`, that
group accepts the task on NFS (2049); with `egress: none`, the task may leave on 2049 to it (scc
refuses an EFS volume without its group there: SCC419)."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import GetAtt, ec2

from scc.families.family import Emitted, Family
from scc.naming import Ids
from scc.plan import Plan, ServicePlan

NFS = 2049


def _rules(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    name = sp.name
    for v in sp.service.task.volumes:
        if v.efs is None or v.efs.security_group is None:
            continue
        target = f"{v.name}-efs"
        yield Emitted(ec2.SecurityGroupIngress(
            Ids(target).ingress_from(name, NFS),
            GroupId=v.efs.security_group,
            SourceSecurityGroupId=GetAtt(Ids(name).security_group, "GroupId"),
            IpProtocol="tcp", FromPort=NFS, ToPort=NFS,
            Description=f"{name} mounts {v.efs.file_system} (volume {v.name}) over NFS",
        ), v.spec_path, name)
        if plan.app.network.egress == "none":
            yield Emitted(ec2.SecurityGroupEgress(
                Ids(name).egress_to(target, NFS),
                GroupId=GetAtt(Ids(name).security_group, "GroupId"),
                DestinationSecurityGroupId=v.efs.security_group,
                IpProtocol="tcp", FromPort=NFS, ToPort=NFS,
                Description=f"{name} mounts {v.efs.file_system} (volume {v.name}) over NFS",
            ), v.spec_path, name)


FAMILY = Family("storage", edges=_rules)
