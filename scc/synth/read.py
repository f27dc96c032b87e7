"""Reading templates back: what scc wrote (or what was committed from it), with CloudFormation's
short-form intrinsics (`!Ref x`, `!GetAtt a.b`) read as their long forms. `scc plan` compares
these; the tests read the golden templates with it."""

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
