"""Stage schema, second round: a spec that fails the schema -> the same spec without the subtrees
that hold the errors (when that rest validates), and the filter that keeps only the rule
diagnostics of that rest which do not depend on what was left out. A user then meets the schema's
errors and the rules' errors of everything else in one run instead of one round after another."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from scc.diagnostics import Diagnostic, Path
from scc.front.spec import Source

# Named entries that stand alone: one of them can go and the rest is still a spec.
ENTRIES = ("services", "jobs", "loadBalancers", "external")
# Top-level keys that cannot go: `defaults`, `network`, `namespace` and `cluster` shape every
# service, `version`, `name` and `services` are required. Every other one (`tags`, `lint`,
# `overrides`, a whole `jobs` of the wrong shape, the unknown key of a typo) can.
_WHOLE = {"version", "name", "defaults", "network", "namespace", "cluster", "services", "environments"}


@dataclass(frozen=True)
class Rest:
    """The spec without the subtrees that hold schema errors, and what is gone."""

    src: Source
    removed: frozenset[Path]
    names: frozenset[str]  # the names of the removed entries (a service, a load balancer, ...)


def _unit(path: Path) -> Path | None:
    """The subtree a schema error at `path` takes out with it, or None when none can go."""
    if not path:
        return None
    top = path[0]
    if len(path) >= 2 and (top in ENTRIES or top == "environments"):
        return path[:2]  # one service, job, load balancer, external target or environment
    return None if top in _WHOLE else path[:1]


def rest(src: Source, errors: list[Diagnostic]) -> Rest | None:
    """The spec without every subtree holding one of the errors; None when an error is in a part
    the rest cannot do without (the caller validates what comes back before trusting it)."""
    units: set[Path] = set()
    for d in errors:
        unit = _unit(d.path)
        if unit is None or not isinstance(src.data, dict):
            return None
        units.add(unit)
    data: dict[str, Any] = dict(src.data)
    names: set[str] = set()
    for unit in sorted(units, key=len):
        top = str(unit[0])  # a top-level key of a mapping: text
        if len(unit) == 1:
            whole = data.pop(top, None)
            if top in ENTRIES and isinstance(whole, dict):
                names.update(str(k) for k in whole)
            continue
        holder = data.get(top)
        if not isinstance(holder, dict) or unit[1] not in holder:
            continue
        data[top] = {k: v for k, v in holder.items() if k != unit[1]}
        if top in ENTRIES:
            names.add(str(unit[1]))
    if "environments" in src.data:
        if not data.get("environments"):
            return None  # the base alone is not what any environment builds
        data["environments"] = {env: _without(body, units) for env, body in data["environments"].items()}
    return Rest(replace(src, data=data), frozenset(units), frozenset(names))


def _without(body: Any, units: set[Path]) -> Any:
    """An environment's overrides without the entries removed from the base: an override of a
    removed service would otherwise be a service of its own, or an unknown one (SCC013)."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    for kind in ENTRIES:
        if isinstance(out.get(kind), dict):
            out[kind] = {k: v for k, v in out[kind].items() if (kind, k) not in units and (kind,) not in units}
    return out


def _mentions(value: Any, names: frozenset[str]) -> bool:
    if isinstance(value, str):
        return value in names
    if isinstance(value, dict):
        return any(_mentions(v, names) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, names) for v in value)
    return False


def _dependents(part: Rest) -> set[Path]:
    """The entries that name a removed one anywhere (a call, a dependsOn, an exposure's load
    balancer, an override of it), or use the `public` load balancer when that one is gone: what
    the rules say about them may be only the absence."""
    out: set[Path] = set()
    data = part.src.data
    layers = [data, *(body for body in (data.get("environments") or {}).values() if isinstance(body, dict))]
    for layer in layers:
        for kind in ENTRIES:
            entries = layer.get(kind)
            for name, body in entries.items() if isinstance(entries, dict) else ():
                uses_public = "public" in part.names and isinstance(body, dict) and "public" in body
                if uses_public or _mentions(body, part.names):
                    out.add((kind, name))
    return out


def _entry(path: Path) -> Path:
    """A diagnostic's path as the base's entry it concerns: an environment's override of
    `services.api` is about `services.api`."""
    if len(path) >= 4 and path[0] == "environments" and path[2] in ENTRIES:
        return path[2:4]
    return path[:2]


def kept(part: Rest, found: list[Diagnostic]) -> list[Diagnostic]:
    """The rule diagnostics of the rest that stand on their own: none located in or at a removed
    subtree or an entry that depends on one, none that names a removed entry, no unknown name
    while an entry is gone, no environment that is not there, and no warning once `lint` (which
    silences warnings) is gone."""
    from scc.codes import SCC008, SCC013, SCC201, SCC202, SCC720

    # A name that is not defined may be the one that was removed, or a misspelling whose hint
    # ("did you mean ...?", "defined services: ...") cannot see it: the next round says it right.
    unresolved = {SCC201.code, SCC202.code, SCC720.code} if part.names else set()
    gone = part.removed | _dependents(part)
    quoted = {f"{q}{n}{q}" for n in part.names for q in "'`\""}
    out = []
    for d in found:
        if d.code in (SCC008.code, SCC013.code) or d.code in unresolved:
            continue
        if any(d.path[:len(g)] == g for g in gone) or _entry(d.path) in gone:
            continue
        if any(q in d.message for q in quoted):
            continue
        if d.severity == "warning" and ("lint",) in part.removed:
            continue
        out.append(d)
    return out
