"""Stage model: schema-valid data -> the frozen model, with `defaults` merged under every service
and every default of the language applied (read from the schema). Builds only; judging is for
rules, resolving references for the plan."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from scc.diagnostics import Path
from scc.front.defaults import default
from scc.front.merge import merge
from scc.front.schema import schema
from scc.front.spec import Source
from scc.limits import default_size
from scc.model import (
    App,
    Call,
    Cluster,
    Container,
    Deployment,
    Discovery,
    Efs,
    Existing,
    Exposure,
    External,
    HealthCheck,
    HealthCheckPath,
    JobRun,
    LoadBalancer,
    LogRouter,
    Logs,
    Mount,
    Namespace,
    Network,
    OverrideLayer,
    Port,
    Queue,
    RolePatch,
    RollbackAlarms,
    Scaling,
    ScheduledScaling,
    Service,
    Statement,
    Steps,
    Task,
    Tls,
    Ulimit,
    Volume,
    Zoned,
    locate,
)

CAPACITY_SHORTHAND = {"fargate": {"FARGATE": 1}, "fargate-spot": {"FARGATE_SPOT": 1}}
# The internet-facing load balancer `public:` is the shorthand for; created with every default
# when a service uses it and `loadBalancers` does not list it.
PUBLIC = "public"

At = Callable[..., Path]


def _get(raw: dict[str, Any], definition: str, *keys: str) -> Any:
    """raw[keys[-1]], or the schema's default for it (`definition` and `keys` locate it there)."""
    return raw[keys[-1]] if keys[-1] in raw else default(definition, *keys)


def _origins(name: str, own: dict[str, Any], defaults: dict[str, Any], root: str = "services"
             ) -> tuple[tuple[Path, Path], ...]:
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

    walk(own, (), (root, name))
    walk(defaults, (), ("defaults",))
    found.pop((), None)
    return tuple(sorted(found.items(), key=lambda kv: [str(p) for p in kv[0]]))


def _ports(raws: list[tuple[str, dict[str, Any], bool, Path]], svc: str, namespace: Namespace | None,
           dns_name: str | None) -> list[Port]:
    """A task's ports, the main container's first: (container, raw port, published by default,
    spec path). The first published port is discovered (and by default dialled) by the service's
    own name, as Compose and Kubernetes apps dial their peers; further ones by
    `<service>-<port name>`; `<service>-sc` when DNS discovery already holds the service's name."""
    out: list[Port] = []
    for container, raw, by_default, path in raws:
        name = raw.get("name", container)  # the main container's is the service's name
        protocol = _get(raw, "port", "protocol")
        # Service Connect carries tcp only: a udp port is never published.
        asked = bool(raw.get("publish", by_default))
        publish = asked and protocol == "tcp"
        if not publish:
            discovery = name
        elif not any(p.publish for p in out):
            discovery = f"{svc}-sc" if dns_name == svc else svc
        else:
            discovery = f"{svc}-{name}"
        out.append(_port(raw, container, name, protocol, (publish, asked), raw.get("discoveryName", discovery),
                         namespace, path))
    return out


def _port(raw: dict[str, Any], container: str, name: str, protocol: str, publish: tuple[bool, bool], discovery: str,
          namespace: Namespace | None, path: Path) -> Port:
    alias = raw.get("alias", {})
    timeout = raw.get("timeout", {})
    tls = raw.get("tls")
    qualified = namespace is not None and namespace.qualified_aliases
    default_dns = f"{discovery}.{namespace.name}" if namespace is not None and qualified else discovery
    return Port(
        container=container,
        name=name,
        named="name" in raw,
        port=raw["port"],
        protocol=protocol,
        app_protocol=raw.get("appProtocol", "tcp"),
        publish=publish[0],
        publish_asked=publish[1],
        discovery_name=discovery,
        alias_dns=alias.get("dnsName", default_dns),
        alias_port=alias.get("port", raw["port"]),
        idle_timeout=timeout.get("idle"),
        per_request_timeout=timeout.get("perRequest"),
        tls=Tls(tls["pcaArn"], tls.get("kmsKey"), tls.get("roleArn")) if tls else None,
        given=frozenset(raw),
        path=path,
    )


def _health_check(hc: dict[str, Any] | None) -> HealthCheck | None:
    if hc is None:
        return None
    command = hc["command"]
    return HealthCheck(
        command=("CMD-SHELL", command) if isinstance(command, str) else tuple(command),
        interval=_get(hc, "healthCheck", "interval"),
        timeout=_get(hc, "healthCheck", "timeout"),
        retries=_get(hc, "healthCheck", "retries"),
        start_period=_get(hc, "healthCheck", "startPeriod"),
    )


