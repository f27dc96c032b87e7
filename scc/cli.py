"""Command line: parse options -> pipeline -> print diagnostics -> exit code. No logic here.
Exit status: 0 ok, 1 problems in the input, 2 usage.

No postponed annotations here: typer reads each command's parameters from its signature, and
string annotations would be evaluated again on every run (7 ms of `scc validate`)."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

from scc import __version__

if TYPE_CHECKING:
    from scc.diagnostics import Diagnostic
    from scc.pipeline import Result

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="scc, the Service Connect compiler: spec.yaml -> linted CloudFormation for Amazon ECS.")


class Format(StrEnum):
    text = "text"
    json = "json"


SpecsArg = Annotated[list[str], typer.Argument(help="Spec files (YAML).", show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", help="How to print diagnostics: text or json.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
EnvOpt = Annotated[str | None, typer.Option("--env", help="Only this environment of the specs.", show_default=False)]


class _Outcome(Protocol):
    """What a pipeline run reports (scc.pipeline.Result), as far as printing it goes."""

    @property
    def diagnostics(self) -> "list[Diagnostic]": ...

    @property
    def sources(self) -> dict[str, list[str]]: ...


def _report(result: _Outcome, fmt: Format, done: list[str], *, writes: bool = False,
            fields: dict[str, Any] | None = None, ok: bool | None = None) -> None:
    """The diagnostics, then one line saying how it ended: what was done (`done`, to stdout) or
    how many problems stopped it. Only a command that would write says that nothing was. In
    JSON, one object: `ok` (the exit status is 0), the counts, the command's `fields` and the
    diagnostics (the shape is documented in the README)."""
    import gc

    from scc.diagnostics import render_all

    # The command ends after this: let Python exit without collecting cfn-lint's and
    # troposphere's millions of objects one by one (about 0.25 s of every linted build).
    gc.freeze()

    diags = result.diagnostics
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    if fmt is Format.json:
        import json

        typer.echo(json.dumps({"ok": (not errors) if ok is None else ok, "errors": errors, "warnings": warnings,
                               **(fields or {}), "diagnostics": [d.as_json() for d in diags]}, indent=2))
        return
    if diags:
        typer.echo(render_all(diags, "text", result.sources), err=True)
    if errors:
        typer.echo(f"{errors} error(s), {warnings} warning(s)" + (": nothing was written." if writes else ""),
                   err=True)
    elif done:
        typer.echo("\n".join(done))


def _templates(result: "Result", verb: str, notes: bool = False) -> list[str]:
    """One line per template (`wrote X`, `X is up to date`): a root carries the warnings of its
    own spec and, with `notes`, a note when CloudFormation takes it only from S3 (information,
    not a warning: nothing is wrong with the template, and --strict does not fail on it)."""
    from scc.limits import MAX_DIRECT_BYTES

    lines = []
    for path, out in result.built.items():
        count = f" ({out.warnings} warning(s))" if out.root and out.warnings else ""
        lines.append(verb.format(path=path) + count)
        if notes and out.from_s3:
            size = len(result.outputs[path].encode("utf-8"))
            lines.append(f"  note: {size:,} bytes, over the {MAX_DIRECT_BYTES:,} CloudFormation accepts as a template "
                         "body: deploy it from S3 (`aws cloudformation deploy --s3-bucket <bucket>`; with nested "
                         "stacks, `aws cloudformation package` first)")
    return lines


@app.command()
def build(
    specs: SpecsArg,
    out_dir: Annotated[str, typer.Option("--out-dir", "-o", help="Where templates are written.")] = "templates_out",
    lint: Annotated[bool, typer.Option("--lint/--no-lint", help="Run cfn-lint on the generated templates.")] = True,
    fmt: FormatOpt = Format.text,
    strict: StrictOpt = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; show a diff and exit 1 when a template "
                                        "on disk differs from what the specs give (for CI).")] = False,
    env: EnvOpt = None,
    split: Annotated[bool, typer.Option("--split", help="Build a root template with nested stacks even when "
                                        "one template would fit CloudFormation's limits.")] = False,
    allow_refused: Annotated[bool, typer.Option("--allow-refused-updates", help="Write templates whose update ECS "
                                                "would refuse against the ones in --out-dir (see `scc plan`).")
                             ] = False,
) -> None:
    """Validate and compile specs into CloudFormation templates (<out-dir>/<name>.yaml, or
    <name>-<environment>.yaml for each environment; with nested stacks also <out-dir>/<name>/)."""
    if lint:  # before the pipeline's imports: cfn-lint loads on the other core meanwhile
        from scc.synth import lintworker

        lintworker.prestart()
    from scc.pipeline import build as run
    from scc.synth.write import Interrupted, signals

    if not out_dir.strip():
        # Path("") is ".": an empty value (an unset variable in a script) would write into the current folder.
        raise typer.BadParameter("must name a folder (`.` for the current one)", param_hint="--out-dir")
    try:
        with signals():  # a signal unwinds the build: temporary files go, the previous templates stay
            result = run(specs, Path(out_dir), lint=lint, strict=strict, write=not check, env=env,
                         force_split=split, refused_updates=allow_refused)
    except Interrupted as exc:
        typer.echo(f"{exc}: nothing was written.", err=True)
        raise typer.Exit(128 + exc.signum) from None
    s3 = [str(p) for p, out in result.built.items() if out.from_s3]
    if not check:
        _report(result, fmt, _templates(result, "wrote {path}", notes=True), writes=True,
                fields={"written": [str(p) for p in result.written], "deployFromS3": s3 if result.written else []})
        raise typer.Exit(0 if result.ok else 1)
    from scc.synth.render import stale

    diffs = stale(result.outputs) if result.ok else {}
    fields = {"stale": [str(p) for p in diffs], "upToDate": [str(p) for p in result.outputs if p not in diffs],
              "deployFromS3": s3 if result.ok else []}
    _report(result, fmt, [] if diffs else _templates(result, "{path} is up to date"), fields=fields,
            ok=result.ok and not diffs)
    if fmt is Format.text:
        for diff in diffs.values():
            typer.echo(diff, nl=False)
    if diffs:
        typer.echo(f"{len(diffs)} template(s) differ from their specs: run `scc build` and commit them.", err=True)
    raise typer.Exit(0 if result.ok and not diffs else 1)


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"


@app.command()
def graph(
    spec: Annotated[str, typer.Argument(help="A spec file.", show_default=False)],
    fmt: Annotated[GraphFormat, typer.Option("--format", help="mermaid (for Markdown) or dot (Graphviz).")] =
    GraphFormat.mermaid,
    env: EnvOpt = None,
) -> None:
    """Print the call graph and the order CloudFormation creates the services in."""
    from scc.pipeline import check as run
    from scc.pipeline import validate as diagnose
    from scc.tools import graph as render

    _, app_model, diags = run(spec, env)[0]
    if app_model is None or any(d.severity == "error" for d in diags):
        _report(diagnose([spec], env=env), Format.text, [])
        raise typer.Exit(1)
    sys.stdout.write(render.mermaid(app_model) if fmt is GraphFormat.mermaid else render.dot(app_model))


@app.command()
def validate(specs: SpecsArg, fmt: FormatOpt = Format.text, strict: StrictOpt = False, env: EnvOpt = None) -> None:
    """Check specs (and each of their environments) against the schema and the rules, without compiling."""
    from scc.pipeline import validate as run

    result = run(specs, strict=strict, env=env)
    warnings = len(result.diagnostics)
    _report(result, fmt, [f"{len(specs)} spec(s) valid" + (f" ({warnings} warning(s))" if warnings else "")])
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def explain(code: Annotated[str | None, typer.Argument(help="A code such as SCC201; none lists every code.",
                                                       show_default=False)] = None,
            markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown: the code's entry, or without "
                                                   "a code the rules table of the docs.")] = False,
            ) -> None:
    """Explain a diagnostic code: what it checks, why, and how to fix it."""
    from scc.codes import CODES, code_markdown, rules_markdown
    from scc.codes import explain as text

    if code is None:
        if markdown:
            sys.stdout.write(rules_markdown())
            return
        for c in CODES.values():
            typer.echo(f"{c.code}  {c.severity:<7}  {c.summary}")
        return
    found = CODES.get(code.upper())
    if found is None:
        typer.echo(f"unknown code {code!r}; `scc explain` lists the codes", err=True)
        raise typer.Exit(2)
    typer.echo(code_markdown(found) if markdown else text(found), nl=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec language (for editors)."""
    from scc.front.schema import schema_text

    sys.stdout.write(schema_text())


