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


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.parent.name if p.name == "expected.yaml" else p.stem)
def test_task_groups_accept_only_callers_and_the_load_balancer(path: Path) -> None:
    resources = load_template(path.read_text())["Resources"]
    groups = {k for k, v in resources.items() if v["Type"] == "AWS::EC2::SecurityGroup"}
    for name in groups - {"LoadBalancerSecurityGroup"}:
        assert "SecurityGroupIngress" not in resources[name]["Properties"], f"{name} has inline rules"
    for name, res in resources.items():
        if res["Type"] != "AWS::EC2::SecurityGroupIngress":
            continue
        props = res["Properties"]
        assert set(props) >= {"GroupId", "SourceSecurityGroupId", "FromPort", "ToPort"}, name
        assert "CidrIp" not in props and "CidrIpv6" not in props, f"{name} opens a task to an address range"
        assert props["FromPort"] == props["ToPort"], f"{name} opens a port range"
        source = _group(props["SourceSecurityGroupId"])
        if isinstance(props["GroupId"], str):  # an external target's own group (sg-...), from a caller
            assert props["GroupId"].startswith("sg-") and source in groups, name
            continue
        target = _group(props["GroupId"])
        assert source in groups and target in groups and target != "LoadBalancerSecurityGroup"
        callee = target.removesuffix("SecurityGroup")
        assert name.startswith(f"{callee}IngressFrom"), name
        if source == "LoadBalancerSecurityGroup":
            assert name == f"{callee}IngressFromLoadBalancerPort{props['FromPort']}"
        else:
            assert name == f"{callee}IngressFrom{source.removesuffix('SecurityGroup')}Port{props['FromPort']}"


def test_the_check_sees_public_templates() -> None:
    assert any("LoadBalancerSecurityGroup" in p.read_text() for p in TEMPLATES)
