"""Reading templates back: what scc wrote (or what was committed from it), with CloudFormation's
short-form intrinsics (`!Ref x`, `!GetAtt a.b`) read as their long forms. `scc plan` compares
these; the tests read the golden templates with it. `references` is the one walk over what a
template part refers to (the split, overrides and plan use it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:  # libyaml's parser where PyYAML has it: templates of thousands of resources are read often
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateLoader(_Base):
    pass


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(text: str) -> Any:
    return yaml.load(text, Loader=_TemplateLoader)


def references(value: Any) -> set[str]:
    """The logical ids a template part refers to with Ref and GetAtt. Families refer to resources
    only so (Fn::Sub names only pseudo parameters: scc/families/__init__.py)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("Ref"), str):
                found.add(item["Ref"])
            att = item.get("Fn::GetAtt")
            if isinstance(att, list) and att and isinstance(att[0], str):
                found.add(att[0])
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return found