def _container(name: str, raw: dict[str, Any], ports: tuple[Port, ...], at: At, numbers: dict[Path, str],
               main: bool, where: Path) -> Container:
    """A container of the task from its keys: the service-level ones for the main container
    (named after the service, always essential), `containers.<name>` for the others; `at` maps
    a key to its spec path."""
    caps = raw.get("capabilities", {})
    return Container(
        name=name,
        image=raw["image"],
        essential=True if main else _get(raw, "container", "essential"),
        cpu=None if main else raw.get("cpu"),
        memory=None if main else raw.get("memory"),
        memory_reservation=None if main else raw.get("memoryReservation"),
        command=tuple(raw.get("command", ())),
        entry_point=tuple(raw.get("entryPoint", ())),
        # A number is kept as written: YAML 1.1 would turn 010 into 8 and 12:30 into 750.
        environment=tuple((k, v if isinstance(v, str) else numbers.get(at("environment", k), str(v)))
                          for k, v in raw.get("environment", {}).items()),
        secrets=tuple(raw.get("secrets", {}).items()),
        environment_files=tuple(raw.get("environmentFiles", ())),
        ports=ports,
        health_check=_health_check(raw.get("healthCheck")),
        wait_for=tuple(raw.get("waitFor", {}).items()),
        mounts=tuple(Mount(m["volume"], m["path"], _get(m, "mount", "readOnly"), at("mounts", i))
                     for i, m in enumerate(raw.get("mounts", []))),
        stop_timeout=_get(raw, "serviceFields", "stopTimeout") if main else default("serviceFields", "stopTimeout"),
        readonly_root=_get(raw, "serviceFields", "readonlyRootFilesystem"),
        user=raw.get("user"),
        init_process=_get(raw, "serviceFields", "initProcess") if main else False,
        working_directory=raw.get("workingDirectory"),
        capabilities_add=tuple(caps.get("add", ())),
        capabilities_drop=tuple(caps.get("drop", ())),
        ulimits=tuple(Ulimit(k, v["soft"], v["hard"]) for k, v in raw.get("ulimits", {}).items()),
        docker_labels=tuple(raw.get("dockerLabels", {}).items()),
        spec_path=where,
    )


def _volume(name: str, raw: dict[str, Any], where: Path) -> Volume:
    efs = raw.get("efs")
    return Volume(name, Efs(
        file_system=efs["fileSystem"],
        access_point=efs.get("accessPoint"),
        # An access point sets its own root (a rootDirectory beside it is refused: SCC418).
        root_directory=efs.get("rootDirectory") if "accessPoint" in efs
        else _get(efs, "volume", "efs", "rootDirectory"),
        iam=_get(efs, "volume", "efs", "iam"),
        security_group=efs.get("securityGroup"),
    ) if efs is not None else None, where)


def _router(raw: dict[str, Any] | None) -> LogRouter | None:
    if raw is None:
        return None
    return LogRouter(image=_get(raw, "serviceFields", "logs", "router", "image"),
                     options=tuple(raw.get("options", {}).items()),
                     secret_options=tuple(raw.get("secretOptions", {}).items()))


def _task(raw: dict[str, Any], containers: tuple[Container, ...], at: At, proxy: bool) -> Task:
    role_doc = raw.get("taskRole", {})
    logs = raw.get("logs", {})
    cpu, memory = default_size(raw.get("cpu"), raw.get("memory"), proxy)
    return Task(
        cpu=cpu,
        memory=memory,
        platform=_get(raw, "serviceFields", "platform"),
        containers=containers,
        policies=tuple(Statement(_get(s, "taskRole", "policies", "[]", "effect"), tuple(s["actions"]),
                                 tuple(s["resources"])) for s in role_doc.get("policies", [])),
        managed_policies=tuple(role_doc.get("managedPolicies", ())),
        secrets_kms_key=raw.get("secretsKmsKey"),
        logs=Logs(retention_days=_get(logs, "serviceFields", "logs", "retentionDays"), kms_key=logs.get("kmsKey"),
                  router=_router(logs.get("router"))),
        volumes=tuple(_volume(k, v, at("volumes", k)) for k, v in raw.get("volumes", {}).items()),
        ephemeral_storage=raw.get("ephemeralStorage"),
        registry_credentials=raw.get("registryCredentials"),
    )


