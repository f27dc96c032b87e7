"""Stage write: rendered template texts -> files in the output directory, all of one build or none.

How all-or-nothing is kept, nested stacks included:
1. Check the way: every folder on each target's path is a folder (or can be made), no target is a
   folder. A problem here is a WriteError before anything is touched.
2. Stage: each text goes to a temporary sibling of its target (`.<name>.<random>.tmp`, same
   folder, so the rename below never crosses file systems), written and fsynced.
3. Journal: `.scc-journal.json` in the output directory lists every (temporary, target, backup).
   It is written atomically; from here on the build can be finished or undone by anyone.
4. Commit: each existing target is hard-linked to its backup name, then the temporary file is
   renamed over the target. A failure or a caught signal (SIGINT, SIGTERM, SIGHUP) during any of
   this rolls back: backups return, new files go, temporary files are removed.
5. Done: backups and the journal are removed.
A process killed where no handler runs (SIGKILL, power loss) leaves the journal: the next build
(or `scc plan`) in that directory rolls it back first, so the previous set of files comes back
whole; a root template never stands next to children of another build.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from scc.diagnostics import printable

JOURNAL = ".scc-journal.json"
_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None)


class Interrupted(BaseException):
    """A signal arrived while files were being written (raised by the handlers of `signals()`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


@dataclass
class WriteError(Exception):
    """Why the files of a build cannot be written: which path, what is wrong, what to do."""

    path: Path
    what: str
    hint: str

    def __str__(self) -> str:
        return f"cannot write {printable(str(self.path))}: {self.what}"


@contextlib.contextmanager
def signals() -> Iterator[None]:
    """While inside: SIGINT, SIGTERM and SIGHUP raise Interrupted in the main thread instead of
    ending the process on the spot, so that `finally` and rollbacks run. Outside the main thread
    (where Python cannot set handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


_HINTS = {
    errno.EROFS: "the file system is read-only: pass an --out-dir on a writable one",
    errno.ENOSPC: "the disk is full: free some space and build again",
    errno.EDQUOT: "the disk quota is used up: free some space and build again",
    errno.EACCES: "permission denied: make the folder writable for you, or pass another --out-dir",
    errno.EPERM: "the operation is not permitted here: pass another --out-dir",
    errno.ENAMETOOLONG: "the path is too long: pass a shorter --out-dir",
    errno.ELOOP: "the path has a loop of symbolic links: fix or remove them",
}


def _error(path: Path, exc: OSError) -> WriteError:
    what = exc.strerror or str(exc)
    return WriteError(path, what[:1].lower() + what[1:], _HINTS.get(exc.errno or 0, "fix the path, or pass another "
                                                                   "--out-dir"))


def _check_way(target: Path) -> None:
    """Every existing ancestor of the target a folder, the target itself not one."""
    for folder in reversed(target.parents):
        if folder.is_symlink() and not folder.exists():
            raise WriteError(folder, "it is a symbolic link to a folder that does not exist",
                             "create the folder it points at, remove the link, or pass another --out-dir")
        if folder.exists() and not folder.is_dir():
            raise WriteError(folder, "a file stands where a folder must be",
                             "move or remove that file, or pass another --out-dir")
    if target.is_dir():
        raise WriteError(target, "a folder stands where the template goes", "move or remove that folder")
    if target.is_symlink() and not target.exists():
        raise WriteError(target, "it is a symbolic link to nothing", "remove the link")


def _make_dirs(folder: Path, made: list[Path]) -> None:
    """mkdir -p, remembering each folder it made so that a rollback removes it again."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for p in reversed(missing):
        try:
            p.mkdir()
        except FileExistsError:
            if not p.is_dir():
                raise WriteError(p, "a file stands where a folder must be",
                                 "move or remove that file, or pass another --out-dir") from None
            continue
        except OSError as exc:
            raise _error(p, exc) from None
        made.append(p)


def _unlink(path: Path | str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _restore(backup: str, target: Path | str) -> None:
    """The previous file back in place. A backup still linked to the target (the build stopped
    before replacing it) is just dropped: rename() of two links to one file does nothing."""
    with contextlib.suppress(OSError):
        if os.path.exists(target) and os.path.samefile(backup, target):
            os.unlink(backup)
        else:
            os.replace(backup, target)


@dataclass
class _Staged:
    tmp: str
    target: Path
    backup: str | None = None  # a hard link to the previous file, once made
    replaced: bool = False


def _journal_path(out_dir: Path) -> Path:
    return out_dir / JOURNAL


def _write_journal(out_dir: Path, staged: list[_Staged]) -> None:
    entries = [{"tmp": s.tmp, "target": str(s.target), "backup": s.backup} for s in staged]
    fd, tmp = tempfile.mkstemp(prefix=f"{JOURNAL}.", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entries, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, _journal_path(out_dir))
    except BaseException:
        _unlink(tmp)
        raise


def _ours(path: object, out_dir: Path, suffix: str) -> str | None:
    """A path from a journal, if it is one scc makes inside the output directory: a journal is a
    file anyone can write, and recovering from one must never touch anything else."""
    if not isinstance(path, str):
        return None
    p = Path(path)
    try:
        inside = p.resolve().is_relative_to(out_dir.resolve())
    except (OSError, RuntimeError, ValueError):
        return None
    return path if inside and (not suffix or (p.name.startswith(".") and p.name.endswith(suffix))) else None


def recover(out_dir: Path) -> None:
    """Undo a build that was killed while it replaced files (its journal is still there): the
    previous files come back, the new ones and every temporary file go."""
    journal = _journal_path(out_dir)
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        target = _ours(entry.get("target"), out_dir, "")
        tmp = _ours(entry.get("tmp"), out_dir, ".tmp")
        backup = _ours(entry.get("backup"), out_dir, ".tmp.old")
        if target is None or tmp is None:
            continue
        if backup is not None and os.path.exists(backup):
            _restore(backup, target)  # the previous file, whether or not it was replaced yet
        elif entry.get("backup") is None and not os.path.exists(tmp):
            _unlink(target)  # renamed into place with nothing before it: this build created it
        _unlink(tmp)
    _unlink(journal)


def _rollback(staged: list[_Staged], made: list[Path], out_dir: Path) -> None:
    for s in reversed(staged):
        if s.replaced:
            if s.backup is not None:
                _restore(s.backup, s.target)
            else:
                _unlink(s.target)
        elif s.backup is not None and os.path.exists(s.backup):
            _restore(s.backup, s.target)
        _unlink(s.tmp)
    _unlink(_journal_path(out_dir))
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def write_all(files: dict[Path, str], out_dir: Path | None = None) -> None:
    """Write every file or none (see the module's docstring). Raises WriteError, after undoing
    everything, for a problem of the file system, and Interrupted for a caught signal."""
    if not files:
        return
    out_dir = out_dir if out_dir is not None else min((t.parent for t in files), key=lambda p: len(p.parts))
    staged: list[_Staged] = []
    made: list[Path] = []
    with signals():
        try:
            for target in files:
                _check_way(target)
            _make_dirs(out_dir, made)
            recover(out_dir)
            for target, text in files.items():
                _make_dirs(target.parent, made)
                try:
                    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                except OSError as exc:
                    raise _error(target.parent, exc) from None
                staged.append(_Staged(tmp, target))
                try:
                    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                        fh.write(text)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.chmod(tmp, 0o644)
                except OSError as exc:
                    raise _error(target, exc) from None
            for s in staged:
                if s.target.exists():
                    s.backup = f"{s.tmp}.old"
            current = out_dir
            try:
                _write_journal(out_dir, staged)
                for s in staged:
                    current = s.target
                    if s.backup is not None:
                        os.link(s.target, s.backup)
                    os.replace(s.tmp, s.target)
                    s.replaced = True
            except OSError as exc:
                raise _error(current, exc) from None
        except BaseException:
            _rollback(staged, made, out_dir)
            raise
        # Committed. Tidying up goes on through a signal, which is raised once it is done.
        late: Interrupted | None = None
        for leftover in [*(s.backup for s in staged if s.backup is not None), str(_journal_path(out_dir))]:
            try:
                _unlink(leftover)
            except Interrupted as exc:
                late = exc
                _unlink(leftover)
        if late is not None:
            raise late
