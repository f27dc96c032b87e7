"""One round of errors: when the schema fails, the rules still run on what validated (the spec
without the subtrees that hold the schema's errors), and say nothing that exists only because a
subtree was left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scc import pipeline
from tests.test_cli import scc

SERVICE = """\
  {name}:
    image: public.ecr.aws/nginx/nginx:1.27
    cpu: 512
    memory: {memory}
    ports: [{{name: http, port: 8080, appProtocol: {protocol}}}]
"""
HEAD = "version: 1\nname: app\nnamespace: local\n"


def spec(*services: str, extra: str = "") -> str:
    return HEAD + extra + "services:\n" + "".join(services)


def service(name: str, memory: int = 1024, protocol: str = "http", more: str = "") -> str:
    return SERVICE.format(name=name, memory=memory, protocol=protocol) + more


BROKEN = service("orders", protocol="htp")  # SCC104, a schema error
BAD_PAIR = service("billing", memory=512)  # SCC401, a rule error: no Fargate task is 512/512


def codes(tmp_path: Path, text: str, env: str | None = None) -> list[tuple[str, str]]:
    (tmp_path / "spec.yaml").write_text(text)
    result = pipeline.validate([str(tmp_path / "spec.yaml")], env=env)
    return [(d.code, ".".join(str(p) for p in d.path[:2])) for d in result.diagnostics]


def test_a_schema_error_and_a_rule_error_in_one_run_of_the_cli(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(spec(BROKEN, BAD_PAIR))
    for command in (["validate", "spec.yaml"], ["build", "spec.yaml"]):
        r = scc(*command, cwd=tmp_path)
        assert r.returncode == 1, r.stderr
        assert "spec.yaml:9:51: error SCC104" in r.stderr
        assert "error SCC401" in r.stderr and "(services.billing.memory)" in r.stderr
        assert "2 error(s), 0 warning(s)" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "templates_out").exists(), "nothing is written when there are errors"
    r = scc("validate", "spec.yaml", "--format", "json", cwd=tmp_path)
    assert [d["code"] for d in json.loads(r.stdout)["diagnostics"]] == ["SCC104", "SCC401"]


def test_the_schema_round_is_unchanged(tmp_path: Path) -> None:
    """The schema's diagnostics come first in place and are exactly what they were alone."""
    alone = codes(tmp_path, spec(BROKEN, service("api")))
    assert alone == [("SCC104", "services.orders")]
    assert codes(tmp_path, spec(BROKEN, BAD_PAIR)) == [*alone, ("SCC401", "services.billing")]


def test_a_call_to_a_service_with_a_schema_error_is_not_undefined(tmp_path: Path) -> None:
    caller = service("web", memory=512, more="    calls: [orders]\n    dependsOn: [orders]\n")
    job = "jobs:\n  report:\n    image: public.ecr.aws/nginx/nginx:1.27\n    calls: [orders]\n"
    found = codes(tmp_path, spec(BROKEN, caller, BAD_PAIR, extra=job))
    # web's own mistake (512/512) waits for orders to validate: web depends on what was removed.
    assert found == [("SCC104", "services.orders"), ("SCC401", "services.billing")]


def test_a_load_balancer_with_a_schema_error_is_not_undefined(tmp_path: Path) -> None:
    lbs = "loadBalancers:\n  internal: {idleTimeout: lots}\n"
    exposed = service("web", more="    expose: [{loadBalancer: internal, port: 8080}]\n")
    found = codes(tmp_path, spec(exposed, BAD_PAIR, extra=lbs))
    assert [c for c, _ in found] == ["SCC103", "SCC401"]
    assert "SCC720" not in {c for c, _ in found}


def test_no_second_round_when_the_error_is_in_what_every_service_reads(tmp_path: Path) -> None:
    for extra in ("defaults: {stopTimout: 30}\n", "network: {egress: sometimes}\n"):
        found = codes(tmp_path, spec(BAD_PAIR, extra=extra))
        assert [c for c, _ in found] in (["SCC101"], ["SCC104"]), (extra, found)


def test_no_second_round_when_nothing_would_be_left(tmp_path: Path) -> None:
    assert codes(tmp_path, spec(BROKEN)) == [("SCC104", "services.orders")]


def test_a_stage_that_raises_on_the_rest_leaves_the_schema_round(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise KeyError("a stage that trusted a whole spec")

    monkeypatch.setattr(pipeline.plan_stage, "build", broken)
    assert codes(tmp_path, spec(BROKEN, BAD_PAIR)) == [("SCC104", "services.orders")]


def test_environments_the_broken_one_is_left_out(tmp_path: Path) -> None:
    envs = ("environments:\n  prod:\n    services: {orders: {cpu: lots}}\n"
            "  staging:\n    services: {orders: {memory: 512}}\n")
    text = spec(service("orders"), extra=envs)
    found = codes(tmp_path, text)
    assert [c for c, _ in found] == ["SCC103", "SCC401"], found
    assert codes(tmp_path, text, env="prod") == [found[0]], "--env prod: that environment is what was removed"
    assert codes(tmp_path, text, env="staging") == found


def test_warnings_follow_lint_ignore_and_go_with_it(tmp_path: Path) -> None:
    small = service("small").replace("cpu: 512", "cpu: 256").replace("memory: 1024", "memory: 512")
    assert codes(tmp_path, spec(BROKEN, small)) == [("SCC104", "services.orders"), ("SCC309", "services.small")]
    silenced = "lint: {ignore: [SCC309]}\n"
    assert codes(tmp_path, spec(BROKEN, small, extra=silenced)) == [("SCC104", "services.orders")]
    # A broken `lint` cannot say which warnings it silences: the rest's warnings wait for it.
    assert codes(tmp_path, spec(small, extra="lint: {ignore: SCC309}\n")) == [("SCC103", "lint.ignore")]
