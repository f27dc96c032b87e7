"""Incremental and parallel lint (issue 21): findings kept per resource, the rest linted in parts on
every core, always exactly what cfn-lint reports on the whole template; and a cache that a corrupt
or foreign entry can only slow down, never crash nor pass (issue 19)."""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

from scc.synth import cfnlint_engine, lintcache, lintparts, lintrun
from scc.synth.lint import Job, lint_all, run_cfn_lint
from scc.synth.read import load_template
from scc.synth.render import render
from tests.conftest import ROOT

REGIONS = ("us-east-1",)


def _base() -> dict[str, Any]:
    """A real template (orders: gRPC, blue-green, an existing VPC) plus two subnets whose CIDRs
    overlap: a finding of a cfn-lint rule that carries state from one resource to the next."""
    data: dict[str, Any] = load_template((ROOT / "templates_out" / "orders.yaml").read_text())
    for i in (1, 2):
        data["Resources"][f"Net{i}"] = {"Type": "AWS::EC2::Subnet",
                                        "Properties": {"VpcId": "vpc-0123456789abcdef0", "CidrBlock": "10.0.0.0/16"}}
    return data


def _edit(data: dict[str, Any], rng: random.Random) -> str:
    """One random edit of the kinds a spec change or a bug makes; returns what it did."""
    res = data["Resources"]
    name = rng.choice(sorted(res))
    props = res[name].setdefault("Properties", {})
    kind = rng.choice(["value", "bad value", "unknown property", "dangling ref", "delete", "rename", "type",
                       "subnet", "parameter", "depends"])
    if kind == "value":
        props["Tags"] = [{"Key": "edit", "Value": str(rng.random())}]
    elif kind == "bad value":
        groups = [n for n, r in res.items() if r["Type"] == "AWS::Logs::LogGroup"]
        if groups:
            res[rng.choice(groups)]["Properties"]["RetentionInDays"] = rng.choice([31, 14, 30])
    elif kind == "unknown property":
        props[f"Bogus{rng.randint(0, 3)}"] = "x"
    elif kind == "dangling ref":
        groups = [n for n, r in res.items() if r["Type"] == "AWS::Logs::LogGroup"]
        if groups:
            res[rng.choice(groups)]["Properties"]["LogGroupName"] = {"Ref": rng.choice(["Nowhere", *sorted(res)])}
    elif kind == "delete" and len(res) > 10:
        del res[name]
    elif kind == "rename":
        res[f"{name}X"] = res.pop(name)
    elif kind == "type":
        res[name]["Type"] = rng.choice(["AWS::SNS::Topic", "AWS::SQS::Queue"])
    elif kind == "subnet":
        subnets = [n for n, r in res.items() if r["Type"] == "AWS::EC2::Subnet"]
        if subnets:
            res[rng.choice(subnets)]["Properties"]["CidrBlock"] = rng.choice(["10.0.0.0/16", "10.1.0.0/16"])
    elif kind == "parameter":
        params = data.setdefault("Parameters", {})
        params[f"P{rng.randint(0, 2)}"] = {"Type": "String", "Default": str(rng.random())}
    elif kind == "depends":
        res[name]["DependsOn"] = [rng.choice(["Nowhere", *sorted(res)])]
    return f"{kind} {name}"


@pytest.mark.slow
def test_incremental_lint_is_full_lint_over_random_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path / "cache"))
    validated: list[int] = []
    real = cfnlint_engine.run

    def counting(eng: Any, data: Any, regions: Any, ignore: Any, selection: Any, descent_only: bool = False) -> Any:
        validated.append(len(data["Resources"]) if selection is None else len(selection))
        return real(eng, data, regions, ignore, selection, descent_only)

    monkeypatch.setattr(cfnlint_engine, "run", counting)
    rng = random.Random(21)
    data = _base()
    history = []
    for _ in range(10):
        text = render(data, "orders.yaml")
        job = Job(text, REGIONS, (), {})
        full = run_cfn_lint(job)
        validated.clear()
        (incremental,) = lintrun.findings([(text, REGIONS, job.cfn_ignore, job.settings)]) or [None]
        assert incremental == full, f"after {history}"
        if history and history[-1].split()[0] in ("value", "bad", "unknown", "subnet", "dangling", "depends"):
            assert sum(validated) < len(data["Resources"]), f"{history[-1]} validates only what it touched"
        history.append(_edit(data, rng))
    assert any(f[0] == "E3060" for f in full) or "subnet" in " ".join(history)


