"""Stage lint, the work: templates that need cfn-lint in, each one's findings out, exactly as a
whole-template cfn-lint reports them, for less time.

Each template is decoded once; its resources whose findings were kept (scc/synth/lintcache.py,
keyed by scc/synth/lintparts.py) are not validated again; the rest of the work, the template-wide
rules of every template and the schema validation of every other resource, is shared between this
process and forked workers that inherit cfn-lint's loaded rules and the decoded templates (on a
machine of one core, or for work too small to repay a process, all of it runs here)."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from scc.synth import cfnlint_engine, lintcache, lintparts
from scc.synth.lintcache import Finding

# Time estimates, in characters of a resource's JSON: the template-wide rules cost about as much as
# validating 8 % of the template's resources, and any run on a template (reading it, cfn-lint's
# loop over every resource and rule) about 4 %; a second process repays itself from about 40
# average resources of validation (~0.3 s) on.
WHOLE_SHARE = 0.08
RUN_SHARE = 0.04
PARALLEL_FROM = 20_000


@dataclass
class Template:
    """One template as planned: decoded, its keys, what was kept and what is to be validated."""

    regions: tuple[str, ...]
    ignore: list[str]
    data: Any
    outline: str
    keys: dict[str, str | None]
    kept: dict[str, list[Finding]]  # resource -> findings kept from an earlier lint (relative lines)
    sizes: dict[str, int]

    @property
    def todo(self) -> list[str]:
        return [name for name in self.sizes if name not in self.kept]


@dataclass(frozen=True)
class Unit:
    """One cfn-lint run: a template, the resources validated in it, with or without its
    template-wide rules (exactly one run of each template has them)."""

    template: int
    selection: frozenset[str]
    whole: bool


@dataclass
class _Lane:
    units: list[Unit] = field(default_factory=list)
    cost: float = 0.0


# The plan of the current lint, read by forked workers (they inherit it; nothing is pickled in).
_planned: list[Template] = []


def _cost(t: Template, unit: Unit) -> float:
    share = RUN_SHARE + (WHOLE_SHARE if unit.whole else 0.0)
    return sum(t.sizes[n] for n in unit.selection) + share * sum(t.sizes.values())


def schedule(templates: list[Template], lanes: int) -> list[list[Unit]]:
    """Units per lane, about even: whole templates to the least loaded lane, largest first, then
    part of the busiest lane's largest validation moved to the idlest lane."""
    units = sorted((Unit(i, frozenset(t.todo), True) for i, t in enumerate(templates)),
                   key=lambda u: -_cost(templates[u.template], u))
    out = [_Lane() for _ in range(max(1, lanes))]
    for unit in units:
        lane = min(out, key=lambda lane: lane.cost)
        lane.units.append(unit)
        lane.cost += _cost(templates[unit.template], unit)
    if len(out) > 1:
        busy, idle = max(out, key=lambda lane: lane.cost), min(out, key=lambda lane: lane.cost)
        move = (busy.cost - idle.cost) / 2
        largest = max(busy.units, key=lambda u: len(u.selection), default=None)
        if largest is not None and move > 0:
            t = templates[largest.template]
            move -= RUN_SHARE * sum(t.sizes.values()) / 2  # the new run's own cost
            moved: list[str] = []
            size = 0.0
            order = {name: i for i, name in enumerate(t.sizes)}
            for name in sorted(largest.selection, key=order.__getitem__):
                if size + t.sizes[name] / 2 > move:
                    break
                moved.append(name)
                size += t.sizes[name]
            if moved and move > 0:
                busy.units[busy.units.index(largest)] = Unit(largest.template, largest.selection - set(moved),
                                                             largest.whole)
                idle.units.append(Unit(largest.template, frozenset(moved), False))
                busy.cost -= size
                idle.cost += size
    return [lane.units for lane in out if lane.units]


def _run_lane(units: list[Unit]) -> list[cfnlint_engine.Outcome]:
    eng = cfnlint_engine.engine()
    assert eng is not None  # a lane is only planned with the engine in hand
    return [cfnlint_engine.run(eng, _planned[u.template].data, _planned[u.template].regions,
                               _planned[u.template].ignore, set(u.selection), descent_only=not u.whole)
            for u in units]


