"""Command line: parse options -> pipeline -> print diagnostics -> exit code. No logic here.
Exit status: 0 ok, 1 problems in the input, 2 usage."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from scc import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="scc, the Service Connect compiler: spec.yaml -> linted CloudFormation for Amazon ECS.")


class Format(StrEnum):
    text = "text"
    json = "json"


SpecsArg = Annotated[list[str], typer.Argument(help="Spec files (YAML).", show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", help="How to print diagnostics: text or json.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]


def _report(result: object, fmt: Format, summary: str) -> None:
    from scc.diagnostics import render_all

    diags = result.diagnostics  # type: ignore[attr-defined]
    if fmt is Format.json:
        typer.echo(render_all(diags, "json"))
        return
    if diags:
        typer.echo(render_all(diags, "text", result.sources), err=True)  # type: ignore[attr-defined]
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    if errors:
        typer.echo(f"{errors} error(s), {warnings} warning(s): nothing was written.", err=True)
    elif summary:
        typer.echo(summary + (f" ({warnings} warning(s))" if warnings else ""))


@app.command()
def build(
    specs: SpecsArg,
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Where templates are written.")] = Path(
        "templates_out"),
    lint: Annotated[bool, typer.Option("--lint/--no-lint", help="Run cfn-lint on the generated templates.")] = True,
    fmt: FormatOpt = Format.text,
    strict: StrictOpt = False,
) -> None:
    """Validate and compile specs into CloudFormation templates (<out-dir>/<name>.yaml)."""
    from scc.pipeline import build as run

    result = run(specs, out_dir, lint=lint, strict=strict)
    _report(result, fmt, "\n".join(f"wrote {p}" for p in result.written))
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def validate(specs: SpecsArg, fmt: FormatOpt = Format.text, strict: StrictOpt = False) -> None:
    """Check specs against the schema and the rules, without compiling."""
    from scc.pipeline import validate as run

    result = run(specs, strict=strict)
    _report(result, fmt, f"{len(specs)} spec(s) valid")
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def explain(code: Annotated[str | None, typer.Argument(help="A code such as SCC201; none lists every code.",
                                                       show_default=False)] = None,
            markdown: Annotated[bool, typer.Option("--markdown", help="Print the rules table of the docs.")] = False,
            ) -> None:
    """Explain a diagnostic code: what it checks, why, and how to fix it."""
    from scc.codes import CODES, rules_markdown
    from scc.codes import explain as text

    if markdown:
        sys.stdout.write(rules_markdown())
        return
    if code is None:
        for c in CODES.values():
            typer.echo(f"{c.code}  {c.severity:<7}  {c.summary}")
        return
    found = CODES.get(code.upper())
    if found is None:
        typer.echo(f"unknown code {code!r}; `scc explain` lists the codes", err=True)
        raise typer.Exit(2)
    typer.echo(text(found), nl=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec language (for editors)."""
    from scc.schema import schema_text

    sys.stdout.write(schema_text())


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
