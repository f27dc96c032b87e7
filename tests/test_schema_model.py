"""The schema and the model agree both ways, found by analysis rather than by a list of keys:

- every value the schema accepts reaches the model: for each leaf of the schema (through every
  `oneOf` branch, map and list) a valid spec is generated with the leaf at two different valid
  values, and the two models must differ;
- every model field comes from the schema: each dataclass field reachable from `App` changes
  under one of those mutations or when an optional key is left out (only the fields that record
  *where* a key was written, for diagnostics, are exempt);
- every `default` the schema documents is the model's: writing the default and leaving the key out
  give the same model.

Values come from the schema's own `enum`, `default` and `examples` (so a leaf the generator cannot
fill asks for `examples`); a spec the generator builds that the schema refuses fails the test."""

from __future__ import annotations

import copy
import itertools
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from scc import model
from scc.front import environments
from scc.front.merge import merge
from scc.front.schema import pointer, schema, validate
from scc.front.spec import load
from scc.model.build import build as build_model
from tests.conftest import shared

Path = tuple[str | int, ...]

# Fields that record where a key was written, for diagnostics: they hold locations, not values.
LOCATIONS = {"App.file", "Service.origins", "Port.path", "Call.path", "ScheduledScaling.path", "Exposure.spec_path",
             "Exposure.keys", "Container.spec_path", "Mount.spec_path", "Volume.spec_path", "LoadBalancer.spec_path",
             "RolePatch.path", "OverrideLayer.path"}
# Fields the walk cannot vary: a port's container is the name of the container that lists it,
# which changes only when a container's key is renamed with its ports under it; a patch's role is
# the key of `overrides.<role>` it is written under (the walk adds and removes keys, never renames
# fixed ones).
ONE_VALUE_IN_1_0 = {"Port.container", "RolePatch.role"}


@dataclass(frozen=True)
class Slot:
    path: Path  # where the value sits in a spec
    node: dict[str, Any]  # its schema, $ref and the chosen oneOf branch merged in
    branches: tuple[tuple[Path, int], ...]  # the oneOf branch chosen at each path on the way
    leaf: bool
    key_of: dict[str, Any] | None = None  # for a map key: the map's schema


