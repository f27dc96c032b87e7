"""Property: whatever spec a user writes, scc either builds a template that cfn-lint accepts or
reports located diagnostics; never a traceback, never a half-written output.

Specs are generated from the shape of scc.schema.json (its properties, enums, patterns, ranges,
$refs and oneOfs), with mistakes mixed in: unknown keys, wrong types, values out of range.
(hypothesis-jsonschema would do the first half, but its 0.23 release breaks on current
Hypothesis.) The run is derandomized so CI sees the same examples every time; set
SCC_PROPERTY_EXAMPLES to explore more locally."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scc.front.schema import pointer, schema
from scc.pipeline import build

EXAMPLES = int(os.environ.get("SCC_PROPERTY_EXAMPLES", "60"))
JUNK = st.one_of(st.integers(-5, 100000), st.text(max_size=12), st.booleans(), st.none(),
                 st.lists(st.integers(0, 3), max_size=2))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target = pointer(node["$ref"])
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _string(node: dict[str, Any]) -> st.SearchStrategy[str]:
    if "pattern" in node:
        # The patterns are anchored; cap the length so the examples stay readable.
        return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: len(s) <= 80)
    return st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                   min_size=node.get("minLength", 0), max_size=30)


def _rarely(mistake: st.SearchStrategy[Any], fitting: st.SearchStrategy[Any], odds: int) -> st.SearchStrategy[Any]:
    # Hypothesis favours small numbers, so the mistake sits at the top of the range.
    return st.integers(0, odds - 1).flatmap(lambda n: mistake if n == odds - 1 else fitting)


def value(node: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that fit `node`, and about one in 25 that does not."""
    return _rarely(JUNK, _fitting(_resolve(node), depth), 25)


def _fitting(node: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "oneOf" in node and all("type" in _resolve(b) or "$ref" in b for b in node["oneOf"]):
        return st.one_of([value(b, depth + 1) for b in node["oneOf"]])
    kind = node.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "integer":
        low, high = node.get("minimum", 0), node.get("maximum", 100000)
        typical = st.sampled_from(sorted({low, min(high, low * 2 or 1), min(high, max(low, 1) * 4)}))
        return _rarely(st.sampled_from([low - 1, high + 1]), st.one_of(typical, st.integers(low, high)), 25)
    if kind == "number":
        return st.floats(0, 10000, allow_nan=False).map(lambda f: round(f, 1))
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _string(node)
    if kind == "array":
        items = node.get("items", {})
        if isinstance(items, list):  # a tuple form: first item fixed, the rest free
            return st.tuples(*(value(i, depth + 1) for i in items)).map(list).flatmap(
                lambda head: st.lists(_string({}), max_size=2).map(lambda tail: head + tail))
        return st.lists(value(items, depth + 1), min_size=node.get("minItems", 0), max_size=3)
    if kind == "object" or "properties" in node:
        return _object(node, depth)
    return JUNK


def _object(node: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    props = node.get("properties", {})
    if not props and isinstance(node.get("additionalProperties"), dict):  # a map: names -> values
        names = node.get("propertyNames", {"pattern": "^[a-z][a-z0-9-]{0,8}$"})
        return st.dictionaries(_string(names), value(node["additionalProperties"], depth + 1), max_size=3)
    required = list(node.get("required", []))
    optional = [k for k in props if k not in required]
    fields = {k: value(props[k], depth + 1) for k in props}

    @st.composite
    def build_object(draw: st.DrawFn) -> dict[str, Any]:
        chosen = required + draw(st.lists(st.sampled_from(optional), unique=True, max_size=4)) if optional \
            else list(required)
        out = {k: draw(fields[k]) for k in chosen}
        if draw(st.integers(0, 39)) == 39:  # a typo now and then
            out[draw(st.sampled_from(["imagee", "port", "Name", "scalling"]))] = draw(JUNK)
        return out

    return build_object()


def spec() -> st.SearchStrategy[dict[str, Any]]:
    top = schema()
    service = _resolve(top["definitions"]["serviceFields"])
    services = st.dictionaries(st.from_regex(r"^[a-z][a-z0-9-]{0,8}$", fullmatch=True),
                               _object(service, 1).map(lambda s: {"image": "nginx:1.27", **s}),
                               min_size=1, max_size=3)
    fixed = ("version", "name", "services", "namespace")
    rest = {k: value(v, 1) for k, v in top["properties"].items() if k not in fixed}
    # Most apps use Service Connect, so most specs have a namespace; some have another form or none.
    namespace = _rarely(value(top["properties"]["namespace"], 1), st.just("local"), 4)
    return st.fixed_dictionaries({"version": _rarely(st.just(2), st.just(1), 25), "name": st.just("prop"),
                                  "namespace": namespace, "services": services}, optional=rest)


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.deferred(spec))  # built when the test runs, not when it is collected
def test_any_spec_builds_clean_or_is_located(data: dict[str, Any], tmp_path_factory: Any) -> None:
    folder: Path = tmp_path_factory.mktemp("prop")
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = folder / "out"
    result = build([str(path)], out)  # an exception here is the failure this test looks for
    for d in result.diagnostics:
        assert d.line > 0 and d.col > 0 and d.file == str(path), d.render()
    if result.ok:
        assert not any(d.code == "SCC901" for d in result.diagnostics)
        envs = data.get("environments") or {}
        expected = sorted(f"prop-{e}.yaml" for e in envs) if envs else ["prop.yaml"]
        assert sorted(p.name for p in out.iterdir()) == expected
    else:
        assert not out.exists(), "a failed build must not write anything"
