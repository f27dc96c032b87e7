"""The one place the stages run in order: load -> schema -> model -> rules -> compile -> render ->
lint -> write. Each gate collects every problem it finds; a spec stops at the first gate with an
error, and nothing is written unless every spec of the build succeeded."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from scc import model, rules
from scc.codes import SCC007, SCC008, SCC903, problem
from scc.diagnostics import Diagnostic, has_errors, sort_key
from scc.front import environments, schema
from scc.front.spec import Source, load


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)  # file -> lines, to show source lines
    outputs: dict[Path, str] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def check(path: str, env: str | None = None) -> list[tuple[Source, model.App | None, list[Diagnostic]]]:
    """Load, validate and rule-check one spec: everything `scc validate` does. A spec with
    environments gives one result per environment (or only `env`'s)."""
    src, diags = load(path)
    if has_errors(diags):
        return [(src, None, diags)]
    diags = [src.place(d) for d in schema.validate(src.data)]
    if has_errors(diags):
        return [(src, None, diags)]
    if not environments.names(src):
        if env is not None:
            return [(src, None, [src.place(problem(SCC008, f"--env {env}: the spec has no environments",
                                                   ("name",)))])]
        return [_checked(src)]
    if env is not None and env not in environments.names(src):
        known = ", ".join(environments.names(src))
        return [(src, None, [src.place(problem(SCC008, f"--env {env}: the spec's environments are {known}",
                                               ("environments",), at_key=True))])]
    return [_checked(environments.environment(src, name)) for name in environments.names(src)
            if env is None or name == env]


def _checked(src: Source) -> tuple[Source, model.App | None, list[Diagnostic]]:
    def place(found: list[Diagnostic]) -> list[Diagnostic]:
        # A mistake in `defaults` is found once per service that inherits it: report it once.
        return list(dict.fromkeys(environments.shown(src, src.place(d)) for d in found))

    if src.environment is not None:  # the merged spec must be valid too (an override can break it)
        diags = place(schema.validate(src.data))
        if has_errors(diags):
            return src, None, diags
    app = model.build(src)
    return src, app, place(rules.check(app))


def _silenced(app: model.App | None, diags: list[Diagnostic], strict: bool) -> list[Diagnostic]:
    """lint.ignore drops warnings; --strict makes the remaining ones errors."""
    if app is not None and app.lint_ignore:
        diags = [d for d in diags if d.severity == "error" or d.code not in app.lint_ignore]
    if strict:
        diags = [replace(d, severity="error") for d in diags]
    return diags


@dataclass
class _Unit:
    """One template being built: a spec, or one environment of it."""

    path: str
    src: Source
    app: model.App | None
    diags: list[Diagnostic]
    target: Path | None = None
    files: dict[Path, str] = field(default_factory=dict)
    origin: dict[str, tuple[str | int, ...]] = field(default_factory=dict)


def compile_one(src: Source, app: model.App, out_dir: Path, force_split: bool) -> tuple[
        dict[Path, str], dict[str, tuple[str | int, ...]], list[Diagnostic]]:
    """Compile and render one app: one template, or a root and its nested stacks when one
    template would exceed CloudFormation's limits (or `--split` asks for it). Every template
    written is checked against the limits."""
    from scc.families import compile_app  # troposphere: kept off the start-up path of `scc validate`
    from scc.synth import split
    from scc.synth.render import render

    template, origin = compile_app(app)
    data = template.to_dict()
    # Counting resources and outputs is enough to know most splits; render the whole template
    # only when it may fit (its size decides the rest), not to throw it away.
    if not (force_split or split.over_counts(data)):
        text = render(data, src.file)
        if not split.needed(data, text):
            return {out_dir / f"{app.name}.yaml": text}, origin, [src.place(d) for d in _limits(data, text)]
    parts = split.split(app, data, origin, app.name)
    files = {out_dir / f"{app.name}.yaml": render(parts.root, src.file)}
    root_which = "the root template (with the load balancer's target groups and rules)"
    diags = _limits(parts.root, files[out_dir / f"{app.name}.yaml"], root_which)
    for name, child in parts.children:
        target = out_dir / app.name / f"{name}.yaml"
        files[target] = render(child, src.file)
        diags += _limits(child, files[target], f"nested stack {name}")
    return files, origin, [src.place(d) for d in diags]


# CloudFormation's per-template limits (a template larger than 51,200 bytes is deployed from S3,
# which `aws cloudformation deploy --s3-bucket` does).
MAX_RESOURCES, MAX_OUTPUTS, MAX_BYTES = 500, 200, 1024 * 1024


def _limits(data: dict[str, object], text: str, which: str = "the template") -> list[Diagnostic]:
    counts = {"resources": (len(data.get("Resources", {})), MAX_RESOURCES),  # type: ignore[arg-type]
              "outputs": (len(data.get("Outputs", {})), MAX_OUTPUTS)}  # type: ignore[arg-type]
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
        for src, app, diags in check(path, env):
            result.sources[path] = src.lines
            result.diagnostics += _silenced(app, diags, strict)
    result.diagnostics = list(dict.fromkeys(result.diagnostics))
    result.diagnostics.sort(key=sort_key)
    return result


def build(paths: list[str], out_dir: Path, lint: bool = True, write: bool = True, strict: bool = False,
          env: str | None = None, force_split: bool = False) -> Result:
    result = Result()
    owners: dict[Path, str] = {}
    units: list[_Unit] = []
    for path in paths:
        for src, app, diags in check(path, env):
            result.sources[path] = src.lines
            unit = _Unit(path, src, app, diags)
            units.append(unit)
            if app is None or has_errors(diags):
                continue
            target = out_dir / f"{app.name}.yaml"
            if target in owners:
                d = problem(SCC007, f"{path} and {owners[target]} both build {target} (same `name`)",
                            ("name",), hint="give each spec its own `name`")
                diags.append(src.place(d))
                continue
            owners[target] = path
            unit.files, unit.origin, limits = compile_one(src, app, out_dir, force_split)
            diags += limits
            if not has_errors(limits):
                unit.target = target
    built = [(u, text) for u in units if u.target is not None for text in u.files.values()]
    if lint and built:
        from scc.synth.lint import Job, lint_all

        found = lint_all([Job(text, u.app.lint_regions, u.app.lint_ignore, u.origin)  # type: ignore[union-attr]
                          for u, text in built])
        for (unit, _), lint_diags in zip(built, found, strict=True):
            unit.diags += [environments.shown(unit.src, unit.src.place(d)) for d in lint_diags]
    for unit in units:
        unit.diags[:] = list(dict.fromkeys(unit.diags))
        if unit.target is not None and not has_errors(unit.diags):
            result.outputs.update(unit.files)
        result.diagnostics += _silenced(unit.app, unit.diags, strict)
    # Environments share the base: a mistake there is found once per environment; report it once.
    result.diagnostics = sorted(dict.fromkeys(result.diagnostics), key=sort_key)
    if write and result.ok:
        from scc.synth.render import write_all

        write_all(result.outputs)
        result.written = list(result.outputs)
    return result
