"""Stage environments: a schema-valid spec -> one Source per environment, the base deep-merged
with that environment's overrides (maps merge, lists replace), with positions that point at
the override's line wherever the override wrote the value."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scc.diagnostics import Diagnostic, Path
from scc.front.merge import merge
from scc.front.spec import Source


def names(src: Source) -> list[str]:
    return list(src.data.get("environments", {}))


def environment(src: Source, name: str) -> Source:
    prefix: Path = ("environments", name)
    base = {k: v for k, v in src.data.items() if k != "environments"}
    data: dict[str, Any] = merge(base, src.data["environments"][name])
    # Its own application name: clusters, families and the output file never collide.
    data["name"] = f"{base['name']}-{name}"

    def remap(found: dict[Path, Any]) -> dict[Path, Any]:
        out = {p: v for p, v in found.items() if p[:1] != ("environments",)}
        out.update({p[2:]: v for p, v in found.items() if p[:2] == prefix and len(p) > 2})
        return out

    written = frozenset(p[2:] for p in src.values if p[:2] == prefix and len(p) > 2)
    return Source(file=src.file, data=data, values=remap(src.values), keys=remap(src.keys), lines=src.lines,
                  numbers=remap(src.numbers), environment=name, overrides=written)


def shown(src: Source, diag: Diagnostic) -> Diagnostic:
    """Show a path the environment's override wrote as `environments.<name>.<path>`."""
    if src.environment is None:
        return diag
    path = tuple(diag.path)
    for cut in range(len(path), 0, -1):
        if path[:cut] in src.overrides:
            return replace(diag, path=("environments", src.environment, *path))
    return diag
