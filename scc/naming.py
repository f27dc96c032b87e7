"""Logical ids, environment variable names and URLs: the only place names are made."""

from __future__ import annotations

import re


def camel(name: str) -> str:
    """`order-api` -> `OrderApi`; CloudFormation logical ids are alphanumeric only."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


class Ids:
    """Logical ids of the resources scc makes. Shared resources have fixed ids; a service's
    resources are `<Service><Kind>`, so renaming one service changes only its own ids."""

    CLUSTER = "Cluster"
    NAMESPACE = "Namespace"
    VPC_PARAM = "VpcId"
    SUBNETS_PARAM = "SubnetIds"
    PUBLIC_SUBNETS_PARAM = "PublicSubnetIds"
    LOAD_BALANCER = "LoadBalancer"
    LB_SECURITY_GROUP = "LoadBalancerSecurityGroup"
    HTTP_LISTENER = "LoadBalancerHttpListener"
    HTTPS_LISTENER = "LoadBalancerHttpsListener"
    TLS_ROLE = "ServiceConnectTlsRole"
    LB_WEB_ACL = "LoadBalancerWebAcl"
    VPC_CIDR_PARAM = "VpcCidr"

    @staticmethod
    def lb_certificate(n: int) -> str:
        return f"LoadBalancerCertificate{n}"

    def __init__(self, service: str) -> None:
        self.base = camel(service)

    @property
    def service(self) -> str:
        return f"{self.base}Service"

    @property
    def task_definition(self) -> str:
        return f"{self.base}TaskDefinition"

    @property
    def security_group(self) -> str:
        return f"{self.base}SecurityGroup"

    @property
    def log_group(self) -> str:
        return f"{self.base}LogGroup"

    @property
    def execution_role(self) -> str:
        return f"{self.base}ExecutionRole"

    @property
    def task_role(self) -> str:
        return f"{self.base}TaskRole"

    @property
    def tls_role(self) -> str:
        return f"{self.base}ServiceConnectTlsRole"

    @property
    def scalable_target(self) -> str:
        return f"{self.base}ScalableTarget"

    def scaling_policy(self, target: str) -> str:
        return f"{self.base}Scaling{camel(target)}"

    @property
    def target_group(self) -> str:
        return f"{self.base}TargetGroup"

    @property
    def listener_rule(self) -> str:
        return f"{self.base}ListenerRule"

    @property
    def discovery(self) -> str:
        return f"{self.base}DiscoveryService"

    def all(self) -> list[str]:
        """Every fixed logical id this service can give (ingress rules, named by port, aside)."""
        kinds = ("service", "task_definition", "security_group", "log_group", "execution_role", "task_role",
                 "scalable_target", "target_group", "listener_rule", "discovery")
        return [getattr(self, k) for k in kinds] + [self.scaling_policy(t) for t in SCALING_TARGETS]

    def ingress_from_load_balancer(self, port: int) -> str:
        return f"{self.base}IngressFromLoadBalancerPort{port}"

    def egress_to(self, callee: str, port: int) -> str:
        return f"{self.base}EgressTo{camel(callee)}Port{port}"

    def ingress_from(self, caller: str, port: int) -> str:
        return f"{self.base}IngressFrom{camel(caller)}Port{port}"


SCALING_TARGETS = ("cpu", "memory", "requests", "connections", "albRequests")


def shared_ids() -> list[str]:
    """The logical ids of the app-wide resources and parameters."""
    return [Ids.CLUSTER, Ids.NAMESPACE, Ids.VPC_PARAM, Ids.SUBNETS_PARAM, Ids.PUBLIC_SUBNETS_PARAM,
            Ids.LOAD_BALANCER, Ids.LB_SECURITY_GROUP, Ids.HTTP_LISTENER, Ids.HTTPS_LISTENER, Ids.TLS_ROLE,
            Ids.LB_WEB_ACL, Ids.VPC_CIDR_PARAM,
            *(Ids.lb_certificate(n) for n in range(2, 26))]


def url_env(service: str) -> str:
    """`order-api` -> `ORDER_API_URL`."""
    return re.sub(r"[^A-Z0-9]+", "_", service.upper()) + "_URL"


SCHEMES = {"http": "http", "http2": "http", "grpc": "grpc", "tcp": "tcp"}


def url(app_protocol: str, host: str, port: int) -> str:
    scheme = SCHEMES[app_protocol]
    if scheme == "http" and port == 80:
        return f"http://{host}"
    return f"{scheme}://{host}:{port}"
