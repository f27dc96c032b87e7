"""Stage model: schema-valid data -> frozen dataclasses with `defaults` merged and every default
of the spec language applied. Builds only; judging is for rules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from scc.diagnostics import Path
from scc.front.spec import Source
from scc.naming import url_env

DEFAULT_CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
CAPACITY_SHORTHAND = {"fargate": {"FARGATE": 1}, "fargate-spot": {"FARGATE_SPOT": 1}}


@dataclass(frozen=True)
class Tls:
    pca_arn: str
    kms_key: str | None
    role_arn: str | None


@dataclass(frozen=True)
class Port:
    name: str
    named: bool  # False when the name defaulted to the service name
    port: int
    app_protocol: str  # "tcp" when appProtocol is omitted
    publish: bool
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
    service: str
    port: str | None
    env: str | None
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
class Deployment:
    strategy: str
    min_healthy_percent: int
    max_percent: int
    circuit_breaker: bool
    rollback: bool
    controller: str


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


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
class Public:
    port: int
    certificate_arn: str | None
    target_port: str | None  # a port name; None: the service's first port
    path: str
    host: str | None
    health_path: str
    health_path_given: bool
    health_interval: int
    health_timeout: int
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str | None
    allow_from: tuple[str, ...]
    access_logs: tuple[str, str | None] | None  # (bucket, prefix)
    web_acl: str | None


@dataclass(frozen=True)
class Discovery:
    record: str
    ttl: int
    port: str | None  # a port name; None: the service's first port
    name: str


@dataclass(frozen=True)
class Service:
    name: str
    image: str
    cpu: int
    memory: int
    desired_count: int
    desired_count_given: bool
    platform: str
    capacity: tuple[tuple[str, int], ...]
    command: tuple[str, ...]
    entry_point: tuple[str, ...]
    environment: tuple[tuple[str, str], ...]
    secrets: tuple[tuple[str, str], ...]
    ports: tuple[Port, ...]
    role: str
    calls: tuple[Call, ...]
    depends_on: tuple[str, ...]
    health_check: HealthCheck | None
    stop_timeout: int
    deployment: Deployment
    policies: tuple[Statement, ...]
    managed_policies: tuple[str, ...]
    exec: bool
    readonly_root: bool
    user: str | None
    init_process: bool
    secrets_kms_key: str | None
    log_retention_days: int
    log_kms_key: str | None
    access_logs: str | None
    scaling: Scaling | None
    public: Public | None
    discovery: Discovery | None
    # Where each merged field came from: `services.<name>...` or `defaults...`.
    origins: tuple[tuple[Path, Path], ...]

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
        return tuple(keys) in dict(self.origins)

    def at(self, *keys: str | int) -> Path:
        """The spec path of a field of this service, following `defaults` where it came from."""
        return _locate(dict(self.origins), self.name, keys)


@dataclass(frozen=True)
class Namespace:
    name: str
    type: str
    existing: str | None


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
    lint_regions: tuple[str, ...]
    lint_ignore: tuple[str, ...]

    @cached_property
    def _by_name(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    def service(self, name: str) -> Service | None:
        return self._by_name.get(name)


def _locate(origins: dict[Path, Path], name: str, keys: Path) -> Path:
    for probe in range(len(keys), 0, -1):
        hit = origins.get(tuple(keys[:probe]))
        if hit is not None:
            return (*hit, *keys[probe:])
    return ("services", name, *keys)


def merge(base: Any, over: Any) -> Any:
    """Deep merge for `defaults` (and later environments): maps merge, lists and scalars replace."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return over


def _origins(name: str, own: dict[str, Any], defaults: dict[str, Any], src: Source) -> tuple[tuple[Path, Path], ...]:
    """Map each leaf path of the merged service to the spec path that set it."""
    found: dict[Path, Path] = {}

    def walk(data: Any, rel: Path, base: Path) -> None:
        found.setdefault(rel, (*base, *rel))
        if isinstance(data, dict):
            for key, value in data.items():
                walk(value, (*rel, key), base)
        elif isinstance(data, list):
            for i, value in enumerate(data):
                walk(value, (*rel, i), base)

    walk(own, (), ("services", name))
    walk(defaults, (), ("defaults",))
    found.pop((), None)
    return tuple(sorted(found.items(), key=lambda kv: [str(p) for p in kv[0]]))


def _port(raw: dict[str, Any], index: int, svc: str, role: str, namespace: str | None, path: Path) -> Port:
    name = raw.get("name", svc)
    discovery = raw.get("discoveryName", name)
    alias = raw.get("alias", {})
    timeout = raw.get("timeout", {})
    tls = raw.get("tls")
    default_dns = f"{discovery}.{namespace}" if namespace else discovery
    return Port(
        name=name,
        named="name" in raw,
        port=raw["port"],
        app_protocol=raw.get("appProtocol", "tcp"),
        publish=raw.get("publish", role == "client-server"),
        discovery_name=discovery,
        alias_dns=alias.get("dnsName", default_dns),
        alias_port=alias.get("port", raw["port"]),
        idle_timeout=timeout.get("idle"),
        per_request_timeout=timeout.get("perRequest"),
        tls=Tls(tls["pcaArn"], tls.get("kmsKey"), tls.get("roleArn")) if tls else None,
        given=frozenset(raw),
        path=path,
    )


