"""Every example builds with zero cfn-lint findings, twice to the same bytes, and equals the
template committed under templates_out/ (so the committed templates never go stale)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scc.pipeline import build
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_builds_clean_and_matches_committed(example: Path, tmp_path: Path) -> None:
    first = build([str(example)], tmp_path / "a")
    assert first.ok, "\n".join(d.render() for d in first.diagnostics)
    assert first.diagnostics == [], "examples must build without warnings or lint findings"
    second = build([str(example)], tmp_path / "b")
    (a,), (b,) = first.written, second.written
    assert a.read_bytes() == b.read_bytes()
    committed = ROOT / "templates_out" / a.name
    assert committed.read_bytes() == a.read_bytes(), f"{committed} is stale: run scc build {example}"


def test_templates_out_holds_only_what_the_examples_build() -> None:
    """A template whose example is gone (or renamed) is stale: scripts/regenerate.py removes it."""
    import yaml

    names = {yaml.safe_load(p.read_text(encoding="utf-8"))["name"] for p in EXAMPLES}
    committed = {p.stem for p in (ROOT / "templates_out").glob("*.yaml")}
    assert committed == names
    assert [p for p in (ROOT / "templates_out").iterdir() if p.is_dir() and p.name not in names] == []
