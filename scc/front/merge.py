"""The one merge rule of the language, shared by `defaults` and `environments`: maps merge,
lists and scalars replace."""

from __future__ import annotations

from typing import Any


def merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return over
