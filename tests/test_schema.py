"""The schema is a tested contract: valid draft-07, every property described, every object
closed, every example valid, and the keys this version accepts are exactly the ones it compiles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft7Validator

from scc.front.schema import pointer, schema, validate
from scc.front.spec import load
from tests.conftest import ROOT


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def _described(sub: dict[str, Any]) -> bool:
    if "description" in sub:
        return True
    if "$ref" in sub:
        return _described(pointer(sub["$ref"]))
    return False


def test_metaschema() -> None:
    Draft7Validator.check_schema(schema())


def test_every_property_has_a_description() -> None:
    missing = [f"{path}/properties/{name}" for path, node in _walk(schema())
               for name, sub in node.get("properties", {}).items()
               if isinstance(node.get("properties"), dict) and path.split("/")[-1] != "properties"
               and not path.startswith(("#/if", "#/then"))  # constraints, not property definitions
               and not _described(sub)]
    assert missing == []


def test_every_object_is_closed() -> None:
    open_objects = [path for path, node in _walk(schema())
                    if node.get("type") == "object" and "additionalProperties" not in node]
    assert open_objects == []


def test_every_pattern_has_a_message() -> None:
    assert [p for p, n in _walk(schema()) if "pattern" in n and "patternErrorMessage" not in n] == []


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_validate(example: Any) -> None:
    src, diags = load(str(example))
    assert diags == []
    assert validate(src.data) == []


def test_image_may_come_from_defaults() -> None:
    base = {"version": 1, "name": "x", "services": {"a": {"role": "none"}}}
    assert [d.code for d in validate(base)] == ["SCC102"]
    assert validate({**base, "defaults": {"image": "nginx"}}) == []


def test_patterns_mean_the_same_in_python_and_in_editors() -> None:
    """Python's \\d matches any Unicode digit (an account id in Arabic-Indic digits would pass),
    JavaScript's, in the editor, only 0-9: patterns spell digits as [0-9]."""
    assert [p for p, n in _walk(schema()) if "\\d" in n.get("pattern", "")] == []
