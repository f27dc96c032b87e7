"""`scc plan` on a corpus of ordinary edits, each a pair of specs (before, after) with the verdict
CloudFormation and ECS give it. CloudFormation: a change of a create-only property replaces the
resource (the resource schemas' `createOnlyProperties`; the "Update behaviors of stack resources"
page of the CloudFormation user guide); a resource whose create-only property refers to a replaced
one is replaced too. ECS (developer guide, "Service Connect" considerations and "Amazon ECS
service definition parameters"): discovery names are unique per namespace, so a replaced or
renamed service that keeps them fails (its successor is created first); a published port's
appProtocol cannot change. Elastic Load Balancing: a replaced target group starts empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from scc.pipeline import build, plan

MAILER = "  mailer:\n    image: public.ecr.aws/example/mailer:1\n    role: client\n    queue: {}\n"
BASE = """version: 1
name: shop
namespace: shop
defaults: { cpu: 512, memory: 1024 }
services:
  api:
    image: public.ecr.aws/example/api:1
    ports: [{ name: http, port: 8080, appProtocol: http }]
  web:
    image: public.ecr.aws/example/web:1
    ports: [{ name: http, port: 3000, appProtocol: http }]
    role: client
    calls: [api]
    public: {}
"""
EDGE = BASE.replace("    public: {}\n", "    expose: [{ loadBalancer: edge, port: 3000 }]\n")

# (case, before, after, {logical id: (action, severity)}): what CloudFormation and ECS do.
CASES = [
    ("no change", BASE, BASE, {}),
    ("image change: a new task definition revision, an in-place service update",
     BASE, BASE.replace("api:1", "api:2"),
     {"ApiTaskDefinition": ("replace", ""), "ApiService": ("update", "")}),
    ("desired count: in place", BASE, BASE.replace("    role: client\n", "    role: client\n    desiredCount: 3\n"),
     {"WebService": ("update", "")}),
    ("rename a service that publishes: its discovery name changes with it (defaults from the name)",
     BASE, BASE.replace("  api:\n", "  orders:\n").replace("calls: [api]", "calls: [orders]"),
     {"ApiService": ("delete", ""), "OrdersService": ("create", "")}),
    ("rename a service that keeps its discovery name: the new service cannot take it",
     BASE.replace("port: 8080, appProtocol: http }", "port: 8080, appProtocol: http, discoveryName: api }"),
     BASE.replace("port: 8080, appProtocol: http }", "port: 8080, appProtocol: http, discoveryName: api }")
     .replace("  api:\n", "  orders:\n").replace("calls: [api]", "calls: [orders]"),
     {"OrdersService": ("create", "error")}),
    ("rename the cluster: every service is replaced; the publishing one fails",
     BASE, BASE.replace("namespace: shop\n", "namespace: shop\ncluster: shop-2\n"),
     {"Cluster": ("replace", ""), "ApiService": ("replace", "error"), "WebService": ("replace", "")}),
    ("rename the app, cluster named by default: the same", BASE, BASE.replace("name: shop\n", "name: store\n"),
     {"Cluster": ("replace", ""), "ApiService": ("replace", "error")}),
    ("rename the app with the cluster and namespace named: task families change, services stay",
     BASE.replace("namespace: shop\n", "namespace: shop\ncluster: shop\n"),
     BASE.replace("namespace: shop\n", "namespace: shop\ncluster: shop\n").replace("name: shop\n", "name: store\n"),
     {"ApiTaskDefinition": ("replace", ""), "Cluster": None, "ApiService": ("update", "")}),
    ("appProtocol change on a published port: ECS refuses",
     BASE, BASE.replace("port: 8080, appProtocol: http }", "port: 8080, appProtocol: http2 }"),
     {"ApiTaskDefinition": ("replace", "error")}),
    ("port rename on a published port: its discovery name changes with it, in place",
     BASE, BASE.replace("ports: [{ name: http, port: 8080", "ports: [{ name: rest, port: 8080"),
     {"ApiService": ("update", "")}),
    ("container port change of the public service: the target group is replaced (warning)",
     BASE, BASE.replace("port: 3000", "port: 3001"),
     {"WebTargetGroup": ("replace", "warning"), "WebService": ("update", "")}),
    ("removing public: the load balancer and its DNS name go (warning)",
     BASE, BASE.replace("    public: {}\n", ""),
     {"LoadBalancer": ("delete", "warning"), "WebTargetGroup": ("delete", "")}),
    ("adding public: created", BASE.replace("    public: {}\n", ""), BASE,
     {"LoadBalancer": ("create", ""), "WebTargetGroup": ("create", "")}),
    ("adding a caller: a new ingress rule and the caller's new revision",
     BASE, BASE + "  worker:\n    image: public.ecr.aws/example/worker:1\n    role: client\n    calls: [api]\n",
     {"ApiIngressFromWorkerPort8080": ("create", ""), "WorkerService": ("create", ""), "ApiService": None}),
    ("changing scaling: policies in place",
     BASE.replace("    role: client\n", "    role: client\n    scaling: { min: 1, max: 4, targets: { cpu: 60 } }\n"),
     BASE.replace("    role: client\n", "    role: client\n    scaling: { min: 2, max: 8, targets: { cpu: 50 } }\n"),
     {"WebScalableTarget": ("update", ""), "WebScalingCpu": ("update", "")}),
    ("adding a sidecar: a new revision", BASE,
     BASE.replace("    role: client\n", "    role: client\n    containers: { exporter: { image: prom/exporter:1 } }\n"),
     {"WebTaskDefinition": ("replace", ""), "WebService": ("update", "")}),
    ("health check path: the target group in place", BASE,
     BASE.replace("public: {}", "public: { healthCheck: { path: /ready } }"), {"WebTargetGroup": ("update", "")}),
    ("load balancer path: the rule in place", BASE, BASE.replace("public: {}", "public: { path: /shop }"),
     {"WebListenerRule": ("create", "")}),
    ("a queue removed: its messages go (warning)", BASE + MAILER, BASE, {"MailerQueue": ("delete", "warning")}),
    ("queue visibility timeout: in place", BASE + MAILER,
     BASE + MAILER.replace("queue: {}", "queue: { visibilityTimeout: 90 }"), {"MailerQueue": ("update", "")}),
    ("a public network load balancer becomes internal: replaced, DNS name lost (warning)",
     EDGE + "loadBalancers: { edge: { type: network, scheme: internet-facing } }\n",
     EDGE + "loadBalancers: { edge: { type: network, scheme: internal } }\n",
     {"EdgeLoadBalancer": ("replace", "warning")}),
    ("environment variable: a new revision only", BASE,
     BASE.replace("    role: client\n", "    role: client\n    environment: { LOG_LEVEL: debug }\n"),
     {"WebTaskDefinition": ("replace", ""), "ApiTaskDefinition": None}),
    ("removing a service nobody calls: deleted, callers untouched",
     BASE + "  batch:\n    image: x/batch:1\n    role: client\n", BASE,
     {"BatchService": ("delete", ""), "ApiService": None}),
    ("a job added: created, services untouched", BASE,
     BASE.replace("namespace: shop\n", "namespace: { name: shop, type: dns }\n")
     .replace("    ports: [{ name: http, port: 8080, appProtocol: http }]\n",
              "    ports: [{ name: http, port: 8080, appProtocol: http }]\n    discovery: { record: A, ttl: 30 }\n"
              "    stopTimeout: 30\n    healthCheck: { command: curl -f http://localhost:8080/ || exit 1 }\n", 1)
     + "jobs:\n  report:\n    image: x/report:1\n    calls: [api]\n",
     {"ReportTaskDefinition": ("create", "")}),
    ("log retention: in place", BASE, BASE.replace("defaults: { cpu: 512, memory: 1024 }",
                                                   "defaults: { cpu: 512, memory: 1024, logs: { retentionDays: 90 } }"),
     {"ApiLogGroup": ("update", ""), "ApiTaskDefinition": None}),
    ("security group description follows the app name: replaced with it",
     BASE.replace("namespace: shop\n", "namespace: shop\ncluster: shop\n"),
     BASE.replace("namespace: shop\n", "namespace: shop\ncluster: shop\n").replace("name: shop\n", "name: store\n"),
     {"ApiSecurityGroup": ("replace", "")}),
]


@pytest.mark.parametrize(("case", "before", "after", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan_gives_the_verdict(case: str, before: str, after: str, expected: dict[str, tuple[str, str] | None],
                                tmp_path: Path) -> None:
    out = tmp_path / "deployed"
    (tmp_path / "before.yaml").write_text(before)
    (tmp_path / "after.yaml").write_text(after)
    first = build([str(tmp_path / "before.yaml")], out, lint=False)
    assert first.ok, [d.render() for d in first.diagnostics]
    result, changes, _ = plan(str(tmp_path / "after.yaml"), out)
    assert result.ok, [d.render() for d in result.diagnostics]
    found = {c.logical_id: (c.action, c.severity) for c in changes}
    for logical_id, verdict in expected.items():
        assert found.get(logical_id) == verdict, f"{case}: {logical_id}: {found.get(logical_id)} != {verdict}"
    if not expected:
        assert changes == []


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


def test_build_refuses_what_plan_calls_an_error(tmp_path: Path) -> None:
    out = tmp_path / "deployed"
    (tmp_path / "before.yaml").write_text(BASE)
    (tmp_path / "after.yaml").write_text(BASE.replace("namespace: shop\n", "namespace: shop\ncluster: shop-2\n"))
    assert build([str(tmp_path / "before.yaml")], out, lint=False).ok
    before = (out / "shop.yaml").read_text()
    refused = build([str(tmp_path / "after.yaml")], out, lint=False)
    assert not refused.ok
    (diag,) = [d for d in refused.diagnostics if d.code == "SCC140"]
    assert diag.line == 4 and "ApiService" in diag.message  # at `cluster:`, the key responsible
    assert (out / "shop.yaml").read_text() == before, "a refused build writes nothing"
    accepted = build([str(tmp_path / "after.yaml")], out, lint=False, refused_updates=True)
    assert accepted.ok and (out / "shop.yaml").read_text() != before
