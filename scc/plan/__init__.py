"""Stage plan: the model -> every reference resolved once. Each call to its target port, host and
variable; each exposure to its target port, listener and rule; scaling targets to their metric;
creation order and waves; the network edges the calls and load balancers need. What does not
resolve becomes a located diagnostic here; rules judge the plan, families build exactly it, and
neither resolves anything again."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from scc.diagnostics import Diagnostic, Path
from scc.model import App, Call, Exposure, External, LoadBalancer, Port, Scaling, Service


@dataclass(frozen=True)
class Variable:
    """A call's variable: `prefix + host + suffix` (the host may be a template parameter)."""

    name: str
    format: str  # url | address | host
    prefix: str
    suffix: str

    def text(self, host: str) -> str:
        return f"{self.prefix}{host}{self.suffix}"


@dataclass(frozen=True)
class Endpoint:
    """A call resolved: what it reaches, the port it opens, and the name, port and variable the
    caller uses."""

    call: Call
    name: str  # the called service or external target
    target: Service | None  # None: an external target
    external: External | None
    port: Port | None  # the called service's port; None for an external target
    number: int  # the port the network rules open
    protocol: str  # tcp | udp
    app_protocol: str
    port_name: str  # for descriptions
    host: str  # what the caller dials; with host_parameter, the parameter's logical id
    host_port: int
    host_parameter: bool  # the host is a template parameter (an external target without `host`)
    via: str  # "service-connect", "dns", "load-balancer" (a job's call to an exposed service), "queue" or "external"
    variable: Variable | None  # None: format none
    # The host is an attribute of a resource (logical id, attribute): a load balancer's DNS name.
    host_ref: tuple[str, str] | None = None
    # Through a load balancer: its security group (a logical id, or an existing sg-...).
    via_group: str | None = None

    def label(self) -> str:
        """The endpoint as the caller's task definition records it (docker label scc.calls); a host
        given as a template parameter is recorded by the parameter's name (its value reaches the
        task through the variable)."""
        host = f"<{self.host}>" if self.host_parameter else self.host
        if self.via == "queue":
            return f"{self.name}=queue"
        if self.host_ref is not None:
            host = f"<{'.'.join(self.host_ref)}>"
        return f"{self.name}={host}:{self.host_port}"


@dataclass(frozen=True)
class CertificateRef:
    """A listener certificate: an ACM ARN as written, or one the stack creates (its logical id)."""

    arn: str | None
    logical_id: str | None


@dataclass(frozen=True)
class Route:
    """How one exposure is reached: its load balancer and listener, and its rule unless it is the
    listener's default action."""

    service: Service
    exposure: Exposure
    load_balancer: LoadBalancer
    port: Port  # the target port
    health_port: Port  # the port the load balancer checks
    listener_port: int
    listener_protocol: str  # HTTP | HTTPS | TCP | UDP | TLS | TCP_UDP: decided once, in routing
    default: bool
    priority: int  # rule priority; 0 for the default action
    source_ips: tuple[str, ...]  # a source-ip condition when narrower than the listener's audience
    suffix: str  # between the service's name and the kind in its logical ids ("" for its first on public)

    @property
    def application(self) -> bool:
        return self.load_balancer.application

    @property
    def target_protocol(self) -> str:
        """The target group's protocol: TLS ends at the load balancer, HTTPS too."""
        return {"HTTPS": "HTTP", "TLS": "TCP"}.get(self.listener_protocol, self.listener_protocol)

    @property
    def health_protocol(self) -> str:
        health = self.exposure.health
        if health.protocol:
            return health.protocol.upper()
        return "HTTP" if self.application or health.path_given else "TCP"

    @property
    def path_patterns(self) -> list[str]:
        """`/api` matches /api and /api/*; a path with `*` is taken as written; `/` is `/*`."""
        path = self.exposure.path
        if "*" in path:
            return [path]
        path = path.rstrip("/")
        return [path, f"{path}/*"] if path else ["/*"]

    @property
    def condition_values(self) -> int:
        return len(self.path_patterns) + (1 if self.exposure.host else 0) + len(self.source_ips)


