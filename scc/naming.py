"""Logical ids, environment variable names and URLs: the only place names are made."""

from __future__ import annotations

import re
from functools import cache

from scc.limits import MAX_LISTENER_CERTIFICATES, MAX_SUBSCRIPTIONS


def camel(name: str) -> str:
    """`order-api` -> `OrderApi`; CloudFormation logical ids are alphanumeric only."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


# The fixed logical ids a service's resources can take: `<Service><suffix>`. Every id a service
# can give comes from this table, EXPOSURE_KINDS (or the methods below them), so the collision check (SCC308) sees
# every family without a list kept by hand.
SERVICE_IDS = {
    "service": "Service",
    "task_definition": "TaskDefinition",
    "security_group": "SecurityGroup",
    "log_group": "LogGroup",
    "execution_role": "ExecutionRole",
    "task_role": "TaskRole",
    "scalable_target": "ScalableTarget",
    "discovery": "DiscoveryService",
    "queue": "Queue",
    "dead_letter_queue": "DeadLetterQueue",
    "queue_policy": "QueuePolicy",
    "backlog_alarm": "QueueBacklogAlarm",
    "scaling_from_zero": "ScalingFromZero",
    "schedule": "Schedule",
    "scheduler_role": "SchedulerRole",
    "errors_alarm": "DeploymentErrorsAlarm",
    "latency_alarm": "DeploymentLatencyAlarm",
}

# What one exposure gives: `<Service><suffix><kind>` (see exposure_suffixes).
EXPOSURE_KINDS = ("TargetGroup", "ListenerRule", "AlternateTargetGroup", "Certificate", "DnsRecord", "Url")


@cache
def scaling_targets() -> tuple[str, ...]:
    """The scaling targets of the language, from the schema: each gets a policy id of its own."""
    from scc.front.schema import resolve, schema

    targets = resolve(schema()["definitions"]["scaling"])["properties"]["targets"]
    return tuple(targets["properties"])


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
    LB_INFRASTRUCTURE_ROLE = "EcsLoadBalancerInfrastructureRole"
    LB_WEB_ACL = "LoadBalancerWebAcl"
    VPC_CIDR_PARAM = "VpcCidr"

    @staticmethod
    def lb_certificate(n: int) -> str:
        return f"LoadBalancerCertificate{n}"

    @staticmethod
    def listener(protocol: str) -> str:
        return Ids.HTTPS_LISTENER if protocol == "HTTPS" else Ids.HTTP_LISTENER

    def __init__(self, service: str) -> None:
        self.base = camel(service)

    def _id(self, kind: str) -> str:
        return f"{self.base}{SERVICE_IDS[kind]}"

    @property
    def service(self) -> str:
        return self._id("service")

    @property
    def task_definition(self) -> str:
        return self._id("task_definition")

    @property
    def security_group(self) -> str:
        return self._id("security_group")

    @property
    def log_group(self) -> str:
        return self._id("log_group")

    @property
    def execution_role(self) -> str:
        return self._id("execution_role")

    @property
    def task_role(self) -> str:
        return self._id("task_role")

    @property
    def scalable_target(self) -> str:
        return self._id("scalable_target")

    @property
    def discovery(self) -> str:
        return self._id("discovery")

    @property
    def queue(self) -> str:
        return self._id("queue")

    @property
    def dead_letter_queue(self) -> str:
        return self._id("dead_letter_queue")

    @property
    def queue_policy(self) -> str:
        return self._id("queue_policy")

    @property
    def backlog_alarm(self) -> str:
        return self._id("backlog_alarm")

    @property
    def scaling_from_zero(self) -> str:
        return self._id("scaling_from_zero")

    def subscription(self, n: int) -> str:
        return f"{self.base}QueueSubscription{n}"

    @property
    def schedule(self) -> str:
        return self._id("schedule")

    @property
    def scheduler_role(self) -> str:
        return self._id("scheduler_role")

    @property
    def errors_alarm(self) -> str:
        return self._id("errors_alarm")

    @property
    def latency_alarm(self) -> str:
        return self._id("latency_alarm")

    def scaling_policy(self, target: str) -> str:
        return f"{self.base}Scaling{camel(target)}"

    def all(self) -> list[str]:
        """Every fixed logical id this service can give (ingress rules, named by port, aside)."""
        return ([self._id(k) for k in SERVICE_IDS] + [self.scaling_policy(t) for t in scaling_targets()]
                + self.exposure_ids("") + [self.subscription(n) for n in range(1, MAX_SUBSCRIPTIONS + 1)])

    def ingress_from_load_balancer(self, port: int, protocol: str = "tcp", load_balancer: str = "public") -> str:
        kind = "" if protocol == "tcp" else protocol.capitalize()
        return f"{self.base}IngressFrom{LbIds(load_balancer).base}LoadBalancer{kind}Port{port}"

    def exposed(self, suffix: str, kind: str) -> str:
        """An exposure's resource or output, of one of EXPOSURE_KINDS."""
        assert kind in EXPOSURE_KINDS, kind
        return f"{self.base}{suffix}{kind}"

    def exposure_ids(self, suffix: str) -> list[str]:
        return [self.exposed(suffix, kind) for kind in EXPOSURE_KINDS]

    def egress_to(self, callee: str, port: int) -> str:
        return f"{self.base}EgressTo{camel(callee)}Port{port}"

    def ingress_from(self, caller: str, port: int) -> str:
        return f"{self.base}IngressFrom{camel(caller)}Port{port}"


