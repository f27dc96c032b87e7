"""Stage rules: the plan -> diagnostics for what the schema cannot express. What did not resolve
the plan reported already; each topic module judges what did, with one `check(plan)`, in this
fixed order."""

from __future__ import annotations

from scc.diagnostics import Diagnostic
from scc.plan import Plan
from scc.rules import calls, capacity, config, deployment, exposure, ports, scaling, security, task

TOPICS = (config, calls, ports, capacity, task, deployment, scaling, exposure, security)


def check(plan: Plan) -> list[Diagnostic]:
    return [*plan.diagnostics, *(d for topic in TOPICS for d in topic.check(plan))]
