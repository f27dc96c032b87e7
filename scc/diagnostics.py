"""Diagnostics: the one record every stage reports problems with, and its rendering."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    """`('services', 'web', 'ports', 0, 'name')` -> `services.web.ports[0].name`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str = ""
    line: int = 0  # 1-based; 0 only for problems that are not in any file (usage)
    col: int = 0
    path: Path = ()
    hint: str = ""
    # What a rule wants to point at: the key itself (unknown keys) or its value.
    at_key: bool = field(default=False, compare=False)

    def render(self, lines: list[str] | None = None) -> str:
        """`file:line:col: severity CODE message (path)`, then the source line with a caret
        under the column when the source is at hand, then the hint."""
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col}"
        text = f"{where}: {self.severity} {self.code} {self.message}"
        if self.path:
            text += f" ({dotted(self.path)})"
        if lines and 0 < self.line <= len(lines):
            source = lines[self.line - 1].replace("\t", " ")
            text += f"\n  {self.line:>4} | {source}\n       | {' ' * (self.col - 1)}^"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("at_key")
        data["column"] = data.pop("col")
        data["path"] = dotted(self.path)
        return data


def render_all(diags: list[Diagnostic], fmt: str, sources: dict[str, list[str]] | None = None) -> str:
    if fmt == "json":
        return json.dumps([d.as_json() for d in diags], indent=2)
    sources = sources or {}
    return "\n".join(d.render(sources.get(d.file)) for d in diags)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.file, d.line, d.col, d.code)


def has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diags)


def printable(name: str) -> str:
    """A file name as it can be shown on one line of a terminal or a template comment: control
    characters, line breaks, invisible format characters and undecodable bytes (which Python
    keeps as lone surrogates) become escapes, so a name can neither break a line nor smuggle a
    terminal escape sequence. An ordinary name comes back unchanged."""
    if name.isprintable():
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii") if code < 0xD800 or code > 0xDFFF
                       else f"\\u{code:04x}")
    return "".join(out)