def test_findings_move_with_their_resource(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept findings carry lines relative to their resource: an edit above it shifts them right."""
    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path / "cache"))
    data = _base()
    data["Resources"]["Zz"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 31}}
    for extra in ([], [{"Key": "a", "Value": "b"}] * 5):
        first = next(iter(data["Resources"].values()))
        first.setdefault("Properties", {})["Tags"] = extra
        text = render(data, "orders.yaml")
        job = Job(text, REGIONS, (), {})
        assert lintrun.findings([(text, REGIONS, job.cfn_ignore, job.settings)]) == [run_cfn_lint(job)]


@pytest.mark.slow
def test_parts_of_one_template_on_two_cores_are_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCC_CACHE_DIR", "")
    monkeypatch.setattr(lintrun, "PARALLEL_FROM", 0)
    monkeypatch.setattr(lintrun, "_lanes", lambda: 2)
    data = _base()
    for name in ("ApiLogGroup", "ZLogGroup"):
        data["Resources"][name] = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 31}}
    texts = [render(data, "orders.yaml"), (ROOT / "templates_out" / "shop.yaml").read_text()]
    jobs = [Job(text, REGIONS, (), {}) for text in texts]
    found = lintrun.findings([(j.text, REGIONS, j.cfn_ignore, j.settings) for j in jobs])
    assert found == [run_cfn_lint(j) for j in jobs]
    assert sum(f[0] == "E3030" for f in found[0]) == 2


def test_schedule_validates_each_resource_once_and_each_template_whole_once() -> None:
    templates = [lintrun.Template(REGIONS, [], None, "o", {}, {}, {f"R{t}{i}": 100 + 37 * i for i in range(n)})
                 for t, n in enumerate((40, 3, 25))]
    for lanes in (1, 2, 3):
        units = [u for lane in lintrun.schedule(templates, lanes) for u in lane]
        for i, t in enumerate(templates):
            mine = [u for u in units if u.template == i]
            assert sum(u.whole for u in mine) == 1
            names = [n for u in mine for n in u.selection]
            assert sorted(names) == sorted(t.sizes)


def test_a_resource_key_follows_what_it_refers_to() -> None:
    data = {"Parameters": {"P": {"Type": "String"}},
            "Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${B.TopicName}"}}},
                          "B": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "C"}}},
                          "C": {"Type": "AWS::SQS::Queue"},
                          "D": {"Type": "AWS::SQS::Queue", "DependsOn": ["C"]},
                          "N": {"Type": "AWS::EC2::Subnet"}}}
    outline, before = lintparts.keys(data, "s", frozenset({"AWS::EC2::Subnet"}))
    assert before["N"] is None  # a type a stateful rule reads: linted every time
    edited = copy.deepcopy(data)
    edited["Resources"]["C"]["Properties"] = {"DelaySeconds": 5}
    same_outline, after = lintparts.keys(edited, "s", frozenset({"AWS::EC2::Subnet"}))
    assert same_outline == outline
    assert {n for n in before if before[n] != after[n]} == {"A", "B", "C"}  # D only depends on C
    assert lintparts.keys(data, "other settings", frozenset())[0] != outline
    assert all(k is None for k in lintparts.keys(data, "s", None)[1].values())


BROKEN = (ROOT / "templates_out" / "shop.yaml").read_text().replace("RetentionInDays: 30", "RetentionInDays: 31", 1)


@pytest.fixture(scope="module")
def good_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """A cache holding the entries of BROKEN (and of yelb, for foreign entries), made once, and
    BROKEN's findings: every spoiling below starts from a copy of it."""
    folder = tmp_path_factory.mktemp("good-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCC_CACHE_DIR", str(folder))
        expected = lint_all([Job(BROKEN, REGIONS, (), {})])
        lint_all([Job((ROOT / "templates_out" / "yelb.yaml").read_text(), REGIONS, (), {})])
    return folder, expected


@pytest.mark.parametrize("spoil", ["empty list", "other shape", "not json", "foreign", "edited", "no findings"])
def test_a_bad_cache_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: str,
                                     good_cache: tuple[Path, list[Any]]) -> None:
    import shutil

    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path))
    job = Job(BROKEN, REGIONS, (), {})
    folder, expected = good_cache
    assert [d.code for d in expected[0]] == ["SCC901"]
    other = Job((ROOT / "templates_out" / "yelb.yaml").read_text(), REGIONS, (), {})
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    assert {p.name for p in tmp_path.glob("*.json")} >= {f"{job.key}.json", f"{other.key}.json"}
    for path in tmp_path.glob("*.json"):  # every entry of the template and of its resources
        data = json.loads(path.read_text())
        if spoil == "empty list":
            text = "[]"
        elif spoil == "other shape":
            text = json.dumps({"format": lintcache.FORMAT, "key": data["key"], "entry": [1, 2],
                               "entries": {k: {"findings": "x"} for k in data.get("entries", {})}})
        elif spoil == "not json":
            text = path.read_text()[:40]
        elif spoil == "foreign":  # another template's entries, under this template's names
            text = (tmp_path / f"{other.key}.json").read_text() if "entry" in data else json.dumps(
                {**data, "entries": {k: {"findings": [], "digest": v["digest"]} for k, v in data["entries"].items()}})
        elif spoil == "edited":
            text = path.read_text().replace("E3030", "W9999").replace("31", "30")
        else:
            text = json.dumps({**data, "entry": {"findings": [], "digest": "0" * 64},
                               "entries": {k: {"findings": []} for k in data.get("entries", {})}})
        path.write_text(text)
    assert lint_all([job]) == expected
    assert lint_all([job]) == expected  # and what the miss wrote back is good


