"""Rendering resource by resource (scc/synth/render.py) gives the bytes of dumping the template
whole, and the memo of rendered resources never returns another resource's text."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from scc.synth import render as r
from tests.conftest import ROOT, load_template

HEADER = r.header("spec.yaml")


def _whole(template: dict[str, Any]) -> str:
    """The former render: the ordered template dumped in one piece."""
    data = r._ordered(template, r.TOP_ORDER)
    if isinstance(data.get("Resources"), dict):
        data["Resources"] = {k: r._ordered(v, r.RESOURCE_ORDER) if isinstance(v, dict) else v
                             for k, v in data["Resources"].items()}
    return HEADER + r._dump(data)


def _templates() -> list[Any]:
    paths = [*sorted((ROOT / "tests" / "golden").glob("*/expected.yaml")),
             *sorted((ROOT / "templates_out").rglob("*.yaml"))]
    return [pytest.param(p, id=str(p.relative_to(ROOT))) for p in paths]


@pytest.mark.parametrize("path", _templates())
def test_every_committed_template_renders_back_to_its_bytes(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    data = load_template(text)
    body = text[text.index("\n", text.index("\n") + 1) + 1:]  # past the two header lines
    assert r.render(data, "spec.yaml") == HEADER + body == _whole(data)


LONG = "word " * 80  # wraps at cfn-flip's 200 columns, at a column that depends on the indentation
ODD: list[dict[str, Any]] = [
    {"Resources": {}},
    {"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Outputs": {}},
    {"Description": LONG, "Parameters": {"P": {"Type": "String", "Default": LONG}},
     "Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": LONG, "Tags": [
         {"Key": "k", "Value": "line one\nline two " + LONG}]}, "DependsOn": ["B"]},
         "B": {"Properties": {"DisplayName": "0123", "N": 1.0, "Y": "yes", "E": "", "U": "é ✓"},
               "Type": "AWS::SNS::Topic"}},
     "Outputs": {"O": {"Value": {"Fn::GetAtt": ["A", "TopicName"]}}}, "AWSTemplateFormatVersion": "2010-09-09"},
    {"Resources": {"A": {"Type": "AWS::SNS::Topic",
                         "Properties": {"TopicName": {"Fn::Sub": "${AWS::StackName}-" + LONG}}}},
     "Conditions": {"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}},
]


@pytest.mark.parametrize("template", ODD, ids=["no resources", "empty outputs", "wrapping and quoting", "intrinsics"])
def test_odd_templates_render_as_dumped_whole(template: dict[str, Any]) -> None:
    assert r.render(template, "spec.yaml") == _whole(template)
    yaml.safe_load(r.render(template, "spec.yaml").replace("!", ""))  # still one YAML document


def test_the_memo_tells_equal_looking_values_apart() -> None:
    """1 and 1.0 and True, "1" and 1, a list and a tuple, a str subclass: each renders as itself."""
    class Literal(str):
        pass

    base = {"Type": "AWS::SNS::Topic", "Properties": {"V": 1}}
    for value in (1.0, True, "1", 1, [1], Literal("1")):
        resource = {"Type": "AWS::SNS::Topic", "Properties": {"V": value}}
        r.render({"Resources": {"A": base}}, "spec.yaml")  # memoised first
        assert r.render({"Resources": {"A": resource}}, "spec.yaml") == _whole({"Resources": {"A": resource}})
    assert r._key("A", {"V": Literal("1")}) is None and r._key("A", {"V": (1,)}) is None
    assert r._key("A", base) != r._key("B", base)


def test_a_value_shared_within_a_template_is_written_out_each_time() -> None:
    shared = [{"Key": "team", "Value": "shop"}]
    template = {"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": shared}},
                              "B": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": shared, "More": shared}}}}
    text = r.render(template, "spec.yaml")
    assert "&" not in text and "*" not in text and text.count("Value: shop") == 3
    assert text == _whole(template)
