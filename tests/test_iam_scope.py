"""Least privilege, asserted on every example and golden template: no IAM statement scc writes
grants an action on every resource, except the ECS Exec agent's channel actions, which take no
resource-level permissions (AWS's ECS Exec guide); and the statements of queue workers, their
callers and scheduled jobs name exactly the resources they need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, load_template

TEMPLATES = [*sorted((ROOT / "templates_out").glob("*.yaml")),
             *sorted((ROOT / "tests" / "golden").glob("*/expected.yaml"))]
# Actions without resource-level permissions that scc grants (ECS Exec's channel to the agent).
UNSCOPED = {"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}


def _statements(resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, res in resources.items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                out += [(f"{name}/{policy['PolicyName']}", s) for s in policy["PolicyDocument"]["Statement"]]
        if res["Type"] == "AWS::SQS::QueuePolicy":
            out += [(name, s) for s in props["PolicyDocument"]["Statement"]]
    return out


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.parent.name if p.name == "expected.yaml" else p.stem)
def test_no_statement_grants_everything(path: Path) -> None:
    resources = load_template(path.read_text())["Resources"]
    for where, statement in _statements(resources):
        if statement["Effect"] != "Allow":
            continue
        if "*" in _listed(statement["Resource"]):
            # The application's own `taskRole.policies` are the user's to scope (rules warn).
            if where.endswith("/application"):
                continue
            assert set(_listed(statement["Action"])) <= UNSCOPED, f"{path.name}: {where} grants {statement}"


def _get(resources: dict[str, Any], role: str, policy: str) -> list[dict[str, Any]]:
    found = [p for p in resources[role]["Properties"]["Policies"] if p["PolicyName"] == policy]
    assert len(found) == 1
    return list(found[0]["PolicyDocument"]["Statement"])


def test_queue_rights_are_exactly_the_queue() -> None:
    resources = load_template((ROOT / "tests/golden/queue-worker-from-zero/expected.yaml").read_text())["Resources"]
    arn = {"Fn::GetAtt": ["MailerQueue", "Arn"]}
    (work,) = _get(resources, "MailerTaskRole", "queues")
    assert work["Resource"] == arn
    assert set(work["Action"]) == {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                                   "sqs:GetQueueAttributes"}
    (send,) = _get(resources, "ApiTaskRole", "queues")
    assert send["Action"] == "sqs:SendMessage" and send["Resource"] == arn
    (topics,) = resources["MailerQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert topics["Principal"] == {"Service": "sns.amazonaws.com"} and topics["Resource"] == arn
    subscribed = [r["Properties"]["TopicArn"] for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    assert topics["Condition"]["ArnEquals"]["aws:SourceArn"] == subscribed


def test_a_schedule_may_run_exactly_its_job() -> None:
    resources = load_template((ROOT / "tests/golden/jobs-nightly-and-on-demand/expected.yaml").read_text())["Resources"]
    statements = {s["Sid"]: s for s in _get(resources, "NightlyReportSchedulerRole", "run-task")}
    assert set(statements) == {"RunThisTask", "PassItsRoles", "TagItsTasks"}
    run = statements["RunThisTask"]
    assert run["Action"] == "ecs:RunTask"
    assert run["Resource"]["Fn::Sub"].endswith(":task-definition/reports-nightly-report:*")
    assert run["Condition"] == {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": ["Cluster", "Arn"]}}}
    passed = statements["PassItsRoles"]
    assert passed["Resource"] == [{"Fn::GetAtt": ["NightlyReportExecutionRole", "Arn"]},
                                  {"Fn::GetAtt": ["NightlyReportTaskRole", "Arn"]}]
    assert passed["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    assert statements["TagItsTasks"]["Condition"] == {"StringEquals": {"ecs:CreateAction": "RunTask"}}
    trust = resources["NightlyReportSchedulerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
