"""Family task: a service's task definition on Fargate (awsvpc), its containers with their
port mappings, and the call variables the plan resolved."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import AWSHelperFn, GetAtt, Join, Ref, ecs

from scc.families.family import Emitted, Family
from scc.families.logs import awslogs
from scc.model import Container, Port, Service
from scc.naming import Ids
from scc.plan import Endpoint, Plan, ServicePlan

ARCHITECTURE = {"x86_64": "X86_64", "arm64": "ARM64"}


def _variables(endpoints: tuple[Endpoint, ...]) -> dict[str, str | AWSHelperFn]:
    """The call variables: a host given as a template parameter is joined in from it."""
    out: dict[str, str | AWSHelperFn] = {}
    for e in endpoints:
        if e.variable is not None:
            v = e.variable
            parts = [p for p in (v.prefix, Ref(e.host), v.suffix) if p != ""]
            out[v.name] = Join("", parts) if e.host_parameter else v.text(e.host)
    return out


def _container(svc: Service, c: Container, variables: dict[str, str | AWSHelperFn],
               calls: list[Endpoint]) -> ecs.ContainerDefinition:
    container = ecs.ContainerDefinition(
        Name=c.name,
        Image=c.image,
        Essential=True,
        StopTimeout=c.stop_timeout,
        LogConfiguration=awslogs(svc, c.name),
    )
    if c.ports:
        container.PortMappings = [_port_mapping(p) for p in c.ports]
    # Sorted so the task definition (and its diff) does not depend on where a variable was written.
    environment = sorted({**dict(c.environment), **variables}.items())
    if environment:
        container.Environment = [ecs.Environment(Name=k, Value=v) for k, v in environment]
    if calls:
        # What the container calls, whatever its variables say: a change here (a new alias, a new
        # target) replaces its tasks, and only new tasks resolve new Service Connect endpoints.
        container.DockerLabels = {"scc.calls": ",".join(sorted(e.label() for e in calls))}
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
    if c.init_process:
        container.LinuxParameters = ecs.LinuxParameters(InitProcessEnabled=True)
    if c.health_check:
        hc = c.health_check
        container.HealthCheck = ecs.HealthCheck(Command=list(hc.command), Interval=hc.interval, Timeout=hc.timeout,
                                                Retries=hc.retries, StartPeriod=hc.start_period)
    return container


def _task_definition(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    svc, task = sp.service, sp.service.task
    ids = Ids(svc.name)
    # The call variables go to the main container, the one that makes the calls.
    variables = _variables(sp.endpoints)
    calls = list(sp.endpoints)
    containers = [_container(svc, c, variables if c is task.main else {}, calls if c is task.main else [])
                  for c in task.containers]
    yield Emitted(ecs.TaskDefinition(
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
    ), ("services", svc.name), svc.name)


def _port_mapping(port: Port) -> ecs.PortMapping:
    mapping = ecs.PortMapping(Name=port.name, ContainerPort=port.port, Protocol=port.protocol)
    if port.app_protocol != "tcp":
        mapping.AppProtocol = port.app_protocol
    return mapping


FAMILY = Family("task", service=_task_definition)
