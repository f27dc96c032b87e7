"""Family IAM: per service an execution role that reads exactly its secrets and a task role with
exactly the declared permissions; the Service Connect TLS infrastructure role when a published
port needs it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from troposphere import GetAtt, Sub, iam

from scc.families.family import Emitted, Family
from scc.model import Service
from scc.naming import Ids, camel
from scc.plan import Plan, ServicePlan

EXECUTION_POLICY = "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
TLS_POLICY = ("arn:${AWS::Partition}:iam::aws:policy/service-role/"
              "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity")
TLS_ROLE = Ids.TLS_ROLE
# What a worker does with its queue's messages (and reads its attributes, as SQS clients do).
QUEUE_WORKER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes"]
# What ECS needs to move traffic between a service's target groups in blue-green, canary and
# linear deployments (AWS managed; ECS developer guide, "Amazon ECS infrastructure IAM role for
# load balancers").
LB_INFRASTRUCTURE_POLICY = "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
# ECS Exec's agent channel; these actions take no resource-level permissions.
EXEC_ACTIONS = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]


def _trust(principal: str, confused_deputy: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
    if confused_deputy:
        # Only ECS acting for this account may assume the role (AWS's confused-deputy guidance).
        statement["Condition"] = {
            "ArnLike": {"aws:SourceArn": Sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*")},
            "StringEquals": {"aws:SourceAccount": Sub("${AWS::AccountId}")},
        }
    return {"Version": "2012-10-17", "Statement": [statement]}


def secret_resource(arn: str) -> str:
    """The IAM resource of a `secrets` value: Secrets Manager values may carry
    `:json-key:version-stage:version-id` after the secret ARN, which IAM does not match."""
    parts = arn.split(":")
    if parts[2] == "secretsmanager":
        return ":".join(parts[:7])
    return arn


def execution_role(svc: Service) -> iam.Role:
    ids = Ids(svc.name)
    policies = []
    secrets = list(svc.task.secrets)
    if svc.task.registry_credentials:  # the private registry's credentials: exactly that secret
        secrets.append(("registry", svc.task.registry_credentials))
    if secrets:
        statements = []
        sm = sorted({secret_resource(a) for _, a in secrets if ":secretsmanager:" in a})
        ssm = sorted({a for _, a in secrets if ":ssm:" in a})
        if sm:
            statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": sm})
        if ssm:
            statements.append({"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": ssm})
        if svc.task.secrets_kms_key:
            statements.append({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [svc.task.secrets_kms_key]})
        policies.append(iam.Policy(PolicyName="read-secrets",
                                   PolicyDocument={"Version": "2012-10-17", "Statement": statements}))
    files = svc.task.environment_files
    if files:
        # Exactly those objects, and their buckets' location (ECS asks for it before reading).
        buckets = sorted({arn.split("/", 1)[0] for arn in files})
        policies.append(iam.Policy(PolicyName="read-environment-files", PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": sorted(files)},
                          {"Effect": "Allow", "Action": ["s3:GetBucketLocation"], "Resource": buckets}],
        }))
    role = iam.Role(ids.execution_role, AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com", True),
                    ManagedPolicyArns=[Sub(EXECUTION_POLICY)])
    if policies:
        role.Policies = policies
    return role


EFS_ARN = "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/"


def _efs_statements(svc: Service) -> list[dict[str, Any]]:
    """With `iam`, the task role may mount each EFS file system (through its access point), and
    write to it unless every mount of it is read-only."""
    out: list[dict[str, Any]] = []
    for v in svc.task.volumes:
        if v.efs is None or not v.efs.iam:
            continue
        mounts = [m for c in svc.task.containers for m in c.mounts if m.volume == v.name]
        actions = ["elasticfilesystem:ClientMount"]
        if not all(m.read_only for m in mounts):
            actions.append("elasticfilesystem:ClientWrite")
        statement: dict[str, Any] = {"Effect": "Allow", "Action": actions,
                                     "Resource": Sub(EFS_ARN + v.efs.file_system)}
        if v.efs.access_point:
            statement["Condition"] = {"StringEquals": {"elasticfilesystem:AccessPointArn": Sub(
                "arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:access-point/"
                + v.efs.access_point)}}
        out.append(statement)
    return out


def _queue_statements(sp: ServicePlan) -> list[dict[str, Any]]:
    """The worker receives, deletes and hides messages of its own queue; a caller of a worker may
    send to that queue only (and use the queue's KMS key for it)."""
    svc, out = sp.service, []
    if svc.queue is not None:
        out.append({"Sid": "WorkOffItsQueue", "Effect": "Allow", "Action": QUEUE_WORKER_ACTIONS,
                    "Resource": GetAtt(Ids(svc.name).queue, "Arn")})
        if svc.queue.kms_key:
            out.append({"Sid": "ReadItsQueue", "Effect": "Allow", "Action": "kms:Decrypt",
                        "Resource": svc.queue.kms_key})
    for e in sp.endpoints:
        if e.via == "queue" and e.target is not None and e.target.queue is not None:
            sid = camel(e.name)
            out.append({"Sid": f"SendTo{sid}", "Effect": "Allow", "Action": "sqs:SendMessage",
                        "Resource": GetAtt(Ids(e.name).queue, "Arn")})
            if e.target.queue.kms_key:
                out.append({"Sid": f"EncryptFor{sid}", "Effect": "Allow",
                            "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": e.target.queue.kms_key})
    return out


def task_role(svc: Service, sp: ServicePlan | None = None) -> iam.Role:
    ids = Ids(svc.name)
    policies = []
    queues = _queue_statements(sp) if sp is not None else []
    if queues:
        policies.append(iam.Policy(PolicyName="queues", PolicyDocument={"Version": "2012-10-17",
                                                                        "Statement": queues}))
    if svc.task.policies:
        policies.append(iam.Policy(PolicyName="application", PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{"Effect": s.effect, "Action": list(s.actions), "Resource": list(s.resources)}
                          for s in svc.task.policies],
        }))
    efs = _efs_statements(svc)
    if efs:
        policies.append(iam.Policy(PolicyName="efs", PolicyDocument={"Version": "2012-10-17", "Statement": efs}))
    if svc.exec:
        policies.append(iam.Policy(PolicyName="ecs-exec", PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": EXEC_ACTIONS, "Resource": "*"}],
        }))
    role = iam.Role(ids.task_role, AssumeRolePolicyDocument=_trust("ecs-tasks.amazonaws.com", True))
    if policies:
        role.Policies = policies
    if svc.task.managed_policies:
        role.ManagedPolicyArns = list(svc.task.managed_policies)
    return role


