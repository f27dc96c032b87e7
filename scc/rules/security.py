"""Rules on what the generated task would expose: credentials in plain environment variables,
and security settings that would have no effect."""

from __future__ import annotations

import re

from scc.codes import SCC801, SCC802, SCC803, SCC804, SCC805, SCC806, SCC807, problem
from scc.diagnostics import Diagnostic
from scc.model import App, Service
from scc.plan import Plan

# AWS's managed policy that allows everything, in any partition.
ADMIN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")

# Variable names that mean a credential ...
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)", re.I)
# ... unless they name where one is or what it is called (TOKEN_URL, SECRET_NAME, ACCESS_KEY_ID).
NOT_SECRET = re.compile(r"_(URL|URI|ENDPOINT|HOST|PATH|FILE|NAME|ARN|ID|REGION|TTL|TIMEOUT)$", re.I)


def check(plan: Plan) -> list[Diagnostic]:
    app = plan.app
    out = _load_balancer(app)
    for svc in app.services:
        out += _wildcard_secrets(svc) + _task_role(svc) + _allow_from(svc)
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


def _wildcard_secrets(svc: Service) -> list[Diagnostic]:
    """The execution role reads exactly the ARNs written: a pattern there grants every secret it matches."""
    found: list[tuple[str, tuple[str | int, ...]]] = []
    for c in svc.task.containers:
        for var, arn in c.secrets:
            where = svc.at("secrets", var) if c is svc.main else (*c.spec_path, "secrets", var)
            found.append((arn, where))
    if svc.task.registry_credentials:
        found.append((svc.task.registry_credentials, svc.at("registryCredentials")))
    return [problem(SCC805, f"{arn!r} has a wildcard: the execution role could read every secret it matches",
                    where, hint="write the full ARN of the one secret (Secrets Manager's ends in -AbCdEf)")
            for arn, where in found if "*" in arn or "?" in arn]


def _task_role(svc: Service) -> list[Diagnostic]:
    out = []
    for i, arn in enumerate(svc.task.managed_policies):
        if ADMIN.match(arn):
            out.append(problem(SCC806, f"the task role of {svc.name!r} gets AdministratorAccess: code in the container "
                               "may do anything in the account", svc.at("taskRole", "managedPolicies", i),
                               hint="grant only the actions the application calls, in `taskRole.policies`"))
    for i, st in enumerate(svc.task.policies):
        broad = [a for a in st.actions if a == "*" or a.endswith(":*")]
        if st.effect == "Allow" and broad and "*" in st.resources:
            out.append(problem(SCC806, f"the task role of {svc.name!r} allows {broad[0]} on every resource (`*`)",
                               svc.at("taskRole", "policies", i), at_key=True,
                               hint="name the actions and the resources (ARNs) the application uses"))
    return out


def _allow_from(svc: Service) -> list[Diagnostic]:
    """`10.1.2.3/0` is the whole internet: a prefix shorter than the address written."""
    import ipaddress

    out = []
    for exp in svc.exposures:
        for i, cidr in enumerate(exp.allow_from):
            try:
                iface = ipaddress.ip_interface(cidr)
            except ValueError:
                continue  # the schema has said so
            if iface.ip == iface.network.network_address:
                continue
            wide = "every address" if iface.network.prefixlen == 0 else f"all of {iface.network}"
            host = 32 if iface.version == 4 else 128
            out.append(problem(SCC807, f"allowFrom {cidr} is {wide}, not the address {iface.ip}",
                               svc.at(*exp.keys, "allowFrom", i),
                               hint=f"write {iface.ip}/{host} for the one host, or {iface.network} for the network"))
    return out
