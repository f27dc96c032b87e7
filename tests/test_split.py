"""Apps beyond one template's limits: a root template with nested stacks, none over 500
resources or 1 MB, cfn-lint clean, and each child stack created after the stacks holding the
services its services call."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from scc.pipeline import build, check
from tests.conftest import ROOT, load_template

sys.path.insert(0, str(ROOT / "benchmarks"))
import genspec  # the benchmark's spec generator: the same apps it measures


def _stack_order(root: dict[str, Any]) -> dict[str, set[str]]:
    """Stack -> every stack it is created after (DependsOn and parameter references, transitively)."""
    direct: dict[str, set[str]] = {}
    for name, res in root["Resources"].items():
        if res["Type"] != "AWS::CloudFormation::Stack":
            continue
        params = res["Properties"].get("Parameters", {})
        refs = {v["Fn::GetAtt"][0] for v in params.values() if isinstance(v, dict) and "Fn::GetAtt" in v}
        direct[name] = (set(res.get("DependsOn", [])) | refs) & set(root["Resources"])
    closed: dict[str, set[str]] = {}

    def after(name: str) -> set[str]:
        if name not in closed:
            closed[name] = set()
            for d in direct.get(name, ()):
                closed[name] |= {d} | after(d)
        return closed[name]

    return {name: after(name) for name in direct}


def _check_split(out: Path, app_name: str, spec_text: str) -> None:
    root = load_template((out / f"{app_name}.yaml").read_text())
    children = sorted((out / app_name).glob("*.yaml"))
    assert len(children) >= 1
    home: dict[str, str] = {}
    for child in children:
        text = child.read_text()
        assert len(text.encode()) < 1024 * 1024
        resources = load_template(text)["Resources"]
        assert len(resources) <= 500
        for logical_id, res in resources.items():
            if res["Type"] == "AWS::ECS::Service":
                home[logical_id] = child.stem
    assert len(root["Resources"]) <= 500
    order = _stack_order(root)
    spec = load_template(spec_text)  # a spec's overrides may hold short-form intrinsics
    from scc.naming import Ids

    checked = 0
    for name, svc in spec["services"].items():
        for call in svc.get("calls", []):
            callee = call if isinstance(call, str) else call["service"]
            mine, theirs = home[Ids(name).service], home[Ids(callee).service]
            assert mine == theirs or theirs in order[mine], f"{name} ({mine}) calls {callee} ({theirs})"
            checked += 1
    assert checked > 0


def test_split_forced_on_a_small_app(tmp_path: Path) -> None:
    result = build([str(ROOT / "examples" / "shop.yaml")], tmp_path, force_split=True)
    assert result.ok and result.diagnostics == [], [d.render() for d in result.diagnostics]
    assert sorted(str(p.relative_to(tmp_path)) for p in result.written) == ["shop.yaml", "shop/Stack1.yaml"]
    root = load_template((tmp_path / "shop.yaml").read_text())
    stack = root["Resources"]["Stack1"]
    assert stack["Properties"]["TemplateURL"] == "shop/Stack1.yaml"  # for `aws cloudformation package`
    assert {"Cluster", "Namespace", "LoadBalancer", "FrontendTargetGroup"} <= set(root["Resources"])
    _check_split(tmp_path, "shop", (ROOT / "examples" / "shop.yaml").read_text())


@pytest.mark.slow
@pytest.mark.parametrize("n", [250])  # 2,238 resources: about the most one nested stack operation takes
def test_a_large_app_splits_into_nested_stacks_within_the_limits(n: int, tmp_path: Path) -> None:
    """Without cfn-lint (30 s here): every template within CloudFormation's per-template limits
    (scc's own check, SCC903: resources, outputs, parameters, size), at least five children, and
    each child created after the ones it calls. That nested stacks lint clean is proven on 60
    services in two children (test_overrides_take_part_in_nested_stacks)."""
    spec = tmp_path / "mesh.yaml"
    spec.write_text(genspec.mesh(n))
    result = build([str(spec)], tmp_path / "out", lint=False)
    assert result.ok, [d.render() for d in result.diagnostics if d.severity == "error"][:5]
    assert [d for d in result.diagnostics if d.code in ("SCC901", "SCC902", "SCC903")] == []
    name = next(p.stem for p in (tmp_path / "out").glob("*.yaml"))
    assert len(list((tmp_path / "out" / name).glob("*.yaml"))) >= 5
    _check_split(tmp_path / "out", name, spec.read_text())


@pytest.mark.slow
def test_an_app_beyond_one_stack_operation_is_refused(tmp_path: Path) -> None:
    """300 generated services are 2,688 resources across the root and its children: more than the
    2,500 CloudFormation creates, updates or deletes in one operation of a nested hierarchy."""
    spec = tmp_path / "mesh.yaml"
    spec.write_text(genspec.mesh(300))
    out = tmp_path / "out"
    result = build([str(spec)], out)
    assert not result.ok and not out.exists()
    (d,) = [d for d in result.diagnostics if d.severity == "error"]
    assert d.code == "SCC904" and "2688 resources" in d.message and "at most 2500" in d.message
    assert (d.line, d.path) == (genspec.mesh(300).splitlines().index("services:") + 1, ("services",))
    assert "at least 2 specs" in (d.hint or "")


def test_limits_count_what_cloudformation_counts() -> None:
    from scc.pipeline import _limits

    fits = {"Resources": {f"R{i}": {} for i in range(500)}, "Outputs": {f"O{i}": {} for i in range(200)},
            "Parameters": {f"P{i}": {} for i in range(200)}}
    assert _limits(fits, "x" * 1024 * 1024) == []
    for key, prefix in (("Resources", "R"), ("Outputs", "O"), ("Parameters", "P")):
        over = {**fits, key: {**fits[key], f"{prefix}x": {}}}
        limit = 500 if key == "Resources" else 200
        (d,) = _limits(over, "", "nested stack Stack2")
        assert d.code == "SCC903"
        assert d.message == f"nested stack Stack2 has {limit + 1} {key.lower()}; CloudFormation allows {limit}"
    (d,) = _limits(fits, "x" * (1024 * 1024 + 1))
    assert "1048577 bytes" in d.message


def _light(n: int) -> str:
    """A generated app of n services without the backends' own scaling (two or three resources
    each): 300 services in 2,234 resources, one nested stack operation's worth."""
    return "".join(line for line in genspec.mesh(n).splitlines(keepends=True)
                   if not (line.startswith("    scaling:") and "albRequests" not in line))


