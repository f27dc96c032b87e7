"""The ordering contract: callers DependsOn exactly the services they call, get their URLs, the
called ports open only to the callers' security groups, and the template has no cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scc.pipeline import build
from tests.conftest import load_template

SPEC = """\
version: 1
name: ordering
namespace: local
defaults: {cpu: 512, memory: 1024}
services:
  backend:
    image: public.ecr.aws/nginx/nginx:1.27
    ports: [{name: api, port: 8080, appProtocol: http}, {name: admin, port: 9000, appProtocol: http}]
  orders:
    image: public.ecr.aws/nginx/nginx:1.27
    ports: [{port: 7000, appProtocol: grpc}]
  frontend:
    image: public.ecr.aws/nginx/nginx:1.27
    ports: [{port: 3000}]
    role: client
    calls: [{service: backend, port: api}]
  checkout:
    image: public.ecr.aws/nginx/nginx:1.27
    role: client
    calls: [orders]
"""




@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("ordering")
    spec = folder / "ordering.yaml"
    spec.write_text(SPEC)
    result = build([str(spec)], folder / "out")
    assert result.ok and result.diagnostics == [], [d.render() for d in result.diagnostics]
    return load_template(result.written[0].read_text())


def _refs(value: Any) -> set[str]:
    """Logical ids a property value refers to (Ref, GetAtt, ${X} in Sub)."""
    import re

    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            return {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            return {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", value["Fn::Sub"])}
        return set().union(*(_refs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


def test_depends_on_edges_are_exactly_the_calls(template: dict[str, Any]) -> None:
    """Callers wait for the services they call and for their own ingress rules, nothing else."""
    services = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::ECS::Service"}
    edges = {k: v.get("DependsOn", []) for k, v in services.items()}
    assert edges == {
        "BackendService": [],
        "OrdersService": [],
        "FrontendService": ["BackendService", "BackendIngressFromFrontendPort8080"],
        "CheckoutService": ["OrdersService", "OrdersIngressFromCheckoutPort7000"],
    }


def test_url_variables(template: dict[str, Any]) -> None:
    def env(td: str) -> dict[str, str]:
        container = template["Resources"][td]["Properties"]["ContainerDefinitions"][0]
        return {e["Name"]: e["Value"] for e in container.get("Environment", [])}

    # 1.1: the first published port is dialled by the service name; grpc variables are host:port.
    assert env("FrontendTaskDefinition") == {"BACKEND_URL": "http://backend:8080"}
    assert env("CheckoutTaskDefinition") == {"ORDERS_ADDR": "orders:7000"}
    assert env("BackendTaskDefinition") == {}


def test_ingress_only_on_called_ports_from_callers(template: dict[str, Any]) -> None:
    rules = sorted(
        (
            r["Properties"]["GroupId"]["Fn::GetAtt"][0],
            r["Properties"]["SourceSecurityGroupId"]["Fn::GetAtt"][0],
            r["Properties"]["FromPort"],
            r["Properties"]["ToPort"],
        )
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
    )
    assert rules == [
        ("BackendSecurityGroup", "FrontendSecurityGroup", 8080, 8080),
        ("OrdersSecurityGroup", "CheckoutSecurityGroup", 7000, 7000),
    ]
    for r in template["Resources"].values():
        if r["Type"] == "AWS::EC2::SecurityGroup":
            assert "SecurityGroupIngress" not in r["Properties"], "inline rules could form cycles"


def test_no_dependency_cycle(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    graph = {k: (_refs(v.get("Properties", {})) | set(v.get("DependsOn", []))) & set(resources)
             for k, v in resources.items()}
    done: set[str] = set()

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, "cycle: " + " -> ".join((*stack, node))
        if node in done:
            return
        for nxt in graph[node]:
            visit(nxt, (*stack, node))
        done.add(node)

    for name in graph:
        visit(name, ())


def test_reference_extraction_sees_every_intrinsic() -> None:
    """The cycle test is only as good as the edges it sees."""
    value = {"A": {"Fn::GetAtt": ["X", "GroupId"]}, "B": [{"Ref": "Y"}], "C": {"Fn::Sub": "${Z.Arn}-${AWS::Region}"}}
    assert _refs(value) == {"X", "Y", "Z", "AWS::Region"}


def test_cfn_lint_confirms_no_cycle(template: dict[str, Any], tmp_path: Path) -> None:
    from cfnlint.api import ManualArgs, lint

    text = yaml.safe_dump(template)
    assert [m.rule.id for m in lint(text, config=ManualArgs(regions=["us-east-1"]))] == []
    # and cfn-lint does see a cycle when one is made by hand (the naive CDK dependency)
    template["Resources"]["BackendIngressFromFrontendPort8080"]["DependsOn"] = ["FrontendService"]
    template["Resources"]["FrontendSecurityGroup"]["DependsOn"] = ["BackendIngressFromFrontendPort8080"]
    ids = {m.rule.id for m in lint(yaml.safe_dump(template), config=ManualArgs(regions=["us-east-1"]))}
    assert "E3004" in ids
