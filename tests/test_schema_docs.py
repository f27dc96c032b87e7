"""The schema reads like documentation, in every editor: each property has a title (the hover
heading), a plain `description` and a `markdownDescription` that says its default; each enum
value is explained; every documented default, example and snippet is itself valid. (What an
editor makes of it is tested with the real language server in test_editor.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from scc.front.schema import pointer as ref_target
from scc.front.schema import schema


def merged(sub: dict[str, Any]) -> dict[str, Any]:
    """A subschema with its `$ref` merged in, as yaml-language-server does: the referring keys win."""
    while "$ref" in sub:
        sub = {**ref_target(sub["$ref"]), **{k: v for k, v in sub.items() if k != "$ref"}}
    return sub


def nodes(node: Any = None, pointer: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema with its JSON pointer, except the `if`/`then` constraint at the top."""
    node = schema() if node is None else node
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            if pointer == "#" and key in ("if", "then"):
                continue
            if key in ("examples", "default", "defaultSnippets", "enum"):
                continue  # values, not schemas
            yield from nodes(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from nodes(value, f"{pointer}/{i}")


def properties() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{pointer}/properties/{name}", merged(sub)) for pointer, node in nodes()
            if isinstance(node.get("properties"), dict) and not pointer.endswith("/properties")
            for name, sub in node["properties"].items()]


def validator(node: dict[str, Any]) -> Draft7Validator:
    return Draft7Validator({"definitions": schema()["definitions"], **node})


def expand(value: Any) -> Any:
    """A defaultSnippets body as inserted with every placeholder at its default; `^` marks a
    value inserted without quotes."""
    if isinstance(value, dict):
        return {expand(k): expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    text = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\}", r"\1", value)
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)
    return yaml.safe_load(text[1:]) if text.startswith("^") else text


def test_there_are_many_properties() -> None:
    assert len(properties()) > 100


@pytest.mark.parametrize(("pointer", "sub"), properties(), ids=[p for p, _ in properties()])
def test_property_is_documented(pointer: str, sub: dict[str, Any]) -> None:
    for key in ("title", "description", "markdownDescription"):
        assert isinstance(sub.get(key), str) and sub[key].strip(), f"{pointer} has no {key}"
    assert len(sub["title"]) <= 40, "a title is a hover heading: keep it short"
    if "default" in sub:
        assert "**Default:**" in sub["markdownDescription"], "say the default in markdownDescription"


def test_every_enum_value_is_explained() -> None:
    enums = [(p, n) for p, n in nodes() if "enum" in n]
    assert len(enums) > 15
    for pointer, node in enums:
        for key in ("enumDescriptions", "markdownEnumDescriptions"):
            texts = node.get(key)
            assert isinstance(texts, list) and len(texts) == len(node["enum"]), f"{pointer}: {key}"
            assert all(isinstance(t, str) and t.strip() for t in texts), f"{pointer}: {key}"


def test_documented_values_are_valid() -> None:
    """Every `default` and every entry of `examples` is accepted by the schema it documents."""
    checked = 0
    for pointer, node in nodes():
        check = validator(merged(node))
        for value in ([node["default"]] if "default" in node else []) + node.get("examples", []):
            errors = [e.message for e in check.iter_errors(value)]
            assert errors == [], f"{pointer}: {value!r}: {errors}"
            checked += 1
    assert checked > 80


def test_snippets_are_valid_where_they_are_offered() -> None:
    snippets = [(p, merged(n), s) for p, n in nodes() for s in n.get("defaultSnippets", [])]
    labels = {s["label"] for _, _, s in snippets}
    assert {"New service", "Port", "Scaling"} <= labels
    for pointer, node, snippet in snippets:
        assert snippet.get("description"), f"{pointer}: {snippet['label']} needs a description"
        body = expand(snippet["body"])
        if node.get("type") == "array":  # offered as one item of the list
            body = [body]
        errors = [e.message for e in validator(node).iter_errors(body)]
        assert errors == [], f"{pointer}: {snippet['label']}: {errors}"


def test_map_keys_have_a_placeholder() -> None:
    """Completion offers a placeholder key in a map (a service, a variable, a tag); its title names it."""
    maps = [(p, n) for p, n in nodes() if isinstance(n.get("propertyNames"), dict)]
    assert len(maps) >= 4
    for pointer, node in maps:
        assert node["propertyNames"].get("title"), pointer