def _deployment(dep: dict[str, Any]) -> Deployment:
    cb = dep.get("circuitBreaker", {})
    alarms = dep.get("alarms")
    steps = {k: Steps(_get(dep.get(k, {}), "deployment", k, "percent"),
                      _get(dep.get(k, {}), "deployment", k, "bakeTime")) for k in ("canary", "linear")}
    return Deployment(
        strategy=_get(dep, "deployment", "strategy"),
        min_healthy_percent=_get(dep, "deployment", "minHealthyPercent"),
        max_percent=_get(dep, "deployment", "maxPercent"),
        circuit_breaker=_get(cb, "deployment", "circuitBreaker", "enabled"),
        rollback=_get(cb, "deployment", "circuitBreaker", "rollback"),
        controller=_get(dep, "deployment", "controller"),
        bake_time=_get(dep, "deployment", "bakeTime"),
        canary=steps["canary"],
        linear=steps["linear"],
        alarms=RollbackAlarms(alarms.get("errors"), alarms.get("latency"), tuple(alarms.get("names", ())))
        if alarms else None,
    )


def _service(name: str, raw: dict[str, Any], namespace: Namespace | None, at: At, numbers: dict[Path, str],
             origins: tuple[tuple[Path, Path], ...], root: str = "services") -> Service:
    ports_raw = raw.get("ports", [])
    # Without ports, calls or Service Connect settings there is nothing for the proxy to do: no
    # role (and no namespace needed, no proxy sharing the task) until the service calls someone.
    role = raw.get("role", "client-server" if ports_raw else
                   "client" if raw.get("calls") or "serviceConnect" in raw else "none")
    capacity = _get(raw, "serviceFields", "capacity")
    capacity = CAPACITY_SHORTHAND[capacity] if isinstance(capacity, str) else capacity
    calls = []
    for i, c in enumerate(raw.get("calls", [])):
        c = {"service": c} if isinstance(c, str) else c
        calls.append(Call(c["service"], c.get("port"), c.get("env"), c.get("format"), _get(c, "call", "ordered"),
                          at("calls", i)))
    dns_name = raw["discovery"].get("name", name) if "discovery" in raw else None
    sidecars = raw.get("containers", {})
    # The main container's ports are published by default (client-server); a sidecar's only when asked.
    port_raws = [(name, p, role == "client-server", at("ports", i)) for i, p in enumerate(ports_raw)]
    port_raws += [(cname, p, False, at("containers", cname, "ports", i))
                  for cname, c in sidecars.items() for i, p in enumerate(c.get("ports", []))]
    ports = _ports(port_raws, name, namespace, dns_name)
    # Each container takes its own ports, in the order they were listed (by position: a sidecar
    # named like the service is refused by rules, not merged here).
    taken = len(ports_raw)
    containers = [_container(name, raw, tuple(ports[:taken]), at, numbers, True, (root, name))]
    for cname, c in sidecars.items():
        def within(*keys: str | int, _c: str = cname) -> Path:
            return at("containers", _c, *keys)

        own = len(c.get("ports", []))
        containers.append(_container(cname, c, tuple(ports[taken:taken + own]), within, numbers, False,
                                     at("containers", cname)))
        taken += own
    return Service(
        name=name,
        task=_task(raw, tuple(containers), at, role != "none"),
        desired_count=_get(raw, "serviceFields", "desiredCount"),
        desired_count_given="desiredCount" in raw,
        capacity=tuple(sorted(capacity.items())),
        role=role,
        calls=tuple(calls),
        depends_on=tuple(raw.get("dependsOn", ())),
        deployment=_deployment(raw.get("deployment", {})),
        exec=_get(raw, "serviceFields", "exec"),
        access_logs=raw.get("serviceConnect", {}).get("accessLogs"),
        scaling=_scaling(raw["scaling"], at) if "scaling" in raw else None,
        exposures=_exposures(raw, at),
        discovery=_discovery(name, raw["discovery"]) if "discovery" in raw else None,
        origins=origins,
        run=_run(raw, at) if root == "jobs" else None,
        queue=_queue(raw["queue"]) if "queue" in raw else None,
        patches=_role_patches(raw.get("overrides", {}), lambda *k: at("overrides", *k)),
    )


def _queue(raw: dict[str, Any]) -> Queue:
    dead = raw.get("deadLetter", default("serviceFields", "queue", "deadLetter"))
    receives = None if dead is False else dead.get(
        "maxReceives", default("serviceFields", "queue", "deadLetter")["maxReceives"])
    return Queue(_get(raw, "serviceFields", "queue", "visibilityTimeout"),
                 _get(raw, "serviceFields", "queue", "retentionDays"), receives, raw.get("kmsKey"),
                 tuple(raw.get("subscribe", ())))


