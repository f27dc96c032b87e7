"""Stage model: what the spec describes, as ECS has it. An application of services; each service
runs a task of one or more containers; ports belong to containers; load balancers are entities of
their own, and an exposure joins a service's port to one of them. Frozen dataclasses with every
default applied (scc/model/build.py makes them); nothing here resolves a reference: the plan
stage does (scc/plan/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from scc.diagnostics import Path


@dataclass(frozen=True)
class Tls:
    pca_arn: str
    kms_key: str | None
    role_arn: str | None


@dataclass(frozen=True)
class Port:
    container: str  # the container that listens on it
    name: str
    named: bool  # False when the name defaulted to the service name
    port: int
    protocol: str  # transport: tcp | udp
    app_protocol: str  # "tcp" when appProtocol is omitted
    publish: bool  # published through Service Connect (never a udp port)
    publish_asked: bool  # what `publish` (or the role's default) asks, udp or not
    discovery_name: str
    alias_dns: str
    alias_port: int
    idle_timeout: int | None
    per_request_timeout: int | None
    tls: Tls | None
    given: frozenset[str]  # keys written in the spec, to refuse settings that would be ignored
    path: Path


@dataclass(frozen=True)
class Call:
    service: str  # a service or an external target
    port: str | None
    env: str | None
    format: str | None  # url | address | host | none; None: by the called port's protocol
    ordered: bool
    path: Path


@dataclass(frozen=True)
class HealthCheck:
    command: tuple[str, ...]
    interval: int
    timeout: int
    retries: int
    start_period: int


@dataclass(frozen=True)
class Mount:
    volume: str
    path: str
    read_only: bool
    spec_path: Path


@dataclass(frozen=True)
class Ulimit:
    name: str
    soft: int
    hard: int


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    essential: bool
    cpu: int | None  # reserved CPU units; None: none reserved
    memory: int | None  # hard limit, MiB
    memory_reservation: int | None
    command: tuple[str, ...]
    entry_point: tuple[str, ...]
    environment: tuple[tuple[str, str], ...]
    secrets: tuple[tuple[str, str], ...]
    environment_files: tuple[str, ...]  # S3 object ARNs
    ports: tuple[Port, ...]
    health_check: HealthCheck | None
    wait_for: tuple[tuple[str, str], ...]  # (container, start | complete | success | healthy)
    mounts: tuple[Mount, ...]
    stop_timeout: int
    readonly_root: bool
    user: str | None
    init_process: bool
    working_directory: str | None
    capabilities_add: tuple[str, ...]
    capabilities_drop: tuple[str, ...]
    ulimits: tuple[Ulimit, ...]
    docker_labels: tuple[tuple[str, str], ...]
    spec_path: Path  # services.<svc> for the main container, services.<svc>.containers.<name> else


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class LogRouter:
    """FireLens with Fluent Bit: a `log-router` container the others send their logs to."""

    image: str
    options: tuple[tuple[str, str], ...]
    secret_options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Logs:
    retention_days: int
    kms_key: str | None
    router: LogRouter | None


@dataclass(frozen=True)
class Efs:
    file_system: str
    access_point: str | None
    root_directory: str | None
    iam: bool
    security_group: str | None


@dataclass(frozen=True)
class Volume:
    name: str
    efs: Efs | None  # None: task storage, empty at start, shared by the task's containers
    spec_path: Path


@dataclass(frozen=True)
class Task:
    """A Fargate task: its size, platform, containers (the main one first), permissions and logs."""

    cpu: int
    memory: int
    platform: str
    containers: tuple[Container, ...]
    policies: tuple[Statement, ...]  # the task role's
    managed_policies: tuple[str, ...]
    secrets_kms_key: str | None  # the execution role may decrypt secrets with it
    logs: Logs
    volumes: tuple[Volume, ...]
    ephemeral_storage: int | None  # GiB; None: Fargate's default
    registry_credentials: str | None  # a Secrets Manager ARN for the main container's image

    @property
    def sidecars(self) -> tuple[Container, ...]:
        return self.containers[1:]

    @property
    def environment_files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for c in self.containers for f in c.environment_files))

    @property
    def main(self) -> Container:
        return self.containers[0]

    @property
    def ports(self) -> tuple[Port, ...]:
        return tuple(p for c in self.containers for p in c.ports)

    @property
    def secrets(self) -> tuple[tuple[str, str], ...]:
        """Every container's secrets, and the log router's secret options: what the execution
        role reads at start."""
        router = self.logs.router.secret_options if self.logs.router else ()
        return (*(s for c in self.containers for s in c.secrets), *router)


@dataclass(frozen=True)
class Steps:
    """How a canary or linear deployment moves traffic: percent per step, minutes after each."""

    percent: float
    bake_time: int


@dataclass(frozen=True)
class RollbackAlarms:
    errors: float | None  # percent of 5xx responses
    latency: float | None  # seconds, p99
    names: tuple[str, ...]  # existing alarms


@dataclass(frozen=True)
class Deployment:
    strategy: str
    min_healthy_percent: int
    max_percent: int
    circuit_breaker: bool
    rollback: bool
    controller: str
    bake_time: int  # minutes, for the traffic-shifting strategies
    canary: Steps
    linear: Steps
    alarms: RollbackAlarms | None

    @property
    def steps(self) -> Steps:
        """The steps of the strategy in use (canary's for the others, which have none)."""
        return self.linear if self.strategy == "linear" else self.canary

    @property
    def shifts_traffic(self) -> bool:
        """Blue-green, canary and linear move traffic between two sets of tasks."""
        return self.controller == "ecs" and self.strategy != "rolling"


@dataclass(frozen=True)
class ScheduledScaling:
    name: str
    kind: str  # cron | rate | at
    expression: str
    timezone: str | None
    min: int | None
    max: int | None
    path: Path


@dataclass(frozen=True)
class Scaling:
    min: int
    max: int
    targets: tuple[tuple[str, float], ...]  # in the order written: cpu, memory, requests, ...
    cooldown_in: int | None
    cooldown_out: int | None
    scale_in: bool
    schedule: tuple[ScheduledScaling, ...]


@dataclass(frozen=True)
class HealthCheckPath:
    """The load balancer's health check of an exposure's targets."""

    path: str
    path_given: bool
    port: str | None  # a port name; None: the target port
    protocol: str | None  # http | https | tcp as written; None: from the load balancer's type and `path`
    interval: int
    timeout: int
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str | None


@dataclass(frozen=True)
class Zoned:
    """A domain name and the Route 53 hosted zone it lives in."""

    name: str
    zone: str


@dataclass(frozen=True)
class Exposure:
    """A service's port behind a load balancer listener: an `expose` entry, or `public`."""

    load_balancer: str  # the LoadBalancer's name
    listener_port: int
    protocol: str | None  # as written (http, https, tcp, udp, tls, tcp_udp); None: the plan decides
    certificate_arn: str | None
    certificate: Zoned | None  # a certificate scc creates
    target_port: str | None  # a port name; None: the service's first port
    path: str
    path_given: bool
    host: str | None
    domain: Zoned | None  # a Route 53 alias record to the load balancer
    health: HealthCheckPath
    allow_from: tuple[str, ...]
    priority: int | None
    # Load balancer settings 1.0 wrote on `public`, kept as written so that a rule can point them
    # to `loadBalancers.public` (SCC803).
    access_logs: tuple[str, str | None] | None  # (bucket, prefix)
    web_acl: str | None
    spec_path: Path  # where the exposure is written: services.web.public or services.web.expose.0
    keys: Path  # its path inside the service, for Service.at() and given(): (public,) or (expose, 0)


@dataclass(frozen=True)
class Existing:
    """A load balancer scc attaches rules to but does not create."""

    listeners: tuple[tuple[int, str], ...]  # (port, listener ARN)
    security_group: str

    def listener(self, port: int) -> str | None:
        return dict(self.listeners).get(port)


@dataclass(frozen=True)
class LoadBalancer:
    name: str
    type: str  # application | network
    scheme: str  # internet-facing | internal
    subnets: tuple[str, ...]  # empty: the network's (public ones when internet-facing)
    idle_timeout: int | None
    access_logs: tuple[str, str | None] | None  # (bucket, prefix)
    web_acl: str | None
    existing: Existing | None
    spec_path: Path  # loadBalancers.<name>; for an unlisted `public`, where it would be written
    given: frozenset[str]  # the keys written under loadBalancers.<name>

    @property
    def application(self) -> bool:
        return self.type == "application"

    @property
    def internet_facing(self) -> bool:
        return self.scheme == "internet-facing"


@dataclass(frozen=True)
class Discovery:
    record: str
    ttl: int
    port: str | None  # a port name; None: the service's first port
    name: str


@dataclass(frozen=True)
class RolePatch:
    """RFC 6902 operations relative to one of a service's resources, by role (`overrides.<role>`)."""

    role: str
    ops: tuple[dict[str, Any], ...] = field(hash=False)  # raw JSON: compared, not hashed
    path: Path = ()  # where they are written: services.api.overrides.taskDefinition


@dataclass(frozen=True)
class OverrideLayer:
    """One spec's `overrides` (the base's, or an environment's): raw CloudFormation and patches."""

    path: Path  # ("overrides",) or ("environments", "prod", "overrides")
    # Raw CloudFormation and JSON: compared, not hashed.
    resources: tuple[tuple[str, Any], ...] = field(hash=False)
    outputs: tuple[tuple[str, Any], ...] = field(hash=False)
    patch: tuple[dict[str, Any], ...] = field(hash=False)
    roles: tuple[tuple[str, RolePatch], ...] = ()  # (service, its patch), in spec order


@dataclass(frozen=True)
class Queue:
    """The SQS queue a worker consumes (`queue`)."""

    visibility_timeout: int
    retention_days: int
    max_receives: int | None  # None: no dead-letter queue
    kms_key: str | None
    subscribe: tuple[str, ...]  # SNS topic ARNs


@dataclass(frozen=True)
class JobRun:
    """How a job is started: on a schedule (EventBridge Scheduler) or on demand only."""

    schedule: ScheduledScaling | None  # its kind, expression and timezone (name and min/max unused)
    retries: int


@dataclass(frozen=True)
class Service:
    name: str
    task: Task
    desired_count: int
    desired_count_given: bool
    capacity: tuple[tuple[str, int], ...]
    role: str  # client-server | client | none (Service Connect)
    calls: tuple[Call, ...]
    depends_on: tuple[str, ...]
    deployment: Deployment
    exec: bool
    access_logs: str | None  # Service Connect proxy access logs
    scaling: Scaling | None
    exposures: tuple[Exposure, ...]
    discovery: Discovery | None
    # Where each merged field came from: `services.<name>...` (`jobs.<name>...`) or `defaults...`.
    origins: tuple[tuple[Path, Path], ...]
    # A job (`jobs:`) is a task that runs to completion: no ECS service, no ports, no Service
    # Connect (role none); it shares the task, roles, logs and network of a service.
    run: JobRun | None = None
    queue: Queue | None = None
    patches: tuple[RolePatch, ...] = ()  # `overrides.<role>`

    @property
    def job(self) -> bool:
        return self.run is not None

    @property
    def root(self) -> str:
        return "jobs" if self.job else "services"

    @property
    def main(self) -> Container:
        return self.task.main

    @property
    def ports(self) -> tuple[Port, ...]:
        return self.task.ports

    @property
    def public(self) -> Exposure | None:
        """The exposure written as `public`, if any."""
        return next((e for e in self.exposures if e.spec_path[-1] == "public"), None)

    @property
    def service_connect(self) -> bool:
        return self.role != "none"

    @property
    def published(self) -> tuple[Port, ...]:
        """Ports published through Service Connect: only a client-server service publishes."""
        if self.role != "client-server":
            return ()
        return tuple(p for p in self.ports if p.publish)

    def given(self, *keys: str | int) -> bool:
        """Whether the spec writes this field (in the service or in defaults)."""
        return tuple(keys) in self._origins

    def at(self, *keys: str | int) -> Path:
        """The spec path of a field of this service, following `defaults` where it came from."""
        return locate(self._origins, self.name, keys, self.root)

    @cached_property
    def _origins(self) -> dict[Path, Path]:
        return dict(self.origins)


def locate(origins: dict[Path, Path], name: str, keys: Path, root: str = "services") -> Path:
    for probe in range(len(keys), 0, -1):
        hit = origins.get(tuple(keys[:probe]))
        if hit is not None:
            return (*hit, *keys[probe:])
    return (root, name, *keys)


@dataclass(frozen=True)
class External:
    """A target the services call that the stack does not create."""

    name: str
    host: str | None  # None: a template parameter
    port: int
    app_protocol: str  # "tcp" when appProtocol is omitted
    security_group: str | None
    path: Path


@dataclass(frozen=True)
class Namespace:
    name: str
    type: str
    existing: str | None
    qualified_aliases: bool  # aliases: qualified


@dataclass(frozen=True)
class Cluster:
    name: str
    existing: bool
    container_insights: str
    capacity_providers: tuple[str, ...]
    given: frozenset[str]


@dataclass(frozen=True)
class Network:
    vpc: str | None
    subnets: tuple[str, ...]
    public_subnets: tuple[str, ...]
    assign_public_ip: bool
    egress: str
    vpc_cidr: str | None


@dataclass(frozen=True)
class App:
    file: str
    name: str
    description: str | None
    tags: tuple[tuple[str, str], ...]
    namespace: Namespace | None
    cluster: Cluster
    network: Network
    services: tuple[Service, ...]
    externals: tuple[External, ...]
    load_balancers: tuple[LoadBalancer, ...]
    overrides: tuple[OverrideLayer, ...]
    lint_regions: tuple[str, ...]
    lint_ignore: tuple[str, ...]

    @cached_property
    def _by_name(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    @property
    def jobs(self) -> tuple[Service, ...]:
        """The jobs, which `services` lists too (after the services), as tasks that share the
        families of a service's task."""
        return tuple(s for s in self.services if s.job)

    def service(self, name: str) -> Service | None:
        return self._by_name.get(name)

    def load_balancer(self, name: str) -> LoadBalancer | None:
        return next((lb for lb in self.load_balancers if lb.name == name), None)

    def external(self, name: str) -> External | None:
        return next((e for e in self.externals if e.name == name), None)
