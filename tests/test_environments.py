"""Environments: each is the base spec deep-merged with its overrides (maps merge, lists
replace, `defaults` overrides before services) and builds to <name>-<environment>.yaml."""

from __future__ import annotations

from pathlib import Path

from scc.pipeline import build
from tests.conftest import load_template
from tests.test_cli import scc

SPEC = """\
version: 1
name: shop
namespace: local
defaults: { cpu: 512, memory: 1024, environment: { LOG_LEVEL: info, REGION_NAME: one } }
services:
  backend:
    image: public.ecr.aws/nginx/nginx:1.27
    ports: [{ name: backend, port: 8080, appProtocol: http }]
    command: [serve, --workers, "2"]
    scaling: { min: 1, max: 4, targets: { requests: 50 } }
  frontend:
    image: public.ecr.aws/nginx/nginx:1.27
    role: client
    calls: [backend]
environments:
  staging:
    defaults: { cpu: 1024, memory: 2048 }
  prod:
    tags: { env: prod }
    defaults: { environment: { LOG_LEVEL: warn } }
    services:
      backend:
        command: [serve]
        scaling: { min: 3, max: 30 }
"""


def _resources(path: Path) -> dict:  # type: ignore[type-arg]
    return load_template(path.read_text())["Resources"]


def test_each_environment_builds_its_own_template(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC)
    result = build([str(spec)], tmp_path / "out")
    assert result.ok and result.diagnostics == [], [d.render() for d in result.diagnostics]
    assert sorted(p.name for p in result.written) == ["shop-prod.yaml", "shop-staging.yaml"]

    staging = _resources(tmp_path / "out" / "shop-staging.yaml")
    prod = _resources(tmp_path / "out" / "shop-prod.yaml")
    assert staging["Cluster"]["Properties"]["ClusterName"] == "shop-staging"
    assert prod["Cluster"]["Properties"]["ClusterName"] == "shop-prod"
    # defaults overrides apply before services: staging's cpu reaches both services
    assert staging["BackendTaskDefinition"]["Properties"]["Cpu"] == "1024"
    assert staging["FrontendTaskDefinition"]["Properties"]["Family"] == "shop-staging-frontend"
    # maps merge (LOG_LEVEL replaced, REGION_NAME kept), lists replace (command)
    container = prod["BackendTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert {e["Name"]: e["Value"] for e in container["Environment"]} == {"LOG_LEVEL": "warn", "REGION_NAME": "one"}
    assert container["Command"] == ["serve"]
    assert prod["BackendScalableTarget"]["Properties"]["MinCapacity"] == 3
    assert staging["BackendScalableTarget"]["Properties"]["MinCapacity"] == 1
    assert {"Key": "env", "Value": "prod"} in prod["Cluster"]["Properties"]["Tags"]
    assert "Tags" not in staging["Cluster"]["Properties"]


def test_env_option_builds_one_and_names_unknown_ones(tmp_path: Path) -> None:
    (tmp_path / "shop.yaml").write_text(SPEC)
    one = scc("build", "shop.yaml", "--env", "prod", "--no-lint", cwd=tmp_path)
    assert one.returncode == 0 and one.stdout.strip() == "wrote templates_out/shop-prod.yaml"
    unknown = scc("build", "shop.yaml", "--env", "qa", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "shop.yaml:15:1: error SCC008 --env qa: the spec's environments are staging, prod" in unknown.stderr
    check = scc("build", "--check", "shop.yaml", "--env", "prod", "--no-lint", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
