"""The render cache (scc/synth/rendercache.py): a rebuild renders only the resources that changed,
and whatever is in the cache, the bytes written are the ones an uncached build writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scc.pipeline import build
from scc.synth import render as render_module
from tests.conftest import ROOT

SHOP = (ROOT / "examples" / "shop.yaml").read_text()


def _built(spec: Path, out: Path) -> dict[str, bytes]:
    result = build([str(spec)], out, lint=False)
    assert result.ok, [d.render() for d in result.diagnostics]
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.yaml"))}


@pytest.fixture
def dumps(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The resources PyYAML renders (not taken from a cache), in a fresh process's state."""
    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(render_module, "_MEMO", {})
    seen: list[str] = []
    real = render_module._dump

    def counting(data: dict[str, object]) -> str:
        if list(data) == ["Resources"]:
            seen.extend(data["Resources"])  # type: ignore[arg-type]
        return real(data)

    monkeypatch.setattr(render_module, "_dump", counting)
    return seen


def _uncached(spec: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    with monkeypatch.context() as patch:
        patch.setenv("SCC_CACHE_DIR", "")
        patch.setattr(render_module, "_MEMO", {})
        return _built(spec, out)


def test_a_rebuild_renders_only_what_changed(tmp_path: Path, dumps: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SHOP)
    first = _built(spec, tmp_path / "out")
    assert len(dumps) > 20 and list((tmp_path / "cache").glob("render-*.json"))
    dumps.clear()
    monkeypatch.setattr(render_module, "_MEMO", {})  # a new process: only the disk remembers
    spec.write_text(SHOP.replace("max: 10", "max: 12"))
    edited = _built(spec, tmp_path / "out")
    assert dumps == ["BackendScalableTarget"]
    assert edited == _uncached(spec, tmp_path / "plain", monkeypatch) != first


@pytest.mark.parametrize("spoil", ["edited text", "another resource's text", "not json", "other format", "empty"])
def test_a_bad_entry_is_a_miss(tmp_path: Path, dumps: list[str], monkeypatch: pytest.MonkeyPatch, spoil: str) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SHOP)
    expected = _built(spec, tmp_path / "out")
    (kept,) = (tmp_path / "cache").glob("render-*.json")
    data = json.loads(kept.read_text())
    entries = data["entries"]
    texts = [e["text"] for e in entries.values()]
    if spoil == "edited text":
        for e in entries.values():
            e["text"] = e["text"].replace("Properties", "Propertys")
    elif spoil == "another resource's text":
        for e, text in zip(entries.values(), texts[1:] + texts[:1], strict=True):
            e["text"] = text
    elif spoil == "other format":
        data["format"] = "scc-render-cache/0"
    text = {"not json": kept.read_text()[:100], "empty": ""}.get(spoil, json.dumps(data))
    kept.write_text(text)
    dumps.clear()
    monkeypatch.setattr(render_module, "_MEMO", {})
    assert _built(spec, tmp_path / "out") == expected  # the same file: its entries are the spoiled ones
    assert len(dumps) > 20, "every spoiled entry is rendered again"
    # What the miss wrote back is good: the next build takes it all from the cache.
    dumps.clear()
    monkeypatch.setattr(render_module, "_MEMO", {})
    assert _built(spec, tmp_path / "out") == expected and dumps == []
