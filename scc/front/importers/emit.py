"""Importers' output: a spec as plain data plus a note per path -> YAML text in block style with
`# imported: ...` comments on the lines they explain. Deterministic: keys in insertion order."""

from __future__ import annotations

import json
import re
from typing import Any

from scc.diagnostics import Path

# Plain scalars that read back as the same string under YAML 1.1 and 1.2 (editors use either):
# no indicator first, no `: ` or ` #`, nothing a resolver would take for a bool, null or number.
_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@+:-]*")
_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}
_FLOW_WIDTH = 100


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not text.endswith(":") and text.lower() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _flow(value: Any) -> str | None:
    """One-line form of an empty collection or a short one of scalars; None when it needs blocks."""
    if isinstance(value, dict):
        if any(isinstance(v, dict | list) and v for v in value.values()):
            return None
        inner = ", ".join(f"{scalar(k)}: {_flow(v) or scalar(v)}" for k, v in value.items())
        text = "{ " + inner + " }" if inner else "{}"
    elif isinstance(value, list):
        if any(isinstance(v, dict | list) for v in value):
            return None
        text = "[" + ", ".join(scalar(v) for v in value) + "]"
    else:
        return scalar(value)
    return text if len(text) <= _FLOW_WIDTH else None


def render(data: dict[str, Any], notes: dict[Path, str], header: list[str]) -> str:
    lines = [f"# {h}" if h else "#" for h in header]
    _block(data, (), 0, notes, lines)
    return "\n".join(lines) + "\n"


def _note(notes: dict[Path, str], path: Path) -> str:
    return f"  # imported: {notes[path]}" if path in notes else ""


def _nested(path: Path, notes: dict[Path, str]) -> bool:
    """Whether a note sits below this path: then the value is written in blocks, to hold it."""
    return any(len(p) > len(path) and p[: len(path)] == path for p in notes)


def _block(value: dict[str, Any] | list[Any], path: Path, indent: int, notes: dict[Path, str],
           lines: list[str]) -> None:
    pad = " " * indent
    items: list[tuple[str | int, Any]] = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    for key, child in items:
        here = (*path, key)
        lead = f"{pad}{scalar(key)}:" if isinstance(value, dict) else f"{pad}-"
        flow = None if _nested(here, notes) else _flow(child)
        if flow is not None or not isinstance(child, dict | list):
            lines.append(f"{lead} {flow if flow is not None else scalar(child)}{_note(notes, here)}")
        elif isinstance(value, list) and isinstance(child, dict):
            # `- key: value` on the item's line, the item's other keys under it.
            start = len(lines)
            _block(child, here, indent + 2, notes, lines)
            lines[start] = f"{pad}- {lines[start][indent + 2:]}"
            if here in notes:
                lines[start] += _note(notes, here)
        else:
            lines.append(f"{lead}{_note(notes, here)}")
            _block(child, here, indent + 2, notes, lines)
