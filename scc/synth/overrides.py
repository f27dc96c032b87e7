"""Stage overrides: the user's raw CloudFormation and RFC 6902 patches applied to the assembled
template, after compile and before split and lint (spec-1.1 section 5). Layers apply in order
(the base spec's, then an environment's); within a layer, added resources and outputs first, then
the top-level patch, then the services' patches, each relative to one of that service's
resources by its role. Every failure is the user's, located at the operation; the JSON paths each
operation wrote are returned so that cfn-lint findings there are located at the override too.
RFC 6902 is the `jsonpatch` library's, not ours."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import jsonpatch
import jsonpointer

from scc.codes import SCC120, SCC121, SCC122, SCC123, problem
from scc.diagnostics import Diagnostic, Path
from scc.model import RolePatch
from scc.naming import Ids
from scc.plan import Plan
from scc.synth.read import references

# A service's resources by the role an override names them with (`overrides.<role>`).
ROLES = {
    "taskDefinition": "task_definition", "service": "service", "securityGroup": "security_group",
    "logGroup": "log_group", "executionRole": "execution_role", "taskRole": "task_role",
    "scalableTarget": "scalable_target", "discovery": "discovery", "queue": "queue",
    "deadLetterQueue": "dead_letter_queue", "schedule": "schedule", "schedulerRole": "scheduler_role",
}
EXPOSURE_ROLES = {"targetGroup": "TargetGroup", "listenerRule": "ListenerRule"}


@dataclass
class Applied:
    template: dict[str, Any]
    written: dict[str, Path] = field(default_factory=dict)  # "Resources/X/..." -> the override
    diagnostics: list[Diagnostic] = field(default_factory=list)


def role_id(plan: Plan, service: str, role: str) -> str | None:
    """The logical id of a service's resource in a role, or None when it has no such resource."""
    ids = Ids(service)
    if role in ROLES:
        return str(getattr(ids, ROLES[role]))
    routes = plan.service(service).routes
    return ids.exposed(routes[0].suffix, EXPOSURE_ROLES[role]) if routes else None


def _relocated(op: dict[str, Any], prefix: str) -> dict[str, Any]:
    out = dict(op)
    for key in ("path", "from"):
        if key in out and isinstance(out[key], str):
            out[key] = prefix + out[key]
    return out


def _targets(part: dict[str, Any]) -> set[str]:
    """What the resources (or outputs) of a template refer to: Ref, GetAtt and DependsOn."""
    found = references(part)
    for item in part.values():
        depends = item.get("DependsOn") if isinstance(item, dict) else None
        found |= {depends} if isinstance(depends, str) else set(depends or [])
    return found


def apply(plan: Plan, template: dict[str, Any]) -> Applied:
    done = Applied(template)
    if not plan.app.overrides:
        return done
    resources = template.setdefault("Resources", {})
    generated = set(resources) | set(template.get("Parameters", {}))
    removed: dict[str, Path] = {}
    for layer in plan.app.overrides:
        for section, key, items in (("Resources", "resources", layer.resources), ("Outputs", "outputs", layer.outputs)):
            target = template.setdefault(section, {})
            for logical_id, body in items:
                where = (*layer.path, key, logical_id)
                if logical_id in target or logical_id in generated:
                    done.diagnostics.append(problem(SCC122, f"{logical_id!r} is already a logical id scc generates",
                                                    where, at_key=True,
                                                    hint="choose another id, or change the generated one with "
                                                    "`patch`"))
                    continue
                target[logical_id] = copy.deepcopy(body)
                done.written[f"{section}/{logical_id}"] = where
        operations = [(op, (*layer.path, "patch", i), "") for i, op in enumerate(layer.patch)]
        for service, patch in layer.roles:
            operations += _role_operations(plan, service, patch, done)
        for op, where, prefix in operations:
            _one(template, op, where, prefix, done, removed)
    if removed:
        still = _targets(template.get("Resources", {})) | _targets(template.get("Outputs", {}))
        for logical_id, where in removed.items():
            if logical_id in still:
                users = sorted(k for k, v in template.get("Resources", {}).items() if logical_id in _targets({k: v}))
                done.diagnostics.append(problem(
                    SCC123, f"this patch removes {logical_id!r}, which "
                    f"{', '.join(users) if users else 'an output'} still refers to", where, at_key=True,
                    hint=f"remove what refers to {logical_id} too, or patch {logical_id} instead of removing it"))
    return done


def _role_operations(plan: Plan, service: str, patch: RolePatch, done: Applied
                     ) -> list[tuple[dict[str, Any], Path, str]]:
    logical_id = role_id(plan, service, patch.role)
    if logical_id is None or logical_id not in done.template.get("Resources", {}):
        done.diagnostics.append(problem(SCC120, f"{service!r} has no {patch.role} for this patch to apply to",
                                        patch.path, at_key=True,
                                        hint="patch one of the service's resources that exist (its task "
                                        "definition, service, roles, security group, log group, ...)"))
        return []
    return [(op, (*patch.path, i), f"/Resources/{logical_id}") for i, op in enumerate(patch.ops)]


def _one(template: dict[str, Any], op: dict[str, Any], where: Path, prefix: str, done: Applied,
         removed: dict[str, Path]) -> None:
    moved = _relocated(op, prefix)
    before = set(template.get("Resources", {}))
    try:
        jsonpatch.apply_patch(template, [moved], in_place=True)
    except jsonpatch.JsonPatchTestFailed as exc:
        done.diagnostics.append(problem(SCC121, f"the test at {op.get('path')} failed: {exc}", where,
                                        hint="the generated template has another value there; `scc build "
                                        "--no-lint` and read templates_out/ to see it"))
        return
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        done.diagnostics.append(problem(SCC120, f"{op.get('op')} at {op.get('path')!r} does not apply: "
                                        f"{_why(template, moved, exc)}", where,
                                        hint="check the path against the generated template (templates_out/); "
                                        "list items are numbered from 0, `-` appends"))
        return
    for gone in before - set(template.get("Resources", {})):
        removed[gone] = where
    if moved.get("op") in ("add", "replace", "copy", "move"):
        done.written["/".join(jsonpointer.JsonPointer(moved["path"]).parts)] = where


def _why(template: dict[str, Any], op: dict[str, Any], exc: Exception) -> str:
    """What is missing, said without dumping the template: the first part of the pointer (path,
    or from) that the template does not have."""
    for key in ("from", "path"):
        if not isinstance(op.get(key), str):
            continue
        node: Any = template
        parts = jsonpointer.JsonPointer(op[key]).parts
        last = len(parts) - (0 if key == "from" or op.get("op") in ("remove", "replace", "test") else 1)
        for i, part in enumerate(parts[:last]):
            here = "/" + "/".join(parts[:i]) if i else "the template's root"
            if isinstance(node, dict):
                if part not in node:
                    return f"{here} has no {part!r}"
                node = node[part]
            elif isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    return f"{here} has {len(node)} item(s); there is no item {part}"
                node = node[int(part)]
            else:
                return f"{here} is a value, not an object or a list"
    return str(exc).split(" in {", 1)[0]
