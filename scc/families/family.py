"""What a resource family is: hooks from the plan to emitted resources (see scc/families/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from troposphere import BaseAWSObject

from scc.diagnostics import Path
from scc.plan import Plan, ServicePlan


@dataclass(frozen=True)
class Emitted:
    item: BaseAWSObject  # a resource, a Parameter or an Output; its title is its logical id
    path: Path  # the spec part behind it, for diagnostics
    owner: str | None  # the service whose stack holds it; None: the app (the root stack)


AppHook = Callable[[Plan], Iterable[Emitted]]
ServiceHook = Callable[[Plan, ServicePlan], Iterable[Emitted]]


@dataclass(frozen=True)
class Family:
    name: str
    app: AppHook | None = None
    service: ServiceHook | None = None
    edges: ServiceHook | None = None
    finish: AppHook | None = None