@dataclass(frozen=True)
class Listener:
    load_balancer: LoadBalancer
    port: int
    protocol: str  # HTTP | HTTPS | TCP | UDP | TLS | TCP_UDP
    audience: tuple[str, ...]  # who may connect (CIDRs)
    routes: tuple[Route, ...]  # in priority order; the default action's first
    redirect: bool  # HTTP that redirects to HTTPS when no route of its own is the default
    certificates: tuple[CertificateRef, ...]  # HTTPS and TLS: the default certificate first, then SNI ones
    arn: str | None = None  # an existing load balancer's listener: scc adds rules to it only

    @property
    def default(self) -> Route | None:
        return next((r for r in self.routes if r.default), None)

    @property
    def scheme(self) -> str:
        return self.protocol.lower()

    @property
    def ip_protocols(self) -> tuple[str, ...]:
        """What the load balancer's security group opens for it."""
        return {"UDP": ("udp",), "TCP_UDP": ("tcp", "udp")}.get(self.protocol, ("tcp",))


@dataclass(frozen=True)
class LoadBalancerPlan:
    load_balancer: LoadBalancer
    listeners: tuple[Listener, ...]

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(r for listener in self.listeners for r in listener.routes)


@dataclass(frozen=True)
class MetricTarget:
    """One target-tracking policy: `metric` says which kind it is; Service Connect metrics name the
    published port whose DiscoveryName they are measured on, albRequests the route."""

    kind: str  # the spec's target name: cpu, memory, requests, connections, albRequests
    value: float
    metric: str  # predefined | service-connect | load-balancer | queue
    port: Port | None = None  # service-connect
    route: Route | None = None  # load-balancer


@dataclass(frozen=True)
class ScalingPlan:
    scaling: Scaling
    targets: tuple[MetricTarget, ...]




@dataclass(frozen=True)
class ServicePlan:
    service: Service
    endpoints: tuple[Endpoint, ...]  # its calls, resolved, in spec order
    after: tuple[str, ...]  # services it is created after (ordered calls, then dependsOn), each once
    routes: tuple[Route, ...]  # its exposures, resolved, in spec order
    discovery_port: Port | None  # the port an SRV record announces
    scaling: ScalingPlan | None

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def route(self) -> Route | None:
        """The route `albRequests` scales on: the first one through an application load balancer."""
        return next((r for r in self.routes if r.application), None)

    @property
    def alarm_source(self) -> Route | Port | None:
        """Where rollback alarms read 5xx and latency: the target group of the first route through
        an application load balancer (it sees outside traffic), else Service Connect's metrics of
        the first published http or http2 port (gRPC and tcp ports have no HTTP status metrics)."""
        if self.route is not None:
            return self.route
        return next((p for p in self.service.published if p.app_protocol in ("http", "http2")), None)


@dataclass(frozen=True)
class Plan:
    app: App
    services: tuple[ServicePlan, ...]
    load_balancers: tuple[LoadBalancerPlan, ...]
    # Service -> services it must be created after, with the spec path of each reason.
    ordering: dict[str, tuple[tuple[str, Path], ...]]
    diagnostics: tuple[Diagnostic, ...]  # what did not resolve

    @cached_property
    def _by_name(self) -> dict[str, ServicePlan]:
        return {s.name: s for s in self.services}

    def service(self, name: str) -> ServicePlan:
        return self._by_name[name]

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(r for lb in self.load_balancers for r in lb.routes)

    @cached_property
    def waves(self) -> tuple[tuple[str, ...], ...]:
        """Services grouped by when CloudFormation can create them: each wave only after the ones
        before it, services in spec order within a wave (a cycle, refused by rules, ends it)."""
        after = {name: {dep for dep, _ in deps} for name, deps in self.ordering.items()}
        done: set[str] = set()
        out: list[tuple[str, ...]] = []
        while len(done) < len(after):
            wave = tuple(s.name for s in self.app.services if s.name not in done and after[s.name] <= done)
            if not wave:
                break
            out.append(wave)
            done |= set(wave)
        return tuple(out)
