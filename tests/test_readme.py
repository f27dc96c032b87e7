"""The README's two commands are the ones that work: CI runs the test command verbatim, and the
quick start builds an example that exists."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command() -> None:
    tests = _commands()[1]
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_quick_start_builds_a_bundled_example() -> None:
    quick = _commands()[0]
    example = re.search(r"scc build (examples/\S+)", quick)
    assert example and (ROOT / example.group(1)).is_file()
