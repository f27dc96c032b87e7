"""Security scan: checkov over every example's template reports nothing outside the allowlist
below, and each allowed check says why it is the user's explicit choice or an option they left
off. checkov runs from its own virtual environment (its pins would fight ours), installed on
first use into tests/.checkov-venv, in the background while the rest of the suite runs (the scan
tests are ordered last); CI sets SCC_REQUIRE_CHECKOV=1 so it can never be skipped there."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading

import pytest

from tests.conftest import ROOT

CHECKOV = "checkov==3.3.30"
VENV = ROOT / "tests" / ".checkov-venv"

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


FOLDERS = ("templates_out", "tests/golden")


class _Scans:
    """Installing checkov and scanning both folders takes a minute and a half of other processes:
    started when the session is collected (tests/conftest.py), it runs on the second core while
    the rest of the suite runs, and the scan tests, ordered last, read its results."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.results: dict[str, subprocess.CompletedProcess[str]] = {}
        self.failure: BaseException | None = None
        self._procs: list[subprocess.Popen[str]] = []
        threading.Thread(target=self._run, name="checkov", daemon=True).start()
        atexit.register(self.stop)

    def _call(self, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._procs.append(proc)
        out, err = proc.communicate(timeout=timeout)
        return subprocess.CompletedProcess(args, proc.returncode, out, err)

    def _run(self) -> None:
        try:
            exe = VENV / "bin" / "checkov"
            if not exe.exists():
                for args in ([sys.executable, "-m", "venv", str(VENV)],
                             [str(VENV / "bin" / "pip"), "install", "-q", CHECKOV]):
                    done = self._call(args, timeout=900)
                    if done.returncode:
                        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
            for folder in FOLDERS:  # one at a time: one core for checkov, one for the suite
                self.results[folder] = self._call([str(exe), "-d", str(ROOT / folder), "--framework",
                                                   "cloudformation", "--quiet", "--compact", "-o", "json"],
                                                  timeout=600)
        except BaseException as exc:  # reported by the tests that wait for it
            self.failure = exc
        finally:
            self.done.set()

    def stop(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()


_scans: list[_Scans] = []


def start() -> None:
    if not _scans:
        _scans.append(_Scans())


@pytest.fixture
def scans() -> _Scans:
    start()
    job = _scans[0]
    job.done.wait()
    if job.failure is not None:
        if os.environ.get("SCC_REQUIRE_CHECKOV") or not isinstance(job.failure, (OSError, RuntimeError)):
            raise job.failure
        pytest.skip(f"checkov could not be installed ({job.failure}); CI requires it")
    return job


@pytest.mark.slow
@pytest.mark.checkov_scan
@pytest.mark.parametrize("folder", FOLDERS)
def test_examples_pass_checkov_but_for_documented_choices(scans: _Scans, folder: str) -> None:
    """The committed examples and every golden template (each feature's output)."""
    run = scans.results[folder]
    assert run.stdout.strip(), f"checkov printed nothing: {run.stderr[-2000:]}"
    reports = json.loads(run.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [(f["check_id"], f["file_path"], f["resource"]) for r in reports for f in r["results"]["failed_checks"]]
    passed = sum(r["summary"]["passed"] for r in reports)
    assert passed > 200, "checkov must actually have scanned the templates"
    assert [f for f in failed if f[0] not in ALLOWLIST] == []


def test_the_allowlist_is_needed_and_explained() -> None:
    for check, reason in ALLOWLIST.items():
        assert check.startswith("CKV_AWS_") and len(reason) > 40
