"""Stage environments: a schema-valid spec -> one Source per environment, the base deep-merged
with that environment's overrides (maps merge, lists replace), with positions that point at
the override's line wherever the override wrote the value."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scc.diagnostics import Diagnostic, Path
from scc.front.merge import merge
from scc.front.spec import Source, in_overrides


def names(src: Source) -> list[str]:
    return list(src.data.get("environments", {}))


def unknown(src: Source) -> list[Diagnostic]:
    """Services and jobs an environment sets that the base spec does not define: a misspelled
    name would otherwise become a new service made of the override alone."""
    import difflib

    from scc.codes import SCC013, problem

    out = []
    for env, body in src.data.get("environments", {}).items():
        for kind in ("services", "jobs"):
            known = list(src.data.get(kind, {}))
            for name in body.get(kind, {}) if isinstance(body, dict) else ():
                if name in known:
                    continue
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else f"define {name!r} under `{kind}` first"
                out.append(src.place(problem(SCC013, f"environment {env!r} sets {kind[:-1]} {name!r}, which the "
                                             f"spec does not define", ("environments", env, kind, name),
                                             at_key=True, hint=hint)))
    return out


def environment(src: Source, name: str) -> Source:
    prefix: Path = ("environments", name)
    base = {k: v for k, v in src.data.items() if k != "environments"}
    own, layer = _without_overrides(src.data["environments"][name])
    data: dict[str, Any] = merge(base, own)
    # Its own application name: clusters, families and the output file never collide.
    data["name"] = f"{base['name']}-{name}"
    # A cluster or namespace the base names (and creates) gets the environment's suffix unless
    # the environment names its own: two environments must not both create `shop` and `local`.
    for key in ("cluster", "namespace"):
        if key in base and key not in src.data["environments"][name]:
            data[key] = _suffixed(base[key], name)

    def remap(found: dict[Path, Any]) -> dict[Path, Any]:
        out = {p: v for p, v in found.items() if p[:1] != ("environments",)}
        out.update({p[2:]: v for p, v in found.items() if p[:2] == prefix and len(p) > 2 and not in_overrides(p)})
        # The environment's overrides keep their own paths: they are a layer, not a merge.
        out.update({p: v for p, v in found.items() if p[:2] == prefix and in_overrides(p)})
        return out

    written = frozenset(p[2:] for p in src.values if p[:2] == prefix and len(p) > 2)
    return Source(file=src.file, data=data, values=remap(src.values), keys=remap(src.keys), lines=src.lines,
                  numbers=remap(src.numbers), environment=name, overrides=written, layer=layer)


def _suffixed(value: Any, env: str) -> Any:
    """`shop` -> `shop-prod` for a cluster or namespace scc creates; an existing one is shared."""
    if isinstance(value, str):
        return f"{value}-{env}"
    if isinstance(value, dict) and not value.get("existing") and isinstance(value.get("name"), str):
        return {**value, "name": f"{value['name']}-{env}"}
    return value


def _without_overrides(env: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An environment's keys without its `overrides` (top level, services', jobs'), and those
    overrides: they apply after the base's instead of replacing them in a merge."""
    layer: dict[str, Any] = {}
    own = {k: v for k, v in env.items() if k != "overrides"}
    if "overrides" in env:
        layer["overrides"] = env["overrides"]
    for kind in ("services", "jobs"):
        if kind in env:
            own[kind] = {}
            for name, body in env[kind].items():
                own[kind][name] = {k: v for k, v in body.items() if k != "overrides"}
                if "overrides" in body:
                    layer.setdefault(kind, {})[name] = body["overrides"]
    return own, layer


def shown(src: Source, diag: Diagnostic) -> Diagnostic:
    """Show a path the environment's override wrote as `environments.<name>.<path>`."""
    if src.environment is None:
        return diag
    path = tuple(diag.path)
    for cut in range(len(path), 0, -1):
        if path[:cut] in src.overrides:
            return replace(diag, path=("environments", src.environment, *path))
    return diag
