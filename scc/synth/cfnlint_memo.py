"""Stage lint, cfn-lint's repeated work done once per process. cfn-lint 1.x builds the same things
again and again while it validates one template, and that is a third of its time on scc's
templates (profiled on the benchmark's N = 10 app: 1.4 s -> 1.0 s):

- every `extend_validator` (about three per resource) makes a new validator class with
  `dataclasses.dataclass`, which compiles its `__init__`, `__repr__` and `__eq__` with `exec`:
  a millisecond each, for classes that differ only by the arguments they close over. Here a class
  is made once per distinct (validators, function filter, resolvers) and then reused: the class
  depends on nothing else, and none of those is changed after it is made;
- every `evolve` of a validator, context or function filter (tens of thousands per template)
  asks `dataclasses.fields` for the same class's fields; here each class's tuple is kept.

Both are exact: the same classes, with the same behaviour, made fewer times. `install()` checks
that cfn-lint is shaped as expected (the modules, `create`'s parameters, `fields` being the
dataclasses one) and leaves anything else alone, so a cfn-lint that moved these is only slower.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable
from typing import Any

# Modules of cfn-lint that call `fields(SomeDataclass)` on their hot paths.
_FIELDS_USERS = ("cfnlint.jsonschema.validators", "cfnlint.context.context", "cfnlint.jsonschema._filter")
_LIMIT = 4096  # distinct validator classes kept; beyond that (never seen) they are made as before

_fields: dict[type, tuple[dataclasses.Field[Any], ...]] = {}
_installed: list[bool] = []


def fields(class_or_instance: Any) -> tuple[dataclasses.Field[Any], ...]:
    cls = class_or_instance if isinstance(class_or_instance, type) else type(class_or_instance)
    found = _fields.get(cls)
    if found is None:
        found = _fields[cls] = dataclasses.fields(cls)
    return found


def _memo(create: Callable[..., type]) -> Callable[..., type]:
    made: dict[tuple[Any, ...], tuple[type, Any]] = {}

    def cached(validators: Any = None, function_filter: Any = None, fn_resolvers: Any = None) -> type:
        try:
            # Bound methods compare and hash by their function and object; a FunctionFilter is a
            # plain dataclass (no hash), compared field by field below.
            key = (tuple((validators or {}).items()), repr(function_filter), tuple((fn_resolvers or {}).items()))
            hit = made.get(key)
        except TypeError:  # something unhashable: make it as cfn-lint does
            return create(validators, function_filter, fn_resolvers)
        if hit is not None and hit[1] == function_filter:
            return hit[0]
        cls = create(validators, function_filter, fn_resolvers)
        if hit is None and len(made) < _LIMIT:
            made[key] = (cls, function_filter)
        return cls

    return cached


def install() -> bool:
    """Patch cfn-lint's modules (once per process); False if they are not as expected."""
    if _installed:
        return _installed[0]
    try:
        validators: Any = importlib.import_module("cfnlint.jsonschema.validators")
        users: list[Any] = [importlib.import_module(name) for name in _FIELDS_USERS]
        params = list(inspect.signature(validators.create).parameters)
    except (ImportError, AttributeError, TypeError, ValueError):
        _installed.append(False)
        return False
    ok = params == ["validators", "function_filter", "fn_resolvers"] and all(
        getattr(m, "fields", None) is dataclasses.fields for m in users)
    if ok:
        validators.create = _memo(validators.create)
        for m in users:
            m.fields = fields
    _installed.append(ok)
    return ok
