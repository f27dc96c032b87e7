"""`scc init`: a starter spec that builds with no finding, whose modeline points at a copy of the
schema written beside it (offline, for editors), and that never overwrites a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scc.front.schema import schema_text
from scc.pipeline import build
from scc.tools.init import default_name
from tests.conftest import ROOT


def scc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scc", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def modeline(spec: Path) -> str:
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    return first.split("$schema=", 1)[1]


def test_starter_builds_clean_and_points_at_the_schema_beside_it(tmp_path: Path) -> None:
    r = scc("init", "--name", "shop", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "wrote spec.yaml",
        "wrote scc.schema.json (the schema your editor reads, from `scc schema`)",
        "next: scc build spec.yaml",
    ]
    spec = tmp_path / "spec.yaml"
    assert modeline(spec) == "./scc.schema.json"
    assert (tmp_path / "scc.schema.json").read_text(encoding="utf-8") == schema_text()
    assert "name: shop\n" in spec.read_text(encoding="utf-8")
    result = build([str(spec)], tmp_path / "out")
    assert result.ok and result.diagnostics == [], [d.render() for d in result.diagnostics]
    assert [p.name for p in result.written] == ["shop.yaml"]


def test_never_overwrites_the_spec(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text("mine\n")
    r = scc("init", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == "error: spec.yaml already exists; scc init never overwrites a file: give another PATH\n"
    assert (tmp_path / "spec.yaml").read_text() == "mine\n"
    assert not (tmp_path / "scc.schema.json").exists()


def test_never_overwrites_another_schema_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "scc.schema.json").write_text("{}\n")
    r = scc("init", cwd=tmp_path)
    assert r.returncode == 1
    assert "scc.schema.json already exists and is not this scc's schema" in r.stderr
    assert "scc schema > scc.schema.json" in r.stderr
    assert (tmp_path / "scc.schema.json").read_text() == "{}\n"
    assert not (tmp_path / "spec.yaml").exists()


def test_second_spec_shares_the_schema_copy(tmp_path: Path) -> None:
    assert scc("init", "--name", "one", "one.yaml", cwd=tmp_path).returncode == 0
    r = scc("init", "--name", "two", "two.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "scc.schema.json" not in r.stdout  # already there, unchanged
    assert modeline(tmp_path / "two.yaml") == "./scc.schema.json"


def test_folder_and_schema_placement(tmp_path: Path) -> None:
    r = scc("init", "--name", "shop", "--schema-out", "schemas/scc.schema.json", "apps/shop/", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    spec = tmp_path / "apps" / "shop" / "spec.yaml"
    assert modeline(spec) == "../../schemas/scc.schema.json"
    assert json.loads((tmp_path / "schemas" / "scc.schema.json").read_text())["title"] == "scc spec"
    (tmp_path / "existing").mkdir()
    assert scc("init", "existing", cwd=tmp_path).returncode == 0
    assert modeline(tmp_path / "existing" / "spec.yaml") == "./scc.schema.json"


def test_schema_url_writes_no_schema(tmp_path: Path) -> None:
    url = "https://example.com/scc/v0.1.0/scc.schema.json"
    assert scc("init", "--schema-url", url, cwd=tmp_path).returncode == 0
    assert modeline(tmp_path / "spec.yaml") == url
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


@pytest.mark.parametrize("args", [["--name", "My App"], ["--name", "1app"],
                                  ["--schema-out", "s.json", "--schema-url", "https://x/s.json"]])
def test_usage_errors_exit_2_and_write_nothing(tmp_path: Path, args: list[str]) -> None:
    r = scc("init", *args, cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("folder", "name"), [("shop", "shop"), ("My_Shop 2", "my-shop-2"), ("2024", "app"),
                                              ("-x-", "x"), ("a" * 40, "a" * 31)])
def test_default_name_comes_from_the_folder(tmp_path: Path, folder: str, name: str) -> None:
    assert default_name(tmp_path / folder) == name
