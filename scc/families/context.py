"""What every compile module refers to: the shared resources' references, made once per app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import GetAtt, Ref

from scc.model import App
from scc.naming import Ids


@dataclass(frozen=True)
class Context:
    app: App
    cluster: Any  # Ref to the created cluster, or the existing cluster's name
    namespace: Any  # namespace ARN (GetAtt or literal), None without Service Connect
    vpc: Any
    subnets: Any


def context(app: App) -> Context:
    ns = app.namespace
    namespace: Any = None
    if ns is not None:
        namespace = ns.existing if ns.existing else GetAtt(Ids.NAMESPACE, "Arn")
    return Context(
        app=app,
        cluster=app.cluster.name if app.cluster.existing else Ref(Ids.CLUSTER),
        namespace=namespace,
        vpc=app.network.vpc or Ref(Ids.VPC_PARAM),
        subnets=list(app.network.subnets) or Ref(Ids.SUBNETS_PARAM),
    )
