"""Closed networks: in every example and golden template, a task security group accepts
traffic only from its callers' security groups (on the called ports) and from the load
balancer's (on the target port), never from an address range; only the load balancer's group
takes CIDRs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, load_template

TEMPLATES = [*sorted((ROOT / "templates_out").glob("*.yaml")),
             *sorted((ROOT / "tests" / "golden").glob("*/expected.yaml"))]


def _group(value: Any) -> str:
    return value["Fn::GetAtt"][0]


def _balanced_ports(resources: dict[str, Any], service: str) -> set[int]:
    """The target and health check ports of the target groups the ECS service registers with."""
    ports: set[int] = set()
    for item in resources[f"{service}Service"]["Properties"].get("LoadBalancers", []):
        group = resources[item["TargetGroupArn"]["Ref"]]["Properties"]
        ports.add(group["Port"])
        if "HealthCheckPort" in group:
            ports.add(int(group["HealthCheckPort"]))
    return ports


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.parent.name if p.name == "expected.yaml" else p.stem)
def test_task_groups_accept_only_callers_and_the_load_balancer(path: Path) -> None:
    resources = load_template(path.read_text())["Resources"]
    groups = {k for k, v in resources.items() if v["Type"] == "AWS::EC2::SecurityGroup"}
    balancers = {_group(g) for v in resources.values() if v["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"
                 for g in v["Properties"]["SecurityGroups"]}
    for name in groups - balancers:
        assert "SecurityGroupIngress" not in resources[name]["Properties"], f"{name} has inline rules"
    for name, res in resources.items():
        if res["Type"] != "AWS::EC2::SecurityGroupIngress":
            continue
        props = res["Properties"]
        assert set(props) >= {"GroupId", "SourceSecurityGroupId", "FromPort", "ToPort"}, name
        assert "CidrIp" not in props and "CidrIpv6" not in props, f"{name} opens a task to an address range"
        assert props["FromPort"] == props["ToPort"], f"{name} opens a port range"
        if isinstance(props["GroupId"], str):  # an external target's own group (sg-...), from a caller
            assert props["GroupId"].startswith("sg-") and _group(props["SourceSecurityGroupId"]) in groups, name
            continue
        target = _group(props["GroupId"])
        assert target in groups and target not in balancers, name
        callee = target.removesuffix("SecurityGroup")
        assert name.startswith(f"{callee}IngressFrom"), name
        source = props["SourceSecurityGroupId"]
        if isinstance(source, str) or _group(source) in balancers:
            # A load balancer's group (scc's, or an existing one's sg-...): only on the ports of
            # the target groups the service registers with.
            assert isinstance(source, dict) or source.startswith("sg-"), name
            assert "LoadBalancer" in name and props["FromPort"] in _balanced_ports(resources, callee), name
        else:
            assert _group(source) in groups, name
            assert name == f"{callee}IngressFrom{_group(source).removesuffix('SecurityGroup')}Port{props['FromPort']}"


def test_the_check_sees_load_balancer_templates() -> None:
    texts = [p.read_text() for p in TEMPLATES]
    assert any("LoadBalancerSecurityGroup" in t for t in texts)
    assert any("EdgeLoadBalancerSecurityGroup" in t and "IpProtocol: udp" in t for t in texts)
    assert any("SourceSecurityGroupId: sg-" in t for t in texts)
