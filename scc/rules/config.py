"""Rules on the spec's own settings (lint) and on names that would collide as logical ids."""

from __future__ import annotations

from scc.codes import CODES, problem
from scc.diagnostics import Diagnostic
from scc.model import App
from scc.naming import camel


def check(app: App) -> list[Diagnostic]:
    out = []
    for i, code in enumerate(app.lint_ignore):
        if code.startswith("SCC"):
            known = CODES.get(code)
            if known is None:
                out.append(problem("SCC108", f"{code} is not an scc code", ("lint", "ignore", i),
                                   hint="`scc explain` lists the codes"))
            elif known.severity == "error":
                out.append(problem("SCC108", f"{code} is an error and cannot be ignored", ("lint", "ignore", i)))
    by_id: dict[str, str] = {}
    for svc in app.services:
        other = by_id.setdefault(camel(svc.name), svc.name)
        if other != svc.name:
            out.append(problem("SCC308", f"services {other!r} and {svc.name!r} both give the logical id "
                               f"{camel(svc.name)!r}", ("services", svc.name), at_key=True,
                               hint="rename one of them"))
    return out