OVERRIDES = """
overrides:
  resources:
    ReportsBucket:
      Type: AWS::S3::Bucket
      DeletionPolicy: Retain
      UpdateReplacePolicy: Retain
      Properties:
        BucketName: !Sub "${AWS::StackName}-reports"
        VersioningConfiguration: { Status: Enabled }
  patch:
    - op: add
      path: /Resources/S0040TaskRole/Properties/Policies
      value:
        - PolicyName: reports
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - { Effect: Allow, Action: s3:PutObject, Resource: !Join ["", [!GetAtt ReportsBucket.Arn, "/*"]] }
"""


@pytest.mark.slow
def test_overrides_take_part_in_nested_stacks(tmp_path: Path) -> None:
    """An added resource lives in the root; a patched service resource stays in its service's
    stack, which receives what the patch refers to in the root as a parameter."""
    spec = tmp_path / "mesh.yaml"
    text = genspec.mesh(60).replace("services:\n", OVERRIDES.lstrip("\n") + "services:\n", 1)
    text += "\n".join(["", "    overrides:", "      taskDefinition:",
                       "        - { op: add, path: /Properties/ContainerDefinitions/0/Ulimits, "
                       "value: [{ Name: nofile, SoftLimit: 65536, HardLimit: 65536 }] }", ""])
    spec.write_text(text)
    result = build([str(spec)], tmp_path / "out", force_split=True)
    assert result.ok and [d for d in result.diagnostics if d.code.startswith("SCC9")] == [], \
        [d.render() for d in result.diagnostics][:5]
    assert [d for d in result.diagnostics if d.severity == "error" or d.code.startswith("E")] == []
    assert len(list((tmp_path / "out" / "mesh60").glob("*.yaml"))) >= 2
    _check_split(tmp_path / "out", "mesh60", text)
    root = load_template((tmp_path / "out" / "mesh60.yaml").read_text())
    assert root["Resources"]["ReportsBucket"]["Type"] == "AWS::S3::Bucket"
    children = {p.stem: load_template(p.read_text())["Resources"]
                for p in (tmp_path / "out" / "mesh60").glob("*.yaml")}
    (home,) = [r for r in children.values() if "S0040TaskRole" in r]
    policy = home["S0040TaskRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    arn = policy["Resource"]["Fn::Join"][1][0]
    parameters = next(load_template(p.read_text()).get("Parameters", {}) for p in (tmp_path / "out" / "mesh60").glob(
        "*.yaml") if "S0040TaskRole" in p.read_text())
    assert arn["Ref"] in parameters, "the child refers to the root's bucket through a parameter"
    from scc.front.spec import load
    from scc.naming import Ids

    last = Ids(list(load(str(spec))[0].data["services"])[-1]).task_definition  # the appended override's
    (patched,) = [r for r in children.values() if last in r]
    assert patched[last]["Properties"]["ContainerDefinitions"][0]["Ulimits"][0]["Name"] == "nofile"


def _placement(out: Path) -> dict[str, str]:
    """ECS service (or task definition) logical id -> the child stack holding it (read from the
    text as scc writes it: parsing seven large templates as YAML would take most of the test)."""
    import re

    found = {}
    for child in sorted(out.glob("*/Stack*.yaml")):
        for logical_id in re.findall(r"^  ([A-Za-z0-9]+):\n    Type: AWS::ECS::(?:Service|TaskDefinition)$",
                                     child.read_text(), re.MULTILINE):
            found[logical_id] = child.stem
    return found


def _edited(text: str, services: dict[str, Any], early: list[str], edit: str) -> str:
    """One edit where it disturbs: among the services created mid-way (`early`), which a packing
    in creation order would shift later services for (the test proves it does for `add`)."""
    import random

    rng = random.Random(f"scc-{edit}")
    called = {c if isinstance(c, str) else c["service"] for s in services.values() for c in s.get("calls", [])}
    if edit == "add":
        return text + ("  s9999:\n    image: public.ecr.aws/example/s9999:1.0\n"
                       "    ports: [{ name: http, port: 8080, appProtocol: http }]\n"
                       f"    calls: [{early[len(early) // 2]}]\n")
    candidates = [s for s in early if s not in called and s != "web"] if edit == "remove" else early
    victim = rng.choice(candidates)
    if edit == "change":
        image = services[victim]["image"]
        return text.replace(f"image: {image}\n", f"image: {image}-patched\n", 1)
    out, skip = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("  ") and not line.startswith("    "):
            skip = line.strip() == f"{victim}:"
        if not skip:
            out.append(line)
    return "".join(out)


@pytest.mark.slow
def test_one_service_edit_moves_no_other_service(tmp_path: Path) -> None:
    """A service that changes child stacks is replaced (created in the new stack, then deleted from
    the old): adding, removing or changing one service of a 200-service app in four child stacks
    (a random one of each) moves no other."""
    import shutil

    from scc.front.spec import load

    text = _light(200)  # four child stacks (300 make six): the same boundaries to cross, in half the time
    spec = tmp_path / "mesh.yaml"
    spec.write_text(text)
    base = tmp_path / "base"
    assert build([str(spec)], base, lint=False).ok
    before = _placement(base)
    assert len(set(before.values())) >= 4
    services = load(str(spec))[0].data["services"]
    (unit,) = check(str(spec))
    assert unit[1] is not None
    waves = [name for wave in unit[1].waves for name in wave]
    early = waves[len(waves) // 3: 2 * len(waves) // 3]
    for edit, grows in (("add", 2), ("remove", -2), ("change", 0)):
        spec.write_text(_edited(text, services, early, edit))
        if edit == "add":  # the control: packed afresh, this edit moves services
            fresh = tmp_path / "fresh"
            assert build([str(spec)], fresh, lint=False).ok
            assert any(_placement(fresh).get(k, v) != v for k, v in before.items())
        out = tmp_path / edit
        shutil.copytree(base, out)
        result = build([str(spec)], out, lint=False)
        assert result.ok, [d.render() for d in result.diagnostics][:3]
        after = _placement(out)
        assert {k: (v, after[k]) for k, v in before.items() if k in after and after[k] != v} == {}, edit
        assert len(after) == len(before) + grows, edit
