"""Import one Compose service: its keys -> a ServiceDraft (the spec's service or job fields, the
notes on them, and its ports and references for scc/front/importers/peers.py to wire)."""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scc.diagnostics import Path
from scc.front.importers.common import HTTP_PORTS, bytes_of, scc_name, seconds, task_for_container
from scc.front.importers.report import Report
from scc.front.spec import Source

# The order keys are written in: the order the README walks a service through.
ORDER = ("image", "cpu", "memory", "desiredCount", "platform", "command", "entryPoint", "environment", "ports",
         "calls", "dependsOn", "public", "expose", "healthCheck", "stopTimeout", "user", "readonlyRootFilesystem",
         "initProcess", "capabilities", "workingDirectory", "ulimits", "dockerLabels", "mounts", "volumes")
# Docker's default capability set: with cap_drop [ALL], a cap_add from this set is a capability
# not dropped (Fargate adds only SYS_PTRACE, but it can leave any of these).
DOCKER_DEFAULT_CAPS = ("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                       "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT")
# Compose keys with a counterpart, handled below (anything else is reported).
_HANDLED = {"image", "build", "ports", "expose", "environment", "depends_on", "healthcheck", "deploy", "command",
            "entrypoint", "user", "read_only", "cap_add", "cap_drop", "init", "volumes", "tmpfs", "secrets",
            "working_dir", "labels", "ulimits", "stop_grace_period", "platform", "restart", "profiles", "networks",
            "links", "hostname", "container_name", "cpus", "mem_limit", "mem_reservation", "configs", "env_file"}
_HOST_FLAGS = {"-h", "--host", "-host", "--hostname", "--server", "-server", "--addr", "--address", "--url", "-url"}


@dataclass
class PortDraft:
    port: int
    protocol: str = "tcp"
    app_protocol: str | None = None
    why_http: str = ""
    name: str | None = None
    published: list[tuple[int, Path]] = field(default_factory=list)  # host ports to expose, where written
    added: str = ""  # why a port Compose does not name was added


@dataclass
class Reference:
    """A peer named in a value: environment variable `env` (None: a command argument)."""

    target: str  # the Compose name (or alias) written
    value: str
    env: str | None
    path: Path


@dataclass
class ServiceDraft:
    cname: str
    name: str
    path: Path
    job: bool = False
    image: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    notes: dict[Path, str] = field(default_factory=dict)
    ports: list[PortDraft] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    env_paths: dict[str, Path] = field(default_factory=dict)
    args: list[tuple[str, str | None, Path]] = field(default_factory=list)  # command tokens, with the flag before
    depends: list[tuple[str, str, Path]] = field(default_factory=list)  # (service, condition, where)
    names: list[str] = field(default_factory=list)  # what peers may call it: its name, aliases, container_name

    def note(self, rel: Path, text: str) -> None:
        if text not in self.notes.get(rel, "").split("; "):
            self.notes[rel] = f"{self.notes[rel]}; {text}" if rel in self.notes else text

    def port(self, number: int, protocol: str = "tcp") -> PortDraft | None:
        return next((p for p in self.ports if p.port == number and p.protocol == protocol), None)

    def ordered(self) -> dict[str, Any]:
        out = {k: self.fields[k] for k in ORDER if k in self.fields}
        return {**out, **{k: v for k, v in self.fields.items() if k not in out}}


def translate(src: Source, cname: str, svc: dict[str, Any], project: str, data: dict[str, Any],
              variables: Mapping[str, str], report: Report) -> ServiceDraft:
    path: Path = ("services", cname)
    d = ServiceDraft(cname, scc_name(cname, "svc"), path, names=[cname])
    if d.name != cname:
        d.note(("image",), f"Compose service {cname!r}, renamed to scc's name pattern")
    d.job = bool(svc.get("profiles")) and not (svc.get("ports") or svc.get("expose"))
    if d.job:
        d.note(("image",), f"in profile {', '.join(map(str, svc['profiles']))}: Compose starts it only when asked, "
                           "so it is a job, run on demand")
    _image(src, d, svc, project, report)
    _ports(src, d, svc, report)
    _environment(src, d, svc, variables, report)
    _process(d, svc)
    _health(d, svc)
    _deploy(src, d, svc, report)
    _security(src, d, svc, report)
    _storage(src, d, svc, data, report)
    _depends(d, svc)
    _aliases(d, svc)
    _others(src, d, svc, report)
    return d


def _image(src: Source, d: ServiceDraft, svc: dict[str, Any], project: str, report: Report) -> None:
    build = svc.get("build")
    context = build if isinstance(build, str) else (build or {}).get("context", ".") if build is not None else None
    if svc.get("image"):
        d.image = str(svc["image"])
        if context is not None:
            d.note(("image",), f"Compose also builds it from {context}: push that build under this name")
    else:
        d.image = f"{project}-{d.cname}"  # the name Compose gives an image it builds
        d.note(("image",), f"a placeholder: Compose builds this image from {context}; push it and name it here")
        report.needs(src, (*d.path, "build"), f"service {d.cname!r} has only `build` ({context}): scc deploys images",
                     hint="build and push the image to a registry (ECR), then set its name as `image`")
    d.fields["image"] = d.image


def _port_numbers(text: str) -> list[int]:
    first, _, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return []
    low, high = int(first), int(last or first)
    return list(range(low, high + 1)) if high - low < 20 else []


def _add_port(d: ServiceDraft, number: int, protocol: str) -> PortDraft:
    found = d.port(number, protocol)
    if found is None:
        found = PortDraft(number, protocol)
        d.ports.append(found)
    return found


def _ports(src: Source, d: ServiceDraft, svc: dict[str, Any], report: Report) -> None:
    for i, entry in enumerate(svc.get("ports") or []):
        where = (*d.path, "ports", i)
        if isinstance(entry, dict):
            targets = _port_numbers(str(entry.get("target", "")))
            hosts = _port_numbers(str(entry["published"])) if entry.get("published") is not None else []
            ip, protocol = str(entry.get("host_ip", "")), str(entry.get("protocol", "tcp")).lower()
            app, name = entry.get("app_protocol"), entry.get("name")
        else:
            text, _, protocol = str(entry).partition("/")
            protocol = (protocol or "tcp").lower()
            head, _, target = text.rpartition(":")
            ip, _, host = head.rpartition(":") if head.count(":") >= 1 and not head.startswith("[") else ("", "", head)
            if head.startswith("["):
                ip, _, host = head.rpartition("]:")
                ip += "]"
            targets, hosts = _port_numbers(target), _port_numbers(host) if host else []
            app, name = None, None
        if not targets or protocol not in ("tcp", "udp") or (hosts and len(hosts) != len(targets)):
            report.dropped(src, where, f"port {entry!r}: not a port scc can map (one to 20 tcp or udp ports)")
            continue
        for j, number in enumerate(targets):
            p = _add_port(d, number, protocol)
            if app and protocol == "tcp" and str(app).lower() in ("http", "http2", "grpc"):
                p.app_protocol, p.why_http = str(app).lower(), "Compose's app_protocol"
            if name and len(targets) == 1:
                p.name = scc_name(str(name), "port")
            if not hosts:
                report.dropped(src, where, f"port {number}/{protocol} is published on a host port Docker picks: "
                               "not exposed", hint="add an `expose` entry if it must be reached from outside")
            elif ip in ("127.0.0.1", "localhost", "[::1]"):
                report.dropped(src, where, f"port {number}/{protocol} is published on {ip} only (for the "
                               "developer's machine): not exposed")
            else:
                p.published.append((hosts[j], where))
    for i, entry in enumerate(svc.get("expose") or []):
        text, _, protocol = str(entry).partition("/")
        for number in _port_numbers(text):
            _add_port(d, number, (protocol or "tcp").lower() if protocol in ("", "tcp", "udp") else "tcp")
        if not _port_numbers(text):
            report.dropped(src, (*d.path, "expose", i), f"expose {entry!r}: not a port scc can map")


def _environment(src: Source, d: ServiceDraft, svc: dict[str, Any], variables: Mapping[str, str],
                 report: Report) -> None:
    env = svc.get("environment")
    pairs: list[tuple[str, Any, Path]] = []
    if isinstance(env, dict):
        pairs = [(k, v, (*d.path, "environment", k)) for k, v in env.items()]
    elif isinstance(env, list):
        for i, item in enumerate(env):
            key, sep, text = str(item).partition("=")
            pairs.append((key, text if sep else None, (*d.path, "environment", i)))
    for key, value, where in pairs:
        if value is None:
            value = variables.get(key)
        if value is None:
            report.needs(src, where, f"{key} takes its value from the shell that runs Compose: not set",
                         hint=f"add `{key}` under the service's `environment` with the value it needs")
            continue
        d.environment[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        d.env_paths[key] = where


def _words(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    return shlex.split(str(value))  # Compose splits a string as a shell would, and runs no shell


def _process(d: ServiceDraft, svc: dict[str, Any]) -> None:
    for key, field_name in (("command", "command"), ("entrypoint", "entryPoint")):
        words = _words(svc.get(key))
        if words:
            d.fields[field_name] = words
            for i, word in enumerate(words):
                d.args.append((word, words[i - 1] if i else None, (*d.path, key)))
    if svc.get("working_dir"):
        d.fields["workingDirectory"] = str(svc["working_dir"])
    if svc.get("user") is not None:
        d.fields["user"] = str(svc["user"])
    platform = str(svc.get("platform", ""))
    if platform.endswith(("arm64", "arm64/v8")):
        d.fields["platform"] = "arm64"
    grace = seconds(svc["stop_grace_period"]) if "stop_grace_period" in svc else None
    if grace is not None:
        value = min(120, max(2, math.ceil(grace)))
        d.fields["stopTimeout"] = value
        if value != grace:
            d.note(("stopTimeout",), f"stop_grace_period {svc['stop_grace_period']}, within ECS's 2 to 120 seconds")
    labels = svc.get("labels")
    if isinstance(labels, list):
        labels = dict(str(x).partition("=")[::2] for x in labels)
    if labels:
        d.fields["dockerLabels"] = {str(k): str(v) for k, v in labels.items()}


def _health(d: ServiceDraft, svc: dict[str, Any]) -> None:
    check = svc.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable") or "test" not in check:
        return
    test = check["test"]
    if isinstance(test, list):
        if not test or test[0] == "NONE":
            return
        command: Any = [str(t) for t in test] if len(test) > 1 else None
    else:
        command = str(test)
    if not command:
        return
    hc: dict[str, Any] = {"command": command}
    limits = {"interval": ("interval", 5, 300), "timeout": ("timeout", 2, 60), "start_period": ("startPeriod", 0, 300)}
    for key, (name, low, high) in limits.items():
        value = seconds(check[key]) if key in check else None
        if value is not None:
            hc[name] = min(high, max(low, math.ceil(value)))
            if hc[name] != value:
                d.note(("healthCheck", name), f"{key} {check[key]}, within ECS's {low} to {high} seconds")
    if isinstance(check.get("retries"), int):
        hc["retries"] = min(10, max(1, check["retries"]))
    d.fields["healthCheck"] = hc
    # A check that fetches a local URL says the service speaks HTTP on that port.
    text = " ".join(command) if isinstance(command, list) else command
    for m in re.finditer(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?", text):
        p = d.port(int(m.group(1) or 80))
        if p is not None and p.app_protocol is None:
            p.app_protocol, p.why_http = "http", "its health check fetches a URL on it"


def _deploy(src: Source, d: ServiceDraft, svc: dict[str, Any], report: Report) -> None:
    deploy = svc.get("deploy") or {}
    if "replicas" in deploy and not d.job:
        d.fields["desiredCount"] = int(deploy["replicas"])
    for key in deploy:
        if key in ("replicas", "resources"):
            continue
        if key == "restart_policy" and (deploy[key] or {}).get("condition", "any") == "any":
            continue  # an ECS service replaces every task that stops
        report.dropped(src, (*d.path, "deploy", key), f"deploy.{key}: no counterpart in scc",
                       hint="rolling deployments are `deployment`; placement is Fargate's")
    resources = deploy.get("resources") or {}
    limits, reserved = resources.get("limits") or {}, resources.get("reservations") or {}
    cpus = limits.get("cpus", reserved.get("cpus", svc.get("cpus")))
    memory = limits.get("memory", reserved.get("memory", svc.get("mem_limit", svc.get("mem_reservation"))))
    if "devices" in reserved:
        report.dropped(src, (*d.path, "deploy", "resources", "reservations", "devices"),
                       "device reservations (GPUs): Fargate has none")
    if cpus is None and memory is None:
        return
    try:
        cpu_units = math.ceil(float(cpus) * 1024) if cpus is not None else 0
    except ValueError:
        cpu_units = 0
    mem = bytes_of(memory) if memory is not None else 0
    mib = math.ceil((mem or 0) / 2**20)
    d.fields["cpu"], d.fields["memory"] = task_for_container(cpu_units, mib)
    asked = ", ".join(x for x in (f"{cpus} CPUs" if cpus is not None else "", f"{memory} memory"
                                  if memory is not None else "") if x)
    d.note(("cpu",), f"Compose asks {asked}: the nearest Fargate size that holds it and the Service Connect proxy "
                     "(256 CPU units, 64 MiB)")


def _security(src: Source, d: ServiceDraft, svc: dict[str, Any], report: Report) -> None:
    if svc.get("read_only"):
        d.fields["readonlyRootFilesystem"] = True
    if svc.get("init"):
        d.fields["initProcess"] = True
    add = [str(c).upper().removeprefix("CAP_") for c in svc.get("cap_add") or []]
    drop = [str(c).upper().removeprefix("CAP_") for c in svc.get("cap_drop") or []]
    caps: dict[str, list[str]] = {}
    if "ALL" in drop and any(c != "SYS_PTRACE" for c in add):
        # Fargate cannot add capabilities back: drop each default one the service does not keep.
        kept = [c for c in add if c in DOCKER_DEFAULT_CAPS]
        caps["drop"] = [c for c in DOCKER_DEFAULT_CAPS if c not in kept]
        d.note(("capabilities",), f"cap_drop [ALL] with cap_add {', '.join(kept)}: Fargate cannot add "
                                  "capabilities, so every other one of Docker's default set is dropped")
        add = [c for c in add if c not in DOCKER_DEFAULT_CAPS]
    elif drop:
        caps["drop"] = ["ALL"] if "ALL" in drop else drop
    outside = [c for c in add if c not in ("SYS_PTRACE", *DOCKER_DEFAULT_CAPS, "ALL")]
    if "SYS_PTRACE" in add:
        caps["add"] = ["SYS_PTRACE"]
    if outside or "ALL" in add:
        report.dropped(src, (*d.path, "cap_add"), f"cap_add {', '.join(outside or ['ALL'])}: Fargate adds only "
                       "SYS_PTRACE")
    if caps:
        d.fields["capabilities"] = caps
    ulimits = svc.get("ulimits") or {}
    out: dict[str, Any] = {}
    for key, value in ulimits.items():
        soft, hard = (value, value) if isinstance(value, int) else (value.get("soft"), value.get("hard"))
        out[key] = {"soft": int(soft), "hard": int(hard)}
    if out:
        d.fields["ulimits"] = out


def _volume_name(d: ServiceDraft, base: str) -> str:
    name = scc_name(base, "vol")
    taken = d.fields.setdefault("volumes", {})
    n, out = 2, name
    while out in taken:
        out, n = f"{name[:28]}-{n}", n + 1
    return out


def _scratch(d: ServiceDraft, base: str, target: str, note: str, read_only: bool = False) -> None:
    name = _volume_name(d, base)
    d.fields["volumes"][name] = {}
    d.note(("volumes", name), note)
    mount: dict[str, Any] = {"volume": name, "path": target}
    if read_only:
        mount["readOnly"] = True
    d.fields.setdefault("mounts", []).append(mount)


def _storage(src: Source, d: ServiceDraft, svc: dict[str, Any], data: dict[str, Any], report: Report) -> None:
    named = data.get("volumes") or {}
    for i, entry in enumerate(svc.get("volumes") or []):
        where = (*d.path, "volumes", i)
        if isinstance(entry, dict):
            kind, source, target = entry.get("type", "volume"), entry.get("source"), str(entry.get("target", ""))
            read_only = bool(entry.get("read_only"))
        else:
            parts = str(entry).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
            read_only = len(parts) > 2 and "ro" in parts[2].split(",")
            kind = "bind" if source and (source.startswith((".", "/", "~")) or source not in named) else "volume"
        if kind == "bind":
            report.dropped(src, where, f"bind mount of the host's {source} at {target}: a task has no host files",
                           hint="copy the files into the image, or use an EFS volume (`volumes: {x: {efs: ...}}`)")
        elif kind in ("volume", "tmpfs"):
            what = (f"Compose volume {source} persists; this one is empty at every task start and not shared with "
                    "other services (use `efs` for data that must last)") if source else "an anonymous volume"
            if kind == "tmpfs":
                what = "tmpfs in Compose: task storage here"
            _scratch(d, str(source or target.strip("/").replace("/", "-") or "data"), target, what, read_only)
        else:
            report.dropped(src, where, f"a {kind} volume: no counterpart in scc")
    tmpfs = svc.get("tmpfs") or []
    for entry in [tmpfs] if isinstance(tmpfs, str) else tmpfs:
        target, _, options = str(entry).partition(":")
        note = "tmpfs in Compose: task storage here" + (f" (options {options} are not carried over)" if options
                                                        else "")
        _scratch(d, target.strip("/").replace("/", "-") or "tmp", target, note)
    for key, what in (("secrets", "secret"), ("configs", "config")):
        for i, entry in enumerate(svc.get(key) or []):
            name = entry if isinstance(entry, str) else entry.get("source")
            if key == "secrets":
                report.needs(src, (*d.path, key, i), f"secret {name}: Compose mounts it as a file under /run/secrets; "
                             "ECS gives secrets as environment variables", hint="store it in Secrets Manager and "
                             "add `secrets: {VARIABLE: <its ARN>}`; the application then reads the variable")
            else:
                report.dropped(src, (*d.path, key, i), f"{what} {name}: a file Compose mounts from the host",
                               hint="copy it into the image, or read it from an EFS volume")
    for i, entry in enumerate([svc["env_file"]] if isinstance(svc.get("env_file"), str) else svc.get("env_file") or []):
        name = entry if isinstance(entry, str) else entry.get("path")
        report.needs(src, (*d.path, "env_file") + ((i,) if isinstance(svc["env_file"], list) else ()),
                     f"env_file {name}: a file on the developer's machine",
                     hint="upload it to S3 and name it in `environmentFiles` (arn:aws:s3:::bucket/key)")


def _depends(d: ServiceDraft, svc: dict[str, Any]) -> None:
    deps = svc.get("depends_on") or []
    items = [(k, (v or {}).get("condition", "service_started")) for k, v in deps.items()] if isinstance(
        deps, dict) else [(str(k), "service_started") for k in deps]
    d.depends = [(k, c, (*d.path, "depends_on", k) if isinstance(deps, dict) else (*d.path, "depends_on", i))
                 for i, (k, c) in enumerate(items)]


def _aliases(d: ServiceDraft, svc: dict[str, Any]) -> None:
    networks = svc.get("networks")
    if isinstance(networks, dict):
        for net in networks.values():
            d.names += [str(a) for a in (net or {}).get("aliases") or []]
    if svc.get("container_name"):
        d.names.append(str(svc["container_name"]))


def _others(src: Source, d: ServiceDraft, svc: dict[str, Any], report: Report) -> None:
    restart = str(svc.get("restart", ""))
    if (restart == "no" or restart.startswith("on-failure")) and not d.job:
        report.dropped(src, (*d.path, "restart"), f"restart {restart}: an ECS service replaces every task that "
                       "stops", hint="a task that should run once is a job (`jobs:`)")
    if svc.get("hostname") and svc["hostname"] != d.cname:
        report.dropped(src, (*d.path, "hostname"), f"hostname {svc['hostname']}: Fargate tasks have no host name "
                       "of their own")
    if svc.get("container_name"):
        report.dropped(src, (*d.path, "container_name"), f"container_name {svc['container_name']}: ECS names "
                       "containers after the service (peers that dial this name are wired to the service)")
    for key in svc:
        if key not in _HANDLED and not key.startswith("x-"):
            report.dropped(src, (*d.path, key), f"{key}: no counterpart in scc on Fargate")


def http_guess(p: PortDraft) -> None:
    """A port published on the host, of a number web servers use, is taken for HTTP (said so)."""
    if p.app_protocol is None and p.protocol == "tcp" and p.published and p.port in HTTP_PORTS:
        p.app_protocol, p.why_http = "http", f"{p.port} is a port web servers listen on"


def host_flag(previous: str | None) -> bool:
    return previous is not None and previous.lower() in _HOST_FLAGS