def merged(sub: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in sub:
        sub = {**pointer(sub["$ref"]), **{k: v for k, v in sub.items() if k != "$ref"}}
    return sub


def _choice(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a `oneOf` that chooses a form (not the "exactly one of these keys" kind)."""
    alts = node.get("oneOf", [])
    return [] if all(set(b) == {"required"} for b in alts) else alts


def _branch(node: dict[str, Any], index: int) -> dict[str, Any]:
    return {**{k: v for k, v in node.items() if k != "oneOf"}, **merged(node["oneOf"][index])}


_VALIDATORS: dict[int, tuple[dict[str, Any], Draft7Validator]] = {}


def _valid(node: dict[str, Any], value: Any) -> bool:
    # One validator per schema node (kept with the node, so its id is never reused): the walk
    # asks about the same nodes tens of thousands of times.
    if id(node) not in _VALIDATORS:
        _VALIDATORS[id(node)] = (node, Draft7Validator({"definitions": schema()["definitions"], **node}))
    return _VALIDATORS[id(node)][1].is_valid(value)


def _expand(value: Any) -> Any:
    """A defaultSnippets body as inserted with every placeholder at its default."""
    if isinstance(value, dict):
        return {_expand(k): _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if not isinstance(value, str):
        return value
    text = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\}", r"\1", value)
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)
    return yaml.safe_load(text[1:]) if text.startswith("^") else text


def _sample_keys(node: dict[str, Any]) -> list[str]:
    """Two valid keys for a map: from its examples or snippets, and a variant."""
    bodies = [e for e in node.get("examples", []) if isinstance(e, dict)]
    bodies += [_expand(s["body"]) for s in node.get("defaultSnippets", []) if isinstance(s.get("body"), dict)]
    names = node.get("propertyNames", {})
    keys = [k for body in bodies for k in body]
    keys += [k + "2" for k in keys]
    keys = [k for k in dict.fromkeys(keys) if _valid(names, k)]
    assert len(keys) >= 2, f"give the map {node.get('title')} examples with valid keys"
    return keys


REACHED: set[int] = set()  # the `properties` entries walk() went through, by identity


def walk(node: dict[str, Any], path: Path = (), branches: tuple[tuple[Path, int], ...] = ()) -> Iterator[Slot]:
    node = merged(node)
    if _choice(node):
        for i in range(len(node["oneOf"])):
            yield from walk(_branch(node, i), path, (*branches, (path, i)))
        return
    kind = node.get("type")
    if kind == "object":
        yield Slot(path, node, branches, leaf=False)
        for key, sub in node.get("properties", {}).items():
            REACHED.add(id(sub))
            yield from walk(sub, (*path, key), branches)
        if isinstance(node.get("additionalProperties"), dict):
            key = _sample_keys(node)[0]
            yield Slot((*path, key), merged(node["additionalProperties"]), branches, leaf=True, key_of=node)
            yield from walk(node["additionalProperties"], (*path, key), branches)
    elif kind == "array":
        yield Slot(path, node, branches, leaf=False)
        items = node["items"]
        if isinstance(items, list):  # a tuple: healthCheck.command's [CMD, ...]
            for i, sub in enumerate(items):
                yield from walk(sub, (*path, i), branches)
            yield from walk(node["additionalItems"], (*path, len(items)), branches)
        else:
            yield from walk(items, (*path, 0), branches)
    else:
        yield Slot(path, node, branches, leaf=True)


def candidates(node: dict[str, Any]) -> list[Any]:
    """Distinct valid values of a leaf, the documented ones first."""
    values: list[Any] = [*node.get("enum", []), *([node["default"]] if "default" in node else []),
                         *node.get("examples", [])]
    kinds = node.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "boolean" in kinds:
        values += [False, True]
    if "integer" in kinds or "number" in kinds:
        low = node.get("minimum", node.get("exclusiveMinimum", 0) + 1)
        values += [low, low + 1, node.get("maximum", low + 2)]
    if "string" in kinds:
        for text in [v for v in values if isinstance(v, str)]:
            values += [text[:-1] + c for c in "01ab"] + [text + "2"]
        values += ["a", "b"]
    out: list[Any] = []
    for v in values:
        if _valid(node, v) and not any(v == o and type(v) is type(o) for o in out):
            out.append(v)
    return out


class _Minimal:
    """Fill with a minimal valid value."""


MINIMAL = _Minimal()


def _holds(node: dict[str, Any], key: str | int) -> bool:
    """Whether instances of `node` can have `key` (a property or map key, or a list index)."""
    if isinstance(key, int):
        return node.get("type") == "array"
    return node.get("type") == "object" and (key in node.get("properties", {})
                                             or isinstance(node.get("additionalProperties"), dict))


def make(node: dict[str, Any], rest: Path, value: Any, branches: dict[Path, int], here: Path = ()) -> Any:
    """A minimal valid instance of `node` with `value` at the relative path `rest`."""
    node = merged(node)
    if _choice(node):
        index = branches.get(here)
        if index is None:
            index = next(i for i in range(len(node["oneOf"])) if (
                _holds(_branch(node, i), rest[0]) if rest else value is MINIMAL or _valid(_branch(node, i), value)))
        node = _branch(node, index)
    if not rest and value is not MINIMAL:
        return value
    kind = node.get("type")
    if kind == "object":
        obj: dict[str, Any] = {}
        props = node.get("properties", {})
        if rest:
            sub = props.get(rest[0]) or node["additionalProperties"]
            obj[rest[0]] = make(sub, rest[1:], value, branches, (*here, rest[0]))
        for key in node.get("required", []):
            if key not in obj:
                obj[key] = make(props[key], (), MINIMAL, branches, (*here, key))
        for group in ("oneOf", "anyOf"):  # "exactly one of" / "at least one of" these keys
            alts = node.get(group, [])
            if alts and all(set(b) == {"required"} for b in alts) and not any(
                    set(b["required"]) <= set(obj) for b in alts):
                for key in alts[0]["required"]:
                    obj[key] = make(props[key], (), MINIMAL, branches, (*here, key))
        while len(obj) < node.get("minProperties", 0):
            if isinstance(node.get("additionalProperties"), dict):
                key = next(k for k in _sample_keys(node) if k not in obj)
                obj[key] = make(node["additionalProperties"], (), MINIMAL, branches, (*here, key))
            else:
                key = next(k for k in props if k not in obj)
                obj[key] = make(props[key], (), MINIMAL, branches, (*here, key))
        return obj
    if kind == "array":
        items = node["items"]
        out: list[Any] = []
        target = rest[0] if rest else -1
        assert isinstance(target, int)
        while len(out) <= target or len(out) < node.get("minItems", 0):
            i = len(out)
            sub = (items[i] if i < len(items) else node["additionalItems"]) if isinstance(items, list) else items
            if i == target:
                out.append(make(sub, rest[1:], value, branches, (*here, i)))
            elif merged(sub).get("type") in ("object", "array"):
                out.append(make(sub, (), MINIMAL, branches, (*here, i)))
            else:  # distinct, for uniqueItems
                out.append(next(v for v in candidates(merged(sub)) if v not in out))
        return out
    assert not rest, f"{here}: a path into a scalar"
    found = candidates(node)
    assert found, f"no valid value for {here}: give it examples"
    return found[0]


def make_root(rest: Path, value: Any, branches: dict[Path, int]) -> dict[str, Any]:
    spec = make(schema(), rest, value, branches)
    # The schema's one conditional (`if`/`then`): a service needs `image` unless `defaults` has one.
    image = schema()["definitions"]["serviceFields"]["properties"]["image"]["examples"][0]
    if any("image" in env.get("defaults", {}) for env in spec.get("environments", {}).values()):
        # An environment's defaults.image replaces the base's: it matters where services take
        # their image from defaults, as they do here.
        spec.setdefault("defaults", {}).setdefault("image", image)
    if "image" not in spec.get("defaults", {}):
        for svc in [*spec["services"].values(), *spec.get("jobs", {}).values()]:
            svc.setdefault("image", image)
    # A service (or job) an environment adds (not in the base) needs its image too, once merged.
    for env in spec.get("environments", {}).values():
        for kind in ("services", "jobs"):
            for name, svc in env.get(kind, {}).items():
                if name not in spec.get(kind, {}) and "image" not in env.get("defaults", spec.get("defaults", {})):
                    svc.setdefault("image", image)
    return spec


def problems(spec: dict[str, Any]) -> list[Any]:
    """What scc's schema gate finds: in the spec, and in each environment once merged (an
    override can leave a service without its image, which only the merged spec shows)."""
    found = validate(spec)
    base = {k: v for k, v in spec.items() if k != "environments"}
    for env in spec.get("environments", {}).values():
        found += validate(merge(base, env))
    return found


def build(spec: dict[str, Any]) -> model.App:
    found = problems(spec)
    assert found == [], f"the generated spec is not valid: {found}\n{yaml.safe_dump(spec)}"
    # libyaml's emitter: any faithful text does (scc reads it back), and PyYAML's takes a third of the run.
    src, loaded = load("spec.yaml", yaml.dump(spec, Dumper=yaml.CSafeDumper, sort_keys=False))
    assert loaded == []
    # With environments, what is built is each environment's model: compare the first one's.
    names = environments.names(src)
    return build_model(environments.environment(src, names[0]) if names else src)


def changed(a: Any, b: Any, ignore: frozenset[str] = frozenset(LOCATIONS)) -> set[str]:
    """The model fields (`Class.field`) whose values differ between two models, leaving out the
    `ignore` fields (a field holding objects counts only when something else in them differs)."""
    out: set[str] = set()
    if is_dataclass(a) and type(a) is type(b):
        for f in fields(a):
            name = f"{type(a).__name__}.{f.name}"
            x, y = getattr(a, f.name), getattr(b, f.name)
            if name in ignore or x == y:
                continue
            inner = changed(x, y, ignore)
            nested = (is_dataclass(x) and type(x) is type(y)) or (
                isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y) and any(map(is_dataclass, x)))
            if inner or not nested:
                out.add(name)
            out |= inner
    elif isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        for x, y in zip(a, b, strict=True):
            out |= changed(x, y, ignore)
    return out


def model_fields() -> set[str]:
    """Every field of every dataclass reachable from App through its type hints."""
    seen: set[type] = set()
    out: set[str] = set()

    def visit(hint: Any) -> None:
        if isinstance(hint, type) and is_dataclass(hint):
            if hint in seen:
                return
            seen.add(hint)
            for name, sub in typing.get_type_hints(hint, vars(model)).items():
                out.add(f"{hint.__name__}.{name}")
                visit(sub)
        for arg in typing.get_args(hint):
            visit(arg)

    visit(model.App)
    return out


def _at(spec: Any, path: Path) -> Any:
    for key in path:
        spec = spec[key]
    return spec


def _without(spec: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """The spec with the key at `path` left out, or None when the schema needs it there."""
    out = copy.deepcopy(spec)
    parent = _at(out, path[:-1])
    if not isinstance(parent, dict):
        return None
    del parent[path[-1]]
    return out if problems(out) == [] else None


@cache
def analysis() -> dict[str, Any]:
    """Every slot mutated (15 s): made once per session (by the first worker that needs it)."""
    return shared("schema-model-analysis", _analysis)


def _analysis() -> dict[str, Any]:
    """Every slot mutated: what changed, and which leaves changed nothing."""
    value_changes: set[str] = set()
    presence_changes: set[str] = set()
    unread: list[str] = []
    single: list[str] = []
    slots = list(walk(schema()))
    for slot in slots:
        alts = slot.node.get("oneOf", []) if not slot.leaf else []
        if alts and all(set(b) == {"required"} for b in alts):
            # "Exactly one of these keys" (a schedule's cron, rate or at): which one is written counts.
            models = [build(make_root((*slot.path, b["required"][0]), MINIMAL, dict(slot.branches))) for b in alts]
            for one, other in itertools.pairwise(models):
                presence_changes |= changed(one, other)
        if not slot.leaf:
            continue
        branches = dict(slot.branches)
        if slot.key_of is not None:  # a map key: rename it
            first, second = _sample_keys(slot.key_of)[:2]
            value = make(slot.node, (), MINIMAL, branches, slot.path)
            a = make_root(slot.path, value, branches)
            b = copy.deepcopy(a)
            parent = _at(b, slot.path[:-1])
            parent[second] = parent.pop(first)
        else:
            values = candidates(slot.node)
            assert values, f"{slot.path}: no valid value; give it examples"
            if len(values) < 2:
                assert len(slot.node.get("enum", [])) == 1, f"{slot.path}: only {values} found; give it examples"
                single.append(".".join(map(str, slot.path)))  # one allowed value carries nothing to read
                continue
            a = make_root(slot.path, values[0], branches)
            b = make_root(slot.path, values[1], branches)
        built = build(a)
        diff = changed(built, build(b))
        if not diff:
            unread.append(".".join(map(str, slot.path)))
        value_changes |= diff
        less = _without(a, slot.path) if isinstance(slot.path[-1], str) else None
        if less is not None:
            presence_changes |= changed(built, build(less))
    return {"slots": slots, "value": value_changes, "presence": presence_changes, "unread": unread,
            "single": single}


@pytest.mark.slow
def test_the_generator_reaches_every_property() -> None:
    """The walk goes through every `properties` entry of the schema (else the tests below prove little)."""
    list(walk(schema()))  # REACHED holds this process's schema nodes: the walk fills it here
    declared: dict[int, str] = {}
    stack: list[tuple[str, Any]] = [("#", schema())]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict) and not pointer.endswith("/properties"):
                declared |= {id(sub): f"{pointer}/properties/{k}" for k, sub in node["properties"].items()}
            stack += [(f"{pointer}/{k}", v) for k, v in node.items() if pointer != "#" or k not in ("if", "then")]
        elif isinstance(node, list):
            stack += [(f"{pointer}/{i}", v) for i, v in enumerate(node)]
    assert sorted(p for i, p in declared.items() if i not in REACHED) == []
    assert len([s for s in analysis()["slots"] if s.leaf]) > 100


# Fields that record which keys were written (their presence reaches the model, no value does):
# only they may differ between a default written out and left out. The analysis confirms the list.
BOOKKEEPING = frozenset({"Cluster.given", "Exposure.path_given", "HealthCheckPath.path_given", "LoadBalancer.given",
                         "Port.given", "Port.named", "ScheduledScaling.kind", "Service.desired_count_given"})


@pytest.mark.slow
def test_every_schema_value_reaches_the_model() -> None:
    assert analysis()["presence"] - analysis()["value"] == BOOKKEEPING
    assert analysis()["unread"] == []
    # `version` has one value; `queue.deadLetter: false` is a switch whose one value turns the
    # dead-letter queue off (its presence reaching the model is asserted below).
    assert [s for s in analysis()["single"] if not s.endswith("queue.deadLetter")] == ["version"]
    off = build(make_root(("services", "api", "queue", "deadLetter"), False, {}))
    on = build(make_root(("services", "api", "queue", "visibilityTimeout"), 30, {}))
    assert changed(off, on) >= {"Queue.max_receives"}


@pytest.mark.slow
def test_every_model_field_comes_from_the_schema() -> None:
    every = model_fields()
    assert every >= LOCATIONS, "a location field was renamed: update LOCATIONS"
    found = analysis()["value"] | analysis()["presence"]
    assert every - LOCATIONS - ONE_VALUE_IN_1_0 - found == set()
    assert not ONE_VALUE_IN_1_0 & found, "a field of ONE_VALUE_IN_1_0 now comes from the schema: remove it there"


def _defaults() -> list[Slot]:
    return [s for s in walk(schema()) if "default" in s.node and s.path and isinstance(s.path[-1], str)
            and s.key_of is None and _valid(s.node, s.node["default"])]


@pytest.mark.parametrize("slot", _defaults(), ids=lambda s: ".".join(map(str, s.path)))
def test_documented_default_is_the_models(slot: Slot) -> None:
    branches = dict(slot.branches)
    default = slot.node["default"]
    written = make_root(slot.path, default, branches)
    left_out = copy.deepcopy(written)
    del _at(left_out, slot.path[:-1])[slot.path[-1]]
    if problems(left_out):
        pytest.skip("the key cannot be left out here")
    # Only the record of which keys were written may differ.
    assert changed(build(written), build(left_out), frozenset(LOCATIONS | BOOKKEEPING)) == set()
