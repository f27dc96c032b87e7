"""`scc plan`: what deploying a build would do to what is deployed, per resource — create, update
in place, replace, delete — with the properties behind each. Replacement comes from the
CloudFormation resource schemas cfn-lint ships (their `createOnlyProperties`), not from a list
kept by hand, and cascades to resources whose create-only properties refer to a replaced one. On
top of that, what ECS does that CloudFormation's schemas do not say (spec-1.1 section 6):
- an ECS service that publishes Service Connect endpoints cannot be replaced (or moved to another
  stack, or renamed) while the old one holds its discovery names: the new one is created first;
- ECS rejects a changed appProtocol of a published port;
- a replaced target group has no targets until tasks register; a deleted load balancer takes its
  DNS name along, a deleted queue its messages.
Pure: reads two sets of template texts and returns the changes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from scc.synth.read import load_template, references

STACK = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class Change:
    logical_id: str
    type: str
    action: str  # create | update | replace | delete
    properties: tuple[str, ...]  # the properties behind it (create-only ones for a replace)
    stack: str  # the template that holds it (after the change; before, for a delete)
    severity: str = ""  # "", "warning" or "error": ECS's verdict on top of CloudFormation's
    note: str = ""


@cache
def _schemas() -> dict[str, str]:
    import importlib.util

    # Where cfn-lint's data is, without importing it (half a second: sympy, networkx, its rules).
    spec = importlib.util.find_spec("cfnlint")
    assert spec is not None and spec.submodule_search_locations, "cfn-lint is a dependency of scc"
    base = FsPath(next(iter(spec.submodule_search_locations))) / "data" / "schemas"
    with open(base / "providers" / "us-east-1.json", encoding="utf-8") as f:
        return {k: str(base / "resources" / f"{v}.json") for k, v in json.load(f).items()}


@cache
def create_only(resource_type: str) -> frozenset[str]:
    """The top-level properties a change of which replaces the resource (CloudFormation's schema)."""
    path = _schemas().get(resource_type)
    if path is None:
        return frozenset()
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    return frozenset(p.split("/")[2] for p in schema.get("createOnlyProperties", []) if p.startswith("/properties/"))


def resources(files: dict[str, str], read: dict[str, Any] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Logical id -> (template, resource) over a root template and its nested stacks. `read` keeps
    what each text parsed to: a template that did not change is read once, not once per side."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    read = {} if read is None else read
    for name in sorted(files):
        text = files[name]
        if text not in read:
            read[text] = load_template(text) or {}
        data = read[text]
        for logical_id, res in (data.get("Resources") or {}).items():
            if res.get("Type") != STACK:
                out[logical_id] = (name, res)
    return out


def _discovery_names(res: dict[str, Any]) -> set[str]:
    config = (res.get("Properties") or {}).get("ServiceConnectConfiguration") or {}
    return {s.get("DiscoveryName") or s.get("PortName") for s in config.get("Services") or []} - {None}


def _app_protocols(res: dict[str, Any]) -> dict[str, str]:
    ports: dict[str, str] = {}
    for c in (res.get("Properties") or {}).get("ContainerDefinitions") or []:
        for m in c.get("PortMappings") or []:
            if m.get("Name"):
                ports[m["Name"]] = m.get("AppProtocol", "tcp")
    return ports


def compare(old_files: dict[str, str], new_files: dict[str, str], read: dict[str, Any] | None = None) -> list[Change]:
    """What CloudFormation does going from the old templates to the new ones. `read`: texts
    already parsed (by the build, which reads the previous templates first); nothing in it is
    changed."""
    read = {} if read is None else read
    old, new = resources(old_files, read), resources(new_files, read)
    changes: dict[str, Change] = {}
    for logical_id, (stack, res) in new.items():
        kind = str(res.get("Type"))
        if logical_id not in old:
            changes[logical_id] = Change(logical_id, kind, "create", (), stack)
            continue
        before_stack, before = old[logical_id]
        if before.get("Type") != kind:
            changes[logical_id] = Change(logical_id, kind, "replace", ("Type",), stack)
            continue
        a, b = before.get("Properties") or {}, res.get("Properties") or {}
        changed = tuple(sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
        if before_stack != stack:
            changes[logical_id] = Change(logical_id, kind, "replace", changed, stack,
                                         note=f"moves from {before_stack} to {stack}: CloudFormation creates it "
                                         "in the new stack before it deletes the old one")
        elif any(k in create_only(kind) for k in changed):
            changes[logical_id] = Change(logical_id, kind, "replace",
                                         tuple(k for k in changed if k in create_only(kind)), stack)
        elif changed or before.get("DependsOn") != res.get("DependsOn"):
            changes[logical_id] = Change(logical_id, kind, "update", changed, stack)
    for logical_id, (stack, res) in old.items():
        if logical_id not in new:
            changes[logical_id] = Change(logical_id, str(res.get("Type")), "delete", (), stack)
    _cascade(changes, new)
    return _judged(changes, old, new)


def _cascade(changes: dict[str, Change], new: dict[str, tuple[str, dict[str, Any]]]) -> None:
    """A create-only property that refers to a replaced resource gets a new value: its resource is
    replaced too (a security group in a new VPC, a target group of a new ...)."""
    grew = True
    while grew:
        grew = False
        replaced = {k for k, c in changes.items() if c.action in ("replace", "create")}
        for logical_id, (stack, res) in new.items():
            current = changes.get(logical_id)
            if current is not None and current.action in ("replace", "create"):
                continue
            props = res.get("Properties") or {}
            behind = tuple(k for k in sorted(create_only(str(res.get("Type")))) if references(props.get(k)) & replaced)
            if behind:
                changes[logical_id] = Change(logical_id, str(res.get("Type")), "replace", behind, stack,
                                             note="refers to a replaced resource in a create-only property")
                grew = True
    # Any other property that refers to a replaced resource gets its new id or ARN: an update.
    replaced = {k for k, c in changes.items() if c.action == "replace"}
    for logical_id, (stack, res) in new.items():
        if logical_id in changes:
            continue
        props = res.get("Properties") or {}
        behind = tuple(k for k in sorted(props) if references(props[k]) & replaced)
        if behind:
            changes[logical_id] = Change(logical_id, str(res.get("Type")), "update", behind, stack,
                                         note="refers to a replaced resource")


def _judged(changes: dict[str, Change], old: dict[str, tuple[str, dict[str, Any]]],
            new: dict[str, tuple[str, dict[str, Any]]]) -> list[Change]:
    out = []
    # Discovery names held by the ECS services that stay (or are deleted only after the create).
    held = {name: logical_id for logical_id, (_, res) in old.items() if res.get("Type") == "AWS::ECS::Service"
            for name in _discovery_names(res)}
    for logical_id in sorted(changes, key=lambda k: (changes[k].stack, k)):
        c = changes[logical_id]
        if c.type == "AWS::ECS::Service" and c.action in ("replace", "create"):
            names = _discovery_names(new[logical_id][1])
            clash = sorted(n for n in names if n in held and (held[n] != logical_id or c.action == "replace"))
            if clash:
                old_id = held[clash[0]]
                who = "the old service" if old_id == logical_id else f"{old_id}, which it replaces,"
                c = Change(c.logical_id, c.type, c.action, c.properties, c.stack, "error",
                           f"{who} still holds the Service Connect discovery name(s) "
                           f"{', '.join(clash)}: ECS creates the new service first and refuses them (the "
                           "names are unique per namespace). Give the ports new discoveryName values in the "
                           "same edit, or deploy the removal first." + (f" (It {c.note}.)" if c.note else ""))
        elif c.type == "AWS::ECS::TaskDefinition" and c.action == "replace" and logical_id in old:
            service = logical_id.removesuffix("TaskDefinition") + "Service"
            published = _discovery_ports(old.get(service))
            before, after = _app_protocols(old[logical_id][1]), _app_protocols(new[logical_id][1])
            moved = sorted(p for p in published if p in before and p in after and before[p] != after[p])
            if moved:
                c = Change(c.logical_id, c.type, c.action, c.properties, c.stack, "error",
                           f"the appProtocol of published port(s) {', '.join(moved)} changes "
                           f"({', '.join(f'{before[p]} -> {after[p]}' for p in moved)}): ECS rejects the "
                           "update of a Service Connect service. Publish the new protocol on a new port name.")
            else:
                c = Change(c.logical_id, c.type, c.action, c.properties, c.stack,
                           note="a new revision: the service replaces its tasks")
        elif c.type == "AWS::ElasticLoadBalancingV2::TargetGroup" and c.action == "replace":
            c = Change(c.logical_id, c.type, c.action, c.properties, c.stack, "warning",
                       "the listener points at the new, empty target group until the new tasks register "
                       "and pass health checks: requests fail meanwhile (503)")
        elif c.type == "AWS::ElasticLoadBalancingV2::LoadBalancer" and c.action in ("delete", "replace"):
            c = Change(c.logical_id, c.type, c.action, c.properties, c.stack, "warning",
                       "its DNS name goes with it: records and clients that use it stop resolving")
        elif c.type == "AWS::SQS::Queue" and c.action in ("delete", "replace"):
            c = Change(c.logical_id, c.type, c.action, c.properties, c.stack, "warning",
                       "the messages waiting in it are lost")
        out.append(c)
    return out


def _discovery_ports(service: tuple[str, dict[str, Any]] | None) -> set[str]:
    if service is None:
        return set()
    config = (service[1].get("Properties") or {}).get("ServiceConnectConfiguration") or {}
    return {s.get("PortName") for s in config.get("Services") or []} - {None}


def read(directory: FsPath, names: list[str]) -> dict[str, str]:
    """The committed templates of a build: each root template and its nested stacks' folder."""
    out: dict[str, str] = {}
    for name in names:
        root = directory / f"{name}.yaml"
        if root.is_file():
            out[f"{name}.yaml"] = root.read_text(encoding="utf-8")
        folder = directory / name
        if folder.is_dir():
            for child in sorted(folder.glob("*.yaml")):
                out[f"{name}/{child.name}"] = child.read_text(encoding="utf-8")
    return out


def owner(names: list[str], logical_id: str) -> str | None:
    """The service (or job) a logical id belongs to: the longest name whose id base starts it."""
    return next((n for base, n in _bases(tuple(names))
                 if logical_id.startswith(base) and logical_id[len(base):][:1].isupper()), None)


@cache
def _bases(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(id base, name), longest base first: asked once per logical id of a build, so kept."""
    from scc.naming import Ids

    return sorted(((Ids(n).base, n) for n in names), key=lambda b: -len(b[0]))


def relative(files: dict[FsPath, str], out_dir: FsPath) -> dict[str, str]:
    return {str(path.relative_to(out_dir)): text for path, text in files.items()}


def render_text(changes: list[Change], names: list[str]) -> str:
    """Grouped by service (then the app's own resources), errors and warnings said in full."""
    symbol = {"create": "+", "update": "~", "replace": "±", "delete": "-"}
    groups: dict[str, list[Change]] = {}
    for c in changes:
        groups.setdefault(owner(names, c.logical_id) or "", []).append(c)
    lines = []
    for name in [*names, ""]:
        if name not in groups:
            continue
        lines.append(f"{name}:" if name else "app-wide:")
        for c in groups[name]:
            props = f" ({', '.join(c.properties)})" if c.properties else ""
            lines.append(f"  {symbol[c.action]} {c.action} {c.logical_id} [{c.type}]{props}")
            if c.note:
                lines.append(f"      {c.severity + ': ' if c.severity else ''}{c.note}")
    counts = {a: sum(c.action == a for c in changes) for a in ("create", "update", "replace", "delete")}
    errors = sum(c.severity == "error" for c in changes)
    warnings = sum(c.severity == "warning" for c in changes)
    summary = ", ".join(f"{n} to {a}" for a, n in counts.items()) + f"; {errors} error(s), {warnings} warning(s)"
    return "\n".join([*lines, summary]) + "\n" if changes else "no changes\n"


def as_json(changes: list[Change], names: list[str]) -> str:
    return json.dumps([{"logicalId": c.logical_id, "type": c.type, "action": c.action,
                        "properties": list(c.properties), "stack": c.stack, "severity": c.severity or None,
                        "note": c.note or None, "service": owner(names, c.logical_id)} for c in changes], indent=2)