def _service(name: str, raw: dict[str, Any], namespace: str | None, at: Any,
             numbers: dict[Path, str]) -> dict[str, Any]:
    ports_raw = raw.get("ports", [])
    role = raw.get("role", "client-server" if ports_raw else "client")
    hc = raw.get("healthCheck")
    dep = raw.get("deployment", {})
    cb = dep.get("circuitBreaker", {})
    capacity = raw.get("capacity", "fargate")
    capacity = CAPACITY_SHORTHAND[capacity] if isinstance(capacity, str) else capacity
    calls = []
    for i, c in enumerate(raw.get("calls", [])):
        c = {"service": c} if isinstance(c, str) else c
        calls.append(Call(c["service"], c.get("port"), c.get("env"), c.get("ordered", True), at("calls", i)))
    role_doc = raw.get("taskRole", {})
    command = hc["command"] if hc else None
    return dict(
        name=name,
        image=raw["image"],
        cpu=raw.get("cpu", 256),
        memory=raw.get("memory", 512),
        desired_count=raw.get("desiredCount", 1),
        desired_count_given="desiredCount" in raw,
        platform=raw.get("platform", "x86_64"),
        capacity=tuple(sorted(capacity.items())),
        command=tuple(raw.get("command", ())),
        entry_point=tuple(raw.get("entryPoint", ())),
        # A number is kept as written: YAML 1.1 would turn 010 into 8 and 12:30 into 750.
        environment=tuple((k, v if isinstance(v, str) else numbers.get(at("environment", k), str(v)))
                          for k, v in raw.get("environment", {}).items()),
        secrets=tuple(raw.get("secrets", {}).items()),
        ports=tuple(_port(p, i, name, role, namespace, at("ports", i)) for i, p in enumerate(ports_raw)),
        role=role,
        calls=tuple(calls),
        depends_on=tuple(raw.get("dependsOn", ())),
        health_check=HealthCheck(
            command=("CMD-SHELL", command) if isinstance(command, str) else tuple(command),
            interval=hc.get("interval", 30),
            timeout=hc.get("timeout", 5),
            retries=hc.get("retries", 3),
            start_period=hc.get("startPeriod", 0),
        ) if hc else None,
        stop_timeout=raw.get("stopTimeout", 30),
        deployment=Deployment(
            strategy=dep.get("strategy", "rolling"),
            min_healthy_percent=dep.get("minHealthyPercent", 100),
            max_percent=dep.get("maxPercent", 200),
            circuit_breaker=cb.get("enabled", True),
            rollback=cb.get("rollback", True),
            controller=dep.get("controller", "ecs"),
        ),
        policies=tuple(Statement(s.get("effect", "Allow"), tuple(s["actions"]), tuple(s["resources"]))
                       for s in role_doc.get("policies", [])),
        managed_policies=tuple(role_doc.get("managedPolicies", ())),
        exec=raw.get("exec", False),
        readonly_root=raw.get("readonlyRootFilesystem", False),
        user=raw.get("user"),
        init_process=raw.get("initProcess", False),
        secrets_kms_key=raw.get("secretsKmsKey"),
        log_retention_days=raw.get("logs", {}).get("retentionDays", 30),
        log_kms_key=raw.get("logs", {}).get("kmsKey"),
        access_logs=raw.get("serviceConnect", {}).get("accessLogs"),
        scaling=_scaling(raw["scaling"], at) if "scaling" in raw else None,
        public=_public(raw["public"]) if "public" in raw else None,
        discovery=_discovery(name, raw["discovery"]) if "discovery" in raw else None,
    )


def _public(raw: dict[str, Any]) -> Public:
    hc = raw.get("healthCheck", {})
    return Public(
        port=raw.get("port", 80),
        certificate_arn=raw.get("certificateArn"),
        target_port=raw.get("targetPort"),
        path=raw.get("path", "/"),
        host=raw.get("host"),
        health_path=hc.get("path", "/"),
        health_path_given="path" in hc,
        health_interval=hc.get("interval", 30),
        health_timeout=hc.get("timeout", 5),
        healthy_threshold=hc.get("healthyThreshold", 5),
        unhealthy_threshold=hc.get("unhealthyThreshold", 2),
        matcher=hc.get("matcher"),
        allow_from=tuple(raw.get("allowFrom", ("0.0.0.0/0",))),
        access_logs=(raw["accessLogs"]["bucket"], raw["accessLogs"].get("prefix")) if "accessLogs" in raw else None,
        web_acl=raw.get("webAcl"),
    )


