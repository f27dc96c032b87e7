"""Import AWS Copilot manifests: copilot/*/manifest.yml (with positions) and their `environments`
overrides in, one spec service or job per workload (scc/front/importers/copilot_workload.py), the
reach Copilot gives every service of an environment as `calls`, and the spec's text with a report
of what was not carried over."""

from __future__ import annotations

import re
from pathlib import Path as FsPath
from typing import Any

from scc.codes import SCC130, SCC132
from scc.diagnostics import Diagnostic, Path
from scc.front.importers import copilot_workload as workload
from scc.front.importers.common import scc_name
from scc.front.importers.emit import render
from scc.front.importers.report import Draft, Imported, Report, recoded
from scc.front.merge import merge
from scc.front.spec import Source, load


def _folder(path: str) -> FsPath | None:
    p = FsPath(path)
    if (p / "copilot").is_dir():
        return p / "copilot"
    if p.is_dir() and p.name == "copilot":
        return p
    return None


def run(path: str, name: str | None = None) -> Imported:
    folder = _folder(path)
    report = Report()
    manifests = sorted(folder.glob("*/manifest.yml")) if folder is not None else []
    manifests = [m for m in manifests if m.parent.name != "environments"]
    if folder is None or not manifests:
        d = Diagnostic(SCC130.code, SCC130.severity, "holds no copilot/<service>/manifest.yml", path, 1, 1,
                       hint="pass the folder that holds copilot/ (where `copilot init` ran)")
        return Imported(None, [d], {})
    app = name or _application(folder)
    loaded: list[tuple[Source, dict[str, Any]]] = []
    errors: list[Diagnostic] = []
    sources: dict[str, list[str]] = {}
    for manifest in manifests:
        src, diags = load(str(manifest))
        sources[src.file] = src.lines
        if diags:
            errors += [_renamed(d) for d in diags]
            continue
        report.sources[src.file] = src
        before = len(report.found)
        workload.check(src, report)
        if len(report.found) == before or not any(d.severity == "error" for d in report.found[before:]):
            loaded.append((src, src.data))
    if errors:
        return Imported(None, errors + report.found, sources)
    envs = sorted({m.parent.name for m in folder.glob("environments/*/manifest.yml")}
                  | {e for _, data in loaded for e in (data.get("environments") or {})})
    for env_manifest in sorted(folder.glob("environments/*/manifest.yml")):
        src, _ = load(str(env_manifest))
        report.dropped(src, (), f"environment manifest {env_manifest.parent.name}: its network, load balancer and "
                       "CDN settings are not carried over", hint="scc takes the VPC and subnets as template "
                       "parameters (or `network`); an environment's own settings go under `environments`")
    for manifest in manifests:
        for addon in sorted((manifest.parent / "addons").glob("*.y*ml")):
            src, _ = load(str(addon))
            report.dropped(src, (), f"add-on {addon.name}: CloudFormation Copilot deploys beside the service",
                           hint="move its resources under `overrides.resources`, with the references rewritten")
    draft = _translate(app, loaded, envs, report)
    header = [f"Imported from {folder.name}/ by `scc import copilot`. Every value scc guessed has an",
              "`# imported:` comment; `scc import` printed what it could not carry over."]
    return report.result(render(draft.data, draft.notes, header))


def _application(folder: FsPath) -> str:
    workspace = folder / ".workspace"
    if workspace.is_file():
        m = re.search(r"^application:\s*['\"]?([^'\"\s#]+)", workspace.read_text(encoding="utf-8"), re.MULTILINE)
        if m:
            return scc_name(m.group(1))
    return scc_name(folder.resolve().parent.name)


def _renamed(d: Diagnostic) -> Diagnostic:
    return recoded(d, SCC132, "a manifest is a mapping with `name` and `type`")


