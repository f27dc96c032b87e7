"""Stage lint, its cache: cfn-lint's findings kept on disk, for a whole template (keyed by its text
and the lint settings) and for each resource of one (keyed by the resource, what it refers to and
the rest of the template's outline: scc/synth/lintparts.py).

The cache is only ever a shortcut, never a source of truth: every entry carries the key it was
written for and a digest of its findings, and anything that is not exactly such an entry (another
format, another key, truncated or edited findings, a file that is not JSON) is a miss, linted again.
So a corrupt or foreign file costs time, never a crash and never a template passed unlinted."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from scc.synth import cachefiles
from scc.synth.cachefiles import folder

__all__ = ["FORMAT", "Finding", "canonical", "folder", "parts", "store_parts", "store_template", "template"]

# A finding as cfn-lint reports it: (rule id, severity, message, path in the template, line).
Finding = tuple[str, str, str, list[str | int], int]

FORMAT = "scc-lint-cache/2"


def canonical(findings: list[Finding]) -> list[Finding]:
    """One order and no repeats: the same findings compare equal however they were gathered."""
    unique = {json.dumps(f, separators=(",", ":")): f for f in findings}
    return [unique[k] for k in sorted(unique)]


def _finding(value: Any) -> Finding | None:
    if not (isinstance(value, list) and len(value) == 5):
        return None
    rule, severity, message, where, line = value
    if not (isinstance(rule, str) and isinstance(severity, str) and isinstance(message, str)
            and isinstance(where, list) and all(isinstance(p, str | int) and not isinstance(p, bool) for p in where)
            and isinstance(line, int) and not isinstance(line, bool)):
        return None
    return rule, severity, message, where, line


def _digest(key: str, findings: Any) -> str:
    return hashlib.sha256(f"{key}\0{json.dumps(findings, separators=(',', ':'))}".encode()).hexdigest()


def _sealed(key: str, findings: list[Finding]) -> dict[str, Any]:
    return {"findings": findings, "digest": _digest(key, findings)}


def _opened(key: str, value: Any) -> list[Finding] | None:
    """The findings of one sealed entry, or None unless it is whole and written for this key."""
    if not isinstance(value, dict) or not isinstance(value.get("findings"), list):
        return None
    if value.get("digest") != _digest(key, value["findings"]):
        return None
    found = [_finding(f) for f in value["findings"]]
    return None if any(f is None for f in found) else [f for f in found if f is not None]


def _read(name: str) -> Any:
    return cachefiles.read(name, FORMAT)


def _write(name: str, data: dict[str, Any]) -> None:
    cachefiles.write(name, FORMAT, data)


def template(key: str) -> list[Finding] | None:
    """The findings of a whole template, or None (a miss)."""
    data = _read(f"{key}.json")
    if data is None or data.get("key") != key:
        return None
    return _opened(key, data.get("entry"))


def store_template(key: str, findings: list[Finding]) -> None:
    _write(f"{key}.json", {"key": key, "entry": _sealed(key, findings)})


def parts(outline: str) -> dict[str, list[Finding]]:
    """The findings kept for resources of templates with this outline, by resource key; an entry
    that does not check out is left out (a miss)."""
    data = _read(f"parts-{outline}.json")
    if data is None or data.get("key") != outline or not isinstance(data.get("entries"), dict):
        return {}
    out = {}
    for key, value in data["entries"].items():
        found = _opened(key, value)
        if found is not None:
            out[key] = found
    return out


def store_parts(outline: str, entries: dict[str, list[Finding]]) -> None:
    """Replaces what is kept for this outline: only the resources of the latest template stay."""
    _write(f"parts-{outline}.json", {"key": outline, "entries": {k: _sealed(k, v) for k, v in sorted(entries.items())}})
