"""Nothing heavy on the start-up path: `scc --help` and `scc validate` never import troposphere
or cfn-lint (issue 8). A behaviour test, not a timing test: it reads the modules the real
command imported (`python -X importtime -m scc ...`), whatever the machine's speed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_cli import BAD

HEAVY = ("troposphere", "cfnlint", "cfn_flip", "cfn_tools")
SHOP = str(ROOT / "examples" / "shop.yaml")


def imported(*args: str, cwd: Path) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Top-level packages imported by `python -m scc ARGS`, from -X importtime's report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONPROFILEIMPORTTIME")}
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "scc", *args], cwd=cwd, capture_output=True,
                       text=True, timeout=120, env={**env, "PYTHONPATH": str(ROOT)})
    names = {line.rsplit("|", 1)[1].strip().split(".")[0]
             for line in r.stderr.splitlines() if line.startswith("import time:") and "|" in line}
    return names, r


@pytest.mark.parametrize("args", [["--help"], ["validate", SHOP], ["validate", "bad.yaml"],
                                  ["validate", "--format", "json", SHOP]],
                         ids=["help", "validate", "validate-with-errors", "validate-json"])
def test_start_up_path_imports_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    names, r = imported(*args, cwd=tmp_path)
    assert r.returncode == (1 if "bad.yaml" in args else 0), r.stderr[-2000:]
    assert {"scc", "typer"} <= names  # the report was read
    assert not names & set(HEAVY), f"`scc {' '.join(args)}` imported {sorted(names & set(HEAVY))}"
    if args != ["validate", "bad.yaml"]:  # a valid spec is judged by jsonschema-rs alone
        assert "jsonschema" not in names and ("jsonschema_rs" in names) == ("validate" in args)


def test_build_does_import_the_compiler(tmp_path: Path) -> None:
    # The control: the same detection sees troposphere where it belongs.
    names, r = imported("build", "--no-lint", SHOP, "-o", str(tmp_path), cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "troposphere" in names
