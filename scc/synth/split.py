"""Stage split: one compiled template (as data) -> a root template and nested child stacks, when
it would exceed CloudFormation's per-template limits (or when asked to).

The root keeps the app-wide resources (cluster, namespace, load balancer, listeners) and one
AWS::CloudFormation::Stack per child. Services go to children in creation order (the plan's
waves, as `scc graph` shows them), so a child only ever refers to the root or to earlier children: every reference
across templates becomes a child parameter fed by the root (a root resource, or an earlier
child's output), and a DependsOn across templates becomes a DependsOn between the stacks."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from scc.limits import MAX_BYTES, MAX_CHILD_RESOURCES, MAX_OUTPUTS, MAX_RESOURCES
from scc.plan import Plan
from scc.synth.read import references

# Which service's stack a resource belongs to (None: the root), as the families said.
Owners = dict[str, str | None]


@dataclass
class Child:
    name: str  # logical id of its AWS::CloudFormation::Stack in the root
    services: list[str] = field(default_factory=list)
    resources: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> value passed by the root
    outputs: dict[str, Any] = field(default_factory=dict)  # name -> value inside the child
    after: set[str] = field(default_factory=set)  # root-level DependsOn of its stack


@dataclass(frozen=True)
class Split:
    root: dict[str, Any]
    children: list[tuple[str, dict[str, Any]]]  # (file stem, template)


def over_counts(template: dict[str, Any]) -> bool:
    return len(template.get("Resources", {})) > MAX_RESOURCES or len(template.get("Outputs", {})) > MAX_OUTPUTS


def needed(template: dict[str, Any], text: str) -> bool:
    return over_counts(template) or len(text.encode()) > MAX_BYTES


def _groups(plan: Plan, template: dict[str, Any], owners: Owners,
            previous: dict[str, int] | None = None) -> list[tuple[int, list[str]]]:
    """(stack index, services) in creation order, each stack at most MAX_CHILD_RESOURCES resources.
    With the placement of the previous build (service -> stack index), every service stays in its
    stack when it still fits there and comes after the stacks of the services it waits for: a
    service that changes stacks is replaced by CloudFormation (created anew, then deleted), which a
    Service Connect server cannot survive. New services go to the first stack with room after the
    ones they wait for, room being what the staying services leave; stacks keep their index (and
    name) even when another one empties."""
    count: dict[str, int] = {}
    for logical_id in template["Resources"]:
        owner = owners.get(logical_id)
        if owner is not None:
            count[owner] = count.get(owner, 0) + 1
    previous = previous or {}
    known = {name for wave in plan.waves for name in wave}
    slots = max((i for n, i in previous.items() if n in known), default=-1) + 1
    stacks: list[list[str]] = [[] for _ in range(slots)]
    sizes = [0] * slots
    reserved = [0] * slots  # what the services placed there last time will need
    for name, i in previous.items():
        if name in known:
            reserved[i] += count.get(name, 0)
    placed: dict[str, int] = {}
    for wave in plan.waves:
        for name in wave:
            need = count.get(name, 0)
            earliest = max((placed[d] for d, _ in plan.ordering.get(name, ()) if d in placed), default=0)
            want = previous.get(name) if name in known else None
            if want is not None:
                reserved[want] -= need
            if want is not None and want >= earliest and sizes[want] + reserved[want] + need <= MAX_CHILD_RESOURCES:
                index = want
            else:
                # Without a previous placement: the last stack, as a build from scratch packs them.
                start = max(earliest, len(stacks) - 1) if not previous else earliest
                index = next((i for i in range(max(start, 0), len(stacks))
                              if sizes[i] + reserved[i] + need <= MAX_CHILD_RESOURCES), len(stacks))
                if index == len(stacks):
                    stacks.append([])
                    sizes.append(0)
                    reserved.append(0)
            stacks[index].append(name)
            sizes[index] += need
            placed[name] = index
    return [(i, s) for i, s in enumerate(stacks) if s]


def split(plan: Plan, template: dict[str, Any], owners: Owners, stem: str,
          previous: dict[str, int] | None = None) -> Split:
    resources: dict[str, Any] = template["Resources"]
    parameters: dict[str, Any] = template.get("Parameters", {})
    children = [Child(f"Stack{i + 1}", services=group) for i, group in _groups(plan, template, owners, previous)]
    home: dict[str, Child | None] = {}  # logical id -> its child (None: the root)
    by_service = {name: child for child in children for name in child.services}
    for logical_id in resources:
        owner = owners.get(logical_id)
        home[logical_id] = by_service.get(owner) if owner else None
    # An ingress rule between two services lives in the later of their two children.
    order = {c.name: i for i, c in enumerate(children)}
    for logical_id, res in resources.items():
        if res["Type"] in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress") \
                and home[logical_id] is not None:
            places = [p for r in references(res["Properties"]) if r in resources and (p := home.get(r)) is not None]
            if places:
                home[logical_id] = max(places, key=lambda c: order[c.name])

    root_resources = {k: v for k, v in resources.items() if home[k] is None}
    for child in children:
        child.resources = {k: copy.deepcopy(v) for k, v in resources.items() if home[k] is child}

    def reference(child: Child, target: str, attribute: str | None) -> dict[str, Any]:
        """What a child writes for a Ref/GetAtt to something outside it: a parameter."""
        param = f"{target}{attribute.replace('.', '') if attribute else ''}"
        if param not in child.parameters:
            where = home.get(target)
            if target in parameters:
                value: Any = {"Ref": target}
                if parameters[target]["Type"].startswith("List<"):
                    value = {"Fn::Join": [",", {"Ref": target}]}
            elif where is None:
                value = {"Fn::GetAtt": [target, attribute]} if attribute else {"Ref": target}
            else:
                output = param
                where.outputs[output] = {"Fn::GetAtt": [target, attribute]} if attribute else {"Ref": target}
                value = {"Fn::GetAtt": [where.name, f"Outputs.{output}"]}
            child.parameters[param] = value
        return {"Ref": param}

    def rewrite(child: Child, value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Ref"} and value["Ref"] not in child.resources and not value["Ref"].startswith("AWS::"):
                return reference(child, value["Ref"], None)
            if set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] not in child.resources:
                return reference(child, value["Fn::GetAtt"][0], value["Fn::GetAtt"][1])
            return {k: rewrite(child, v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(child, v) for v in value]
        return value

    for child in children:
        for res in child.resources.values():
            res["Properties"] = rewrite(child, res.get("Properties", {}))
            depends = res.pop("DependsOn", [])
            inside = [d for d in depends if d in child.resources]
            if inside:
                res["DependsOn"] = inside
            for d in depends:
                if d not in child.resources:  # another child's resource: wait for that stack; a root one: for it
                    other = home.get(d)
                    child.after.add(other.name if other is not None else d)

    outputs = {}
    for name, out in template.get("Outputs", {}).items():
        targets = references(out["Value"])
        where = next((home[t] for t in targets if home.get(t) is not None), None)
        if where is None:
            outputs[name] = out
        else:  # a service's output stays in its own stack: the root keeps the app-wide ones
            where.outputs[name] = out["Value"]

    description = template.get("Description", "")
    for child in children:
        # What its parameters refer to is waited for anyway; DependsOn names only the rest
        # (cfn-lint warns about redundant dependencies, W3005).
        after = sorted(child.after - references(list(child.parameters.values())))
        root_resources[child.name] = {
            "Type": "AWS::CloudFormation::Stack",
            **({"DependsOn": after} if after else {}),
            "Properties": {
                "TemplateURL": f"{stem}/{child.name}.yaml",
                **({"Parameters": dict(sorted(child.parameters.items()))} if child.parameters else {}),
            },
        }
    root = {**{k: v for k, v in template.items() if k not in ("Resources", "Outputs")},
            "Resources": root_resources, "Outputs": outputs}
    files = []
    for child in children:
        data: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"{description[:900]} - services {', '.join(child.services)[:80]}",
        }
        if child.parameters:
            data["Parameters"] = {p: {"Type": _param_type(p, parameters)} for p in sorted(child.parameters)}
        data["Resources"] = child.resources
        if child.outputs:
            data["Outputs"] = {k: {"Value": v} for k, v in sorted(child.outputs.items())}
        files.append((child.name, data))
    return Split(root, files)


def _param_type(name: str, parameters: dict[str, Any]) -> str:
    return parameters[name]["Type"] if name in parameters else "String"