@app.command()
def init(
    path: Annotated[str, typer.Argument(help="The spec to write; a folder gets <folder>/spec.yaml.")] = "spec.yaml",
    name: Annotated[str | None, typer.Option("--name", help="Application name (default: from the folder's name).",
                                             show_default=False)] = None,
    schema_out: Annotated[Path | None, typer.Option(
        "--schema-out", help="Where to write the schema the modeline points at (default: scc.schema.json next to "
                             "the spec).", show_default=False)] = None,
    schema_url: Annotated[str | None, typer.Option(
        "--schema-url", help="Point the modeline at this URL or path instead of writing a schema file.",
        show_default=False)] = None,
) -> None:
    """Write a starter spec whose yaml-language-server modeline points at the schema, for editors."""
    from scc.tools.init import InitError
    from scc.tools.init import init as run

    try:
        written = run(path, name, schema_out, schema_url)
    except InitError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.status) from None
    typer.echo(f"wrote {written.spec}")
    if written.schema is not None:
        typer.echo(f"wrote {written.schema} (the schema your editor reads, from `scc schema`)")
    typer.echo(f"next: scc build {written.spec}")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The spec before the change.", show_default=False)],
    new: Annotated[str, typer.Argument(help="The spec after the change.", show_default=False)],
    env: EnvOpt = None,
) -> None:
    """Say what changing OLD into NEW does to the infrastructure, with `scc plan`'s warnings for
    the resources it replaces and the updates ECS refuses."""
    from scc.codes import SCC008
    from scc.front.environments import names
    from scc.pipeline import check as run
    from scc.pipeline import compare
    from scc.pipeline import validate as diagnose
    from scc.tools.diff import report

    specs = []
    for spec in (old, new):
        units = run(spec, env)
        src, _, diags = units[0]
        if env is not None and all(d.code == SCC008.code for d in diags) and diags and names(src):
            units = []  # --env names an environment this spec does not have: added or removed
        if any(a is None or any(d.severity == "error" for d in diags) for _, a, diags in units):
            _report(diagnose([spec], env=env), Format.text, [])
            raise typer.Exit(1)
        specs.append([(s, a) for s, a, _ in units if a is not None])
    if not specs[0] and not specs[1]:
        _report(diagnose([new], env=env), Format.text, [])
        raise typer.Exit(1)
    sys.stdout.write(report(specs[0], specs[1], compare))


