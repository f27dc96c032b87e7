"""References to the app-wide resources that every family uses: the cluster, the namespace, the
VPC and the task subnets (created here, given in the spec, or template parameters)."""

from __future__ import annotations

from troposphere import AWSHelperFn, GetAtt, Ref

from scc.model import App
from scc.naming import Ids


def cluster(app: App) -> str | AWSHelperFn:
    return app.cluster.name if app.cluster.existing else Ref(Ids.CLUSTER)


def namespace(app: App) -> str | AWSHelperFn | None:
    """The namespace ARN; None without a namespace."""
    ns = app.namespace
    if ns is None:
        return None
    return ns.existing if ns.existing else GetAtt(Ids.NAMESPACE, "Arn")


def vpc(app: App) -> str | AWSHelperFn:
    return app.network.vpc or Ref(Ids.VPC_PARAM)


def subnets(app: App) -> list[str] | AWSHelperFn:
    return list(app.network.subnets) or Ref(Ids.SUBNETS_PARAM)
