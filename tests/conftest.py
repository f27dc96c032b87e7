"""Shared test helpers. Golden files are regenerated with `pytest --update-goldens`; review the
diff of the regenerated files in the commit that changes them."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from scc.synth import read

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent


_MADE: list[Path] = []  # the folders this process made for the session (not a worker's inherited ones)


def pytest_configure(config: pytest.Config) -> None:
    # The lint cache of this test session lives in its own folder, never in the user's; the
    # session folder holds what the pytest-xdist workers share (tests/test_checkov.py). Both are
    # made once, by the first process, and inherited by the workers it starts.
    import os
    import tempfile

    for name, prefix in (("SCC_CACHE_DIR", "scc-test-cache-"), ("SCC_TEST_SESSION_DIR", "scc-test-session-")):
        if name not in os.environ:
            os.environ[name] = tempfile.mkdtemp(prefix=prefix)
            _MADE.append(Path(os.environ[name]))


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    for folder in _MADE:
        shutil.rmtree(folder, ignore_errors=True)


def _weight(item: pytest.Item) -> int:
    """The checkov scans first, then the modules with slow tests, then the rest: the suite runs
    on two pytest-xdist workers that steal tests from the end of each other's queues, so long
    tests must start early and never be the last one left (tests/test_checkov.py)."""
    if item.get_closest_marker("checkov_scan"):
        return 0
    return 1 if item.get_closest_marker("slow") else 2


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Whole modules move (sorted by their heaviest test, stably, each in its own order): a module fixture such as the
    # real apps' builds (tests/test_apps.py) is then set up once per worker, not once per move.
    modules: dict[str, int] = {}
    for item in items:
        modules[item.nodeid.split("::")[0]] = min(modules.get(item.nodeid.split("::")[0], 2), _weight(item))
    items.sort(key=lambda item: modules[item.nodeid.split("::")[0]])


def shared(name: str, compute: Callable[[], T]) -> T:
    """`compute()` once per test session, whichever pytest-xdist worker asks first: it holds a
    lock while it computes and leaves the pickled result in the session's folder; a worker that
    asks meanwhile waits for it, and later ones read it (an analysis that takes 15 s is made once
    for all workers)."""
    import fcntl
    import os
    import pickle

    folder = Path(os.environ["SCC_TEST_SESSION_DIR"])
    with (folder / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = folder / f"{name}.pickle"
        if saved.exists():
            value: T = pickle.loads(saved.read_bytes())
            return value
        value = compute()
        saved.write_bytes(pickle.dumps(value))
        return value


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
