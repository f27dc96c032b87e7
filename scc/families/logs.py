"""Family logs: one log group per service, shared by its containers and the Service Connect proxy."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import Ref, Sub, ecs, logs

from scc.families.family import Emitted, Family
from scc.model import Service
from scc.naming import Ids
from scc.plan import Plan, ServicePlan


def _log_group(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    svc = sp.service
    # Named after the stack so two stacks of one app never collide, yet `aws logs tail` stays readable.
    group = logs.LogGroup(Ids(svc.name).log_group, LogGroupName=Sub(f"/ecs/${{AWS::StackName}}/{svc.name}"),
                          RetentionInDays=svc.task.logs.retention_days)
    if svc.task.logs.kms_key:
        group.KmsKeyId = svc.task.logs.kms_key
    yield Emitted(group, (svc.root, svc.name), svc.name)


def awslogs(svc: Service, prefix: str) -> ecs.LogConfiguration:
    return ecs.LogConfiguration(LogDriver="awslogs", Options={
        "awslogs-group": Ref(Ids(svc.name).log_group),
        "awslogs-region": Ref("AWS::Region"),
        "awslogs-stream-prefix": prefix,
    })


FAMILY = Family("logs", service=_log_group)
