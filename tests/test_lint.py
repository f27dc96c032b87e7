"""The lint stage: cfn-lint runs in process on what is written; an error is reported as an scc bug
(SCC901) located at the service that produced the resource, and stops the build; warnings can be
silenced with lint.ignore."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from troposphere import logs

from scc.families import Emitted
from scc.families import logs as compile_logs
from scc.pipeline import build
from scc.plan import Plan, ServicePlan
from scc.synth import template

SPEC = """\
version: 1
name: app
services:
  worker:
    image: public.ecr.aws/docker/library/busybox:1.36
    role: none
"""


def _broken_log_group(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    # 31 days is not a retention CloudWatch Logs accepts (cfn-lint E3030); set past troposphere's own check.
    group = logs.LogGroup(f"{sp.name.title()}LogGroup")
    group.properties["RetentionInDays"] = 31
    yield Emitted(group, ("services", sp.name), sp.name)


def _break_log_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """The logs family replaced by one that emits an invalid log group: a compile bug, simulated."""
    families = tuple(replace(f, service=_broken_log_group) if f is compile_logs.FAMILY else f
                     for f in template.FAMILIES)
    monkeypatch.setattr(template, "FAMILIES", families)


def test_cfn_lint_error_is_an_scc_bug_located_at_the_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "app.yaml"
    spec.write_text(SPEC)
    _break_log_groups(monkeypatch)
    result = build([str(spec)], tmp_path / "out")
    assert not result.ok
    (diag,) = [d for d in result.diagnostics if d.code == "SCC901"]
    assert diag.severity == "error"
    assert "E3030" in diag.message and "Resources/WorkerLogGroup/Properties/RetentionInDays" in diag.message
    assert (diag.line, diag.col, diag.path) == (4, 3, ("services", "worker"))  # the `worker:` key
    assert "bug in scc" in diag.hint
    assert not (tmp_path / "out").exists()


def test_no_lint_skips_cfn_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "app.yaml"
    spec.write_text(SPEC)
    _break_log_groups(monkeypatch)
    assert build([str(spec)], tmp_path / "out", lint=False).ok


def test_lint_ignore_silences_warnings_only(tmp_path: Path) -> None:
    small = SPEC.replace("    role: none\n", "    cpu: 256\n    ports: [{port: 80, appProtocol: http}]\n").replace(
        "services:", "namespace: local\nservices:")
    spec = tmp_path / "app.yaml"
    spec.write_text(small)
    assert [d.code for d in build([str(spec)], tmp_path / "a").diagnostics] == ["SCC309"]
    spec.write_text(small + "lint:\n  ignore: [SCC309, W3005]\n")
    assert build([str(spec)], tmp_path / "b").diagnostics == []
    spec.write_text(small + "lint:\n  ignore: [SCC309, SCC201]\n")
    result = build([str(spec)], tmp_path / "c")
    assert [(d.code, d.severity, d.line) for d in result.diagnostics] == [("SCC108", "warning", 10)]


def test_lint_regions_are_used(tmp_path: Path) -> None:
    spec = tmp_path / "app.yaml"
    spec.write_text(SPEC + "lint:\n  regions: [us-east-1, eu-west-1, ap-southeast-2]\n")
    assert build([str(spec)], tmp_path / "out").diagnostics == []


def test_unchanged_templates_are_not_linted_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scc.synth import lintrun, lintworker

    monkeypatch.setattr(lintworker, "start", lambda: None)  # cfn-lint in this process, to count its runs
    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[str] = []
    real = lintrun.findings

    def counting(texts):  # type: ignore[no-untyped-def]
        calls.extend(t[0] for t in texts)
        return real(texts)

    monkeypatch.setattr(lintrun, "findings", counting)
    spec = tmp_path / "app.yaml"
    spec.write_text(SPEC)
    first = build([str(spec)], tmp_path / "a")
    second = build([str(spec)], tmp_path / "b")
    assert first.ok and second.ok and len(calls) == 1
    assert (tmp_path / "a" / "app.yaml").read_bytes() == (tmp_path / "b" / "app.yaml").read_bytes()

    spec.write_text(SPEC.replace("busybox:1.36", "busybox:1.37"))  # another template: linted
    assert build([str(spec)], tmp_path / "c").ok and len(calls) == 2

    monkeypatch.setenv("SCC_CACHE_DIR", "")  # the cache turned off: linted every time
    build([str(spec)], tmp_path / "d")
    build([str(spec)], tmp_path / "e")
    assert len(calls) == 4


def test_cached_findings_are_the_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached cfn-lint error still fails the build, located as the first time."""
    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "app.yaml"
    spec.write_text(SPEC)
    _break_log_groups(monkeypatch)
    first = build([str(spec)], tmp_path / "a")
    second = build([str(spec)], tmp_path / "b")
    assert not first.ok and first.diagnostics == second.diagnostics


@pytest.mark.slow
def test_templates_are_linted_in_parallel_with_the_same_results(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from scc.synth.lint import Job, lint_all

    monkeypatch.setenv("SCC_CACHE_DIR", "")
    from tests.conftest import ROOT

    jobs = [Job((ROOT / "templates_out" / n).read_text(), ("us-east-1",), (), {}) for n in ("shop.yaml", "yelb.yaml")]
    broken = Job(jobs[0].text.replace("RetentionInDays: 30", "RetentionInDays: 31", 1), ("us-east-1",), (), {})
    together = lint_all([*jobs, broken])
    alone = [lint_all([job])[0] for job in (*jobs, broken)]
    assert together == alone
    assert together[0] == [] and together[1] == [] and [d.code for d in together[2]] == ["SCC901"]
