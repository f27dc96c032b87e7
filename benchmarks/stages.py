"""Run one `scc` command in this process with a timer on every pipeline stage; write the figures as JSON.

benchmarks/run.py starts this in a fresh interpreter per measurement, so every run pays what a
user's `scc build` pays (start-up, imports, cold caches: the schema validator built, cfn-lint's
rules loaded), and measures the process from outside (wall time, peak RSS).

The stage functions (scc.front.spec.load, scc.front.schema.validate, scc.model.build.build,
scc.plan.build.build, scc.rules.check, scc.synth.template.assemble (the families, and troposphere's
Template.to_dict), scc.synth.render.render, scc.synth.lint.lint) are
wrapped with timers, every binding of them (`from x import f` copies included), and the real
command line, scc.cli, runs unchanged. So the figures follow the pipeline as it evolves: a stage
called once per template (render, lint of nested stacks) is timed on every call, and a stage run
on several threads at once counts as wall time (the union of its intervals), not as the sum of
the threads' times. A stage run in other processes (lint in a worker pool) is reported as not
observed (null); `command` still covers it. A stage function that no longer exists is listed
under `missing` instead of failing the run.

Usage: python benchmarks/stages.py --json OUT [--profile FILE] -- build SPEC -o DIR [--no-lint]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import resource
import sys
import threading
import time
from typing import Any

# (stage, module, attribute). assemble runs the families and Template.to_dict: both "compile".
TARGETS = (
    ("load", "scc.front.spec", "load"),
    ("schema", "scc.front.schema", "validate"),
    ("model", "scc.model.build", "build"),
    ("plan", "scc.plan.build", "build"),
    ("rules", "scc.rules", "check"),
    ("compile", "scc.synth.template", "assemble"),
    ("render", "scc.synth.render", "render"),
    ("lint", "scc.synth.lint", "lint"),
)
STAGES = ("load", "schema", "model", "plan", "rules", "compile", "render", "lint")

_lock = threading.Lock()
_intervals: dict[str, list[tuple[float, float]]] = {s: [] for s in STAGES}
_calls: dict[str, int] = dict.fromkeys(STAGES, 0)
_results: list[Any] = []
_rendered: list[tuple[int, int]] = []  # (resources, bytes) of every rendered template


def _note_render(args: tuple[Any, ...], text: Any) -> None:
    data = args[0] if args else None
    resources = len(data.get("Resources", {})) if isinstance(data, dict) else -1
    with _lock:
        _rendered.append((resources, len(text.encode()) if isinstance(text, str) else -1))


_late_imports = [0.0]  # cfn-lint, imported when the first lint starts (as scc.synth.lint does), not timed as lint


def _import_cfnlint() -> None:
    if "cfnlint.api" not in sys.modules:
        start = time.perf_counter()
        import cfnlint.api  # noqa: F401

        _late_imports[0] += time.perf_counter() - start


def _timed(stage: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if stage == "lint":
            _import_cfnlint()
        start = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        finally:
            end = time.perf_counter()
            with _lock:
                _intervals[stage].append((start, end))
                _calls[stage] += 1
        if stage == "render":
            _note_render(args, value)  # outside the timed interval
        return value

    wrapper.__sccbench_wrapped__ = True  # type: ignore[attr-defined]
    return wrapper


def union(intervals: list[tuple[float, float]]) -> float:
    """Total length covered by the intervals (overlaps counted once)."""
    total = 0.0
    cur: list[float] | None = None
    for start, end in sorted(intervals):
        if cur is None or start > cur[1]:
            if cur is not None:
                total += cur[1] - cur[0]
            cur = [start, end]
        else:
            cur[1] = max(cur[1], end)
    if cur is not None:
        total += cur[1] - cur[0]
    return total


def _rebind(original: Any, wrapped: Any, name: str) -> None:
    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("scc") and getattr(mod, name, None) is original:
            setattr(mod, name, wrapped)


def instrument() -> list[str]:
    """Put a timer on every stage function; return the targets that were not found."""
    missing = []
    for stage, module_name, attr in TARGETS:
        try:
            owner: Any = importlib.import_module(module_name)
            *parents, name = attr.split(".")
            for p in parents:
                owner = getattr(owner, p)
            original = getattr(owner, name)
        except (ImportError, AttributeError):
            missing.append(f"{module_name}.{attr}")
            continue
        if getattr(original, "__sccbench_wrapped__", False):
            continue
        wrapped = _timed(stage, original)
        setattr(owner, name, wrapped)
        if not parents:
            _rebind(original, wrapped, name)
    # Keep the pipeline's result (diagnostic codes, template sizes) without changing what it does.
    import scc.pipeline

    for name in ("build", "validate"):
        original = getattr(scc.pipeline, name, None)
        if original is None or getattr(original, "__sccbench_wrapped__", False):
            continue

        def keep(*args: Any, _fn: Any = original, **kwargs: Any) -> Any:
            result = _fn(*args, **kwargs)
            _results.append(result)
            return result

        keep.__sccbench_wrapped__ = True  # type: ignore[attr-defined]
        setattr(scc.pipeline, name, keep)
    return missing


def measure(argv: list[str], profile: str | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    # What a build imports, up front: the stage times are then the work, not the imports. cfn-lint
    # is imported only when a lint starts, as scc.synth.lint does: a refused build never pays for it.
    import scc.cli
    import scc.pipeline

    modules = ["scc.rules"]
    if argv[:1] == ["build"]:
        # scc.synth.lint is cheap: cfn-lint itself is imported when the first lint starts.
        modules += ["troposphere", "cfn_flip", "scc.families", "scc.synth.template", "scc.synth.render",
                    "scc.synth.lint"]
    for name in modules:
        with contextlib.suppress(ImportError):  # a module that moved is reported by instrument()
            importlib.import_module(name)

    t1 = time.perf_counter()
    missing = instrument()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t2 = time.perf_counter()
    try:
        scc.cli.app(args=argv, prog_name="scc")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    t3 = time.perf_counter()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)

    result = _results[-1] if _results else None
    diags = list(getattr(result, "diagnostics", []))
    outputs = getattr(result, "outputs", {}) or {}
    errors = sorted({d.code for d in diags if d.severity == "error"})
    stages = {s: (union(_intervals[s]) if _calls[s] else None) for s in STAGES}
    known = sum(v for v in stages.values() if v is not None) + _late_imports[0]
    return {
        "argv": argv,
        "exit": code,
        "codes": sorted({d.code for d in diags}),
        "errors": errors,
        "refused_scc903": "SCC903" in errors,
        "imports": t1 - t0 + _late_imports[0],
        "imports_late": _late_imports[0],
        "stages": stages,
        "calls": _calls,
        "missing": missing,
        "other": max(0.0, (t3 - t2) - known),
        "command": t3 - t2,
        "written": len(outputs),
        "rendered": _rendered,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", required=True, help="write the figures to this file")
    parser.add_argument("--profile", help="write cProfile stats of the command to this file")
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="-- then the scc arguments")
    args = parser.parse_args()
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    figures = measure(argv, args.profile)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump(figures, fh)
    sys.exit(figures["exit"])


if __name__ == "__main__":
    main()
