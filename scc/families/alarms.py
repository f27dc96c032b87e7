"""Family alarms: the CloudWatch alarms `deployment.alarms` asks for, which ECS watches during a
deployment and its bake time and rolls the deployment back on. 5xx share and p99 latency from
the target groups' metrics (AWS/ApplicationELB, both groups of a traffic-shifting service) or
from Service Connect's (AWS/ECS, by the port's discovery name)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from troposphere import AWSHelperFn, GetAtt, Ref, cloudwatch

from scc.families.family import Emitted, Family
from scc.families.loadbalancer import alternate, full_name, target_group
from scc.model import Port
from scc.naming import Ids
from scc.plan import Plan, Route, ServicePlan

PERIOD = 60
# Two bad minutes of three: one slow minute during a deployment is not a reason to roll back.
EVALUATION = {"EvaluationPeriods": 3, "DatapointsToAlarm": 2, "ComparisonOperator": "GreaterThanThreshold",
              # An idle service has no data points; ECS ignores every alarm of a deployment that starts
              # with one in ALARM, so missing data must not breach.
              "TreatMissingData": "notBreaching"}
STATUS_CLASSES = ("2XX", "3XX", "4XX", "5XX")


def alarm_names(sp: ServicePlan) -> list[str | AWSHelperFn]:
    """What DeploymentConfiguration.Alarms lists: the created alarms (Ref gives the name), then
    the existing ones."""
    alarms = sp.service.deployment.alarms
    if alarms is None:
        return []
    ids = Ids(sp.name)
    made: list[str | AWSHelperFn] = []
    if alarms.errors is not None and sp.alarm_source is not None:
        made.append(Ref(ids.errors_alarm))
    if alarms.latency is not None and sp.alarm_source is not None:
        made.append(Ref(ids.latency_alarm))
    return [*made, *alarms.names]


def _metric(mid: str, namespace: str, name: str, dimensions: list[tuple[str, Any]],
            stat: str) -> cloudwatch.MetricDataQuery:
    return cloudwatch.MetricDataQuery(Id=mid, ReturnData=False, MetricStat=cloudwatch.MetricStat(
        Metric=cloudwatch.Metric(Namespace=namespace, MetricName=name,
                                 Dimensions=[cloudwatch.MetricDimension(Name=k, Value=v) for k, v in dimensions]),
        Period=PERIOD, Stat=stat))


def _groups(route: Route) -> list[list[tuple[str, Any]]]:
    """The dimensions of each target group the service's traffic goes to."""
    groups = [target_group(route)] + ([alternate(route)] if route.service.deployment.shifts_traffic else [])
    return [[("LoadBalancer", full_name(route)), ("TargetGroup", GetAtt(g, "TargetGroupFullName"))] for g in groups]


def _errors(sp: ServicePlan, source: Route | Port, percent: float) -> cloudwatch.Alarm:
    queries: list[cloudwatch.MetricDataQuery] = []
    if isinstance(source, Route):
        errors, totals = [], []
        for i, dims in enumerate(_groups(source)):
            queries += [_metric(f"e{i}", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Sum"),
                        _metric(f"r{i}", "AWS/ApplicationELB", "RequestCount", dims, "Sum")]
            errors.append(f"FILL(e{i},0)")
            totals.append(f"FILL(r{i},0)")
        expression = f"100*({'+'.join(errors)})/({'+'.join(totals)})"
        label = "of its target groups' responses"
    else:
        # Service Connect counts responses by status class at the callee's discovery name; the
        # share is 5xx over all four classes, one family of metrics.
        dims = [("TargetDiscoveryName", source.discovery_name)]
        for cls in STATUS_CLASSES:
            queries.append(_metric(f"c{cls[0]}", "AWS/ECS", f"HTTPCode_Target_{cls}_Count", dims, "Sum"))
        expression = f"100*FILL(c5,0)/({'+'.join(f'FILL(c{c[0]},0)' for c in STATUS_CLASSES)})"
        label = f"of Service Connect responses of {source.discovery_name}"
    queries.append(cloudwatch.MetricDataQuery(Id="share", Expression=expression, ReturnData=True,
                                              Label="5xx percent"))
    return cloudwatch.Alarm(
        Ids(sp.name).errors_alarm,
        AlarmDescription=f"Rolls back a deployment of {sp.name} when more than {percent:g}% {label} are 5xx",
        Metrics=queries, Threshold=percent, **EVALUATION)


def _latency(sp: ServicePlan, source: Route | Port, seconds: float) -> cloudwatch.Alarm:
    common: dict[str, Any] = {
        "AlarmDescription": f"Rolls back a deployment of {sp.name} when its p99 response time is above {seconds:g} s",
        **EVALUATION,
    }
    if isinstance(source, Route):
        groups = _groups(source)
        if len(groups) == 1:
            dims = groups[0]
            return cloudwatch.Alarm(Ids(sp.name).latency_alarm, Namespace="AWS/ApplicationELB",
                                    MetricName="TargetResponseTime", ExtendedStatistic="p99", Period=PERIOD,
                                    Dimensions=[cloudwatch.MetricDimension(Name=k, Value=v) for k, v in dims],
                                    Threshold=seconds, **common)
        # Both groups of a traffic-shifting service: the worse of their p99s.
        queries = [_metric(f"p{i}", "AWS/ApplicationELB", "TargetResponseTime", dims, "p99")
                   for i, dims in enumerate(groups)]
        worst = f"MAX([{', '.join(f'p{i}' for i in range(len(groups)))}])"
        queries.append(cloudwatch.MetricDataQuery(Id="worst", Expression=worst, ReturnData=True, Label="p99 seconds"))
        return cloudwatch.Alarm(Ids(sp.name).latency_alarm, AlarmDescription=common.pop("AlarmDescription"),
                                Metrics=queries, Threshold=seconds, **common)
    # Service Connect reports TargetResponseTime in milliseconds.
    return cloudwatch.Alarm(Ids(sp.name).latency_alarm, Namespace="AWS/ECS", MetricName="TargetResponseTime",
                            ExtendedStatistic="p99", Period=PERIOD,
                            Dimensions=[cloudwatch.MetricDimension(Name="TargetDiscoveryName",
                                                                   Value=source.discovery_name)],
                            Threshold=seconds * 1000, **common)


def _alarms(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    alarms, source = sp.service.deployment.alarms, sp.alarm_source
    if alarms is None or source is None:  # without a source the rules refuse errors and latency
        return
    where = sp.service.at("deployment", "alarms")
    if alarms.errors is not None:
        yield Emitted(_errors(sp, source, alarms.errors), (*where, "errors"), sp.name)
    if alarms.latency is not None:
        yield Emitted(_latency(sp, source, alarms.latency), (*where, "latency"), sp.name)


FAMILY = Family("alarms", service=_alarms)
