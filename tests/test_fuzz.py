"""Fuzz: bytes and structure, not only the schema's shape (issue 19). Specs of the examples are
mutated byte by byte (flips, insertions, deletions, duplicated ranges, truncation) and token by
token (brackets, anchors, aliases, merge keys, tags, block scalars, document markers, control and
separator characters, odd digits); each result is validated and built (without cfn-lint, which
runs only on what got past every rule) into a folder holding a previous build. Whatever the input:
no exception, every diagnostic located, no run over 5 s, and the folder either unchanged or
holding a complete build.

CI runs a fixed, derandomized set (SCC_FUZZ_EXAMPLES, default 40). A release check explores more:
    SCC_FUZZ_EXAMPLES=5000 SCC_FUZZ_SEED=random .venv/bin/pytest tests/test_fuzz.py -q"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from scc.pipeline import build, validate
from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("SCC_FUZZ_EXAMPLES", "40"))
RANDOM = os.environ.get("SCC_FUZZ_SEED") == "random"
SPECS = [p.read_bytes() for p in sorted((ROOT / "examples").glob("*.yaml"))[:4]]
TOKENS = [b"[", b"]", b"{", b"}", b"[" * 200, b"{a: " * 100, b"&a ", b"*a", b"<<: *a\n", b"<<: x\n", b"!!bool ",
          b"!!int ", b"!!float ", b"!!binary ", b"!Ref ", b"!x ", b"|\n", b">-\n", b"---\n", b"...\n", b"%YAML 1.1\n",
          b"? ", b": ", b"- ", b"\t", b"\r", b"\r\n", b"\x00", b"\x01", b"\x1b", b"\x7f", "\u2028".encode(),
          "\x85".encode(), b"\xff", b"\xef\xbb\xbf", "²".encode(), "٣".encode(), "３".encode(), b".nan", b".inf",
          b"1e999", b'"\\0"', b'"\\n"', b"'", b'"', b"#", b"\n", b" " * 40, b"*", b"/0", b"AWS:", b"\\"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SPECS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert-bytes", "insert-token", "delete", "duplicate", "truncate"]))
        if kind == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert-bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "insert-token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _check(tmp: Path, text: bytes) -> None:
    spec = tmp / "spec.yaml"
    spec.write_bytes(text)
    out = tmp / "out"
    start = time.monotonic()
    checked = validate([str(spec)]).diagnostics
    before = _snapshot(out)
    result = build([str(spec)], out, lint=False)
    assert time.monotonic() - start < 5, "took longer than 5 s"
    for d in [*checked, *result.diagnostics]:
        assert d.line > 0 and d.col > 0 and d.code.startswith("SCC"), d
    if not result.ok:
        assert _snapshot(out) == before, "a failed build changed the output folder"
    else:
        assert set(result.written) <= {out / p for p in _snapshot(out)}
    assert not [p for p in out.rglob("*") if p.name.endswith((".tmp", ".old"))]


_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(text=mutated())
def test_mutated_specs_never_crash(text: bytes) -> None:
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(_previous(), Path(tmp) / "out")
        _check(Path(tmp), text)


_PREVIOUS: list[Path] = []


def _previous() -> Path:
    """An output folder with a build of each example spec the mutations start from."""
    if not _PREVIOUS:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="scc-fuzz-")) / "out"
        for i, text in enumerate(SPECS):
            spec = folder.parent / f"{i}.yaml"
            spec.write_bytes(text)
            assert build([str(spec)], folder, lint=False).ok
        _PREVIOUS.append(folder)
    return _PREVIOUS[0]


if not RANDOM:
    test_mutated_specs_never_crash = seed(19)(test_mutated_specs_never_crash)