@app.command()
def plan(
    spec: Annotated[str, typer.Argument(help="The spec to plan.", show_default=False)],
    against: Annotated[Path, typer.Option("--against", help="The templates deployed (committed) last.")] = Path(
        "templates_out"),
    fmt: FormatOpt = Format.text,
    env: EnvOpt = None,
) -> None:
    """Say what deploying SPEC's templates over the ones in --against does, per resource: create,
    update, replace or delete, with the properties behind it, and what ECS would refuse (an
    error: exit 1) or what would hurt (a warning)."""
    from scc.pipeline import plan as run

    result, changes, names = run(spec, against, env=env)
    if not result.ok:
        _report(result, fmt, [])
        raise typer.Exit(1)
    from scc.tools import plan as tool

    typer.echo(tool.as_json(changes, names) if fmt is Format.json else tool.render_text(changes, names), nl=False)
    raise typer.Exit(1 if any(c.severity == "error" for c in changes) else 0)


import_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                         help="Write a spec from another tool's definition of the app (Compose, Copilot).")
app.add_typer(import_app, name="import")
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="The spec to write.")]
NameOpt = Annotated[str | None, typer.Option("--name", help="Application name (default: the imported project's).",
                                             show_default=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the spec if it exists.")]


def _imported(result: Any, out: Path, force: bool) -> None:
    """Print the report; write the spec atomically, only when the import has no error."""
    from scc.diagnostics import render_all

    if result.diagnostics:
        typer.echo(render_all(result.diagnostics, "text", result.sources), err=True)
    if not result.ok:
        errors = sum(d.severity == "error" for d in result.diagnostics)
        typer.echo(f"{errors} error(s): nothing was written.", err=True)
        raise typer.Exit(1)
    if out.exists() and not force:
        typer.echo(f"error: {out} exists; pass --force to replace it, or -o another file", err=True)
        raise typer.Exit(2)
    from scc.synth.write import WriteError, write_all

    try:
        write_all({out: result.text})
    except WriteError as exc:
        typer.echo(f"error: {exc}; nothing was written" + (f"\n  hint: {exc.hint}" if exc.hint else ""), err=True)
        raise typer.Exit(1) from None
    left = len(result.diagnostics)
    typer.echo(f"wrote {out}" + (f" ({left} thing(s) not carried over, listed above)" if left else "")
               + f"; next: scc build {out}")


@import_app.command("compose")
def import_compose(
    file: Annotated[str, typer.Argument(help="The Compose file (docker-compose.yml, compose.yaml).",
                                        show_default=False)],
    out: OutOpt = Path("spec.yaml"),
    name: NameOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a spec from a Compose file: services, images, ports, environment (peers become calls),
    health checks, sizes, volumes; what has no counterpart is reported with its line."""
    import os

    from scc.front.importers import compose

    _imported(compose.run(file, name, dict(os.environ)), out, force)


@import_app.command("copilot")
def import_copilot(
    folder: Annotated[str, typer.Argument(help="The folder that holds copilot/ (or copilot/ itself).",
                                          show_default=False)],
    out: OutOpt = Path("spec.yaml"),
    name: NameOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a spec from AWS Copilot manifests (copilot/*/manifest.yml, with their environments);
    what has no counterpart is reported with its line."""
    from scc.front.importers import copilot

    _imported(copilot.run(folder, name), out, force)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scc {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """scc, the Service Connect compiler."""