def _translate(app: str, loaded: list[tuple[Source, dict[str, Any]]], envs: list[str], report: Report) -> Draft:
    draft = Draft()
    spec = draft.data
    drafts = [workload.translate(src, data, app, report) for src, data in loaded]
    connected = all(d.connect for d in drafts if d.ports and not d.job)
    namespace = f"{app}.local"
    spec.update({"version": 1, "name": app})
    if connected:
        spec["namespace"] = app
    else:
        spec["namespace"] = {"name": namespace, "aliases": "qualified"}
        draft.note(("namespace",), f"Copilot's service discovery names are <service>.<environment>.{app}.local; "
                   "here <service>.<namespace>, read from COPILOT_SERVICE_DISCOVERY_ENDPOINT as in Copilot")
    defaults: dict[str, Any] = {"environment": {"COPILOT_APPLICATION_NAME": app}}
    if not connected:
        defaults["environment"]["COPILOT_SERVICE_DISCOVERY_ENDPOINT"] = namespace
    spec["defaults"] = defaults
    draft.note(("defaults", "environment"), "variables Copilot sets in every task")
    servers = [d for d in drafts if d.ports and not d.job and not d.worker]
    for d in drafts:
        if d.job:
            continue
        peers = [s for s in servers if s is not d]
        if peers:
            calls = d.fields.setdefault("calls", [])
            for peer in peers:
                call = {"service": peer.name, "format": "none", "ordered": False}
                if len(peer.ports) > 1:
                    call = {"service": peer.name, "port": str(peer.ports[0]["name"]), "format": "none",
                            "ordered": False}
                calls.append(call)
            d.note(("calls",), "Copilot lets every service of an environment reach every other: keep the calls "
                               "this one makes")
    _distinct_paths(drafts)
    draft.add_workloads(drafts)
    if any("expose" in d.fields and any(e.get("loadBalancer") == "edge" for e in d.fields["expose"])
           for d in drafts):
        spec["loadBalancers"] = {"edge": {"type": "network", "scheme": "internet-facing"}}
        draft.note(("loadBalancers", "edge"), "Copilot's `nlb`: a network load balancer")
    if envs:
        spec["environments"] = {}
        for env in envs:
            spec["environments"][env] = _environment(app, env, loaded, drafts)
    return draft


def _distinct_paths(drafts: list[workload.WorkloadDraft]) -> None:
    """Copilot tells services on the same path apart by their alias (a host on the application's
    domain, reported); without it, the later one is routed on a path of its own name."""
    seen: set[tuple[int, str]] = set()
    for d in drafts:
        public = d.fields.get("public")
        entries: list[tuple[dict[str, Any], Path]] = [(public, ("public",))] if isinstance(public, dict) else []
        entries += [(e, ("expose", i)) for i, e in enumerate(d.fields.get("expose", []))
                    if e.get("loadBalancer", "public") == "public"]
        for entry, where in entries:
            if "host" in entry:
                continue
            key = (int(entry.get("port", 80)), str(entry.get("path", "/")))
            if key in seen:
                entry["path"] = f"/{d.name}" + ("" if key[1] == "/" else key[1])
                d.note((*where, "path"), f"{key[1]} in Copilot, told apart from another service's by its alias")
            seen.add((key[0], str(entry["path"])))


def _environment(app: str, env: str, loaded: list[tuple[Source, dict[str, Any]]],
                 drafts: list[workload.WorkloadDraft]) -> dict[str, Any]:
    """What an environment changes: each manifest merged with its override, translated, and the
    keys whose value differs from the base's (the spec merges them the same way)."""
    out: dict[str, Any] = {"defaults": {"environment": {"COPILOT_ENVIRONMENT_NAME": env}}}
    changed = []
    for src, data in loaded:
        override = (data.get("environments") or {}).get(env) or {}
        merged = merge({k: v for k, v in data.items() if k != "environments"}, override)
        changed.append(workload.translate(src, merged, app, Report()))
    _distinct_paths(changed)
    for base, there in zip(drafts, changed, strict=True):
        diff = {k: v for k, v in there.ordered().items() if base.fields.get(k) != v and k != "calls"}
        if diff:
            out.setdefault("jobs" if base.job else "services", {})[base.name] = diff
    return out
