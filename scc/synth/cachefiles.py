"""The files of scc's caches (cfn-lint's findings: lintcache.py; rendered resources:
rendercache.py): where they live, and JSON entries read and written so that a missing, foreign,
truncated or unwritable file is only ever a miss."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def folder() -> Path | None:
    """Where entries are kept: $SCC_CACHE_DIR (empty turns the caches off), else the user cache."""
    configured = os.environ.get("SCC_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "scc" / "lint"


def read(name: str, fmt: str) -> dict[str, Any] | None:
    """The entry file `name` if it is a JSON object of format `fmt`, else None (a miss)."""
    where = folder()
    if where is None:
        return None
    try:
        data = json.loads((where / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) and data.get("format") == fmt else None


def write(name: str, fmt: str, data: dict[str, Any]) -> None:
    """Replaces the entry file atomically; best effort: a cache that cannot be written only costs time."""
    where = folder()
    if where is None:
        return
    tmp = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": fmt, **data}, fh, separators=(",", ":"))
        os.replace(tmp, where / name)
    except OSError:
        if tmp is not None:  # a full disk leaves no partial entry behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
