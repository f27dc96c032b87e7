"""Stage schema: plain data -> located diagnostics from scc.schema.json, in plain words."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, cast

from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError

from scc.codes import SCC101, SCC102, SCC103, SCC104, SCC105, SCC106, SCC107, problem
from scc.diagnostics import Diagnostic, Path

if TYPE_CHECKING:
    from collections.abc import Callable

    from jsonschema.protocols import Validator

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}


# Words YAML 1.1 read as booleans; in YAML 1.2 (and in scc) they are text.
YAML11_BOOLEANS = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false", "off": "false"}


def schema_text() -> str:
    """The schema as shipped: inside the wheel, or from the source tree when run from a checkout."""
    packaged = resources.files("scc").joinpath("scc.schema.json")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (FsPath(__file__).resolve().parents[2] / "schemas" / "scc.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())  # the schema document is a JSON object
    return loaded


def _whole(checker: object, value: object) -> bool:
    # 1.0 is not a whole number in a spec: `cpu: 512.0` would reach the template as "512.0".
    return isinstance(value, int) and not isinstance(value, bool)


@lru_cache(maxsize=1)
def _validator() -> Validator:
    strict = Draft7Validator.TYPE_CHECKER.redefine("integer", _whole)
    # jsonschema's stubs leave `extend` unannotated; it returns a new validator class.
    extend = cast("Callable[..., type[Validator]]", validators.extend)
    return extend(Draft7Validator, type_checker=strict)(schema())


def validate(data: Any) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for err in _validator().iter_errors(data):
        found += _translate(err)
    found = list(dict.fromkeys(found))
    # A value of the wrong type fails its enum and pattern too: the type error says it all.
    typed = {d.path for d in found if d.code == SCC103.code}
    return [d for d in found if not (d.code != SCC103.code and d.path in typed)]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _TYPE_WORDS[_kind(value)]
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pointer(ref: str) -> dict[str, Any]:
    """The schema node a local `$ref` (`#/definitions/port`, `#/properties/tags`) points at."""
    node = schema()
    for part in ref.lstrip("#").strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]  # every node on a $ref's way is a mapping
    return node


def resolve(sub: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its `$ref`s followed; the node's own keywords win over the target's."""
    while "$ref" in sub:
        merged = {k: v for k, v in sub.items() if k != "$ref"}
        sub = {**pointer(sub["$ref"]), **merged}
    return sub


def _type_fits(branch: dict[str, Any], value: Any) -> bool:
    branch = resolve(branch)
    allowed = branch.get("type")
    if allowed is None:
        return True
    kinds = allowed if isinstance(allowed, list) else [allowed]
    kind = _kind(value)
    return kind in kinds or (kind == "integer" and "number" in kinds)


