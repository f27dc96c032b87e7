"""Compile a service's task definition: one application container on Fargate (awsvpc)."""

from __future__ import annotations

from troposphere import GetAtt, ecs

from scc.families.logs import awslogs
from scc.model import Service
from scc.naming import Ids

ARCHITECTURE = {"x86_64": "X86_64", "arm64": "ARM64"}


def task_definition(app_name: str, svc: Service, urls: dict[str, str]) -> ecs.TaskDefinition:
    ids = Ids(svc.name)
    container = ecs.ContainerDefinition(
        Name=svc.name,
        Image=svc.image,
        Essential=True,
        StopTimeout=svc.stop_timeout,
        LogConfiguration=awslogs(svc, svc.name),
    )
    if svc.ports:
        container.PortMappings = [_port_mapping(p.name, p.port, p.app_protocol) for p in svc.ports]
    # Sorted so the task definition (and its diff) does not depend on where a variable was written.
    environment = sorted({**dict(svc.environment), **urls}.items())
    if environment:
        container.Environment = [ecs.Environment(Name=k, Value=v) for k, v in environment]
    if svc.secrets:
        container.Secrets = [ecs.Secret(Name=k, ValueFrom=v) for k, v in sorted(svc.secrets)]
    if svc.command:
        container.Command = list(svc.command)
    if svc.entry_point:
        container.EntryPoint = list(svc.entry_point)
    if svc.readonly_root:
        container.ReadonlyRootFilesystem = True
    if svc.user:
        container.User = svc.user
    if svc.init_process:
        container.LinuxParameters = ecs.LinuxParameters(InitProcessEnabled=True)
    if svc.health_check:
        hc = svc.health_check
        container.HealthCheck = ecs.HealthCheck(Command=list(hc.command), Interval=hc.interval, Timeout=hc.timeout,
                                                Retries=hc.retries, StartPeriod=hc.start_period)
    return ecs.TaskDefinition(
        ids.task_definition,
        Family=f"{app_name}-{svc.name}",
        Cpu=str(svc.cpu),
        Memory=str(svc.memory),
        NetworkMode="awsvpc",
        RequiresCompatibilities=["FARGATE"],
        RuntimePlatform=ecs.RuntimePlatform(CpuArchitecture=ARCHITECTURE[svc.platform],
                                            OperatingSystemFamily="LINUX"),
        ExecutionRoleArn=GetAtt(ids.execution_role, "Arn"),
        TaskRoleArn=GetAtt(ids.task_role, "Arn"),
        ContainerDefinitions=[container],
    )


def _port_mapping(name: str, port: int, app_protocol: str) -> ecs.PortMapping:
    mapping = ecs.PortMapping(Name=name, ContainerPort=port, Protocol="tcp")
    if app_protocol != "tcp":
        mapping.AppProtocol = app_protocol
    return mapping