def _run(raw: dict[str, Any], at: At) -> JobRun:
    sched = raw.get("schedule")
    schedule = None
    if sched:
        kind = next(k for k in ("cron", "rate", "at") if k in sched)
        schedule = ScheduledScaling("schedule", kind, sched[kind], sched.get("timezone"), None, None, at("schedule"))
    return JobRun(schedule, _get(raw, "job", "retries"))


@cache
def job_keys() -> frozenset[str]:
    """The keys of a job, which `defaults` may give it (the task keys of a service)."""
    return frozenset(schema()["definitions"]["job"]["properties"])


def _exposures(raw: dict[str, Any], at: At) -> tuple[Exposure, ...]:
    """`public` first (it is the shorthand of an entry on `public`), then `expose` in order."""
    out = [_exposure({**raw["public"], "loadBalancer": PUBLIC}, at("public"), ("public",))] if "public" in raw else []
    out += [_exposure(item, at("expose", i), ("expose", i)) for i, item in enumerate(raw.get("expose", []))]
    return tuple(out)


def _zoned(raw: dict[str, Any] | None, key: str) -> Zoned | None:
    return Zoned(raw[key], raw["zone"]) if raw else None


def _exposure(raw: dict[str, Any], where: Path, keys: Path) -> Exposure:
    hc = raw.get("healthCheck", {})
    logs = raw.get("accessLogs")
    certificate = _zoned(raw.get("certificate"), "domain")
    port = raw.get("port", 443 if certificate or "certificateArn" in raw else 80)
    return Exposure(
        load_balancer=_get(raw, "exposure", "loadBalancer"),
        listener_port=port,
        protocol=raw.get("protocol"),
        certificate_arn=raw.get("certificateArn"),
        certificate=certificate,
        target_port=raw.get("targetPort"),
        path=_get(raw, "exposure", "path"),
        path_given="path" in raw,
        host=raw.get("host"),
        domain=_zoned(raw.get("domain"), "name"),
        health=HealthCheckPath(
            path=_get(hc, "exposure", "healthCheck", "path"),
            path_given="path" in hc,
            port=hc.get("port"),
            protocol=hc.get("protocol"),
            interval=_get(hc, "exposure", "healthCheck", "interval"),
            timeout=_get(hc, "exposure", "healthCheck", "timeout"),
            healthy_threshold=_get(hc, "exposure", "healthCheck", "healthyThreshold"),
            unhealthy_threshold=_get(hc, "exposure", "healthCheck", "unhealthyThreshold"),
            matcher=hc.get("matcher"),
        ),
        allow_from=tuple(_get(raw, "exposure", "allowFrom")),
        priority=raw.get("priority"),
        access_logs=(logs["bucket"], logs.get("prefix")) if logs else None,
        web_acl=raw.get("webAcl"),
        spec_path=where,
        keys=keys,
    )


def _discovery(service: str, raw: dict[str, Any]) -> Discovery:
    return Discovery(record=_get(raw, "discovery", "record"), ttl=_get(raw, "discovery", "ttl"),
                     port=raw.get("port"), name=raw.get("name", service))


def _scaling(raw: dict[str, Any], at: At) -> Scaling:
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
        scale_in=_get(raw, "scaling", "scaleIn"),
        schedule=tuple(schedule),
    )


def _load_balancers(declared: dict[str, Any], services: list[Service]) -> tuple[LoadBalancer, ...]:
    """The load balancers `loadBalancers` lists, in order, and `public` with every default when a
    service uses it unlisted. The plan creates only those an exposure uses."""
    out = []
    used = any(e.load_balancer == PUBLIC for s in services for e in s.exposures)
    for name in [*declared, *([PUBLIC] if used and PUBLIC not in declared else [])]:
        raw = declared.get(name, {})
        logs, existing = raw.get("accessLogs"), raw.get("existing")
        out.append(LoadBalancer(
            name=name,
            type=_get(raw, "loadBalancer", "type"),
            scheme=raw.get("scheme", "internet-facing" if name == PUBLIC else "internal"),
            subnets=tuple(raw.get("subnets", ())),
            idle_timeout=raw.get("idleTimeout"),
            access_logs=(logs["bucket"], logs.get("prefix")) if logs else None,
            web_acl=raw.get("webAcl"),
            existing=Existing(tuple(sorted((int(k), v) for k, v in existing["listeners"].items())),
                              existing["securityGroup"]) if existing else None,
            spec_path=("loadBalancers", name),
            given=frozenset(raw),
        ))
    return tuple(out)


