"""Stage render, its cache: the YAML text of each resource of a template scc wrote, kept on disk
by the file it went to, so that the next build of that file renders only the resources that
changed (PyYAML's Python emitter is most of a large rebuild: 2.5 s of 6 at 250 services).

An entry is found by the digest of the resource (its exact JSON, render.py `_key`) and holds the
text with a seal over the resource, the text and the versions of what renders it (scc, PyYAML,
cfn-flip): anything else (another resource, another version, edited text, a file that is not
such an entry) is a miss, rendered again. So the cache saves time and never changes a byte."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from scc import __version__
from scc.synth import cachefiles

FORMAT = "scc-render-cache/1"


@cache
def _versions() -> str:
    from importlib.metadata import version

    import yaml

    return f"scc {__version__}, PyYAML {yaml.__version__}, cfn-flip {version('cfn-flip')}"


def _name(target: Path) -> str:
    return hashlib.sha256(f"{FORMAT}\0{target.resolve()}".encode()).hexdigest()


def digest(key: str) -> str:
    """Where the resource with this key (its exact JSON) is kept in its file's entries."""
    return hashlib.sha256(key.encode()).hexdigest()


def _seal(key: str, text: str) -> str:
    return hashlib.sha256(f"{_versions()}\0{key}\0{text}".encode()).hexdigest()


class Kept:
    """The texts kept for one output file: looked up by resource key, and the ones this render
    used or made, written back (only those: the file's entries follow its latest content)."""

    def __init__(self, target: Path) -> None:
        self.name = f"render-{_name(target)}.json"
        data = cachefiles.read(self.name, FORMAT)
        entries = data.get("entries") if data is not None and data.get("key") == self.name else None
        self._old: dict[str, Any] = entries if isinstance(entries, dict) else {}
        self._new: dict[str, dict[str, str]] = {}
        self._changed = False

    def get(self, key: str) -> str | None:
        entry = self._old.get(digest(key))
        if not (isinstance(entry, dict) and isinstance(entry.get("text"), str)
                and entry.get("seal") == _seal(key, entry["text"])):
            return None
        return str(entry["text"])

    def put(self, key: str, text: str) -> None:
        """The text this render used for the resource (rendered, remembered or kept)."""
        entry = {"text": text, "seal": _seal(key, text)}
        self._new[digest(key)] = entry
        self._changed = self._changed or self._old.get(digest(key)) != entry

    def save(self) -> None:
        if self._changed or self._new.keys() != self._old.keys():
            cachefiles.write(self.name, FORMAT, {"key": self.name, "entries": dict(sorted(self._new.items()))})
