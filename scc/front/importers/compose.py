"""Import a Compose file: its YAML (with positions) in, interpolated as Compose does and checked
against the Compose specification's JSON schema, then each service's keys -> a spec's service or
job (scc/front/importers/compose_service.py), peers named in values -> `calls`
(scc/front/importers/peers.py), and the spec's text with a report of what was not carried over."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from scc.codes import SCC131, SCC133
from scc.diagnostics import Diagnostic, Path
from scc.front.importers import compose_service, peers
from scc.front.importers.common import scc_name
from scc.front.importers.emit import render
from scc.front.importers.interpolate import Interpolator, Refused, dotenv
from scc.front.importers.report import Draft, Imported, Report, recoded
from scc.front.spec import Source, load

# What the loader reports in spec terms, said in import terms.
# Top-level keys the importer reads; `x-` keys are Compose's extension fields, for anchors.
_TOP = {"version", "name", "services", "volumes", "secrets", "configs"}


@cache
def compose_schema() -> dict[str, Any]:
    """The Compose specification's JSON schema (vendored, compose-spec.SOURCE says from where)."""
    data: dict[str, Any] = json.loads((FsPath(__file__).parent / "compose-spec.json").read_text(encoding="utf-8"))
    return data


def run(path: str, name: str | None = None, env: Mapping[str, str] | None = None) -> Imported:
    """Import the Compose file at `path`. `env` is the shell's environment (interpolation reads
    it before the `.env` file beside the Compose file, as Compose does)."""
    src, diags = load(path)
    if diags:
        return Imported(None, [_renamed(d) for d in diags], {path: src.lines})
    report = Report(sources={path: src})
    if not isinstance(src.data, dict):
        report.add(src, SCC131, "a Compose file is a mapping with `services`", ())
        return report.result(None)
    dot = FsPath(path).parent / ".env"
    variables = {**(dotenv(dot.read_text(encoding="utf-8")) if dot.is_file() else {}), **(env or {})}
    data = _interpolated(src, variables, report)
    if data is None:
        return report.result(None)
    problems = _invalid(data)
    for where, message in problems:
        report.add(src, SCC131, message, where, at_key=False)
    if "services" not in data:
        report.add(src, SCC131, "a Compose file has `services`", (), hint="a Compose file starts with `services:`")
    if report.found and any(d.severity == "error" for d in report.found):
        return report.result(None)
    project = name or scc_name(str(data.get("name") or FsPath(path).resolve().parent.name), "app")
    draft = _translate(src, data, project, variables, report)
    header = [f"Imported from {FsPath(path).name} by `scc import compose`. Every value scc guessed has an",
              "`# imported:` comment; `scc import` printed what it could not carry over."]
    return report.result(render(draft.data, draft.notes, header))


def _renamed(d: Diagnostic) -> Diagnostic:
    return recoded(d, SCC131, "is a mapping of keys, with `services`")


def _interpolated(src: Source, env: Mapping[str, str], report: Report) -> dict[str, Any] | None:
    """The file's values with variables substituted; None when a required variable is missing.
    Unset variables become empty strings, as in Compose, and are reported where they are read."""
    failed = False

    def walk(value: Any, path: Path) -> Any:
        nonlocal failed
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if not isinstance(value, str) or "$" not in value:
            return value
        interpolator = Interpolator(env)
        try:
            out = interpolator.text(value)
        except Refused as exc:
            report.add(src, SCC133, str(exc), path, at_key=False)
            failed = True
            return value
        for var in interpolator.unset:
            report.needs(src, path, f"{var} is not set: Compose would write an empty string here, and so does the spec",
                          hint=f"set {var} in the environment or in .env beside the Compose file and import again")
        return out

    data = walk(src.data, ())
    return None if failed else data


def _invalid(data: dict[str, Any]) -> list[tuple[Path, str]]:
    """What the Compose schema refuses, most specific first (for oneOf, the branch that came nearest)."""
    import jsonschema
    from jsonschema.exceptions import best_match

    validator = jsonschema.Draft7Validator(compose_schema())
    out = []
    for error in validator.iter_errors(data):
        err = best_match(error.context) if error.context else error
        if err is None:
            err = error
        message = err.message if len(err.message) <= 200 else err.message[:197] + "..."
        out.append((tuple(err.absolute_path), message))
    return sorted(set(out), key=lambda e: (len(e[0]), [str(p) for p in e[0]], e[1]))


def _translate(src: Source, data: dict[str, Any], project: str, variables: Mapping[str, str],
               report: Report) -> Draft:
    draft = Draft()
    spec = draft.data
    spec.update({"version": 1, "name": project, "namespace": project})
    for key in data:
        if key not in _TOP and not key.startswith("x-"):
            what = "networks" if key == "networks" else f"`{key}`"
            hint = ("scc puts every service in one VPC and opens exactly the ports of `calls`" if key == "networks"
                    else "")
            report.dropped(src, (key,), f"{what}: no counterpart in scc", hint=hint)
    services: dict[str, Any] = data.get("services") or {}
    drafts = [compose_service.translate(src, cname, svc or {}, project, data, variables, report)
              for cname, svc in services.items()]
    peers.wire(src, drafts, report)
    sized = [d for d in drafts if "cpu" in d.fields]
    if len(sized) < len(drafts):
        spec["defaults"] = {"cpu": 512, "memory": 1024}
        draft.note(("defaults",), "Compose gives no task size: the smallest Fargate size with room for the "
                   "Service Connect proxy (256 CPU units, 64 MiB) beside the application")
    draft.add_workloads(drafts)
    return draft

