"""Security scan: checkov over every example's template reports nothing outside the allowlist
below, and each allowed check says why it is the user's explicit choice or an option they left
off. checkov runs from its own virtual environment (its pins would fight ours), installed on
first use into tests/.checkov-venv by uv (15 s where pip takes 50); CI sets
SCC_REQUIRE_CHECKOV=1 so it can never be skipped there. The scans are the session's first tests
(tests/conftest.py): one pytest-xdist worker runs them while the other runs the rest; a second
worker that reaches them waits for the first one's results (tests/conftest.py `shared`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, shared

CHECKOV = "checkov==3.3.30"
VENV = ROOT / "tests" / ".checkov-venv"
FOLDERS = ("templates_out", "tests/golden")

ALLOWLIST = {
    "CKV_AWS_2": "a plain-HTTP public listener: the spec chose `public.port: 80` (with a certificate, scc "
                 "serves HTTPS and port 80 only redirects)",
    "CKV_AWS_103": "the same plain-HTTP listener: a TLS policy applies only to HTTPS listeners, which scc "
                   "gives ELBSecurityPolicy-TLS13-1-2-2021-06",
    "CKV_AWS_260": "the public HTTP listener is open to the world because `allowFrom` defaults to "
                   "0.0.0.0/0 for an internet-facing service; narrow it with `public.allowFrom`",
    "CKV_AWS_158": "log groups use CloudWatch Logs' own encryption unless `logs.kmsKey` names a customer "
                   "managed key (a paid option, and its key policy must allow CloudWatch Logs)",
    "CKV_AWS_65": "Container Insights is a paid option, off by default (`cluster.containerInsights`)",
    "CKV_AWS_91": "load balancer access logs need an S3 bucket the user owns: opt in with "
                  "`loadBalancers.<name>.accessLogs`",
    "CKV_AWS_27": "queues are encrypted at rest with SQS-managed keys (SqsManagedSseEnabled: true), which "
                  "this check does not recognise (it looks for KmsMasterKeyId); `queue.kmsKey` names a "
                  "customer managed key instead",
}


class Unavailable(RuntimeError):
    """checkov could not be installed (no registry): a skip, except where CI requires the scan."""


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    # Bytecode is written even where the caller's environment says not to: the second scan then
    # starts from what the first compiled.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def _install() -> Path:
    exe = VENV / "bin" / "checkov"
    if exe.exists():
        return exe
    try:
        from uv import find_uv_bin  # a test dependency: resolves and installs checkov's 100 packages at once

        steps = [[find_uv_bin(), "venv", "-q", "--clear", str(VENV)],
                 [find_uv_bin(), "pip", "install", "-q", "--python",
                  str(VENV / "bin" / "python"), CHECKOV]]
    except ImportError:
        steps = [[sys.executable, "-m", "venv", str(VENV)], [str(VENV / "bin" / "pip"), "install", "-q", CHECKOV]]
    for args in steps:
        done = _run(args, timeout=900)
        if done.returncode:
            raise Unavailable(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return exe


def _scan(exe: Path, folder: str) -> dict[str, Any]:
    run = _run([str(exe), "-d", str(ROOT / folder), "--framework", "cloudformation", "--quiet", "--compact",
                "-o", "json"], timeout=600)
    return {"stdout": run.stdout, "stderr": run.stderr[-2000:]}


def _results() -> dict[str, Any]:
    try:
        exe = _install()
        return {folder: _scan(exe, folder) for folder in FOLDERS}
    except (OSError, Unavailable, subprocess.TimeoutExpired) as exc:
        return {"unavailable": str(exc)}


@pytest.fixture(scope="session")
def scans() -> dict[str, Any]:
    results = shared("checkov", _results)  # both folders' scans, run once per session
    if "unavailable" in results:
        if os.environ.get("SCC_REQUIRE_CHECKOV"):
            pytest.fail(f"checkov could not be installed or run: {results['unavailable']}")
        pytest.skip(f"checkov could not be installed ({results['unavailable']}); CI requires it")
    return results


@pytest.mark.slow
@pytest.mark.checkov_scan
@pytest.mark.parametrize("folder", FOLDERS)
def test_examples_pass_checkov_but_for_documented_choices(scans: dict[str, Any], folder: str) -> None:
    """The committed examples and every golden template (each feature's output)."""
    run = scans[folder]
    assert run["stdout"].strip(), f"checkov printed nothing: {run['stderr']}"
    reports = json.loads(run["stdout"])
    reports = reports if isinstance(reports, list) else [reports]
    failed = [(f["check_id"], f["file_path"], f["resource"]) for r in reports for f in r["results"]["failed_checks"]]
    passed = sum(r["summary"]["passed"] for r in reports)
    assert passed > 200, "checkov must actually have scanned the templates"
    assert [f for f in failed if f[0] not in ALLOWLIST] == []


def test_the_allowlist_is_needed_and_explained() -> None:
    for check, reason in ALLOWLIST.items():
        assert check.startswith("CKV_AWS_") and len(reason) > 40
