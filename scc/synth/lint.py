"""Stage lint: rendered template texts -> diagnostics from cfn-lint, mapped back to the part of
the spec that produced each resource. Findings are cached by the template's content, the
cfn-lint version and the lint settings, so an unchanged template is not linted again; the
templates of one build that do need cfn-lint are linted in parallel processes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path as FsPath

from scc.codes import SCC110, SCC124, SCC901, SCC902, problem
from scc.diagnostics import Diagnostic, Path

# cfn-lint rules scc turns off, each with its reason:
# - E1029 ("embedded parameter outside Fn::Sub") fires when `${X}` in a plain string names a
#   parameter or resource of the template. The user's strings are written verbatim, and a shell
#   variable that happens to share a name with one of scc's logical ids (`echo ${VpcId}`) is no
#   mistake of theirs; the real mistake, `${AWS::Region}` expecting a substitution, is scc's own
#   rule SCC109. Every substitution scc makes is an explicit Fn::Sub.
# - W3002 ("may only work with the package command") flags a nested stack's TemplateURL that
#   points at a local file: that is how scc writes them, for `aws cloudformation package` to
#   upload, as the README's deployment instructions say.
ALWAYS_IGNORED = ("E1029", "W3002")


@dataclass(frozen=True)
class Job:
    """One template to lint, with its settings and the spec path behind each logical id."""

    text: str
    regions: tuple[str, ...]
    ignore: tuple[str, ...]
    origin: dict[str, Path]

    @property
    def cfn_ignore(self) -> list[str]:
        return [*ALWAYS_IGNORED, *(c for c in self.ignore if not c.startswith("SCC"))]

    @property
    def key(self) -> str:
        settings = json.dumps([version("cfn-lint"), sorted(self.regions), sorted(self.cfn_ignore)])
        return hashlib.sha256(f"{settings}\0{self.text}".encode()).hexdigest()


# A finding as cfn-lint reports it: (rule id, severity, message, path in the template, line).
Finding = tuple[str, str, str, list[str | int], int]


def cache_dir() -> FsPath | None:
    """Where findings are kept: $SCC_CACHE_DIR (empty turns the cache off), else the user cache."""
    configured = os.environ.get("SCC_CACHE_DIR")
    if configured is not None:
        return FsPath(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return FsPath(base) / "scc" / "lint"


def _finding(item: object) -> Finding | None:
    """One cached finding, if it has exactly the shape run_cfn_lint gives."""
    if not (isinstance(item, list) and len(item) == 5):
        return None
    rule, severity, message, where, line = item
    if not (isinstance(rule, str) and isinstance(severity, str) and isinstance(message, str)
            and isinstance(where, list) and all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in where)
            and isinstance(line, int) and not isinstance(line, bool)):
        return None
    return (rule, severity, message, where, line)


def _cached(job: Job) -> list[Finding] | None:
    """The findings stored for exactly this template and these settings, or None (a miss) for an
    entry that is missing, unreadable, of another shape or keyed to something else: a cache
    entry can only save time, never turn a failing template into a pass."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        entry = json.loads((folder / f"{job.key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(entry, dict) and entry.get("key") == job.key and isinstance(entry.get("findings"), list)):
        return None
    findings = [_finding(item) for item in entry["findings"]]
    return None if any(f is None for f in findings) else [f for f in findings if f is not None]


def _store(job: Job, findings: list[Finding]) -> None:
    folder = cache_dir()
    if folder is None:
        return
    tmp = None
    try:  # best effort: a cache that cannot be written only costs time
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": job.key, "findings": findings}, fh)
        os.replace(tmp, folder / f"{job.key}.json")
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def unknown_regions(regions: tuple[str, ...]) -> list[Diagnostic]:
    from cfnlint.helpers import REGIONS  # slow import: kept off the start-up path

    return [problem(SCC110, f"cfn-lint does not know the region {r!r}", ("lint", "regions", i),
                    hint="use a region code such as us-east-1 or eu-west-1")
            for i, r in enumerate(regions) if r not in REGIONS]


def run_cfn_lint(job: Job) -> list[Finding]:
    """cfn-lint itself, in this process (a pool worker runs this too)."""
    from cfnlint.api import ManualArgs  # slow import: kept off the start-up path
    from cfnlint.api import lint as cfn_lint

    matches = cfn_lint(job.text, config=ManualArgs(regions=list(job.regions), ignore_checks=job.cfn_ignore))
    # Plain values only: cfn-lint's own str subclasses cannot cross processes nor go into JSON.
    return [(str(m.rule.id), str(m.rule.severity), str(m.message),
             [p if isinstance(p, int) else str(p) for p in (m.path or [])], int(m.linenumber)) for m in matches]


def _diagnostics(job: Job, findings: list[Finding]) -> list[Diagnostic]:
    out = []
    for rule, severity, message, where, line in findings:
        resource = where[1] if len(where) > 1 and where[0] in ("Resources", "Outputs", "Parameters") else None
        spec_path = job.origin.get(str(resource), ()) if resource else ()
        # The deepest part of the path an override wrote (origin keys "Resources/X/..."), if any.
        written = next((job.origin[k] for k in ("/".join(str(p) for p in where[:cut])
                                                for cut in range(len(where), 1, -1)) if k in job.origin), None)
        spec_path = written or spec_path
        location = "/".join(str(p) for p in where) or f"line {line}"
        yours = "overrides" in spec_path
        code = (SCC124 if yours else SCC901) if severity == "error" else SCC902
        hint = ("this is a bug in scc: please report it with your spec" if code is SCC901
                else "the override wrote this: fix it against the CloudFormation resource reference"
                if code is SCC124 else f"silence it with lint.ignore: [{rule}] if it is intended")
        out.append(problem(code, f"cfn-lint {rule} at {location}: {message}", spec_path, hint=hint, at_key=True))
    return out


def lint_all(jobs: list[Job]) -> list[list[Diagnostic]]:
    """Diagnostics per job, in order: cached findings where the template is unchanged, cfn-lint
    (in parallel processes when more than one template needs it) for the rest."""
    results: list[list[Finding] | None] = [_cached(job) for job in jobs]
    misses = [i for i, found in enumerate(results) if found is None]
    bad_regions: dict[int, list[Diagnostic]] = {}
    for i in misses:
        unknown = unknown_regions(jobs[i].regions)
        if unknown:
            bad_regions[i] = unknown
    todo = [i for i in misses if i not in bad_regions]
    if len(todo) > 1 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1)) as pool:
            found = list(pool.map(run_cfn_lint, [jobs[i] for i in todo]))
    else:
        found = [run_cfn_lint(jobs[i]) for i in todo]
    for i, findings in zip(todo, found, strict=True):
        results[i] = findings
        _store(jobs[i], findings)
    return [bad_regions[i] if i in bad_regions else _diagnostics(job, results[i] or [])
            for i, job in enumerate(jobs)]


def lint(text: str, regions: tuple[str, ...], ignore: tuple[str, ...], origin: dict[str, Path]) -> list[Diagnostic]:
    return lint_all([Job(text, regions, ignore, origin)])[0]