class LbIds:
    """Logical ids of one load balancer's resources. `public` keeps 1.0's ids (`LoadBalancer`,
    `LoadBalancerHttpListener`, ...) so that specs written for 1.0 update in place; every other
    load balancer's start with its name (`InternalLoadBalancer`, ...)."""

    def __init__(self, name: str) -> None:
        self.base = "" if name == "public" else camel(name)

    @property
    def load_balancer(self) -> str:
        return f"{self.base}LoadBalancer"

    @property
    def security_group(self) -> str:
        return f"{self.base}LoadBalancerSecurityGroup"

    @property
    def web_acl(self) -> str:
        return f"{self.base}LoadBalancerWebAcl"

    @property
    def dns_output(self) -> str:
        return f"{self.base}LoadBalancerDnsName"

    def listener(self, port: int, protocol: str) -> str:
        """1.0's two listeners keep their ids; any other port or protocol is named by its port."""
        if (port, protocol) == (80, "HTTP"):
            return f"{self.base}LoadBalancerHttpListener"
        if (port, protocol) == (443, "HTTPS"):
            return f"{self.base}LoadBalancerHttpsListener"
        return f"{self.base}LoadBalancerListener{port}"

    def all(self, listeners: list[tuple[int, str]], certificates: int) -> list[str]:
        """Every id this load balancer gives with these listeners (port, protocol), each with up to
        `certificates` certificates."""
        ids = [self.load_balancer, self.security_group, self.web_acl, self.dns_output]
        for port, protocol in listeners:
            ids.append(self.listener(port, protocol))
            ids += [self.certificate(port, n) for n in range(1, certificates + 1)]
        return ids

    def certificate(self, port: int, n: int) -> str:
        """The n-th (from 2) certificate of a listener, each in a ListenerCertificate of its own."""
        if port == 443:
            return f"{self.base}LoadBalancerCertificate{n}"
        return f"{self.base}LoadBalancerListener{port}Certificate{n}"


def exposure_suffixes(exposures: list[tuple[str, int]]) -> list[str]:
    """What goes between a service's name and the kind in the ids of each of its exposures, given
    as (load balancer, listener port): nothing for its first on `public` (1.0's ids:
    `WebTargetGroup`), else the load balancer and port (`WebInternal8080TargetGroup`)."""
    out: list[str] = []
    for i, (lb, port) in enumerate(exposures):
        suffix = "" if lb == "public" and all(other != "public" for other, _ in exposures[:i]) else f"{camel(lb)}{port}"
        out.append(suffix if suffix not in out else f"{suffix}Route{i}")
    return out


def shared_ids() -> list[str]:
    """The logical ids of the app-wide resources and parameters: every upper-case constant of Ids."""
    fixed = [v for k, v in vars(Ids).items() if k.isupper() and isinstance(v, str)]
    return [*fixed, *(Ids.lb_certificate(n) for n in range(2, MAX_LISTENER_CERTIFICATES + 1))]


# The FireLens container scc adds to a task whose logs are routed (`logs.router`).
LOG_ROUTER = "log-router"

# A call variable's name suffix per format.
ENV_SUFFIX = {"url": "_URL", "address": "_ADDR", "host": "_HOST"}
SCHEMES = {"http": "http", "http2": "http", "grpc": "grpc", "tcp": "tcp"}


def queue_env(target: str) -> str:
    """`mailer` -> `MAILER_QUEUE_URL`: what a caller of a queue worker sends to."""
    return re.sub(r"[^A-Z0-9]+", "_", target.upper()) + "_QUEUE_URL"


def env_name(target: str, fmt: str) -> str:
    """`order-api` -> `ORDER_API_URL` (url), `ORDER_API_ADDR` (address), `ORDER_API_HOST` (host)."""
    return re.sub(r"[^A-Z0-9]+", "_", target.upper()) + ENV_SUFFIX[fmt]


def default_format(app_protocol: str) -> str:
    """A URL for http and http2; `host:port` for grpc and tcp, the form their clients take."""
    return "url" if SCHEMES[app_protocol] == "http" else "address"


def around_host(fmt: str, app_protocol: str, transport: str, port: int, external: bool = False) -> tuple[str, str]:
    """What a variable of this format writes before and after the host: `http://` and `:8080`,
    `` and `:6379`, ... An external http target on 443 is `https://host` (inside the stack,
    Service Connect's proxy speaks plain http to the application, whatever the port)."""
    if fmt == "host":
        return "", ""
    if fmt == "address":
        return "", f":{port}"
    scheme = "udp" if transport == "udp" else SCHEMES[app_protocol]
    if external and scheme == "http" and port == 443:
        return "https://", ""
    return f"{scheme}://", "" if scheme == "http" and port == 80 else f":{port}"


def external_host_parameter(name: str) -> str:
    """The template parameter that gives an external target's host: `orders-db` -> `OrdersDbHost`."""
    return f"{camel(name)}Host"
