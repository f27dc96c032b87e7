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
    "SCC012": "tests/test_hostile.py (needs a file system in the way: a file, a full disk, a damaged template)",
    "SCC901": "tests/test_lint.py (a compile bug simulated)",
    "SCC902": "tests/test_lint.py",
    "SCC140": "tests/test_plan.py (needs the templates of a previous build in the output directory)",
    # `scc import` reads Compose files and Copilot manifests, not specs.
    "SCC130": "tests/test_imports.py (no file, no copilot/ folder)",
    "SCC131": "tests/test_imports.py (not a Compose file)",
    "SCC132": "tests/test_imports.py (not a Copilot manifest)",
    "SCC133": "tests/test_imports.py (a required variable unset)",
    "SCC134": "tests/imports/*/expected-report.txt",
    "SCC135": "tests/imports/*/expected-report.txt",
}


def test_every_code_is_explained() -> None:
    for code in CODES.values():
        assert re.fullmatch(r"SCC\d{3}", code.code)
        assert code.summary and code.why and code.fix, code.code


def test_every_code_is_used_by_reference() -> None:
    """Rules name a code by its object (`problem(SCC201, ...)`), so a typo is an import error; every
    registered code is emitted somewhere, and no code is written as a string outside the registry."""
    import scc.codes

    sources = {p: p.read_text() for p in (ROOT / "scc").rglob("*.py") if p.name != "codes.py"}
    used = {m for text in sources.values() for m in re.findall(r"(?<![\"\w])(SCC\d{3})(?![\"\w])", text)}
    assert used - set(CODES) == set()
    assert set(CODES) - used == set(), "registered codes that nothing emits"
    assert [p for p, text in sources.items() if re.search(r'"SCC\d{3}"', text)] == []
    assert all(getattr(scc.codes, name) is code for name, code in CODES.items())


def test_every_code_has_a_golden_error_case() -> None:
    seen = {m for p in (ROOT / "tests" / "errors").glob("*/expected.txt")
            for m in re.findall(r" (SCC\d{3}) ", p.read_text())}
    assert set(CODES) - seen - set(ELSEWHERE) == set()


def test_docs_table_is_generated_from_the_registry() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    assert text == rules_markdown(), "docs/rules.md is stale: run scc explain --markdown > docs/rules.md"
    assert all(f"| {c} |" in text for c in CODES)
