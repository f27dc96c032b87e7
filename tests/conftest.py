"""Shared test helpers. Golden files are regenerated with `pytest --update-goldens`; review the
diff of the regenerated files in the commit that changes them."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest

from scc.synth import read

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    # The lint cache of this test session lives in its own folder, never in the user's.
    import os
    import tempfile

    os.environ.setdefault("SCC_CACHE_DIR", tempfile.mkdtemp(prefix="scc-test-cache-"))


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The checkov scans run in processes of their own (tests/test_checkov.py): started as soon
    as the session knows it runs them, on the second core, and checked last, when they are done."""
    scans = [item for item in items if item.get_closest_marker("checkov_scan")]
    if scans and not config.getoption("--collect-only"):
        items[:] = [item for item in items if item not in scans] + scans
        from tests import test_checkov

        test_checkov.start()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite expected files from current output")


@pytest.fixture(scope="session", autouse=True)
def _warm_lint() -> None:
    """cfn-lint loaded and warmed once in this process (2 s), so that the lint worker each
    build forks starts warm instead of loading it again (scc/synth/lintworker.py): a golden
    case builds in 0.4 s instead of 2. The CLI's own processes start cold, as users' do."""
    from scc.synth import lintworker

    lintworker.warm()


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def assert_text(expected_file: Path, actual: str, update: bool, optional: bool = False) -> None:
    """Compare with a golden file, showing a unified diff on failure. An `optional` file holds
    what is only sometimes said (warnings): no text means no file, and updating removes it."""
    if update:
        if optional and not actual:
            expected_file.unlink(missing_ok=True)
        else:
            expected_file.write_text(actual, encoding="utf-8")
        return
    if optional and not actual:
        assert not expected_file.exists(), f"{expected_file} is stale (nothing is said now): run " \
            "scripts/regenerate.py and review it"
        return
    assert expected_file.exists(), f"{expected_file} is missing: run pytest --update-goldens and review it"
    expected = expected_file.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            str(expected_file), "actual"))
        pytest.fail(f"output differs from {expected_file.relative_to(ROOT)}:\n{diff}")


def cases(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / "tests" / folder).iterdir() if (p / "spec.yaml").exists())


def load_template(text: str) -> dict[str, Any]:
    """A generated template as data, with short-form intrinsics read as their long forms (scc's
    own reader, the one `scc plan` uses)."""
    data: dict[str, Any] = read.load_template(text)
    return data
