"""Golden templates: tests/golden/<case>/spec.yaml compiles to expected.yaml byte for byte, and
cfn-lint (in process, through the pipeline) reports nothing on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scc.pipeline import build
from tests.conftest import assert_text, cases


@pytest.mark.parametrize("case", cases("golden"), ids=lambda p: p.name)
def test_golden_template(case: Path, tmp_path: Path, update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)  # diagnostics and the header name the spec as the user wrote it
    result = build(["spec.yaml"], tmp_path)
    assert [d.render() for d in result.diagnostics if d.code in ("SCC901", "SCC902")] == []
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    (out,) = result.written
    assert_text(case / "expected.yaml", out.read_text(encoding="utf-8"), update_goldens)
    warnings = "".join(d.render() + "\n" for d in result.diagnostics)
    assert_text(case / "warnings.txt", warnings, update_goldens, optional=True)
