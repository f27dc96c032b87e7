"""The code registry is the one source: every code the compiler can emit is registered and
explained, has a golden error case, and the docs table is generated from it."""

from __future__ import annotations

import re

from scc.codes import CODES, rules_markdown
from tests.conftest import ROOT

# Codes a single spec.yaml in tests/errors cannot produce; each is tested where it can be.
ELSEWHERE = {
    "SCC001": "tests/test_loader.py, tests/test_cli.py (unreadable paths)",
    "SCC007": "tests/test_cli.py (two specs, one name)",
    "SCC008": "tests/test_environments.py (--env names no environment)",
    "SCC901": "tests/test_lint.py (a compile bug simulated)",
    "SCC902": "tests/test_lint.py",
}


def test_every_code_is_explained() -> None:
    for code in CODES.values():
        assert re.fullmatch(r"SCC\d{3}", code.code)
        assert code.summary and code.why and code.fix, code.code


def test_every_code_in_the_source_is_registered() -> None:
    used = {m for p in (ROOT / "scc").rglob("*.py") for m in re.findall(r'"(SCC\d{3})"', p.read_text())}
    assert used - set(CODES) == set()
    assert set(CODES) - used == set(), "registered codes that nothing emits"


def test_every_code_has_a_golden_error_case() -> None:
    seen = {m for p in (ROOT / "tests" / "errors").glob("*/expected.txt")
            for m in re.findall(r" (SCC\d{3}) ", p.read_text())}
    assert set(CODES) - seen - set(ELSEWHERE) == set()


def test_docs_table_is_generated_from_the_registry() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    assert text == rules_markdown(), "docs/rules.md is stale: run scc explain --markdown > docs/rules.md"
    assert all(f"| {c} |" in text for c in CODES)
