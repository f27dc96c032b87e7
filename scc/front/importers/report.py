"""What an importer hands back: the spec's text (None on an error) and a report, one located
diagnostic per thing not carried over, pointing at the imported file's line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from scc.codes import SCC001, SCC004, SCC130, SCC134, SCC135, Code, problem
from scc.diagnostics import Diagnostic, Path, has_errors, sort_key
from scc.front.spec import Source


@dataclass
class Imported:
    text: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)  # file -> lines, to show source lines

    @property
    def ok(self) -> bool:
        return self.text is not None and not has_errors(self.diagnostics)


@dataclass
class Report:
    """Diagnostics located in the imported files (one Source per file) as they are found."""

    found: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)

    def add(self, src: Source, code: Code, message: str, path: Path, hint: str = "", at_key: bool = True) -> None:
        self.sources.setdefault(src.file, src)
        self.found.append(src.place(problem(code, message, path, hint=hint, at_key=at_key)))

    def dropped(self, src: Source, path: Path, message: str, hint: str = "") -> None:
        """Something with no counterpart in scc: not in the spec."""
        self.add(src, SCC134, message, path, hint)

    def needs(self, src: Source, path: Path, message: str, hint: str = "") -> None:
        """Carried over with a placeholder, or left out, for want of a value only the user knows."""
        self.add(src, SCC135, message, path, hint)

    def result(self, text: str | None) -> Imported:
        diags = sorted(dict.fromkeys(self.found), key=sort_key)
        return Imported(None if has_errors(diags) else text, diags, {f: s.lines for f, s in self.sources.items()})


@dataclass
class Draft:
    """The spec being written: plain data and a note per path (the `# imported:` comments)."""

    data: dict[str, Any] = field(default_factory=dict)
    notes: dict[Path, str] = field(default_factory=dict)

    def note(self, path: Path, text: str) -> None:
        self.notes[path] = f"{self.notes[path]}; {text}" if path in self.notes else text

    def add_workloads(self, drafts: Sequence[Workload]) -> None:
        """Each translated service or job under `services` or `jobs`, in input order, with its notes."""
        for kind in ("services", "jobs"):
            chosen = [d for d in drafts if d.job == (kind == "jobs")]
            if not chosen:
                continue
            self.data[kind] = {}
            for d in chosen:
                self.data[kind][d.name] = d.ordered()
                for rel, text in d.notes.items():
                    self.note((kind, d.name, *rel), text)


def recoded(d: Diagnostic, shape: Code, message: str) -> Diagnostic:
    """A loader error as the importer's own: an unreadable file is SCC130, a file of the wrong
    shape (the loader's SCC004) is `shape` with `message`; anything else stays as it is."""
    if d.code == SCC001.code:
        return Diagnostic(SCC130.code, SCC130.severity, d.message, d.file, d.line, d.col, d.path, d.hint)
    if d.code == SCC004.code:
        return Diagnostic(shape.code, shape.severity, message, d.file, d.line, d.col, d.path, d.hint)
    return d


class Workload(Protocol):
    """What both importers' per-service drafts give the spec: a name, whether it is a job, its
    fields in spec order and the notes on them."""

    name: str
    job: bool
    notes: dict[Path, str]

    def ordered(self) -> dict[str, Any]: ...