def _role_patches(raw: dict[str, Any], at: At) -> tuple[RolePatch, ...]:
    return tuple(RolePatch(role, tuple(ops), at(role)) for role, ops in raw.items())


def _layer(path: Path, raw: dict[str, Any], roles: list[tuple[str, RolePatch]]) -> OverrideLayer | None:
    if not raw and not roles:
        return None
    return OverrideLayer(path, tuple(raw.get("resources", {}).items()), tuple(raw.get("outputs", {}).items()),
                         tuple(raw.get("patch", ())), tuple(roles))


def _overrides(src: Source, data: dict[str, Any], services: list[Service]) -> tuple[OverrideLayer, ...]:
    """The base's layer (top level, then each service's and job's patches), then the environment's."""
    base = _layer(("overrides",), data.get("overrides", {}),
                  [(s.name, p) for s in services for p in s.patches])
    layers = [base] if base else []
    if src.environment is not None:
        env, prefix = src.layer, ("environments", src.environment)
        roles = [(name, RolePatch(role, tuple(ops), (*prefix, kind, name, "overrides", role)))
                 for kind in ("services", "jobs") for name, raw in env.get(kind, {}).items()
                 for role, ops in raw.items()]
        layer = _layer((*prefix, "overrides"), env.get("overrides", {}), roles)
        if layer:
            layers.append(layer)
    return tuple(layers)


def build(src: Source) -> App:
    data = src.data
    ns_raw = data.get("namespace")
    ns_raw = {"name": ns_raw} if isinstance(ns_raw, str) else ns_raw
    namespace = Namespace(ns_raw["name"], _get(ns_raw, "namespace", "type"), ns_raw.get("existing"),
                          _get(ns_raw, "namespace", "aliases") == "qualified") if ns_raw else None
    cl_raw = data.get("cluster", data["name"])
    cl_raw = {"name": cl_raw} if isinstance(cl_raw, str) else cl_raw
    net = data.get("network", {})
    defaults = data.get("defaults", {})
    services = []
    for name, own in data["services"].items():
        origins = _origins(name, own, defaults)
        lookup = dict(origins)

        def at(*keys: str | int, _lookup: dict[Path, Path] = lookup, _name: str = name) -> Path:
            return locate(_lookup, _name, keys)

        services.append(_service(name, merge(defaults, own), namespace, at, src.numbers, origins))
    # Jobs: `defaults` give them the keys jobs have; they never join Service Connect (role none).
    job_defaults = {k: v for k, v in defaults.items() if k in job_keys()}
    for name, own in data.get("jobs", {}).items():
        origins = _origins(name, own, job_defaults, "jobs")
        lookup = dict(origins)

        def at_job(*keys: str | int, _lookup: dict[Path, Path] = lookup, _name: str = name) -> Path:
            return locate(_lookup, _name, keys, "jobs")

        raw = {**merge(job_defaults, own), "role": "none"}
        services.append(_service(name, raw, namespace, at_job, src.numbers, origins, "jobs"))
    lint = data.get("lint", {})
    return App(
        file=src.file,
        name=data["name"],
        description=data.get("description"),
        tags=tuple(data.get("tags", {}).items()),
        namespace=namespace,
        cluster=Cluster(
            name=cl_raw["name"],
            existing=_get(cl_raw, "cluster", "existing"),
            container_insights=_get(cl_raw, "cluster", "containerInsights"),
            capacity_providers=tuple(_get(cl_raw, "cluster", "capacityProviders")),
            given=frozenset(cl_raw),
        ),
        network=Network(net.get("vpc"), tuple(net.get("subnets", ())), tuple(net.get("publicSubnets", ())),
                        _get(net, "network", "assignPublicIp"), _get(net, "network", "egress"),
                        net.get("vpcCidr")),
        services=tuple(services),
        externals=tuple(External(name, raw.get("host"), raw["port"], raw.get("appProtocol", "tcp"),
                                 raw.get("securityGroup"), ("external", name))
                        for name, raw in data.get("external", {}).items()),
        load_balancers=_load_balancers(data.get("loadBalancers", {}), services),
        overrides=_overrides(src, data, services),
        lint_regions=tuple(_get(lint, "lint", "regions")),
        lint_ignore=tuple(lint.get("ignore", ())),
    )
