"""Stage rules: the typed model -> diagnostics for what the schema cannot express.
Each topic module has one `check(app)`; they run in this fixed order."""

from __future__ import annotations

from scc.diagnostics import Diagnostic
from scc.model import App
from scc.rules import calls, capacity, config, deployment, exposure, ports, scaling, security

TOPICS = (config, calls, ports, capacity, deployment, scaling, exposure, security)


def check(app: App) -> list[Diagnostic]:
    return [d for topic in TOPICS for d in topic.check(app)]
