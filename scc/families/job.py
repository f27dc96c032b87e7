"""Family job: what makes a job's task definition runnable. With a schedule, an EventBridge
Scheduler schedule that runs it on the cluster (its capacity, subnets and security group)
through a role that may run exactly that task definition family, on that cluster, and pass
exactly its two roles; for every job, outputs with the task definition and a ready
`aws ecs run-task` command."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from troposphere import AWSHelperFn, GetAtt, Join, Output, Ref, Sub, iam, scheduler

from scc.families import refs
from scc.families.family import Emitted, Family
from scc.families.service import ordering
from scc.model import App, ScheduledScaling
from scc.naming import Ids
from scc.plan import Plan, ServicePlan

# Scheduler drops a run it could not start after this long (its maximum, one day).
MAX_EVENT_AGE = 86400


def cluster_arn(app: App) -> AWSHelperFn:
    if app.cluster.existing:
        return Sub(f"arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:cluster/{app.cluster.name}")
    return GetAtt(Ids.CLUSTER, "Arn")


def _family_arn(app: App, name: str) -> AWSHelperFn:
    return Sub(f"arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-definition/{app.name}-{name}:*")


def _role(plan: Plan, sp: ServicePlan) -> iam.Role:
    app, ids = plan.app, Ids(sp.name)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
        # Only this account's schedules may use the role (the Scheduler guide's confused-deputy advice).
        "Condition": {"StringEquals": {"aws:SourceAccount": Sub("${AWS::AccountId}")}},
    }]}
    statements: list[dict[str, Any]] = [
        {"Sid": "RunThisTask", "Effect": "Allow", "Action": "ecs:RunTask", "Resource": _family_arn(app, sp.name),
         "Condition": {"ArnEquals": {"ecs:cluster": cluster_arn(app)}}},
        {"Sid": "PassItsRoles", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": [GetAtt(ids.execution_role, "Arn"), GetAtt(ids.task_role, "Arn")],
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        # The schedule asks ECS to tag the task it starts (managed tags, the task definition's).
        {"Sid": "TagItsTasks", "Effect": "Allow", "Action": "ecs:TagResource",
         "Resource": Join("", [Sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/"),
                               refs.cluster(app), "/*"]),
         "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}}},
    ]
    return iam.Role(ids.scheduler_role, AssumeRolePolicyDocument=trust, Policies=[iam.Policy(
        PolicyName="run-task", PolicyDocument={"Version": "2012-10-17", "Statement": statements})])


def _schedule(plan: Plan, sp: ServicePlan, when: ScheduledScaling, retries: int) -> scheduler.Schedule:
    app, svc, ids = plan.app, sp.service, Ids(sp.name)
    zone = {"ScheduleExpressionTimezone": when.timezone} if when.timezone else {}
    return scheduler.Schedule(
        ids.schedule,
        Description=f"Runs job {svc.name} of {app.name}",
        ScheduleExpression=f"{when.kind}({when.expression})",
        **zone,
        FlexibleTimeWindow=scheduler.FlexibleTimeWindow(Mode="OFF"),
        State="ENABLED",
        Target=scheduler.Target(
            Arn=cluster_arn(app),
            RoleArn=GetAtt(ids.scheduler_role, "Arn"),
            RetryPolicy=scheduler.RetryPolicy(MaximumRetryAttempts=retries,
                                              MaximumEventAgeInSeconds=MAX_EVENT_AGE),
            EcsParameters=scheduler.EcsParameters(
                TaskDefinitionArn=Ref(ids.task_definition),
                TaskCount=1,
                CapacityProviderStrategy=[scheduler.CapacityProviderStrategyItem(CapacityProvider=p, Weight=w)
                                          for p, w in svc.capacity],
                NetworkConfiguration=scheduler.NetworkConfiguration(AwsvpcConfiguration=scheduler.AwsVpcConfiguration(
                    Subnets=refs.subnets(app),
                    SecurityGroups=[GetAtt(ids.security_group, "GroupId")],
                    AssignPublicIp="ENABLED" if app.network.assign_public_ip else "DISABLED",
                )),
                EnableECSManagedTags=True,
                PropagateTags="TASK_DEFINITION",
            ),
        ),
    )


def _run_task(plan: Plan, sp: ServicePlan) -> Join:
    """`aws ecs run-task ...` with the job's cluster, task definition, capacity and network."""
    app, svc, ids = plan.app, sp.service, Ids(sp.name)
    subnets = refs.subnets(app)
    subnet_list: str | AWSHelperFn = ",".join(subnets) if isinstance(subnets, list) else Join(",", subnets)
    capacity = " ".join(f"capacityProvider={p},weight={w}" for p, w in svc.capacity)
    public = "ENABLED" if app.network.assign_public_ip else "DISABLED"
    return Join("", [
        "aws ecs run-task --cluster ", refs.cluster(app),
        " --task-definition ", Ref(ids.task_definition),
        f" --capacity-provider-strategy {capacity}",
        " --network-configuration 'awsvpcConfiguration={subnets=[", subnet_list,
        "],securityGroups=[", GetAtt(ids.security_group, "GroupId"), f"],assignPublicIp={public}}}'",
    ])


def _job(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    svc = sp.service
    if svc.run is None:
        return
    ids, where = Ids(sp.name), (svc.root, svc.name)
    if svc.run.schedule is not None:
        yield Emitted(_role(plan, sp), (*where, "schedule"), sp.name)
        schedule = _schedule(plan, sp, svc.run.schedule, svc.run.retries)
        after = ordering(sp)
        if after:  # its first run finds the services it calls, and its own rules, in place
            schedule.DependsOn = after
        yield Emitted(schedule, (*where, "schedule"), sp.name)
    yield Emitted(Output(f"{ids.base}TaskDefinitionArn", Description=f"Task definition of job {svc.name}",
                         Value=Ref(ids.task_definition)), where, sp.name)
    yield Emitted(Output(f"{ids.base}RunTask", Description=f"Runs job {svc.name} once, on demand",
                         Value=_run_task(plan, sp)), where, sp.name)


FAMILY = Family("job", service=_job)
