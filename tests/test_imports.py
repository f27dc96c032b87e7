"""`scc import compose` and `scc import copilot`: tests/imports/<case>/ holds the upstream input
(its SOURCE names repository, path, commit and license), the spec the import writes
(expected-spec.yaml) and its report (expected-report.txt). Each imported spec builds lint-clean,
and every peer a Compose service named in its environment is reached with the same variable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from scc.cli import app
from scc.front.importers import compose, copilot
from scc.front.importers.report import Imported
from scc.pipeline import Result, build
from tests.conftest import ROOT, assert_text
from tests.test_apps import Template, _text

CASES = sorted(p for p in (ROOT / "tests" / "imports").iterdir() if p.is_dir())
COMPOSE = [c for c in CASES if c.name.startswith("compose-")]
# Warnings an imported spec may build with, and why.
ACCEPTED = {"SCC802": "the Compose files set database passwords in plain environment, as they are"}


def _import(case: Path) -> Imported:
    """The import as a user runs it from the case's folder (file names in the report are relative),
    with an empty shell environment: only the case's own .env file feeds interpolation."""
    if case.name.startswith("compose-"):
        return compose.run("docker-compose.yml", case.name.removeprefix("compose-"), env={})
    return copilot.run(".", case.name.removeprefix("copilot-"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_import_writes_the_expected_spec_and_report(case: Path, update_goldens: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert (case / "SOURCE").exists() or case.name == "compose-features", "name the upstream repo, path and commit"
    monkeypatch.chdir(case)
    result = _import(case)
    assert result.ok and result.text is not None, "\n".join(d.render() for d in result.diagnostics)
    assert_text(case / "expected-spec.yaml", result.text, update_goldens)
    assert_text(case / "expected-report.txt", "".join(d.render() + "\n" for d in result.diagnostics), update_goldens)
    assert all(d.severity == "warning" and d.line > 0 for d in result.diagnostics)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """Each case's expected spec built once, with cfn-lint."""
    return {case.name: build([str(case / "expected-spec.yaml")], tmp_path_factory.mktemp(case.name))
            for case in CASES}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_imported_spec_builds_lint_clean(case: Path, built: dict[str, Result]) -> None:
    result = built[case.name]
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    assert result.written
    unexpected = [d.render() for d in result.diagnostics if d.code not in ACCEPTED]
    assert unexpected == [], "no cfn-lint finding (SCC901, SCC902) and no other warning"


def _compose_peers(case: Path) -> dict[str, dict[str, tuple[str, int | None]]]:
    """service -> {variable: (peer host, port)} for each Compose variable whose whole value is a
    peer's address or URL (`redis:6379`, `http://api:8080`, `search` in a *_HOST variable)."""
    data: dict[str, Any] = yaml.safe_load((case / "docker-compose.yml").read_text())
    env_file = case / ".env"
    dot = dict(line.split("=", 1) for line in env_file.read_text().splitlines()
               if "=" in line and not line.startswith("#")) if env_file.exists() else {}
    names = set(data["services"])
    out: dict[str, dict[str, tuple[str, int | None]]] = {}
    for name, svc in data["services"].items():
        env = svc.get("environment") or {}
        pairs = env.items() if isinstance(env, dict) else [e.split("=", 1) for e in env if "=" in e]
        for key, value in pairs:
            value = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: dot.get(m.group(1), m.group(2)), str(value))
            m = re.fullmatch(r"(?:(http)://)?([a-z0-9-]+)(?::(\d+))?", value)
            if m and m.group(2) in names and (m.group(1) or m.group(3) or key.endswith("_HOST")):
                port = int(m.group(3)) if m.group(3) else (80 if m.group(1) else None)
                out.setdefault(name, {})[key] = (m.group(2), port)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("case", COMPOSE, ids=lambda p: p.name)
def test_every_container_reaches_the_peers_compose_gave_it(case: Path, built: dict[str, Result]) -> None:
    result = built[case.name]
    assert result.ok and result.written
    template = Template(result.written[0])
    expected = _compose_peers(case)
    if case.name in ("compose-sock-shop", "compose-features"):
        assert expected, "the case names peers in its environment"
    for service, variables in expected.items():
        env = {e["Name"]: _text(e["Value"]) for e in template.container(service).get("Environment", [])}
        for variable, (host, port) in variables.items():
            assert variable in env, f"{service}: {variable} is set"
            m = re.fullmatch(r"(?:(http)://)?([a-z0-9-]+)(?::(\d+))?", env[variable])
            assert m, f"{service} {variable}={env[variable]}: an address, a URL or a host"
            assert m.group(2) == host, f"{service} {variable}: names {host}"
            got = int(m.group(3)) if m.group(3) else (80 if m.group(1) else None)
            dialed = port if port is not None else got
            assert got in (port, None), f"{service} {variable}={env[variable]}: port {port}"
            # The peer answers that name and port through Service Connect, and accepts the caller there.
            callee_port = dialed if dialed is not None else template.container(host)["PortMappings"][0][
                "ContainerPort"]
            answering = template.answering(host, callee_port)
            assert [a for a, _ in answering] == [host], f"{service} {variable}: {host}:{callee_port} answers"
            rules = [r["Properties"] for r in template.of_type("AWS::EC2::SecurityGroupIngress").values()
                     if r["Properties"]["GroupId"] == template.security_group(host)
                     and r["Properties"].get("SourceSecurityGroupId") == template.security_group(service)]
            assert any(r["FromPort"] == callee_port for r in rules), f"{host} accepts {service} on {callee_port}"


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    out = CliRunner().invoke(app, args)
    assert out.exception is None or isinstance(out.exception, SystemExit), out.exception
    return out.exit_code, out.output


@pytest.mark.parametrize(("text", "code", "where"), [
    ("services:\n  web:\n    image: nginx\n    ports: {web: 80}\n", "SCC131", "docker-compose.yml:4:12"),
    ("services:\n  web:\n    image: nginx\n    imgae: x\n", "SCC131", "docker-compose.yml:3:5"),
    ("- just\n- a list\n", "SCC131", "docker-compose.yml:1:1"),
    ("services:\n  web:\n    image: ${TAG:?set TAG to the release}\n", "SCC133", "docker-compose.yml:3:12"),
    ("services:\n  web: [\n", "SCC002", "docker-compose.yml:3:1"),
])
def test_compose_input_errors_are_located_and_write_nothing(
        text: str, code: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docker-compose.yml").write_text(text)
    (tmp_path / "spec.yaml").write_text("# the user's own\n")
    status, output = _run(["import", "compose", "docker-compose.yml", "--force"], tmp_path, monkeypatch)
    assert status == 1
    assert f"{where}: error {code}" in output, output
    assert "Traceback" not in output
    assert (tmp_path / "spec.yaml").read_text() == "# the user's own\n", "nothing written on an error"


def test_copilot_and_missing_input_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    status, output = _run(["import", "compose", "nope.yml"], tmp_path, monkeypatch)
    assert status == 1 and "nope.yml:1:1: error SCC130" in output
    status, output = _run(["import", "copilot", "."], tmp_path, monkeypatch)
    assert status == 1 and "error SCC130" in output
    (tmp_path / "copilot" / "api").mkdir(parents=True)
    (tmp_path / "copilot" / "api" / "manifest.yml").write_text("name: api\ntype: Lambda Function\n")
    status, output = _run(["import", "copilot", "."], tmp_path, monkeypatch)
    assert status == 1 and "copilot/api/manifest.yml:2:7: error SCC132" in output, output
    assert not (tmp_path / "spec.yaml").exists()


def test_import_writes_the_spec_and_never_over_one_without_force(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n    privileged: true\n")
    status, output = _run(["import", "compose", "compose.yaml", "-o", "app.yaml"], tmp_path, monkeypatch)
    assert status == 0, output
    assert "compose.yaml:4:5: warning SCC134 privileged" in output
    assert "image: nginx" in (tmp_path / "app.yaml").read_text()
    status, output = _run(["import", "compose", "compose.yaml", "-o", "app.yaml"], tmp_path, monkeypatch)
    assert status == 2 and "--force" in output
