"""Rules on what the generated task would expose: credentials in plain environment variables,
and security settings that would have no effect."""

from __future__ import annotations

import re

from scc.codes import SCC801, SCC802, SCC803, SCC804, problem
from scc.diagnostics import Diagnostic
from scc.model import App
from scc.plan import Plan

# Variable names that mean a credential ...
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)", re.I)
# ... unless they name where one is or what it is called (TOKEN_URL, SECRET_NAME, ACCESS_KEY_ID).
NOT_SECRET = re.compile(r"_(URL|URI|ENDPOINT|HOST|PATH|FILE|NAME|ARN|ID|REGION|TTL|TIMEOUT)$", re.I)


def check(plan: Plan) -> list[Diagnostic]:
    app = plan.app
    out = _load_balancer(app)
    if app.network.vpc_cidr and app.network.egress != "vpc":
        out.append(problem(SCC804, f"vpcCidr has no effect with egress {app.network.egress}",
                           ("network", "vpcCidr"), at_key=True, hint="set `egress: vpc`, or remove vpcCidr"))
    for svc in app.services:
        if svc.task.secrets_kms_key and not svc.task.secrets:
            out.append(problem(SCC801, f"secretsKmsKey has no effect: {svc.name!r} has no secrets",
                               svc.at("secretsKmsKey"), at_key=True, hint="remove it, or add `secrets`"))
        for name, value in svc.main.environment:
            if SECRET_NAME.search(name) and not NOT_SECRET.search(name) and value:
                out.append(problem(SCC802, f"{name} looks like a credential in plain `environment`, stored in "
                                   "the task definition and the template", svc.at("environment", name),
                                   at_key=True, hint=f"move it to `secrets: {{{name}: <Secrets Manager or SSM "
                                   "ARN>}`"))
    return out


def _load_balancer(app: App) -> list[Diagnostic]:
    """1.0 wrote the load balancer's access logs and web ACL on `public`; they moved to
    `loadBalancers.public`, and the error says where."""
    out = []
    for svc in app.services:
        for exp in svc.exposures:
            for key, value in (("accessLogs", exp.access_logs), ("webAcl", exp.web_acl)):
                if value is not None:
                    out.append(problem(SCC803, f"{key} is a setting of the load balancer, which services share: "
                                       f"write it under loadBalancers.{exp.load_balancer}", svc.at(*exp.keys, key),
                                       at_key=True, hint=f"move it: `loadBalancers: {{{exp.load_balancer}: "
                                       f"{{{key}: ...}}}}`"))
    return out