def _discovery(service: str, raw: dict[str, Any]) -> Discovery:
    return Discovery(record=raw.get("record", "A"), ttl=raw.get("ttl", 60), port=raw.get("port"),
                     name=raw.get("name", service))


def _scaling(raw: dict[str, Any], at: Any) -> Scaling:
    cooldown = raw.get("cooldown", {})
    schedule = []
    for i, item in enumerate(raw.get("schedule", [])):
        kind = next(k for k in ("cron", "rate", "at") if k in item)
        schedule.append(ScheduledScaling(item["name"], kind, item[kind], item.get("timezone"), item.get("min"),
                                         item.get("max"), at("scaling", "schedule", i)))
    return Scaling(
        min=raw["min"],
        max=raw["max"],
        targets=tuple(raw.get("targets", {}).items()),
        cooldown_in=cooldown.get("in"),
        cooldown_out=cooldown.get("out"),
        scale_in=raw.get("scaleIn", True),
        schedule=tuple(schedule),
    )


def build(src: Source) -> App:
    data = src.data
    ns_raw = data.get("namespace")
    ns_raw = {"name": ns_raw} if isinstance(ns_raw, str) else ns_raw
    namespace = Namespace(ns_raw["name"], ns_raw.get("type", "http"), ns_raw.get("existing")) if ns_raw else None
    cl_raw = data.get("cluster", data["name"])
    cl_raw = {"name": cl_raw} if isinstance(cl_raw, str) else cl_raw
    net = data.get("network", {})
    defaults = data.get("defaults", {})
    services = []
    for name, own in data["services"].items():
        origins = _origins(name, own, defaults, src)
        lookup = dict(origins)

        def at(*keys: str | int, _lookup: dict[Path, Path] = lookup, _name: str = name) -> Path:
            return _locate(_lookup, _name, keys)

        fields = _service(name, merge(defaults, own), namespace.name if namespace else None, at, src.numbers)
        services.append(Service(**fields, origins=origins))
    lint = data.get("lint", {})
    return App(
        file=src.file,
        name=data["name"],
        description=data.get("description"),
        tags=tuple(data.get("tags", {}).items()),
        namespace=namespace,
        cluster=Cluster(
            name=cl_raw["name"],
            existing=cl_raw.get("existing", False),
            container_insights=cl_raw.get("containerInsights", "disabled"),
            capacity_providers=tuple(cl_raw.get("capacityProviders", DEFAULT_CAPACITY_PROVIDERS)),
            given=frozenset(cl_raw),
        ),
        network=Network(net.get("vpc"), tuple(net.get("subnets", ())), tuple(net.get("publicSubnets", ())),
                        net.get("assignPublicIp", False), net.get("egress", "open"), net.get("vpcCidr")),
        services=tuple(services),
        lint_regions=tuple(lint.get("regions", ("us-east-1",))),
        lint_ignore=tuple(lint.get("ignore", ())),
    )


@dataclass(frozen=True)
class Target:
    """Where a call goes: the port it opens and the name and port the caller connects to."""

    service: Service
    port: Port
    host: str
    host_port: int
    via: str  # "service-connect" or "dns"


def call_via(app: App, caller: Service, callee: Service) -> str | None:
    """Service Connect when both ends use it and the callee publishes; else the callee's DNS
    discovery name when it has one in a dns namespace; else None (not reachable by name)."""
    if caller.service_connect and callee.published:
        return "service-connect"
    if callee.discovery is not None and app.namespace is not None and app.namespace.type == "dns":
        return "dns"
    return None


def call_target(app: App, caller: Service, call: Call) -> Target | None:
    """The target of a call, or None when the call is not valid (rules say why). Shared by
    rules and compile so both read calls the same way."""
    callee = app.service(call.service)
    if callee is None or callee is caller:
        return None
    via = call_via(app, caller, callee)
    if via == "service-connect":
        published = callee.published
        if call.port is None:
            port = published[0] if len(published) == 1 else None
        else:
            port = next((p for p in published if p.name == call.port), None)
        return Target(callee, port, port.alias_dns, port.alias_port, via) if port else None
    if via == "dns":
        disc = callee.discovery
        assert disc is not None and app.namespace is not None
        port = named_port(callee, call.port if call.port is not None else disc.port)
        return Target(callee, port, f"{disc.name}.{app.namespace.name}", port.port, via) if port else None
    return None


L7 = ("http", "http2", "grpc")


def metric_port(svc: Service, target: str) -> Port | None:
    """The published port whose DiscoveryName dimension a Service Connect scaling target uses:
    for requests the first published port with an L7 appProtocol, for connections the first."""
    ports = [p for p in svc.published if target != "requests" or p.app_protocol in L7]
    return ports[0] if ports else None


def named_port(svc: Service, name: str | None) -> Port | None:
    """The port a `targetPort` or `discovery.port` names; None names the service's first port."""
    if name is None:
        return svc.ports[0] if svc.ports else None
    return next((p for p in svc.ports if p.name == name), None)


def call_env(call: Call) -> str:
    return call.env or url_env(call.service)
