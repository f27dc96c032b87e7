"""Blue/green, canary and linear behind a load balancer, checked piece by piece against what the
CloudFormation and ECS documentation require, in the golden templates that have them:

- ECS developer guide, "Application Load Balancer resources for blue/green, linear, and canary
  deployments" and "Network Load Balancer resources for ..." (alb-resources-for-blue-green.html,
  nlb-resources-for-blue-green.html): two target groups with the same target type (ip), protocol,
  port, VPC and health check; a production listener rule (a rule ARN on an application load
  balancer, the listener ARN on a network one) that routes to the groups.
- ECS developer guide, "Amazon ECS infrastructure IAM role for load balancers": a role ECS
  (ecs.amazonaws.com) assumes, with AmazonECSInfrastructureRolePolicyForLoadBalancers.
- CloudFormation reference, AWS::ECS::Service LoadBalancer / AdvancedConfiguration
  (aws-properties-ecs-service-advancedconfiguration.html): AlternateTargetGroupArn (required),
  ProductionListenerRule, RoleArn; DeploymentConfiguration (Strategy, BakeTimeInMinutes,
  CanaryConfiguration only with CANARY, LinearConfiguration only with LINEAR) and
  DeploymentController ECS; the circuit breaker is not used with canary and linear.
A template that lacks any piece fails here, whatever cfn-lint says."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROOT, load_template

CASES = ["lb-blue-green", "lb-canary"]
POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers"
SAME = ("TargetType", "Protocol", "Port", "VpcId", "HealthCheckProtocol", "HealthCheckPath", "HealthCheckPort",
        "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount",
        "UnhealthyThresholdCount", "Matcher", "ProtocolVersion")


def _ref(value: Any) -> str:
    assert isinstance(value, dict) and set(value) == {"Ref"}, value
    return str(value["Ref"])


def _shifting_services(resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(k, v["Properties"]) for k, v in resources.items() if v["Type"] == "AWS::ECS::Service"
            and v["Properties"]["DeploymentConfiguration"].get("Strategy", "ROLLING") != "ROLLING"
            and v["Properties"].get("LoadBalancers")]


def _forwarded(actions: list[dict[str, Any]]) -> dict[str, int]:
    """Target group -> weight of a forward action."""
    (action,) = actions
    assert action["Type"] == "forward"
    return {_ref(t["TargetGroupArn"]): t["Weight"] for t in action["ForwardConfig"]["TargetGroups"]}


@pytest.mark.parametrize("case", CASES)
def test_traffic_shifting_services_have_every_piece(case: str) -> None:
    resources = load_template((ROOT / "tests" / "golden" / case / "expected.yaml").read_text())["Resources"]
    services = _shifting_services(resources)
    assert services, "the case must have a traffic-shifting service behind a load balancer"
    for name, props in services:
        assert props["DeploymentController"] == {"Type": "ECS"}, name
        dep = props["DeploymentConfiguration"]
        strategy = dep["Strategy"]
        assert strategy in ("BLUE_GREEN", "CANARY", "LINEAR"), name
        assert 0 <= dep["BakeTimeInMinutes"] <= 1440, name
        assert ("CanaryConfiguration" in dep) == (strategy == "CANARY"), name
        assert ("LinearConfiguration" in dep) == (strategy == "LINEAR"), name
        if strategy == "CANARY":
            assert 0.1 <= dep["CanaryConfiguration"]["CanaryPercent"] <= 100
            assert 0 <= dep["CanaryConfiguration"]["CanaryBakeTimeInMinutes"] <= 1440
        if strategy == "LINEAR":
            assert 3 <= dep["LinearConfiguration"]["StepPercent"] <= 100
            assert 0 <= dep["LinearConfiguration"]["StepBakeTimeInMinutes"] <= 1440
        if strategy != "BLUE_GREEN":
            assert "DeploymentCircuitBreaker" not in dep, name
        for item in props["LoadBalancers"]:
            advanced = item["AdvancedConfiguration"]
            primary, alternate = _ref(item["TargetGroupArn"]), _ref(advanced["AlternateTargetGroupArn"])
            assert primary != alternate
            groups = [resources[g] for g in (primary, alternate)]
            assert all(g["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup" for g in groups)
            first, second = (g["Properties"] for g in groups)
            assert first["TargetType"] == "ip" and first["Port"] == item["ContainerPort"]
            assert {k: first.get(k) for k in SAME} == {k: second.get(k) for k in SAME}, name
            production = resources[_ref(advanced["ProductionListenerRule"])]
            if production["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule":
                weights = _forwarded(production["Properties"]["Actions"])
                listener = resources[_ref(production["Properties"]["ListenerArn"])]
                balancer = resources[_ref(listener["Properties"]["LoadBalancerArn"])]
                assert balancer["Properties"]["Type"] == "application", name
            else:
                assert production["Type"] == "AWS::ElasticLoadBalancingV2::Listener", name
                weights = _forwarded(production["Properties"]["DefaultActions"])
                balancer = resources[_ref(production["Properties"]["LoadBalancerArn"])]
                assert balancer["Properties"]["Type"] == "network", name
            # Both groups are routed (ECS needs the alternate attached), all traffic on the primary.
            assert weights == {primary: 100, alternate: 0}, name
            role = resources[advanced["RoleArn"]["Fn::GetAtt"][0]]
            assert advanced["RoleArn"]["Fn::GetAtt"][1] == "Arn"
            (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            assert statement["Principal"] == {"Service": "ecs.amazonaws.com"}
            assert statement["Action"] == "sts:AssumeRole"
            assert any(POLICY in str(p) for p in role["Properties"]["ManagedPolicyArns"])


def test_the_check_sees_both_load_balancer_types() -> None:
    kinds = set()
    for case in CASES:
        resources = load_template((ROOT / "tests" / "golden" / case / "expected.yaml").read_text())["Resources"]
        for _, props in _shifting_services(resources):
            for item in props["LoadBalancers"]:
                kinds.add(resources[_ref(item["AdvancedConfiguration"]["ProductionListenerRule"])]["Type"])
    assert kinds == {"AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ElasticLoadBalancingV2::Listener"}