def _roles(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    svc = sp.service
    yield Emitted(execution_role(svc), (svc.root, svc.name), svc.name)
    yield Emitted(task_role(svc, sp), (svc.root, svc.name), svc.name)


def _tls_role(plan: Plan) -> Iterator[Emitted]:
    if any(p.tls and not p.tls.role_arn for s in plan.app.services for p in s.published):
        yield Emitted(iam.Role(TLS_ROLE, AssumeRolePolicyDocument=_trust("ecs.amazonaws.com", False),
                               ManagedPolicyArns=[Sub(TLS_POLICY)]), ("services",), None)


def _load_balancer_role(plan: Plan) -> Iterator[Emitted]:
    shifting = [sp for sp in plan.services if sp.routes and sp.service.deployment.shifts_traffic]
    if shifting:
        yield Emitted(iam.Role(Ids.LB_INFRASTRUCTURE_ROLE,
                               AssumeRolePolicyDocument=_trust("ecs.amazonaws.com", False),
                               ManagedPolicyArns=[Sub(LB_INFRASTRUCTURE_POLICY)]),
                      shifting[0].service.at("deployment", "strategy"), None)


FAMILY = Family("iam", service=_roles)
LB_ROLE_FAMILY = Family("load-balancer-infrastructure-role", app=_load_balancer_role)
TLS_FAMILY = Family("service-connect-tls", app=_tls_role)
