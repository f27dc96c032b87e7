"""`scc diff OLD NEW` as a user runs it: environments paired by name, settings named by their spec
path and shown as the spec writes them (defaults where left out), ports paired by name, and the
warnings for changes that replace resources or need callers redeployed."""

from __future__ import annotations

from pathlib import Path

from scc.tools.diff import MISSING, default_at
from tests.conftest import ROOT
from tests.test_cli import scc

BASE = """\
version: 1
name: shop
namespace: local
services:
  api:
    image: public.ecr.aws/nginx/nginx:1.27
    ports:
      - { name: http, port: 8080, appProtocol: http }
      - { name: admin, port: 9090 }
  web:
    image: public.ecr.aws/nginx/nginx:1.27
    role: client
    calls: [{ service: api, port: http }]
"""

# What a deployment of each service with a new task definition does.
REDEPLOYS = "redeploys {}: a new task definition, whose tasks replace the running ones"

ENVS = BASE + """\
environments:
  staging:
    tags: { env: staging }
  prod:
    services:
      api: { cpu: 512, memory: 1024 }
"""


def _diff(tmp_path: Path, old: str, new: str, *args: str) -> list[str]:
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    r = scc("diff", "old.yaml", "new.yaml", *args, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.splitlines()


def test_an_environment_added_before_another_is_paired_by_name(tmp_path: Path) -> None:
    new = ENVS.replace("  staging:\n", "  dev:\n    tags: { env: dev }\n  staging:\n").replace(
        "cpu: 512, memory: 1024", "cpu: 1024, memory: 2048")
    assert _diff(tmp_path, ENVS, new) == [
        "+ environment dev: builds shop-dev",
        "== shop-staging",
        "no infrastructure change",
        "== shop-prod",
        "~ services.api.cpu: 512 -> 1024",
        "~ services.api.memory: 1024 -> 2048",
        REDEPLOYS.format("api"),
    ]


def test_a_removed_environment_warns_that_its_stack_stays(tmp_path: Path) -> None:
    new = ENVS.replace("  staging:\n    tags: { env: staging }\n", "")
    assert _diff(tmp_path, ENVS, new) == [
        "- environment staging: shop-staging is no longer built",
        "warning: environment staging: scc does not delete the stack of shop-staging; delete it yourself "
        "once nothing uses it",
        "== shop-prod",
        "no infrastructure change",
    ]


def test_environments_added_to_a_spec_without_them(tmp_path: Path) -> None:
    new = BASE + "environments:\n  prod: {}\n"
    assert _diff(tmp_path, BASE, new) == [
        "+ environment prod: builds shop-prod",
        "- the spec without environments: shop is no longer built",
        "warning: the spec without environments: scc does not delete the stack of shop; delete it yourself "
        "once nothing uses it",
    ]


def test_env_option_with_an_environment_only_one_spec_has(tmp_path: Path) -> None:
    new = ENVS.replace("  staging:\n", "  dev: {}\n  staging:\n")
    assert _diff(tmp_path, ENVS, new, "--env", "dev") == ["+ environment dev: builds shop-dev"]
    assert _diff(tmp_path, ENVS, new, "--env", "prod") == ["no infrastructure change"]
    (tmp_path / "old.yaml").write_text(ENVS)
    neither = scc("diff", "old.yaml", "new.yaml", "--env", "qa", cwd=tmp_path)
    assert neither.returncode == 1 and "SCC008" in neither.stderr


def test_values_print_as_yaml_and_left_out_keys_as_their_default(tmp_path: Path) -> None:
    new = (BASE.replace("namespace: local", "namespace: { name: local, type: dns }")
           .replace("    role: client\n", "    role: client\n    cpu: 512\n    memory: 1024\n"
                    "    command: [serve, --port, '8080']\n    environment: { WORKERS: 010 }\n"
                    "    deployment: { minHealthyPercent: 50 }\n"
                    "    scaling: { min: 1, max: 4, targets: { cpu: 60 } }\n"))
    assert _diff(tmp_path, BASE, new) == [
        "~ namespace: local -> {name: local, type: dns}",
        "~ services.web.cpu: (not set) -> 512",  # its default depends on the role (512 with the proxy)
        "~ services.web.memory: (not set) -> 1024",
        "~ services.web.command: (not set) -> [serve, --port, '8080']",
        "~ services.web.environment.WORKERS: (not set) -> 010",
        "~ services.web.deployment.minHealthyPercent: 100 (default) -> 50",
        "~ services.web.scaling: (not set) -> {min: 1, max: 4, targets: {cpu: 60}}",
        REDEPLOYS.format("web"),
        # A private DNS namespace is another resource type than an HTTP one.
        "warning: app-wide: CloudFormation replaces Namespace (Type)",
    ]
    # The text of a number in `environment` is what the container gets: 010 is not 10.
    assert _diff(tmp_path, new, new.replace("WORKERS: 010", "WORKERS: 10")) == [
        "~ services.web.environment.WORKERS: 010 -> 10", REDEPLOYS.format("web")]


def test_defaults_are_compared_under_each_service(tmp_path: Path) -> None:
    old = BASE.replace("services:\n", "defaults: { stopTimeout: 60 }\nservices:\n")
    new = BASE.replace("services:\n", "defaults: { stopTimeout: 60, exec: true }\nservices:\n").replace(
        "    role: client\n", "    role: client\n    stopTimeout: 10\n")
    assert _diff(tmp_path, old, new) == [
        "~ services.api.exec: false (default) -> true",
        "~ services.web.stopTimeout: 60 -> 10",
        "~ services.web.exec: false (default) -> true",
        REDEPLOYS.format("web"),  # ECS Exec is the service's setting (and the task role's)
    ]


def test_ports_pair_by_name(tmp_path: Path) -> None:
    http, admin = "      - { name: http, port: 8080, appProtocol: http }\n", "      - { name: admin, port: 9090 }\n"
    reordered = BASE.replace(http + admin, admin + http)
    # In 1.1 the first published port takes the service's name as its discovery name, so a
    # reorder renames both endpoints, and the caller's URL with them: diff says so (the spec
    # leaves themselves pair by name).
    assert _diff(tmp_path, BASE, reordered) == [
        "~ web calls api: API_URL=http://api:8080 -> API_URL=http://api-http:8080",
        REDEPLOYS.format("api, web"),
    ]
    assert _diff(tmp_path, BASE, BASE.replace("name: admin", "name: manage")) == [
        "- services.api.ports[admin]",
        "+ services.api.ports[manage]: {name: manage, port: 9090}",
        REDEPLOYS.format("api"),  # nobody calls admin: its new name is an update in place
    ]
    assert _diff(tmp_path, BASE, BASE.replace("port: 8080, appProtocol: http", "port: 8080, appProtocol: grpc")) == [
        "~ services.api.ports[http].appProtocol: http -> grpc",
        "~ web calls api: API_URL=http://api:8080 -> API_ADDR=api:8080",
        REDEPLOYS.format("web"),
        "error: api: ApiTaskDefinition is replaced: the appProtocol of published port(s) http changes (http -> "
        "grpc): ECS rejects the update of a Service Connect service. Publish the new protocol on a new port name.",
    ]


def test_calls_pair_by_service(tmp_path: Path) -> None:
    new = BASE.replace("port: http }]", "port: http, env: API }]")
    assert _diff(tmp_path, BASE, new) == [
        "~ services.web.calls[api].env: (not set) -> API",
        "~ web calls api: API_URL=http://api:8080 -> API=http://api:8080",
        REDEPLOYS.format("web"),
    ]
    assert _diff(tmp_path, BASE, BASE.replace("calls: [{ service: api, port: http }]", "dependsOn: [api]")) == [
        "- services.web.calls[api]",
        "~ services.web.dependsOn: (not set) -> [api]",
        REDEPLOYS.format("web"),  # its API_URL variable goes
    ]


def test_diff_summarises_a_change_and_warns_about_replacements(tmp_path: Path) -> None:
    old = (ROOT / "examples" / "shop.yaml").read_text()
    new = (old.replace("appProtocol: http       # without it", "appProtocol: grpc       # without it")
              .replace("      max: 10", "      max: 20")
              .replace("cluster: shop", "cluster: shop-v2"))
    new += "  worker:\n    image: public.ecr.aws/docker/library/busybox:1.36\n    role: none\n"
    assert _diff(tmp_path, old, new) == [
        "~ cluster: shop -> shop-v2",
        "~ services.backend.ports[backend].appProtocol: http -> grpc",
        "~ services.backend.scaling.max: 10 -> 20",
        "+ service worker (public.ecr.aws/docker/library/busybox:1.36, 0 port(s), role none)",
        "~ frontend calls backend: BACKEND_URL=http://backend:8080 -> BACKEND_ADDR=backend:8080",
        REDEPLOYS.format("frontend"),
        # ECS services cannot move to another cluster: a new cluster name replaces each, and the
        # one that publishes an endpoint fails (the old one holds its name until it is deleted).
        "error: backend: BackendService is replaced: the old service still holds the Service Connect discovery "
        "name(s) backend: ECS creates the new service first and refuses them (the names are unique per "
        "namespace). Give the ports new discoveryName values in the same edit, or deploy the removal first. (It "
        "refers to a replaced resource in a create-only property.)",
        "error: backend: BackendTaskDefinition is replaced: the appProtocol of published port(s) backend changes "
        "(http -> grpc): ECS rejects the update of a Service Connect service. Publish the new protocol on a new "
        "port name.",
        "warning: backend: CloudFormation replaces BackendScalableTarget (ResourceId), BackendScalingRequests "
        "(ScalingTargetId)",
        "warning: frontend: CloudFormation replaces FrontendScalableTarget (ResourceId), FrontendScalingCpu "
        "(ScalingTargetId), FrontendService (Cluster)",
        "warning: app-wide: CloudFormation replaces Cluster (ClusterName)",
    ]

    (tmp_path / "gone.yaml").write_text(old.split("  frontend:")[0].replace("calls", "x"))
    gone = scc("diff", "new.yaml", "gone.yaml", cwd=tmp_path)
    assert gone.returncode == 0, gone.stderr
    assert "- service frontend" in gone.stdout.splitlines()
    same = scc("diff", "old.yaml", "old.yaml", cwd=tmp_path)
    assert same.stdout == "no infrastructure change\n"
    bad = scc("diff", "old.yaml", "missing.yaml", cwd=tmp_path)
    assert bad.returncode == 1 and "SCC001" in bad.stderr


def test_default_at_walks_the_schema() -> None:
    assert default_at(("services", "api", "cpu")) is MISSING  # 512 with the Service Connect proxy, else 256
    assert default_at(("services", "api", "desiredCount")) == 1
    assert default_at(("defaults", "deployment", "minHealthyPercent")) == 100
    assert default_at(("services", "api", "deployment", "circuitBreaker", "rollback")) is True
    assert default_at(("namespace", "type")) == "http"  # the object form of `namespace: local`
    assert default_at(("cluster", "capacityProviders")) == ["FARGATE", "FARGATE_SPOT"]
    assert default_at(("services", "api", "calls", 0, "ordered")) is True  # the object form of a call
    assert default_at(("services", "api", "ports", "http", "appProtocol")) is MISSING
    assert default_at(("services", "api", "capacity")) == "fargate"
    assert default_at(("services", "api", "image")) is MISSING
    assert default_at(("nothing", "here")) is MISSING


def test_a_changed_variable_format_is_named(tmp_path: Path) -> None:
    """What the caller's code reads changes with `format` (and with the called port's protocol):
    diff names the variable before and after, not only the spec key."""
    call = "calls: [{ service: api, port: http }]"
    assert _diff(tmp_path, BASE, BASE.replace(call, "calls: [{ service: api, port: http, format: address }]")) == [
        "~ services.web.calls[api].format: (not set) -> address",
        "~ web calls api: API_URL=http://api:8080 -> API_ADDR=api:8080",
        REDEPLOYS.format("web"),
    ]
    assert _diff(tmp_path, BASE, BASE.replace(call, "calls: [{ service: api, port: http, format: none }]")) == [
        "~ services.web.calls[api].format: (not set) -> none",
        "~ web calls api: API_URL=http://api:8080 -> no variable (format: none)",
        REDEPLOYS.format("web"),
    ]
    qualified = BASE.replace("namespace: local", "namespace: { name: local, aliases: qualified }")
    assert "~ web calls api: API_URL=http://api:8080 -> API_URL=http://api.local:8080" in \
        _diff(tmp_path, BASE, qualified)


def test_container_changes_are_named_by_container(tmp_path: Path) -> None:
    old = (ROOT / "tests" / "golden" / "init-container-success" / "spec.yaml").read_text()
    new = old.replace("command: [./manage, migrate]", "command: [./manage, migrate, --noinput]")
    assert _diff(tmp_path, old, new) == [
        "~ services.api.containers.migrate.command: [./manage, migrate] -> [./manage, migrate, --noinput]",
        REDEPLOYS.format("api")]


def test_warnings_are_scc_plans(tmp_path: Path) -> None:
    """The warnings come from the per-resource plan of the templates both specs build (so `scc
    diff` and `scc plan` never disagree): renaming the app changes only `name` in the spec, but
    every security group's GroupDescription (create-only) names the app, and the cluster is
    named after it, which replaces every ECS service: the publishing one fails."""
    renamed = BASE.replace("name: shop", "name: store")
    lines = _diff(tmp_path, BASE, renamed)
    assert lines[0] == "~ name: shop -> store"
    said = " ".join(lines[1:])
    assert "ApiSecurityGroup (GroupDescription)" in said and "WebSecurityGroup (GroupDescription)" in said
    assert "error: api: ApiService is replaced: the old service still holds the Service Connect discovery " \
        "name(s) api" in said
    # The same edit through `scc plan` against the first build: the same replacements.
    (tmp_path / "old.yaml").write_text(BASE)
    assert scc("build", "old.yaml", "--no-lint", "-o", "deployed", cwd=tmp_path).returncode == 0
    (tmp_path / "new.yaml").write_text(renamed)
    plan = scc("plan", "new.yaml", "--against", "deployed", "--format", "json", cwd=tmp_path)
    import json

    ids = {c["logicalId"] for c in json.loads(plan.stdout) if c["action"] == "replace"}
    assert {"ApiSecurityGroup", "WebSecurityGroup", "Cluster"} <= ids
    for logical_id in ids - {"ApiTaskDefinition", "WebTaskDefinition"}:
        assert logical_id in said, logical_id
