"""Compile `scaling`: the service's scalable target (with scheduled actions) and one
target-tracking policy per target. Service Connect targets use the server-side metric set:
AWS/ECS with ClusterName, ServiceName and the published port's DiscoveryName."""

from __future__ import annotations

from troposphere import GetAtt, Join, Ref, Sub
from troposphere import applicationautoscaling as aas

from scc.families.context import Context
from scc.families.loadbalancer import attachment
from scc.model import Service, metric_port
from scc.naming import Ids
from scc.plan.routing import Route

# The ECS service-linked role of Application Auto Scaling (created by AWS on first use).
SERVICE_LINKED_ROLE = ("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
                       "ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService")
PREDEFINED = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}
SERVICE_CONNECT = {"requests": "RequestCount", "connections": "ActiveConnectionCount"}


def scalable_target(ctx: Context, svc: Service) -> aas.ScalableTarget:
    sc = svc.scaling
    assert sc is not None
    ids = Ids(svc.name)
    target = aas.ScalableTarget(
        ids.scalable_target,
        ServiceNamespace="ecs",
        ScalableDimension="ecs:service:DesiredCount",
        ResourceId=Join("/", ["service", ctx.cluster, GetAtt(ids.service, "Name")]),
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


def policies(ctx: Context, svc: Service, route: Route | None) -> list[aas.ScalingPolicy]:
    sc = svc.scaling
    assert sc is not None
    ids = Ids(svc.name)
    out = []
    for kind, value in sc.targets:
        config = aas.TargetTrackingScalingPolicyConfiguration(TargetValue=value)
        if kind in PREDEFINED:
            config.PredefinedMetricSpecification = aas.PredefinedMetricSpecification(
                PredefinedMetricType=PREDEFINED[kind])
        elif kind == "albRequests":
            assert route is not None, "rules accept albRequests only on public services"
            config.PredefinedMetricSpecification = aas.PredefinedMetricSpecification(
                PredefinedMetricType="ALBRequestCountPerTarget",
                ResourceLabel=Join("/", [GetAtt(Ids.LOAD_BALANCER, "LoadBalancerFullName"),
                                         GetAtt(ids.target_group, "TargetGroupFullName")]),
            )
        else:
            port = metric_port(svc, kind)
            assert port is not None, "rules accept Service Connect targets only on a published port"
            config.CustomizedMetricSpecification = aas.CustomizedMetricSpecification(
                Namespace="AWS/ECS",
                MetricName=SERVICE_CONNECT[kind],
                Statistic="Average",
                Dimensions=[
                    aas.MetricDimension(Name="ClusterName", Value=ctx.cluster),
                    aas.MetricDimension(Name="ServiceName", Value=GetAtt(ids.service, "Name")),
                    aas.MetricDimension(Name="DiscoveryName", Value=port.discovery_name),
                ],
            )
        if sc.cooldown_in is not None:
            config.ScaleInCooldown = sc.cooldown_in
        if sc.cooldown_out is not None:
            config.ScaleOutCooldown = sc.cooldown_out
        if not sc.scale_in:
            config.DisableScaleIn = True
        policy = aas.ScalingPolicy(
            ids.scaling_policy(kind),
            PolicyName=Sub(f"${{AWS::StackName}}-{svc.name}-{kind}"),
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(ids.scalable_target),
            TargetTrackingScalingPolicyConfiguration=config,
        )
        if kind == "albRequests" and route is not None:
            # The metric exists only once the target group is attached to the load balancer.
            policy.DependsOn = [attachment(route)]
        out.append(policy)
    return out

