"""Rules on what the generated task would expose: credentials in plain environment variables,
and security settings that would have no effect."""

from __future__ import annotations

import re

from scc.codes import problem
from scc.diagnostics import Diagnostic
from scc.model import App

# Variable names that mean a credential ...
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)", re.I)
# ... unless they name where one is or what it is called (TOKEN_URL, SECRET_NAME, ACCESS_KEY_ID).
NOT_SECRET = re.compile(r"_(URL|URI|ENDPOINT|HOST|PATH|FILE|NAME|ARN|ID|REGION|TTL|TIMEOUT)$", re.I)


def check(app: App) -> list[Diagnostic]:
    out = []
    for svc in app.services:
        if svc.secrets_kms_key and not svc.secrets:
            out.append(problem("SCC801", f"secretsKmsKey has no effect: {svc.name!r} has no secrets",
                               svc.at("secretsKmsKey"), at_key=True, hint="remove it, or add `secrets`"))
        for name, value in svc.environment:
            if SECRET_NAME.search(name) and not NOT_SECRET.search(name) and value:
                out.append(problem("SCC802", f"{name} looks like a credential in plain `environment`, stored in "
                                   "the task definition and the template", svc.at("environment", name),
                                   at_key=True, hint=f"move it to `secrets: {{{name}: <Secrets Manager or SSM "
                                   "ARN>}`"))
    return out
