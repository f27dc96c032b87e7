"""Golden diagnostics: tests/errors/<case>/spec.yaml gives exactly the diagnostics in
expected.txt (file:line:col, severity, code, message, path and hint), and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from scc.pipeline import build
from tests.conftest import assert_text, cases


@pytest.mark.parametrize("case", cases("errors"), ids=lambda p: p.name)
def test_error_case(case: Path, tmp_path: Path, update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    out_dir = tmp_path / "out"
    result = build(["spec.yaml"], out_dir)
    rendered = "".join(d.render() + "\n" for d in result.diagnostics)
    assert result.diagnostics, "an error case must produce diagnostics"
    assert all(d.line > 0 and d.col > 0 for d in result.diagnostics), rendered
    if not result.ok:
        assert not out_dir.exists(), "a failed build must not write anything"
    assert_text(case / "expected.txt", rendered, update_goldens)
