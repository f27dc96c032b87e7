"""Compile one log group per service, shared by the container and the Service Connect proxy."""

from __future__ import annotations

from troposphere import Ref, Sub, ecs, logs

from scc.model import Service
from scc.naming import Ids


def log_group(svc: Service) -> logs.LogGroup:
    # Named after the stack so two stacks of one app never collide, yet `aws logs tail` stays readable.
    group = logs.LogGroup(Ids(svc.name).log_group, LogGroupName=Sub(f"/ecs/${{AWS::StackName}}/{svc.name}"),
                          RetentionInDays=svc.log_retention_days)
    if svc.log_kms_key:
        group.KmsKeyId = svc.log_kms_key
    return group


def awslogs(svc: Service, prefix: str) -> ecs.LogConfiguration:
    return ecs.LogConfiguration(LogDriver="awslogs", Options={
        "awslogs-group": Ref(Ids(svc.name).log_group),
        "awslogs-region": Ref("AWS::Region"),
        "awslogs-stream-prefix": prefix,
    })
