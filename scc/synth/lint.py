"""Stage lint: rendered template texts -> diagnostics from cfn-lint, mapped back to the part of
the spec that produced each resource. Findings are cached (scc/synth/lintcache.py) by the
template's content, the cfn-lint version and the lint settings, so an unchanged template is not
linted again; a changed one is linted where it changed, on every core (scc/synth/lintrun.py), with
the same findings as cfn-lint on the whole template."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path as FsPath

from scc.codes import SCC110, SCC124, SCC901, SCC902, problem
from scc.diagnostics import Diagnostic, Path
from scc.synth import lintcache
from scc.synth.lintcache import Finding
from scc.synth.lintworker import Worker

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
    def settings(self) -> str:
        return json.dumps([version("cfn-lint"), sorted(self.regions), sorted(self.cfn_ignore)])

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.settings}\0{self.text}".encode()).hexdigest()


def cache_dir() -> FsPath | None:
    return lintcache.folder()


def unknown_regions(regions: tuple[str, ...]) -> list[Diagnostic]:
    return [problem(SCC110, f"cfn-lint does not know the region {r!r}", ("lint", "regions", i),
                    hint="use a region code such as us-east-1 or eu-west-1")
            for i, r in enumerate(regions) if r in _unknown(regions)]


def _unknown(regions: tuple[str, ...]) -> list[str]:
    from cfnlint.helpers import REGIONS  # slow import: kept off the start-up path

    return [r for r in regions if r not in REGIONS]


def run_cfn_lint(job: Job) -> list[Finding]:
    """cfn-lint itself on the whole template, as its API runs it, in this process (a pool worker
    runs this too): what lint_all's findings are always the same as."""
    from scc.synth import sympy_parts

    sympy_parts.whole()  # cfn-lint's own API, as it is, on any template
    from cfnlint.api import ManualArgs  # slow import: kept off the start-up path
    from cfnlint.api import lint as cfn_lint

    from scc.synth.cfnlint_engine import finding

    matches = cfn_lint(job.text, config=ManualArgs(regions=list(job.regions), ignore_checks=job.cfn_ignore))
    return lintcache.canonical([finding(m) for m in matches])


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


def _linted(jobs: list[Job]) -> list[list[Finding]]:
    from scc.synth import lintrun

    found = lintrun.findings([(job.text, job.regions, job.cfn_ignore, job.settings) for job in jobs])
    if found is not None:
        return found
    if len(jobs) > 1 and (os.cpu_count() or 1) > 1:  # cfn-lint as it is, a template per process
        with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
            return list(pool.map(run_cfn_lint, jobs))
    return [run_cfn_lint(job) for job in jobs]


def _misses(jobs: list[Job]) -> list[tuple[list[str], list[Finding]]]:
    """(regions cfn-lint does not know, findings) per job, in the process that runs cfn-lint."""
    unknown = [_unknown(job.regions) for job in jobs]
    todo = [job for job, bad in zip(jobs, unknown, strict=True) if not bad]
    found = iter(_linted(todo) if todo else [])
    return [(bad, [] if bad else next(found)) for bad in unknown]


def ahead(worker: Worker | None, job: Job) -> None:
    """Let the worker start on a template now (scc/synth/lintrun.py `ahead`), unless it has no
    worker or the template's findings are kept whole."""
    if worker is not None and lintcache.template(job.key) is None:
        from scc.synth import lintrun

        worker.ahead(lintrun.ahead, (job.text, job.regions, job.cfn_ignore, job.settings))


def lint_all(jobs: list[Job], worker: Worker | None = None,
             meanwhile: Callable[[], None] = lambda: None) -> list[list[Diagnostic]]:
    """Diagnostics per job, in order: cached findings where the template is unchanged, cfn-lint
    for the rest (scc/synth/lintrun.py: only what changed, on every core), in `worker` if given
    (it is stopped either way), while this process runs `meanwhile` (always, once)."""
    results: list[list[Finding] | None] = [lintcache.template(job.key) for job in jobs]
    misses = [i for i, found in enumerate(results) if found is None]
    bad_regions: dict[int, list[Diagnostic]] = {}
    if not misses:
        if worker is not None:
            worker.stop()
        meanwhile()
    else:
        todo = [jobs[i] for i in misses]
        if worker is not None:
            done = worker.call(_misses, (todo,), meanwhile)
        else:
            meanwhile()
            done = _misses(todo)
        for i, (bad, findings) in zip(misses, done, strict=True):
            if bad:
                bad_regions[i] = unknown_regions(jobs[i].regions)
                continue
            results[i] = findings
            lintcache.store_template(jobs[i].key, findings)
    return [bad_regions[i] if i in bad_regions else _diagnostics(job, results[i] or [])
            for i, job in enumerate(jobs)]


def lint(text: str, regions: tuple[str, ...], ignore: tuple[str, ...], origin: dict[str, Path]) -> list[Diagnostic]:
    return lint_all([Job(text, regions, ignore, origin)])[0]
