"""Compose interpolation, as the Compose specification's "Interpolation" section gives it:
`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`,
`${VAR+alt}`, nested defaults, and `$$` for a literal `$`. Values only, never keys."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")


class Refused(Exception):
    """`${VAR:?message}` with VAR unset (or empty), or a `${` that does not close."""


@dataclass
class Interpolator:
    env: Mapping[str, str]
    unset: list[str] = field(default_factory=list)  # variables read without a value or default

    def text(self, value: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(value):
            c = value[i]
            if c != "$" or i + 1 == len(value):
                out.append(c)
                i += 1
                continue
            nxt = value[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt == "{":
                end = _closing(value, i + 2)
                out.append(self._braced(value[i + 2:end]))
                i = end + 1
            elif m := _NAME.match(value, i + 1):
                out.append(self._get(m.group()))
                i = m.end()
            else:  # not a variable: kept, as Compose keeps it
                out.append(c)
                i += 1
        return "".join(out)

    def _get(self, name: str) -> str:
        if name in self.env:
            return self.env[name]
        if name not in self.unset:
            self.unset.append(name)
        return ""

    def _braced(self, inner: str) -> str:
        m = _NAME.match(inner)
        if not m:
            raise Refused(f"invalid interpolation ${{{inner}}}: a variable name must come first")
        name, rest = m.group(), inner[m.end():]
        if not rest:
            return self._get(name)
        for op in (":-", ":?", ":+", "-", "?", "+"):
            if rest.startswith(op):
                word = rest[len(op):]
                break
        else:
            raise Refused(f"invalid interpolation ${{{inner}}}: Compose knows :-, -, :?, ?, :+ and + after a name")
        present = name in self.env
        empty = not self.env.get(name)
        missing = empty if op.startswith(":") else not present
        kind = op[-1]
        if kind == "-":
            return self.text(word) if missing else self.env[name]
        if kind == "+":
            return "" if missing else self.text(word)
        if missing:
            why = self.text(word) or ("is not set" if not present else "is empty")
            raise Refused(f"{name}: {why}")
        return self.env[name]


def _closing(value: str, start: int) -> int:
    """Index of the `}` that closes a `${` opened just before `start` (nested `${...}` allowed)."""
    depth = 1
    i = start
    while i < len(value):
        if value.startswith("${", i):
            depth += 1
            i += 2
            continue
        if value[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Refused(f"invalid interpolation: `${{{value[start:]}` has no closing brace")


def dotenv(text: str) -> dict[str, str]:
    """A `.env` file's KEY=VALUE lines (comments, `export` and quotes as Compose reads them)."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not _NAME.fullmatch(key.strip()):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key.strip()] = value
    return out
