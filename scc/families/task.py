"""Family task: a service's task definition on Fargate (awsvpc): its containers (the main one,
its sidecars and init containers, and the FireLens log router when logs are routed) with their
port mappings, mounts, container dependencies and options, its volumes, and the call variables
the plan resolved."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import AWSHelperFn, GetAtt, Join, Ref, ecs

from scc.families.family import Emitted, Family
from scc.families.logs import awslogs
from scc.limits import FIRELENS_MEMORY_RESERVATION
from scc.model import Container, LogRouter, Port, Service, Volume
from scc.naming import LOG_ROUTER as ROUTER
from scc.naming import Ids
from scc.plan import Endpoint, Plan, ServicePlan

ARCHITECTURE = {"x86_64": "X86_64", "arm64": "ARM64"}


def _variables(endpoints: tuple[Endpoint, ...]) -> dict[str, str | AWSHelperFn]:
    """The call variables: a host given as a template parameter (or a load balancer's DNS name) is
    joined in from it."""
    out: dict[str, str | AWSHelperFn] = {}
    for e in endpoints:
        if e.variable is not None:
            v = e.variable
            host: AWSHelperFn | None = Ref(e.host) if e.host_parameter else (
                GetAtt(*e.host_ref) if e.host_ref else None)
            parts = [p for p in (v.prefix, host, v.suffix) if p != ""]
            if host is None:
                out[v.name] = v.text(e.host)
            else:  # a queue's URL is the attribute itself
                out[v.name] = host if parts == [host] else Join("", parts)
    return out


def _logging(svc: Service, c: Container) -> ecs.LogConfiguration:
    router = svc.task.logs.router
    if router is None:
        return awslogs(svc, c.name)
    config = ecs.LogConfiguration(LogDriver="awsfirelens", Options=dict(router.options))
    if router.secret_options:
        config.SecretOptions = [ecs.Secret(Name=k, ValueFrom=v) for k, v in router.secret_options]
    return config


def _container(svc: Service, c: Container, variables: dict[str, str | AWSHelperFn],
               calls: list[Endpoint]) -> ecs.ContainerDefinition:
    container = ecs.ContainerDefinition(
        Name=c.name,
        Image=c.image,
        Essential=c.essential,
        StopTimeout=c.stop_timeout,
        LogConfiguration=_logging(svc, c),
    )
    for prop, value in (("Cpu", c.cpu), ("Memory", c.memory), ("MemoryReservation", c.memory_reservation)):
        if value is not None:
            setattr(container, prop, value)
    if c.ports:
        container.PortMappings = [_port_mapping(p) for p in c.ports]
    # Sorted so the task definition (and its diff) does not depend on where a variable was written.
    environment = sorted({**dict(c.environment), **variables}.items())
    if environment:
        container.Environment = [ecs.Environment(Name=k, Value=v) for k, v in environment]
    labels = dict(c.docker_labels)
    if calls:
        # What the container calls, whatever its variables say: a change here (a new alias, a new
        # target) replaces its tasks, and only new tasks resolve new Service Connect endpoints.
        labels["scc.calls"] = ",".join(sorted(e.label() for e in calls))
    if labels:
        container.DockerLabels = labels
    if c.environment_files:
        container.EnvironmentFiles = [ecs.EnvironmentFile(Type="s3", Value=arn) for arn in c.environment_files]
    if c.secrets:
        container.Secrets = [ecs.Secret(Name=k, ValueFrom=v) for k, v in sorted(c.secrets)]
    if c.command:
        container.Command = list(c.command)
    if c.entry_point:
        container.EntryPoint = list(c.entry_point)
    if c.readonly_root:
        container.ReadonlyRootFilesystem = True
    if c.user:
        container.User = c.user
    linux = {}
    if c.init_process:
        linux["InitProcessEnabled"] = True
    if c.capabilities_add or c.capabilities_drop:
        caps = {}
        if c.capabilities_add:
            caps["Add"] = list(c.capabilities_add)
        if c.capabilities_drop:
            caps["Drop"] = list(c.capabilities_drop)
        linux["Capabilities"] = ecs.KernelCapabilities(**caps)
    if linux:
        container.LinuxParameters = ecs.LinuxParameters(**linux)
    if c.working_directory:
        container.WorkingDirectory = c.working_directory
    if c.ulimits:
        container.Ulimits = [ecs.Ulimit(Name=u.name, SoftLimit=u.soft, HardLimit=u.hard) for u in c.ulimits]
    if c.mounts:
        container.MountPoints = [ecs.MountPoint(SourceVolume=m.volume, ContainerPath=m.path, ReadOnly=m.read_only)
                                 for m in c.mounts]
    waits = list(c.wait_for)
    if svc.task.logs.router is not None and not any(name == ROUTER for name, _ in waits):
        waits.append((ROUTER, "start"))  # logs from the first line on: the router runs first
    if waits:
        container.DependsOn = [ecs.ContainerDependency(ContainerName=name, Condition=cond.upper())
                                   for name, cond in waits]
    if c is svc.task.main and svc.task.registry_credentials:
        container.RepositoryCredentials = ecs.RepositoryCredentials(
            CredentialsParameter=svc.task.registry_credentials)
    if c.health_check:
        hc = c.health_check
        container.HealthCheck = ecs.HealthCheck(Command=list(hc.command), Interval=hc.interval, Timeout=hc.timeout,
                                                Retries=hc.retries, StartPeriod=hc.start_period)
    return container


def _router(svc: Service, router: LogRouter) -> ecs.ContainerDefinition:
    """The FireLens container: Fluent Bit receiving the others' logs; its own go to the log group."""
    return ecs.ContainerDefinition(
        Name=ROUTER,
        Image=router.image,
        Essential=True,
        MemoryReservation=FIRELENS_MEMORY_RESERVATION,
        FirelensConfiguration=ecs.FirelensConfiguration(Type="fluentbit"),
        LogConfiguration=awslogs(svc, ROUTER),
    )


def _volume(v: Volume) -> ecs.Volume:
    if v.efs is None:
        return ecs.Volume(Name=v.name)
    efs = v.efs
    config = ecs.EFSVolumeConfiguration(FilesystemId=efs.file_system, TransitEncryption="ENABLED")
    if efs.access_point or efs.iam:
        auth = ecs.AuthorizationConfig(IAM="ENABLED" if efs.iam else "DISABLED")
        if efs.access_point:
            auth.AccessPointId = efs.access_point
        config.AuthorizationConfig = auth
    if efs.root_directory and efs.root_directory != "/" and not efs.access_point:  # "/" is ECS's default
        config.RootDirectory = efs.root_directory
    return ecs.Volume(Name=v.name, EFSVolumeConfiguration=config)


def _task_definition(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    svc, task = sp.service, sp.service.task
    ids = Ids(svc.name)
    # The call variables go to the main container, the one that makes the calls.
    variables = _variables(sp.endpoints)
    if svc.queue is not None:
        variables["QUEUE_URL"] = Ref(Ids(svc.name).queue)
    calls = list(sp.endpoints)
    containers = [_container(svc, c, variables if c is task.main else {}, calls if c is task.main else [])
                  for c in task.containers]
    if task.logs.router is not None:
        containers.append(_router(svc, task.logs.router))
    definition = ecs.TaskDefinition(
        ids.task_definition,
        Family=f"{plan.app.name}-{svc.name}",
        Cpu=str(task.cpu),
        Memory=str(task.memory),
        NetworkMode="awsvpc",
        RequiresCompatibilities=["FARGATE"],
        RuntimePlatform=ecs.RuntimePlatform(CpuArchitecture=ARCHITECTURE[task.platform],
                                            OperatingSystemFamily="LINUX"),
        ExecutionRoleArn=GetAtt(ids.execution_role, "Arn"),
        TaskRoleArn=GetAtt(ids.task_role, "Arn"),
        ContainerDefinitions=containers,
    )
    if task.volumes:
        definition.Volumes = [_volume(v) for v in task.volumes]
    if task.ephemeral_storage is not None:
        definition.EphemeralStorage = ecs.EphemeralStorage(SizeInGiB=task.ephemeral_storage)
    yield Emitted(definition, (svc.root, svc.name), svc.name)


def _port_mapping(port: Port) -> ecs.PortMapping:
    mapping = ecs.PortMapping(Name=port.name, ContainerPort=port.port, Protocol=port.protocol)
    if port.app_protocol != "tcp":
        mapping.AppProtocol = port.app_protocol
    return mapping


FAMILY = Family("task", service=_task_definition)