def _lanes() -> int:
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2))


def _plan(eng: cfnlint_engine.Engine, text: str, regions: tuple[str, ...], ignore: list[str],
          settings: str) -> Template | list[Finding]:
    data, errors = cfnlint_engine.decode(text)
    if errors or data is None:
        return lintcache.canonical(errors)
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return lintcache.canonical(cfnlint_engine.run(eng, data, regions, ignore, None).template)
    outline, keys = lintparts.keys(data, settings, eng.stateful)
    stored = lintcache.parts(outline) if any(keys.values()) else {}
    kept = {name: stored[k] for name, k in keys.items() if k is not None and k in stored}
    sizes = {str(name): len(json.dumps(r, default=str)) for name, r in resources.items()}
    return Template(regions, ignore, data, outline, keys, kept, sizes)


# Templates planned ahead (`ahead`), while the build rendered the next one; `findings` takes them.
_ahead: dict[tuple[str, tuple[str, ...], tuple[str, ...], str], list[Template | list[Finding]]] = {}


def ahead(text: str, regions: tuple[str, ...], ignore: list[str], settings: str) -> None:
    """Plan one template now (decode it, key its resources, read what was kept), for `findings`."""
    eng = cfnlint_engine.engine()
    if eng is not None:
        done = _plan(eng, text, regions, ignore, settings)
        _ahead.setdefault((text, regions, tuple(ignore), settings), []).append(done)


def _planned_once(eng: cfnlint_engine.Engine, text: str, regions: tuple[str, ...], ignore: list[str],
                  settings: str) -> Template | list[Finding]:
    done = _ahead.get((text, regions, tuple(ignore), settings))
    return done.pop() if done else _plan(eng, text, regions, ignore, settings)


def findings(texts: list[tuple[str, tuple[str, ...], list[str], str]]) -> list[list[Finding]] | None:
    """cfn-lint's findings of each (text, regions, ignored rules, settings key), canonical; None
    when cfn-lint cannot be run in parts (then lint whole templates)."""
    global _planned
    eng = cfnlint_engine.engine()
    if eng is None:
        return None
    planned = [_planned_once(eng, *t) for t in texts]
    _ahead.clear()
    templates = [p for p in planned if isinstance(p, Template)]
    work = sum(t.sizes[n] for t in templates for n in t.todo)
    lanes = schedule(templates, _lanes() if work >= PARALLEL_FROM else 1)
    _planned = templates
    try:
        if len(lanes) > 1:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=len(lanes) - 1, mp_context=context) as pool:
                pending = [pool.submit(_run_lane, units) for units in lanes[1:]]
                outcomes = [_run_lane(lanes[0]), *(p.result() for p in pending)]
        else:
            outcomes = [_run_lane(units) for units in lanes]
    finally:
        _planned = []
    whole: dict[int, list[Finding]] = {}
    fresh: dict[int, dict[str, list[Finding]]] = {i: {} for i in range(len(templates))}
    for units, results in zip(lanes, outcomes, strict=True):
        for unit, outcome in zip(units, results, strict=True):
            if unit.whole:
                whole[unit.template] = outcome.template
            fresh[unit.template].update(outcome.resources)
    done: list[list[Finding]] = []
    index = {id(t): i for i, t in enumerate(templates)}
    for p in planned:
        if not isinstance(p, Template):
            done.append(p)
            continue
        i = index[id(p)]
        lines = {str(k): int(k.start_mark.line) + 1 if hasattr(k, "start_mark") else 0 for k in p.data["Resources"]}
        per = {**p.kept, **fresh[i]}
        out = list(whole[i])
        for name, found in per.items():
            out += [(f[0], f[1], f[2], f[3], f[4] + lines[name]) for f in found]
        done.append(lintcache.canonical(out))
        entries = {k: per[name] for name, k in p.keys.items() if k is not None and name in per}
        if entries and fresh[i]:
            lintcache.store_parts(p.outline, entries)
    return done
