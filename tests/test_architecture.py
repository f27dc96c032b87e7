"""The shape of the compiler, checked: data flows one way through the stages (no module imports a
later stage), the families build what the plan resolved (they import no resolver and hold no
assertions about what rules accepted), and every logical id and reference in the output is one the
naming module and the nested-stack split know about."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from scc.limits import MAX_LISTENER_CERTIFICATES
from scc.naming import EXPOSURE_KINDS, Ids, LbIds, shared_ids
from tests.conftest import ROOT, load_template

SCC = ROOT / "scc"
# The stages in pipeline order; a module may import its own stage and earlier ones. Modules
# outside the stages (codes, diagnostics, naming, limits) hold facts every stage reads.
STAGES = ("front", "model", "plan", "rules", "families", "synth", "tools")
SHARED = {"codes", "diagnostics", "naming", "limits", "__init__", "__main__"}
TOP = {"pipeline", "cli"}  # they run the stages


def _stage(module: str) -> str | None:
    """`scc.plan.routing` -> plan; shared modules -> None."""
    parts = module.split(".")
    if parts[0] != "scc" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in STAGES else None


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out += [node.module] + [f"{node.module}.{a.name}" for a in node.names if node.module == "scc"]
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return [m for m in out if m.startswith("scc.")]


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


MODULES = sorted(SCC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_stage_imports_a_later_one(path: Path) -> None:
    name = _module(path)
    own = _stage(name)
    if path.stem in TOP and own is None:
        return
    rank = STAGES.index(own) if own else -1  # shared modules may import only the front (the schema)
    later = [m for m in _imports(path) if (s := _stage(m)) is not None and STAGES.index(s) > max(rank, 0)]
    assert later == [], f"{name} ({own or 'shared'}) imports later stages: {later}"


def test_families_build_only_what_the_plan_resolved() -> None:
    resolvers = ("scc.plan.build", "scc.plan.calls", "scc.plan.routing", "scc.plan.scaling", "scc.rules")
    for path in [*(SCC / "families").glob("*.py"), SCC / "synth" / "template.py"]:
        tree = ast.parse(path.read_text())
        asserts = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert asserts == [], f"{path.name}: assert on lines {asserts}: families trust the plan"
        found = [m for m in _imports(path) if m.startswith(resolvers)]
        assert found == [], f"{path.name} imports a resolver: {found}"


def _templates() -> list[Path]:
    return sorted([*(ROOT / "tests" / "golden").glob("*/expected.yaml"), *(ROOT / "templates_out").rglob("*.yaml")])




def _subs(value: Any) -> list[str]:
    if isinstance(value, dict):
        here = [value["Fn::Sub"]] if isinstance(value.get("Fn::Sub"), str) else []
        return here + [s for v in value.values() for s in _subs(v)]
    if isinstance(value, list):
        return [s for v in value for s in _subs(v)]
    return []


def _user_ids(template: Path) -> set[str]:
    """The ids a golden spec's `overrides.resources` add: the user's, not scc's to reserve."""
    from scc.front.spec import load

    spec = template.parent / "spec.yaml"
    if not spec.exists():
        return set()
    data = load(str(spec))[0].data or {}
    layers = [data.get("overrides", {})] + [e.get("overrides", {}) for e in data.get("environments", {}).values()]
    return {k for layer in layers for k in layer.get("resources", {})}


def test_every_logical_id_is_one_naming_reserves() -> None:
    """SCC308 reserves each service's ids from naming's table: a family that makes an id the table
    does not know would escape the collision check."""
    pattern = re.compile(r"(IngressFrom[A-Za-z0-9]+Port\d+|EgressTo[A-Za-z0-9]+Port\d+)$")
    for path in _templates():
        data = load_template(path.read_text())
        if path.parent.name != "templates_out" and path.parent.parent.name == "templates_out":
            continue  # nested stacks' children: their ids are the root's app's
        # Every service's and job's base: each has a task definition (an external-controller service
        # has none, but has its ECS service).
        services = sorted({k[: -len("Service")] for k, v in data.get("Resources", {}).items()
                           if v["Type"] == "AWS::ECS::Service"}
                          | {k[: -len("TaskDefinition")] for k, v in data.get("Resources", {}).items()
                             if v["Type"] == "AWS::ECS::TaskDefinition"})
        known = set(shared_ids()) | _user_ids(path)
        resources = data.get("Resources", {})
        for name, res in resources.items():  # each load balancer's ids, for the listeners it has
            if res["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer":
                lb = LbIds("x")
                lb.base = name.removesuffix("LoadBalancer")
                listeners = [(v["Properties"]["Port"], v["Properties"]["Protocol"]) for v in resources.values()
                             if v["Type"] == "AWS::ElasticLoadBalancingV2::Listener"]
                known |= set(lb.all(listeners, MAX_LISTENER_CERTIFICATES))
            if res["Type"] == "AWS::ElasticLoadBalancingV2::ListenerCertificate" and isinstance(
                    res["Properties"]["ListenerArn"], str):  # on an existing listener
                known.add(name)
        for base in services:
            ids = Ids("x")
            ids.base = base
            known |= set(ids.all())
            # Exposures beyond the first on `public` are named by load balancer and port.
            known |= {k for k in resources if re.fullmatch(
                rf"{base}[A-Z][A-Za-z0-9]*\d+(Route\d+)?({'|'.join(EXPOSURE_KINDS)})", k)}
        stray = [k for k, v in data.get("Resources", {}).items()
                 if k not in known and not pattern.search(k) and v["Type"] != "AWS::CloudFormation::Stack"]
        assert stray == [], f"{path}: logical ids naming does not reserve: {stray}"


def test_fn_sub_names_only_pseudo_parameters() -> None:
    """The nested-stack split follows Ref and GetAtt; a resource named inside Fn::Sub would be missed."""
    for path in _templates():
        data = load_template(path.read_text())
        for text in _subs(data):
            names = re.findall(r"\$\{([^}!][^}]*)\}", text)
            assert all(n.startswith("AWS::") for n in names), f"{path}: Fn::Sub {text!r} names a resource"
