"""Rules on the spec's own settings (lint) and on names that would collide as logical ids."""

from __future__ import annotations

import re

from scc.codes import CODES, SCC108, SCC109, SCC308, problem
from scc.diagnostics import Diagnostic, Path
from scc.model import Service
from scc.naming import Ids, LbIds, shared_ids
from scc.plan import Plan

PSEUDO = re.compile(r"\$\{AWS::[A-Za-z]+\}")


def _texts(svc: Service) -> list[tuple[Path, str]]:
    """The service's free-text values that go into the template verbatim."""
    main = svc.main
    out: list[tuple[Path, str]] = [(svc.at("image"), main.image)]
    out += [(svc.at("command", i), v) for i, v in enumerate(main.command)]
    out += [(svc.at("entryPoint", i), v) for i, v in enumerate(main.entry_point)]
    out += [(svc.at("environment", k), v) for k, v in main.environment]
    if main.health_check:
        out += [(svc.at("healthCheck", "command"), v) for v in main.health_check.command]
    return out


def check(plan: Plan) -> list[Diagnostic]:
    app = plan.app
    out = []
    for svc in app.services:
        for path, text in _texts(svc):
            found = PSEUDO.search(text)
            if found:
                out.append(problem(SCC109, f"{found.group(0)} is not substituted: spec values are written as "
                                   "plain text", path, hint="ECS sets AWS_REGION in every task; for other values "
                                   "pass them in `environment` literally"))
    for i, code in enumerate(app.lint_ignore):
        if code.startswith("SCC"):
            known = CODES.get(code)
            if known is None:
                out.append(problem(SCC108, f"{code} is not an scc code", ("lint", "ignore", i),
                                   hint="`scc explain` lists the codes"))
            elif known.severity == "error":
                out.append(problem(SCC108, f"{code} is an error and cannot be ignored", ("lint", "ignore", i)))
    owners: dict[str, str] = {i: "scc's shared resources" for i in shared_ids()}
    for lbp in plan.load_balancers:
        lb = lbp.load_balancer
        listeners = [(listener.port, listener.protocol) for listener in lbp.listeners]
        count = max((len(listener.certificates) for listener in lbp.listeners), default=0)
        for logical_id in LbIds(lb.name).all(listeners, count):
            owners.setdefault(logical_id, f"load balancer {lb.name!r}")
    # The security group rules of calls, whose ids join two names: `a` called by `b-ingress-from-c`
    # and `a-ingress-from-b` called by `c` both give AIngressFromBIngressFromCPort80.
    for sp in plan.services:
        for e in sp.endpoints:
            if e.target is None or e.via in ("load-balancer", "queue"):
                continue
            edge_ids = [Ids(e.name).ingress_from(sp.name, e.number)]
            if app.network.egress == "none":
                edge_ids.append(Ids(sp.name).egress_to(e.name, e.number))
            for logical_id in edge_ids:
                mine = f"the call from {sp.name!r} to {e.name!r}"
                other = owners.setdefault(logical_id, mine)
                if other != mine:
                    out.append(problem(SCC308, f"{mine} would give the logical id {logical_id!r}, already used by "
                                       f"{other}", (sp.service.root, sp.name, "calls"), at_key=True,
                                       hint="rename one of the services"))
    for svc in app.services:
        own = Ids(svc.name)
        suffixes = [r.suffix for r in plan.service(svc.name).routes if r.suffix]
        for logical_id in own.all() + [i for s in suffixes for i in own.exposure_ids(s)]:
            other = owners.setdefault(logical_id, f"service {svc.name!r}")
            if other != f"service {svc.name!r}":
                out.append(problem(SCC308, f"service {svc.name!r} would give the logical id {logical_id!r}, "
                                   f"already used by {other}", ("services", svc.name), at_key=True,
                                   hint="rename the service"))
                break
    return out
