"""Stage lint, the parts of a template: which resources' cfn-lint findings can be kept from an
earlier lint, and under which key. A template in, (its outline's key, a key per resource) out.

cfn-lint validates each resource against its type's schema with the whole template at hand, so what
that validation finds about a resource depends on
- the resource itself (its logical id is in the messages);
- the resources it refers to, directly or through others (Ref, Fn::GetAtt, Fn::Sub): some rules
  follow a reference and read the target's properties (an ECS service's task definition's network
  mode, a target group's health check port);
- the template's outline: every section but Resources (parameters, conditions, mappings, outputs,
  transforms, metadata), and each resource's logical id, type and condition (what a Ref may name,
  which attributes a GetAtt may read, under which conditions a resource exists);
- cfn-lint's version and the lint settings.
The key hashes exactly that. A resource's DependsOn is part of the resource; what it depends on is
not followed (rules about DependsOn read only the target's name, type and condition, in the
outline). Rules that judge the template as a whole (circular dependencies, unused parameters,
outputs) run on the whole template every time and are not keyed here at all.

A few cfn-lint rules keep state from one resource to the next (subnets that overlap each other):
resources of the types such a rule looks at get no key, so they are validated on every lint, as
are all resources when such a rule's types cannot be told (scc/synth/cfnlint_engine.py says which)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_SUB_NAME = re.compile(r"\$\{([^!}][^}]*)\}")


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def refers(value: Any) -> set[str]:
    """Every name a template part refers to: Ref, Fn::GetAtt (both forms) and Fn::Sub variables."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for fn, arg in item.items():
                if fn == "Ref" and isinstance(arg, str):
                    found.add(arg)
                elif fn == "Fn::GetAtt":
                    head = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(head, str):
                        found.add(head.split(".", 1)[0])
                elif fn == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(text, str):
                        found.update(m.split(".", 1)[0].strip() for m in _SUB_NAME.findall(text))
                stack.append(arg)
        elif isinstance(item, list):
            stack += item
    return found


def keys(template: dict[str, Any], settings: str, stateful: frozenset[str] | None) -> tuple[str, dict[str, str | None]]:
    """(the outline's key, each resource's key); None for a resource that must always be linted.
    `stateful` are the resource types of cfn-lint's rules that carry state between resources (None:
    unknown, so no resource gets a key)."""
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return _hash([settings, "no resources"]), {}
    sections = {k: v for k, v in template.items() if k != "Resources"}
    names = [[name, r.get("Type"), r.get("Condition")] if isinstance(r, dict) else [name, None, None]
             for name, r in resources.items()]
    outline = _hash([settings, sections, names])
    own = {name: _hash([name, r]) for name, r in resources.items()}
    direct = {name: sorted(n for n in refers(r) if n in resources and n != name) for name, r in resources.items()}
    out: dict[str, str | None] = {}
    for name, r in resources.items():
        kind = r.get("Type") if isinstance(r, dict) else None
        if stateful is None or not isinstance(kind, str) or kind in stateful:
            out[name] = None
            continue
        seen = {name}
        todo = list(direct[name])
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo += direct[n]
        out[name] = _hash([outline, own[name], sorted(own[n] for n in seen - {name})])
    return outline, out
