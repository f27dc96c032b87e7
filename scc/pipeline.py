"""The one place the stages run in order: load -> schema -> model -> plan -> rules -> families
(assembled into a template) -> split -> render -> lint -> write. Each gate collects every problem
it finds; a spec stops at the first gate with an error, and nothing is written unless every spec of
the build succeeded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scc import rules
from scc.codes import SCC007, SCC008, SCC012, SCC140, SCC903, SCC904, problem
from scc.diagnostics import Diagnostic, has_errors, sort_key
from scc.front import environments, schema
from scc.front.spec import Source, load
from scc.limits import MAX_BYTES, MAX_DIRECT_BYTES, MAX_HIERARCHY_RESOURCES, MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES
from scc.model import build as model
from scc.plan import Plan
from scc.plan import build as plan_stage


@dataclass(frozen=True)
class Output:
    """What the report says about one template a build gives."""

    spec: str  # the spec file it is built from
    warnings: int  # of its spec (or environment), shown next to its root template
    root: bool  # the template one deploys; False for a nested stack
    from_s3: bool  # a root over MAX_DIRECT_BYTES: CloudFormation takes it only from S3


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)  # file -> lines, to show source lines
    outputs: dict[Path, str] = field(default_factory=dict)
    built: dict[Path, Output] = field(default_factory=dict)  # the same files as `outputs`
    written: list[Path] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)  # of the specs (and environments) built

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def check(path: str, env: str | None = None) -> list[tuple[Source, Plan | None, list[Diagnostic]]]:
    """Load, validate and rule-check one spec: everything `scc validate` does. A spec with
    environments gives one result per environment (or only `env`'s)."""
    src, diags = load(path)
    if has_errors(diags):
        return [(src, None, diags)]
    diags = [src.place(d) for d in schema.validate(src.data)]
    if has_errors(diags):
        return [(src, None, diags + _beside(src, diags, env))]
    return _checked_all(src, env)


def _checked_all(src: Source, env: str | None) -> list[tuple[Source, Plan | None, list[Diagnostic]]]:
    """Everything after the schema: the environments, then model, plan and rules for each."""
    if not environments.names(src):
        if env is not None:
            return [(src, None, [src.place(problem(SCC008, f"--env {env}: the spec has no environments",
                                                   ("name",)))])]
        return [_checked(src)]
    diags = environments.unknown(src)
    if has_errors(diags):
        return [(src, None, diags)]
    if env is not None and env not in environments.names(src):
        known = ", ".join(environments.names(src))
        return [(src, None, [src.place(problem(SCC008, f"--env {env}: the spec's environments are {known}",
                                               ("environments",), at_key=True))])]
    return [_checked(environments.environment(src, name)) for name in environments.names(src)
            if env is None or name == env]


def _beside(src: Source, errors: list[Diagnostic], env: str | None) -> list[Diagnostic]:
    """The rules' diagnostics on what validated, to report with the schema's errors: the spec
    without the subtrees that hold them, when that rest validates, keeping only the diagnostics
    that do not depend on what was left out (scc.front.partial). Nothing when the rest cannot
    be checked: the schema's round is then the whole report, as it always was."""
    from scc.front import partial

    part = partial.rest(src, errors)
    if part is None or schema.validate(part.src.data):
        return []
    try:
        units = _checked_all(part.src, env)
    except Exception:  # a stage that trusts a whole valid spec may still trip on the rest: say less, never crash
        return []
    found: list[Diagnostic] = []
    for _, plan, diags in units:
        if plan is not None and plan.app.lint_ignore:  # what `lint.ignore` silences stays silent here too
            diags = [d for d in diags if d.severity == "error" or d.code not in plan.app.lint_ignore]
        found += diags
    return [d for d in partial.kept(part, found) if d not in errors]


def _checked(src: Source) -> tuple[Source, Plan | None, list[Diagnostic]]:
    def place(found: list[Diagnostic]) -> list[Diagnostic]:
        # A mistake in `defaults` is found once per service that inherits it: report it once.
        return list(dict.fromkeys(environments.shown(src, src.place(d)) for d in found))

    if src.environment is not None:  # the merged spec must be valid too (an override can break it)
        diags = place(schema.validate(src.data))
        if has_errors(diags):
            return src, None, diags
    plan = plan_stage.build(model.build(src))
    return src, plan, place(rules.check(plan))


def _silenced(plan: Plan | None, diags: list[Diagnostic], strict: bool) -> list[Diagnostic]:
    """lint.ignore drops warnings; --strict makes the remaining ones errors."""
    if plan is not None and plan.app.lint_ignore:
        diags = [d for d in diags if d.severity == "error" or d.code not in plan.app.lint_ignore]
    if strict:
        diags = [replace(d, severity="error") for d in diags]
    return diags


@dataclass
class _Unit:
    """One template being built: a spec, or one environment of it."""

    path: str
    src: Source
    plan: Plan | None
    diags: list[Diagnostic]
    target: Path | None = None
    files: dict[Path, str] = field(default_factory=dict)
    origin: dict[str, tuple[str | int, ...]] = field(default_factory=dict)
    read: dict[str, Any] = field(default_factory=dict)  # previous templates' texts, parsed once


def compile_one(src: Source, plan: Plan, out_dir: Path, force_split: bool, cached: bool = False,
                ready: Callable[[str], None] = lambda text: None) -> tuple[
        dict[Path, str], dict[str, tuple[str | int, ...]], list[Diagnostic]]:
    """Compile and render one app: one template, or a root and its nested stacks when one
    template would exceed CloudFormation's limits (or `--split` asks for it). Every template
    written is checked against the limits. `cached`: the files are the build's output, whose
    resources rendered before are reused (scc/synth/rendercache.py). `ready(text)` is told each
    template as soon as it is rendered (the lint worker starts on it meanwhile)."""
    from scc.synth import overrides, split  # troposphere: kept off the start-up path of `scc validate`
    from scc.synth.render import render
    from scc.synth.template import assemble

    app = plan.app
    done = assemble(plan)
    if done.diagnostics:
        return {}, done.origin, [src.place(d) for d in done.diagnostics]
    applied = overrides.apply(plan, done.template)
    origin = {**done.origin, **{k.split("/", 1)[1]: v for k, v in applied.written.items() if k.count("/") == 1},
              **applied.written}
    if applied.diagnostics:
        return {}, origin, [src.place(d) for d in applied.diagnostics]
    data = applied.template
    # Counting resources and outputs is enough to know most splits; render the whole template
    # only when it may fit (its size decides the rest), not to throw it away.
    root = out_dir / f"{app.name}.yaml"
    if not (force_split or split.over_counts(data)):
        text = render(data, src.file, root if cached else None)
        if not split.needed(data, text):
            ready(text)
            return {root: text}, origin, [src.place(d) for d in _limits(data, text)]
    parts = split.split(plan, data, done.owner, app.name, _placement(out_dir, plan))
    total = len(parts.root["Resources"]) + sum(len(child["Resources"]) for _, child in parts.children)
    if total > MAX_HIERARCHY_RESOURCES:  # refused before rendering what cannot be deployed
        return {}, origin, [src.place(_hierarchy(total, len(app.services)))]
    files = {root: render(parts.root, src.file, root if cached else None)}
    ready(files[root])
    root_which = "the root template (with the load balancer's target groups and rules)"
    diags = _limits(parts.root, files[root], root_which)
    for name, child in parts.children:
        target = out_dir / app.name / f"{name}.yaml"
        files[target] = render(child, src.file, target if cached else None)
        ready(files[target])
        diags += _limits(child, files[target], f"nested stack {name}")
    return files, origin, [src.place(d) for d in diags]


def _ahead(worker: Any, plan: Plan) -> Callable[[str], None]:
    """What tells the lint worker about each template as it is rendered (nothing without one)."""
    if worker is None:
        return lambda text: None
    from scc.synth.lint import Job, ahead

    return lambda text: ahead(worker, Job(text, plan.app.lint_regions, plan.app.lint_ignore, {}))


def _unreadable(out_dir: Path, name: str, read: dict[str, Any]) -> str | None:
    """Why a template of the previous build in the output directory cannot be read back, if so;
    what each one parsed to goes into `read`, for the plan to compare with (parsing thousands of
    resources takes a second)."""
    from scc.diagnostics import printable
    from scc.synth.read import load_template

    folder = out_dir / name
    try:
        children = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    except OSError:
        children = []
    for old in [out_dir / f"{name}.yaml", *children]:
        if not old.is_file():
            continue
        try:
            text = old.read_text(encoding="utf-8")
            data = read[text] = load_template(text)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return f"the previous template {printable(str(old))} cannot be read: {exc}"
        except Exception as exc:  # the YAML parser's errors, and whatever else damaged text may give
            return f"the previous template {printable(str(old))} is not a template: {type(exc).__name__}"
        if not isinstance(data, dict) or not isinstance(data.get("Resources", {}), dict):
            return f"the previous template {printable(str(old))} is not a CloudFormation template"
    return None


def _judged(unit: _Unit, out_dir: Path) -> list[Diagnostic]:
    """What `scc plan` would refuse in this build against the templates in the output directory
    (the ones deployed last): an update ECS rejects, located at the service it comes from."""
    from scc.tools import plan as tool

    assert unit.plan is not None
    app = unit.plan.app
    old = tool.read(out_dir, [app.name])
    if not old:
        return []
    names = [s.name for s in app.services]
    out = []
    for c in tool.compare(old, tool.relative(unit.files, out_dir), unit.read):
        if c.severity != "error":
            continue
        service = tool.owner(names, c.logical_id)
        # The spec key behind it: the cluster when the service moves to a new cluster.
        where = ("cluster",) if "Cluster" in c.properties and unit.src.exists(("cluster",)) else (
            ("services", service) if service else ("name",))
        out.append(unit.src.place(problem(SCC140, f"{c.logical_id} would be {c.action}d: {c.note}", where,
                                          at_key=True, hint="see `scc plan`; pass --allow-refused-updates to "
                                          "write it anyway")))
    return out


def _placement(out_dir: Path, plan: Plan) -> dict[str, int]:
    """Which child stack each service was in at the previous build (service -> stack index), read
    from the nested stacks in the output directory: scc writes each resource id at two spaces."""
    import re

    from scc.tools.plan import owner

    names = [s.name for s in plan.app.services]
    out: dict[str, int] = {}
    folder = out_dir / plan.app.name
    if not folder.is_dir():
        return out
    for child in sorted(folder.glob("Stack*.yaml")):
        index = child.stem.removeprefix("Stack")
        if not index.isdigit():
            continue
        text = child.read_text(encoding="utf-8")
        for logical_id in re.findall(r"^  ([A-Za-z0-9]+):$", text, re.MULTILINE):
            name = owner(names, logical_id)
            if name is not None:
                out.setdefault(name, int(index) - 1)
    return out


def _hierarchy(total: int, services: int) -> Diagnostic:
    import math

    specs = math.ceil(total / (MAX_HIERARCHY_RESOURCES * 0.9))  # a tenth of room to grow in each
    each = math.ceil(services / specs)
    return problem(SCC904, f"the app's root and nested stacks hold {total} resources; one CloudFormation operation "
                   f"on a nested stack hierarchy creates, updates or deletes at most {MAX_HIERARCHY_RESOURCES}",
                   ("services",), at_key=True,
                   hint=f"split the {services} services into at least {specs} specs (about {each} services each)")


def _limits(data: dict[str, Any], text: str, which: str = "the template") -> list[Diagnostic]:
    counts = {"resources": (len(data.get("Resources", {})), MAX_RESOURCES),
              "outputs": (len(data.get("Outputs", {})), MAX_OUTPUTS),
              "parameters": (len(data.get("Parameters", {})), MAX_PARAMETERS)}
    out = [problem(SCC903, f"{which} has {n} {what}; CloudFormation allows {limit}", ("services",),
                   at_key=True, hint="split the services into several specs (stacks)")
           for what, (n, limit) in counts.items() if n > limit]
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        out.append(problem(SCC903, f"{which} is {size} bytes; CloudFormation allows {MAX_BYTES}",
                           ("services",), at_key=True, hint="split the services into several specs (stacks)"))
    return out


def validate(paths: list[str], strict: bool = False, env: str | None = None) -> Result:
    result = Result()
    for path in paths:
        for src, plan, diags in check(path, env):
            result.sources[src.file] = src.lines
            result.diagnostics += _silenced(plan, diags, strict)
    result.diagnostics = list(dict.fromkeys(result.diagnostics))
    result.diagnostics.sort(key=sort_key)
    return result


def build(paths: list[str], out_dir: Path, lint: bool = True, write: bool = True, strict: bool = False,
          env: str | None = None, force_split: bool = False, refused_updates: bool = False) -> Result:
    result = Result()
    owners: dict[Path, str] = {}
    units: list[_Unit] = []
    if write:
        from scc.synth.write import recover

        recover(out_dir)  # a build killed while it replaced files: the previous set comes back first
    worker = None
    if lint:  # cfn-lint loads on the other core while this one compiles
        from scc.synth import lintworker

        worker = lintworker.start()
    for path in paths:
        for src, plan, diags in check(path, env):
            result.sources[src.file] = src.lines
            unit = _Unit(path, src, plan, diags)
            units.append(unit)
            if plan is None or has_errors(diags):
                continue
            target = out_dir / f"{plan.app.name}.yaml"
            if target in owners:
                d = problem(SCC007, f"{path} and {owners[target]} both build {target} (same `name`)",
                            ("name",), hint="give each spec its own `name`")
                diags.append(src.place(d))
                continue
            owners[target] = path
            damaged = _unreadable(out_dir, plan.app.name, unit.read)
            if damaged is not None:
                diags.append(src.place(problem(SCC012, damaged, ("name",), at_key=True, hint=(
                    "scc reads the previous templates to keep services in their stacks and to refuse updates "
                    "ECS rejects: restore the file from version control, or remove it"))))
                continue
            unit.files, unit.origin, limits = compile_one(src, plan, out_dir, force_split, cached=True,
                                                          ready=_ahead(worker, plan))
            diags += limits
            if not has_errors(limits):
                unit.target = target
    built = [(u, u.plan.app, text) for u in units if u.target is not None and u.plan is not None
             for text in u.files.values()]
    judge = [u for u in units if write and not refused_updates and u.target is not None and u.plan is not None]
    judged: dict[int, list[Diagnostic]] = {}

    def judge_all() -> None:  # what `scc plan` would refuse; kept only for units lint finds no error in
        for unit in judge:
            if not has_errors(unit.diags):
                judged[id(unit)] = _judged(unit, out_dir)

    if lint and built:
        from scc.synth.lint import Job, lint_all

        found = lint_all([Job(text, app.lint_regions, app.lint_ignore, u.origin) for u, app, text in built],
                         worker, judge_all)  # judged while the worker lints
        for (unit, _, _), lint_diags in zip(built, found, strict=True):
            unit.diags += [environments.shown(unit.src, unit.src.place(d)) for d in lint_diags]
    else:
        if worker is not None:
            worker.stop()
        judge_all()
    for unit in judge:
        if not has_errors(unit.diags):
            unit.diags += judged.get(id(unit), [])
    result.plans = [u.plan for u in units if u.plan is not None]
    for unit in units:
        unit.diags[:] = list(dict.fromkeys(unit.diags))
        shown = _silenced(unit.plan, unit.diags, strict)
        if unit.target is not None and not has_errors(unit.diags):
            result.outputs.update(unit.files)
            warnings = sum(d.severity == "warning" for d in shown)
            result.built.update({p: Output(unit.path, warnings, p == unit.target,
                                           p == unit.target and len(text.encode("utf-8")) > MAX_DIRECT_BYTES)
                                 for p, text in unit.files.items()})
        result.diagnostics += shown
    # Environments share the base: a mistake there is found once per environment; report it once.
    result.diagnostics = sorted(dict.fromkeys(result.diagnostics), key=sort_key)
    if write and result.ok:
        result.diagnostics += _write(units, result.outputs, out_dir)
        result.written = list(result.outputs) if result.ok else []
    return result


def _write(units: list[_Unit], files: dict[Path, str], out_dir: Path) -> list[Diagnostic]:
    """All files of the build, or none: a file-system problem is an SCC012 at the `name` of the
    spec whose file it is (the name gives the output file)."""
    from scc.synth.write import WriteError, write_all

    try:
        write_all(files, out_dir)
    except WriteError as exc:
        owner = next((u for u in units if u.target is not None and any(
            f == exc.path or exc.path in f.parents for f in u.files)), None)
        owner = owner or next(u for u in units if u.target is not None)
        d = problem(SCC012, f"{exc}; nothing was changed", ("name",), at_key=True, hint=exc.hint)
        return [owner.src.place(d)]
    return []


def plan(path: str, against: Path, env: str | None = None) -> tuple[Result, list[Any], list[str]]:
    """Build without lint or writing, and compare each template with the one in `against`."""
    from scc.tools import plan as tool

    result = build([path], against, lint=False, write=False, env=env)
    changes: list[Any] = []
    names: list[str] = []
    if not result.ok:
        return result, changes, names
    apps = sorted({p.relative_to(against).parts[0].removesuffix(".yaml") for p in result.outputs})
    for built in result.plans:
        names += [s.name for s in built.app.services if s.name not in names]
    old = tool.read(against, apps)
    roots = sorted(p.stem for p in against.glob("*.yaml")) if against.is_dir() else []
    if not old and len(roots) == 1:  # a renamed app: its one template there is what is deployed
        old = {k.replace(roots[0], apps[0], 1): v for k, v in tool.read(against, roots).items()}
    changes = tool.compare(old, tool.relative(result.outputs, against))
    return result, changes, names



def compare(old: tuple[Source, Plan], new: tuple[Source, Plan]) -> tuple[list[Any], list[Diagnostic]]:
    """What deploying NEW's templates over OLD's would do, per resource (`scc plan`'s changes),
    for `scc diff`: OLD is compiled into a scratch folder first, so that NEW keeps OLD's nested
    stack placement as a build over it would. Nothing is linted or written where the user sees it."""
    import tempfile

    from scc.tools import plan as tool

    with tempfile.TemporaryDirectory(prefix="scc-diff-") as scratch:
        base = Path(scratch)
        before, _, diags = compile_one(old[0], old[1], base, False)
        if not has_errors(diags):
            for target, text in before.items():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            after, _, more = compile_one(new[0], new[1], base, False)
            diags = diags + more
    if has_errors(diags):
        return [], diags
    was, now = old[1].app.name, new[1].app.name
    # A renamed app is the same stack deployed under its new name (what `scc plan` assumes too).
    old_files = {k.replace(was, now, 1) if k.split("/")[0].removesuffix(".yaml") == was else k: v
                 for k, v in tool.relative(before, base).items()}
    return tool.compare(old_files, tool.relative(after, base)), []
