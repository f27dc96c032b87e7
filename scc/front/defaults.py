"""The defaults of the spec language, read from the schema (their one home): the model asks for
`default("deployment", "minHealthyPercent")` instead of retyping 100."""

from __future__ import annotations

from functools import cache
from typing import Any

from scc.front.schema import resolve, schema


@cache
def default(definition: str, *keys: str) -> Any:
    """The documented default of a property: `definition` names an entry of the schema's
    `definitions`, `keys` the property path inside it (`[]` steps into a list's items). A missing
    default is a bug in scc (the schema-model test finds it), so it raises KeyError."""
    node: dict[str, Any] = resolve(schema()["definitions"][definition])
    for key in keys:
        node = resolve(node["items"] if key == "[]" else node["properties"][key])
    return node["default"]
