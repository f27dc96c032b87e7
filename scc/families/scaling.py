"""Family scaling: the service's scalable target (with scheduled actions) and one target-tracking
policy per target the plan resolved. Service Connect targets use the server-side metric set:
AWS/ECS with ClusterName, ServiceName and the published port's DiscoveryName."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import GetAtt, Join, Ref, Sub, cloudwatch
from troposphere import applicationautoscaling as aas

from scc.families import refs
from scc.families.family import Emitted, Family
from scc.families.loadbalancer import attachment, full_name, target_group
from scc.model import Scaling
from scc.naming import Ids
from scc.plan import MetricTarget, Plan, ServicePlan

# The ECS service-linked role of Application Auto Scaling (created by AWS on first use).
SERVICE_LINKED_ROLE = ("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
                       "ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService")
PREDEFINED = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}
SERVICE_CONNECT = {"requests": "RequestCount", "connections": "ActiveConnectionCount"}


def _scalable_target(plan: Plan, name: str, sc: Scaling) -> aas.ScalableTarget:
    ids = Ids(name)
    target = aas.ScalableTarget(
        ids.scalable_target,
        ServiceNamespace="ecs",
        ScalableDimension="ecs:service:DesiredCount",
        ResourceId=Join("/", ["service", refs.cluster(plan.app), GetAtt(ids.service, "Name")]),
        MinCapacity=sc.min,
        MaxCapacity=sc.max,
        RoleARN=Sub(SERVICE_LINKED_ROLE),
    )
    if sc.schedule:
        actions = []
        for item in sc.schedule:
            action = aas.ScheduledAction(ScheduledActionName=item.name, Schedule=f"{item.kind}({item.expression})")
            if item.timezone:
                action.Timezone = item.timezone
            limits = {}
            if item.min is not None:
                limits["MinCapacity"] = item.min
            if item.max is not None:
                limits["MaxCapacity"] = item.max
            action.ScalableTargetAction = aas.ScalableTargetAction(**limits)
            actions.append(action)
        target.ScheduledActions = actions
    return target


def _tasks(plan: Plan, name: str) -> tuple[str, str, str]:
    """Where the running task count comes from: Container Insights' RunningTaskCount when the
    cluster has it, else the sample count of the service's CPUUtilization (one sample per running
    task a minute, free)."""
    insights = not plan.app.cluster.existing and plan.app.cluster.container_insights != "disabled"
    return ("ECS/ContainerInsights", "RunningTaskCount", "Average") if insights else (
        "AWS/ECS", "CPUUtilization", "SampleCount")


def _backlog_queries(plan: Plan, name: str) -> list[aas.TargetTrackingMetricDataQuery]:
    ids = Ids(name)
    namespace, metric, stat = _tasks(plan, name)
    return [
        aas.TargetTrackingMetricDataQuery(Id="visible", ReturnData=False, MetricStat=aas.TargetTrackingMetricStat(
            Metric=aas.TargetTrackingMetric(Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
                                            Dimensions=[aas.TargetTrackingMetricDimension(
                                                Name="QueueName", Value=GetAtt(ids.queue, "QueueName"))]),
            Stat="Sum")),
        aas.TargetTrackingMetricDataQuery(Id="tasks", ReturnData=False, MetricStat=aas.TargetTrackingMetricStat(
            Metric=aas.TargetTrackingMetric(Namespace=namespace, MetricName=metric, Dimensions=[
                aas.TargetTrackingMetricDimension(Name="ClusterName", Value=refs.cluster(plan.app)),
                aas.TargetTrackingMetricDimension(Name="ServiceName", Value=GetAtt(ids.service, "Name"))]),
            Stat=stat)),
    ]


def _from_zero(plan: Plan, name: str, where: tuple[str, ...]) -> Iterator[Emitted]:
    """At zero tasks there is no per-task backlog to track (ECS publishes no metrics for a service
    without running tasks), so a message arriving starts one task through a step policy; target
    tracking takes over from there."""
    ids = Ids(name)
    namespace, metric, stat = _tasks(plan, name)
    policy = aas.ScalingPolicy(
        ids.scaling_from_zero, PolicyName=Sub(f"${{AWS::StackName}}-{name}-from-zero"), PolicyType="StepScaling",
        ScalingTargetId=Ref(ids.scalable_target),
        StepScalingPolicyConfiguration=aas.StepScalingPolicyConfiguration(
            AdjustmentType="ChangeInCapacity", MetricAggregationType="Maximum", Cooldown=60,
            StepAdjustments=[aas.StepAdjustment(MetricIntervalLowerBound=0, ScalingAdjustment=1)]))
    yield Emitted(policy, where, name)
    dims = [cloudwatch.MetricDimension(Name="ClusterName", Value=refs.cluster(plan.app)),
            cloudwatch.MetricDimension(Name="ServiceName", Value=GetAtt(ids.service, "Name"))]
    yield Emitted(cloudwatch.Alarm(
        ids.backlog_alarm,
        AlarmDescription=f"Starts a task of {name} when its queue has messages and no task runs",
        Metrics=[
            cloudwatch.MetricDataQuery(Id="visible", ReturnData=False, MetricStat=cloudwatch.MetricStat(
                Metric=cloudwatch.Metric(Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
                                         Dimensions=[cloudwatch.MetricDimension(
                                             Name="QueueName", Value=GetAtt(ids.queue, "QueueName"))]),
                Period=60, Stat="Sum")),
            cloudwatch.MetricDataQuery(Id="tasks", ReturnData=False, MetricStat=cloudwatch.MetricStat(
                Metric=cloudwatch.Metric(Namespace=namespace, MetricName=metric, Dimensions=dims),
                Period=60, Stat=stat)),
            cloudwatch.MetricDataQuery(Id="idle", Label="Messages waiting with no task running", ReturnData=True,
                                       Expression="IF(visible > 0 AND FILL(tasks, 0) == 0, 1, 0)"),
        ],
        ComparisonOperator="GreaterThanOrEqualToThreshold", Threshold=1, EvaluationPeriods=1,
        TreatMissingData="notBreaching", AlarmActions=[Ref(ids.scaling_from_zero)],
    ), where, name)


def _metric(plan: Plan, name: str, target: MetricTarget,
            config: aas.TargetTrackingScalingPolicyConfiguration) -> None:
    ids = Ids(name)
    if target.kind in PREDEFINED:
        config.PredefinedMetricSpecification = aas.PredefinedMetricSpecification(
            PredefinedMetricType=PREDEFINED[target.kind])
    elif target.route is not None:
        config.PredefinedMetricSpecification = aas.PredefinedMetricSpecification(
            PredefinedMetricType="ALBRequestCountPerTarget",
            ResourceLabel=Join("/", [full_name(target.route),
                                     GetAtt(target_group(target.route), "TargetGroupFullName")]),
        )
    elif target.metric == "queue":
        config.CustomizedMetricSpecification = aas.CustomizedMetricSpecification(
            Metrics=[*_backlog_queries(plan, name), aas.TargetTrackingMetricDataQuery(
                Id="backlog", Expression="visible / tasks", Label="Visible messages per running task",
                ReturnData=True)])
    elif target.port is not None:
        config.CustomizedMetricSpecification = aas.CustomizedMetricSpecification(
            Namespace="AWS/ECS",
            MetricName=SERVICE_CONNECT[target.kind],
            Statistic="Average",
            Dimensions=[
                aas.MetricDimension(Name="ClusterName", Value=refs.cluster(plan.app)),
                aas.MetricDimension(Name="ServiceName", Value=GetAtt(ids.service, "Name")),
                aas.MetricDimension(Name="DiscoveryName", Value=target.port.discovery_name),
            ],
        )


def _scaling(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    if sp.scaling is None:
        return
    sc, name = sp.scaling.scaling, sp.name
    ids = Ids(name)
    where = ("services", name, "scaling")
    yield Emitted(_scalable_target(plan, name, sc), where, name)
    for target in sp.scaling.targets:
        config = aas.TargetTrackingScalingPolicyConfiguration(TargetValue=target.value)
        _metric(plan, name, target, config)
        if sc.cooldown_in is not None:
            config.ScaleInCooldown = sc.cooldown_in
        if sc.cooldown_out is not None:
            config.ScaleOutCooldown = sc.cooldown_out
        if not sc.scale_in:
            config.DisableScaleIn = True
        policy = aas.ScalingPolicy(
            ids.scaling_policy(target.kind),
            PolicyName=Sub(f"${{AWS::StackName}}-{name}-{target.kind}"),
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(ids.scalable_target),
            TargetTrackingScalingPolicyConfiguration=config,
        )
        if target.route is not None:
            # The metric exists only once the target group is attached to the load balancer.
            policy.DependsOn = [attachment(target.route)]
        yield Emitted(policy, where, name)
    if sc.min == 0 and any(t.metric == "queue" for t in sp.scaling.targets):
        yield from _from_zero(plan, name, where)


FAMILY = Family("scaling", service=_scaling)