# Findings of many rules (conditions, Fn::If, Sub, GetAtt, ranges, enums, types, outputs...): what
# a shortcut that made a validator wrongly would change.
MANY_FINDINGS = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, AllowedValues: [prod, dev], Default: dev}
  Unused: {Type: String}
  Count: {Type: Number, Default: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Condition: IsProd
    Properties:
      RetentionInDays: !If [IsProd, 31, 7]
      LogGroupName: !Sub "${Nowhere}-logs"
  Queue:
    Type: AWS::SQS::Queue
    DependsOn: [Ghost]
    Properties:
      DelaySeconds: 901
      MaximumMessageSize: "lots"
      QueueName: !If [IsProd, !Ref Logs, !Ref AWS::NoValue]
      Bogus: x
      Tags: [{Key: a, Value: b}, {Key: a, Value: b}]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt Queue.Nope
      Subscription: [{Protocol: carrier-pigeon, Endpoint: x}]
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allowed, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]
      RoleName: 'x'
      MaxSessionDuration: 100
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Ref Count
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 99999, ToPort: 80, CidrIp: 10.0.0.0/33}]
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Cpu: '3'
      Memory: '512'
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions: [{Name: app, Image: x, PortMappings: [{ContainerPort: 70000, AppProtocol: http}]}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Task
      LaunchType: FARGATE
      DesiredCount: -1
      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1], AssignPublicIp: MAYBE}}
Outputs:
  Where:
    Value: !GetAtt Logs.Arn
  Bad:
    Value: !Ref Nothing
"""

_CLEAN_CFN_LINT = """\
import json, sys
from scc.synth import cfnlint_memo
from scc.synth.lint import Job, run_cfn_lint
jobs = [Job(t, tuple(r), tuple(i), {}) for t, r, i in json.load(sys.stdin)]
found = [run_cfn_lint(j) for j in jobs]
assert not cfnlint_memo._installed, "the reference must be cfn-lint as it is"
assert "sympy.polys" in sys.modules, "and sympy imported as it is"
json.dump(found, sys.stdout)
"""

# scc's engine in a fresh interpreter, as a build's lint worker starts: first the templates
# without conditions (sympy stays partial), then those with (sympy is made whole first).
_SCC_ENGINE = """\
import json, sys
from scc.synth import cfnlint_engine, cfnlint_memo, lintrun
from scc.synth.lint import Job
batches = [[Job(t, tuple(r), tuple(i), {}) for t, r, i in batch] for batch in json.load(sys.stdin)]
found, partial = [], []
for batch in batches:
    found += lintrun.findings([(j.text, j.regions, j.cfn_ignore, j.settings) for j in batch])
    partial.append("__getattr__" in vars(sys.modules["sympy"]))