def _translate(err: ValidationError) -> list[Diagnostic]:
    path: Path = tuple(err.absolute_path)
    v = err.validator
    # Any JSON value: the instance from the spec, the keyword's value from the schema (an error
    # from iter_errors always has both set).
    inst: Any = err.instance
    value: Any = err.validator_value
    sch = err.schema if isinstance(err.schema, dict) else {}

    if v in ("oneOf", "anyOf") and all(set(b) == {"required"} for b in value):
        # "exactly one of" / "at least one of" a set of keys, e.g. cron, rate or at.
        keys = [b["required"][0] for b in value]
        present = [k for k in keys if isinstance(inst, dict) and k in inst]
        listed = ", ".join(keys)
        if v == "oneOf" and present:
            return [problem(SCC107, f"set only one of {listed}; this has {', '.join(present)}", path)]
        word = "one" if v == "oneOf" else "at least one"
        return [problem(SCC102, f"missing {word} of {listed}", path, at_key=True)]

    if v in ("oneOf", "anyOf"):
        branches = value
        fitting = [i for i, b in enumerate(branches) if _type_fits(b, inst)]
        if len(fitting) == 1:
            sub = [e for e in err.context if e.schema_path and e.schema_path[0] == fitting[0]]
            out = [d for e in sub for d in _translate(e)]
            if out:
                return out
        kinds: list[str] = []
        for b in branches:
            t = resolve(b).get("type")
            kinds += t if isinstance(t, list) else [t] if t else []
        want = " or ".join(dict.fromkeys(_TYPE_WORDS.get(k, k) for k in kinds)) or "another form"
        return [problem(SCC103, f"expected {want}, got {_show(inst)}", path)]

    if v == "additionalProperties":
        allowed = sorted(sch.get("properties", {}))
        out = []
        for key in inst:
            if key in sch.get("properties", {}):
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else (
                "allowed keys here: " + ", ".join(allowed) if allowed else "")
            out.append(problem(SCC101, f"unknown key {key!r}", (*path, key), hint=hint, at_key=True))
        return out

    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else str(value)
        if isinstance(inst, dict) and difflib.get_close_matches(missing, list(inst), n=1, cutoff=0.8):
            return []  # `imagee` for `image`: the unknown key's did-you-mean says it all
        hint = ""
        if missing == "image":
            hint = "add `image: <registry>/<repository>:<tag>` to the service, or set it once in `defaults`"
        return [problem(SCC102, f"missing required key {missing!r}", path, hint=hint, at_key=True)]

    if v == "type":
        kinds = value if isinstance(value, list) else [value]
        words = " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
        hint = ""
        if isinstance(inst, bool) and "string" in kinds:
            hint = "true and false are booleans: quote the value, e.g. \"true\""
        elif isinstance(inst, str) and kinds == ["boolean"] and inst.lower() in YAML11_BOOLEANS:
            hint = f"specs are YAML 1.2, where {inst} is text: write {YAML11_BOOLEANS[inst.lower()]}"
        elif isinstance(inst, float) and "integer" in kinds and inst.is_integer():
            hint = f"write {int(inst)}, without the decimal point"
        elif isinstance(inst, str) and ("integer" in kinds or "number" in kinds):
            hint = "write the number without quotes"
        return [problem(SCC103, f"expected {words}, got {_show(inst)}", path, hint=hint)]

    if v in ("enum", "const"):
        options = value if v == "enum" else [value]
        listed = ", ".join(str(o) for o in options)
        hint = ""
        if isinstance(inst, str):
            lower = [str(o) for o in options if str(o).lower() == inst.lower()]
            close = lower or difflib.get_close_matches(inst, [str(o) for o in options], n=1, cutoff=0.6)
            if close:
                hint = f"did you mean `{close[0]}`?"
        if path and path[-1] == "cpu" and isinstance(inst, int):
            hint = "Fargate task CPU units are 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)"
        return [problem(SCC104, f"{_show(inst)} is not allowed here; use one of: {listed}", path, hint=hint)]

    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        lo, hi, above = sch.get("minimum"), sch.get("maximum"), sch.get("exclusiveMinimum")
        parts = [f"at least {lo}" if lo is not None else "", f"greater than {above}" if above is not None else "",
                 f"at most {hi}" if hi is not None else ""]
        rng = " and ".join(p for p in parts if p)
        return [problem(SCC105, f"{_show(inst)} is out of range: must be {rng}", path)]

    if v == "pattern" and "propertyNames" in err.relative_schema_path:
        # A bad key: jsonschema reports the mapping, with the key itself as the instance.
        msg = sch.get("patternErrorMessage", "")
        return [problem(SCC106, f"{inst!r} is not a valid name here" + (f": {msg}" if msg else ""),
                        (*path, inst), at_key=True)]

    if v == "pattern":
        msg = sch.get("patternErrorMessage") or f"must match {value}"
        return [problem(SCC106, f"{_show(inst)} has the wrong format: {msg}", path)]

    phrases = {
        "minItems": f"needs at least {value} item(s)",
        "maxItems": f"allows at most {value} item(s)",
        "uniqueItems": "has duplicate items",
        "minProperties": f"needs at least {value} entr{'y' if value == 1 else 'ies'}",
        "minLength": "must not be empty" if value == 1 else f"must be at least {value} characters",
        "maxLength": f"must be at most {value} characters",
    }
    what = phrases.get(str(v), err.message)
    return [problem(SCC107, f"this value {what}", path)]