assert cfnlint_memo._installed == [True] and cfnlint_engine.engine() is not None
json.dump({"found": found, "partial": partial}, sys.stdout)
"""


def _in_python(script: str, data: Any) -> Any:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(data), capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "SCC_CACHE_DIR": ""})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.mark.slow
def test_findings_are_cfn_lints_own_from_a_clean_interpreter() -> None:
    """The engine's shortcuts (validator classes made once, switched-off rules not run, per-resource
    checks that find nothing not called, only the parts of sympy cfn-lint uses until a template has
    conditions) change no finding: the same templates, linted by cfn-lint itself in an interpreter
    where scc changed nothing, give exactly the same findings."""
    rng = random.Random(7)
    data = _base()
    plain = [MANY_FINDINGS.split("Conditions:")[0] + "Resources:" + MANY_FINDINGS.split("Resources:", 1)[1], BROKEN]
    for _ in range(6):
        _edit(data, rng)
        plain.append(render(data, "orders.yaml"))
    settings = [(REGIONS, ()), (["us-east-1", "eu-west-1"], ["W3005"]), (REGIONS, ["E3"])]
    batches = [[[t, *settings[i % len(settings)]] for i, t in enumerate(texts)]
               for texts in (plain, [MANY_FINDINGS, plain[2]])]
    ours = _in_python(_SCC_ENGINE, batches)
    reference = _in_python(_CLEAN_CFN_LINT, [job for batch in batches for job in batch])
    assert ours["found"] == reference
    assert ours["partial"] == [True, False], "sympy partial without conditions, whole with them"
    first, conditional = ours["found"][0], ours["found"][len(plain)]
    assert len({f[0] for f in first}) >= 15 and len({f[0] for f in conditional}) >= 15
    assert {"W1028", "W8001"} <= {f[0] for f in conditional}  # conditions were read (Fn::If, unused)


def _boom() -> None:
    raise RuntimeError("a head start that fails")


def test_templates_sent_ahead_are_planned_once_and_lint_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the build sends ahead while it renders (scc/synth/lintrun.py `ahead`) is what the final
    lint uses; a template not sent ahead, or sent twice, is planned as before; same findings."""
    monkeypatch.setenv("SCC_CACHE_DIR", "")
    planned: list[str] = []
    real = lintrun._plan

    def counting(eng: Any, text: str, *rest: Any) -> Any:
        planned.append(text)
        return real(eng, text, *rest)

    monkeypatch.setattr(lintrun, "_plan", counting)
    shop = (ROOT / "templates_out" / "shop.yaml").read_text()
    jobs = [Job(t, REGIONS, (), {}) for t in (BROKEN, shop, BROKEN)]
    texts = [(j.text, j.regions, j.cfn_ignore, j.settings) for j in jobs]
    lintrun.ahead(*texts[0])
    assert planned == [BROKEN]
    found = lintrun.findings(texts)
    assert planned == [BROKEN, shop, BROKEN]  # the second BROKEN was not sent ahead: planned then
    assert found == [run_cfn_lint(j) for j in jobs] and not lintrun._ahead


def test_a_worker_survives_a_failed_head_start_and_answers_the_call() -> None:
    from scc.synth import lintworker

    worker = lintworker.Worker()
    worker.ahead(_boom, ())
    worker.ahead(len, ("x" * 300_000,))  # larger than a pipe holds: sent from the thread
    assert worker.call(len, ("abc",), lambda: None) == 3
    assert not worker._proc.is_alive() and not worker._sender.is_alive()
