"""Import one Copilot workload manifest: its keys (Copilot's manifest reference for Load Balanced
Web, Backend and Worker Services and Scheduled Jobs) -> a WorkloadDraft of spec fields and notes."""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from scc.codes import SCC132
from scc.diagnostics import Path
from scc.front.importers.common import fargate_size, scc_name, seconds, task_for_container
from scc.front.importers.report import Report
from scc.front.spec import Source

TYPES = {"Load Balanced Web Service", "Backend Service", "Worker Service", "Scheduled Job",
         "Request-Driven Web Service", "Static Site"}
ORDER = ("image", "cpu", "memory", "desiredCount", "platform", "capacity", "command", "entryPoint", "environment",
         "secrets", "ports", "calls", "public", "expose", "healthCheck", "queue", "scaling", "schedule", "retries",
         "deployment", "exec", "readonlyRootFilesystem", "mounts", "volumes", "ephemeralStorage", "waitFor",
         "containers", "logs")
_HANDLED = {"name", "type", "image", "cpu", "memory", "count", "exec", "platform", "command", "entrypoint",
            "variables", "secrets", "sidecars", "storage", "logging", "http", "nlb", "network", "deployment",
            "environments", "on", "retries", "timeout", "subscribe", "env_file"}
_CRON = {"@hourly": "0 * * * ? *", "@daily": "0 0 * * ? *", "@midnight": "0 0 * * ? *", "@weekly": "0 0 ? * 1 *",
         "@monthly": "0 0 1 * ? *", "@yearly": "0 0 1 1 ? *", "@annually": "0 0 1 1 ? *"}


@dataclass
class WorkloadDraft:
    name: str
    job: bool = False
    worker: bool = False
    connect: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    notes: dict[Path, str] = field(default_factory=dict)
    ports: list[dict[str, Any]] = field(default_factory=list)

    def note(self, rel: Path, text: str) -> None:
        if text not in self.notes.get(rel, "").split("; "):
            self.notes[rel] = f"{self.notes[rel]}; {text}" if rel in self.notes else text

    def ordered(self) -> dict[str, Any]:
        out = {k: self.fields[k] for k in ORDER if k in self.fields}
        return {**out, **{k: v for k, v in self.fields.items() if k not in out}}


def check(src: Source, report: Report) -> None:
    """The manifest's shape, as far as the importer relies on it: located SCC132 errors."""
    data = src.data
    if not isinstance(data, dict):
        report.add(src, SCC132, "a manifest is a mapping with `name` and `type`", ())
        return
    for key in ("name", "type"):
        if not isinstance(data.get(key), str):
            report.add(src, SCC132, f"`{key}` is missing or not text", (key,) if key in data else ())
    if isinstance(data.get("type"), str) and data["type"] not in TYPES:
        report.add(src, SCC132, f"type {data['type']!r} is not a Copilot workload type ({', '.join(sorted(TYPES))})",
                   ("type",), at_key=False)
    shapes: dict[str, type | tuple[type, ...]] = {
        "image": dict, "http": (dict, bool), "network": dict, "storage": dict, "sidecars": dict, "variables": dict,
        "secrets": dict, "environments": dict, "logging": dict, "deployment": dict, "count": (int, dict, str),
        "cpu": int, "memory": int, "exec": (bool, dict)}
    for key, kind in shapes.items():
        if key in data and data[key] is not None and not isinstance(data[key], kind):
            report.add(src, SCC132, f"`{key}` has the wrong type", (key,), at_key=False)


def _words(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list) else shlex.split(str(value))


def translate(src: Source, data: dict[str, Any], app: str, report: Report) -> WorkloadDraft:
    kind = data["type"]
    d = WorkloadDraft(scc_name(str(data["name"]), "svc"), job=kind == "Scheduled Job", worker=kind == "Worker Service")
    if kind in ("Static Site",):
        report.dropped(src, ("type",), f"{kind}: S3 and CloudFront, not ECS")
    if kind == "Request-Driven Web Service":
        d.note(("image",), "an App Runner service in Copilot: an ECS service behind the public load balancer here")
    image = data.get("image") or {}
    _image(src, d, image, app, report)
    cpu, memory = data.get("cpu", 256), data.get("memory", 512)
    if isinstance(cpu, int) and isinstance(memory, int) and not d.job:
        d.fields["cpu"], d.fields["memory"] = task_for_container(cpu, memory)
        d.note(("cpu",), f"Copilot's {cpu} CPU units and {memory} MiB for the application, and the Service Connect "
                         "proxy's 256 and 64 beside it: the nearest Fargate size")
    elif isinstance(cpu, int) and isinstance(memory, int):
        d.fields["cpu"], d.fields["memory"] = fargate_size(cpu, memory)
    if str(data.get("platform", "")).endswith("arm64") or (isinstance(data.get("platform"), dict) and str(
            data["platform"].get("architecture", "")).endswith("arm64")):
        d.fields["platform"] = "arm64"
    for key, name in (("command", "command"), ("entrypoint", "entryPoint")):
        words = _words(data.get(key))
        if words:
            d.fields[name] = words
    _variables(src, d, data, report)
    _ports(src, d, data, image)
    _http(src, d, data, kind, report)
    _count(src, d, data, report)
    _storage(src, d, data, report)
    _sidecars(src, d, data, image, report)
    _logging(src, d, data, report)
    _job_and_queue(src, d, data, report)
    if data.get("exec") is True:
        d.fields["exec"] = True
    rolling = (data.get("deployment") or {}).get("rolling")
    if rolling == "recreate":
        d.fields["deployment"] = {"minHealthyPercent": 0, "maxPercent": 100}
        d.note(("deployment",), "rolling: recreate in Copilot: stop the old tasks before starting new ones")
    for key in (data.get("deployment") or {}):
        if key != "rolling":
            report.dropped(src, ("deployment", key), f"deployment.{key}: not carried over",
                           hint="`deployment.alarms` rolls back on scc's alarms or named ones")
    vpc = (data.get("network") or {}).get("vpc") or {}
    for key in vpc:
        if key != "placement" or vpc[key] != "private":
            report.dropped(src, ("network", "vpc", key), f"network.vpc.{key}: not carried over",
                           hint="scc runs tasks in `network.subnets` without public IPs; egress is `network.egress`")
    for key in data:
        if key not in _HANDLED:
            report.dropped(src, (key,), f"{key}: no counterpart in scc")
    if d.job:
        d.fields.pop("ports", None)
    d.fields.setdefault("environment", {})["COPILOT_SERVICE_NAME"] = d.name
    d.note(("environment", "COPILOT_SERVICE_NAME"), "set by Copilot in every task")
    return d


def _image(src: Source, d: WorkloadDraft, image: dict[str, Any], app: str, report: Report) -> None:
    if image.get("location"):
        d.fields["image"] = str(image["location"])
    else:
        build = image.get("build")
        where = build if isinstance(build, str) else (build or {}).get("dockerfile", "Dockerfile")
        d.fields["image"] = f"{app}/{d.name}"
        d.note(("image",), f"a placeholder: Copilot builds this image from {where} and pushes it to ECR; push it and "
                           "name it here")
        report.needs(src, ("image", "build") if "build" in image else ("image",),
                     f"{d.name} is built by Copilot ({where}): scc deploys images",
                     hint="build and push the image to ECR, then set its URI as `image`")
    check = image.get("healthcheck")
    if isinstance(check, dict) and check.get("command"):
        command = check["command"]
        hc: dict[str, Any] = {"command": [str(c) for c in command] if isinstance(command, list) else str(command)}
        for key, name, low, high in (("interval", "interval", 5, 300), ("timeout", "timeout", 2, 60),
                                     ("start_period", "startPeriod", 0, 300)):
            value = seconds(check[key]) if key in check else None
            if value is not None:
                hc[name] = min(high, max(low, math.ceil(value)))
        if isinstance(check.get("retries"), int):
            hc["retries"] = min(10, max(1, check["retries"]))
        d.fields["healthCheck"] = hc
    deps = image.get("depends_on") or {}
    if deps:
        d.fields["waitFor"] = {scc_name(str(k)): str(v).lower() for k, v in deps.items()}
    for key in image:
        if key not in ("location", "build", "port", "healthcheck", "depends_on"):
            report.dropped(src, ("image", key), f"image.{key}: not carried over")


def _variables(src: Source, d: WorkloadDraft, data: dict[str, Any], report: Report) -> None:
    env: dict[str, str] = {}
    for key, value in (data.get("variables") or {}).items():
        if isinstance(value, dict):
            report.dropped(src, ("variables", key), f"{key} comes from another stack's output (from_cfn)",
                           hint="write its value, or add it with `overrides`")
            continue
        env[key] = ("true" if value else "false") if isinstance(value, bool) else "" if value is None else str(value)
        if "${" in env[key]:
            report.needs(src, ("variables", key), f"{key} uses a variable Copilot substitutes from the shell at "
                         "deploy: written as it is")
    if env:
        d.fields["environment"] = env
    secrets: dict[str, str] = {}
    for key, value in (data.get("secrets") or {}).items():
        if isinstance(value, str) and value.startswith("arn:"):
            secrets[key] = value
        else:
            what = value.get("secretsmanager") if isinstance(value, dict) else value
            report.needs(src, ("secrets", key), f"secret {key} names {what!r}: scc needs the ARN of the secret or "
                         "parameter", hint=f"add `secrets: {{{key}: arn:aws:ssm:<region>:<account>:parameter/...}}`")
    if secrets:
        d.fields["secrets"] = secrets
    if data.get("env_file"):
        report.needs(src, ("env_file",), f"env_file {data['env_file']}: Copilot uploads it to S3",
                     hint="upload it and name its S3 ARN in `environmentFiles`")


def _ports(src: Source, d: WorkloadDraft, data: dict[str, Any], image: dict[str, Any]) -> None:
    port = image.get("port")
    if not isinstance(port, int):
        return
    entry: dict[str, Any] = {"port": port}
    check = " ".join(map(str, (d.fields.get("healthCheck") or {}).get("command") or []))
    http = data.get("http")
    version = str((http or {}).get("version", "")).lower() if isinstance(http, dict) else ""
    if version in ("grpc", "http2"):
        entry["appProtocol"] = version
    elif data["type"] in ("Load Balanced Web Service", "Request-Driven Web Service") or isinstance(http, dict) \
            or re.search(r"https?://(localhost|127\.0\.0\.1)", check):
        entry["appProtocol"] = "http"
        d.note(("ports", 0, "appProtocol"), "Copilot never sets it; the service speaks HTTP (behind a load balancer "
                                            "or checked over HTTP), and scaling on requests needs it")
    connect = (data.get("network") or {}).get("connect")
    d.connect = bool(connect)
    if isinstance(connect, dict) and connect.get("alias"):
        entry["alias"] = {"dnsName": str(connect["alias"]), "port": port}
    d.ports.append(entry)
    d.fields["ports"] = [entry]


def _name_first(d: WorkloadDraft) -> None:
    """Several ports need names: the main port is named by its number."""
    first = d.ports[0]
    if "name" not in first:
        d.ports[0] = {"name": str(first["port"]), **first}
        d.fields["ports"] = d.ports


def _path(text: Any) -> str:
    return "/" + str(text or "").strip("/")


def _health(check: Any) -> dict[str, Any]:
    if isinstance(check, str):
        return {"path": _path(check)}
    if not isinstance(check, dict):
        return {}
    out: dict[str, Any] = {}
    for key, name in (("path", "path"), ("healthy_threshold", "healthyThreshold"),
                      ("unhealthy_threshold", "unhealthyThreshold"), ("success_codes", "matcher")):
        if key in check:
            out[name] = _path(check[key]) if key == "path" else check[key] if key != "success_codes" else str(
                check[key])
    for key in ("interval", "timeout"):
        value = seconds(check.get(key)) if key in check else None
        if value is not None:
            out[key] = math.ceil(value)
    return out


def _http(src: Source, d: WorkloadDraft, data: dict[str, Any], kind: str, report: Report) -> None:
    http = data.get("http")
    if not isinstance(http, dict) or not d.ports:
        if kind == "Request-Driven Web Service" and d.ports:
            d.fields["public"] = {"port": 80}
        _nlb(src, d, data)
        return
    internal = kind == "Backend Service"
    rules = [({k: v for k, v in http.items() if k != "additional_rules"}, ())] + [
        (rule, ("http", "additional_rules", i)) for i, rule in enumerate(http.get("additional_rules") or [])]
    exposures = []
    for rule, where in rules:
        entry: dict[str, Any] = {"loadBalancer": "internal"} if internal else {}
        entry["port"] = 80
        entry["path"] = _path(rule.get("path", "/"))
        target = rule.get("target_port")
        if isinstance(target, int) and target != d.ports[0]["port"]:
            d.ports.append({"name": str(target), "port": target, "appProtocol": "http"})
            _name_first(d)
            d.fields["ports"] = d.ports
            entry["targetPort"] = str(target)
        health = _health(rule.get("healthcheck"))
        if health:
            entry["healthCheck"] = health
        if rule.get("allowed_source_ips"):
            entry["allowFrom"] = [str(c) for c in rule["allowed_source_ips"]]
        aliases = rule.get("alias")
        names = [a if isinstance(a, str) else a.get("name") for a in
                 (aliases if isinstance(aliases, list) else [aliases] if aliases else [])]
        if names:
            report.needs(src, (*where, "alias") if where else ("http", "alias"),
                         f"alias {', '.join(map(str, names))}: HTTPS on the application's domain, whose hosted zone "
                         "Copilot knows", hint="add `port: 443`, `certificate: {domain, zone}` and `host` to the "
                         "exposure")
        for key in rule:
            if key not in ("path", "target_port", "healthcheck", "allowed_source_ips", "alias", "version"):
                report.dropped(src, (*(where or ("http",)), key), f"http.{key}: not carried over")
        exposures.append(entry)
    if internal or len(exposures) > 1:
        d.fields["expose"] = exposures
    else:
        exposures[0].pop("port")
        d.fields["public"] = exposures[0] or {"path": "/"}
    if internal:
        d.note(("expose",), "Copilot's internal load balancer of a Backend Service")
    _nlb(src, d, data)


def _nlb(src: Source, d: WorkloadDraft, data: dict[str, Any]) -> None:
    nlb = data.get("nlb")
    if not isinstance(nlb, dict) or not d.ports:
        return
    number, _, protocol = str(nlb.get("port", "")).partition("/")
    if not number.isdigit():
        return
    protocol = protocol or "tcp"
    target = int(nlb.get("target_port", number))
    name = f"{target}-{protocol}" if protocol == "udp" else str(target)
    if not any(p["port"] == target and p.get("protocol", "tcp") == protocol for p in d.ports):
        _name_first(d)
        port: dict[str, Any] = {"name": name, "port": target}
        if protocol == "udp":
            port["protocol"] = "udp"
        d.ports.append(port)
        d.fields["ports"] = d.ports
    entry: dict[str, Any] = {"loadBalancer": "edge", "port": int(number), "protocol": protocol, "targetPort": name}
    check = nlb.get("healthcheck") or {}
    if isinstance(check.get("port"), int):
        hport = next((p for p in d.ports if p["port"] == check["port"] and p.get("protocol", "tcp") == "tcp"), None)
        if hport is not None:
            entry["healthCheck"] = {"port": hport.get("name", str(hport["port"]))}
            hport.setdefault("name", str(hport["port"]))
    d.fields.setdefault("expose", []).append(entry)


def _count(src: Source, d: WorkloadDraft, data: dict[str, Any], report: Report) -> None:
    count = data.get("count")
    if isinstance(count, int) and not d.job:
        d.fields["desiredCount"] = count
        return
    if not isinstance(count, dict):
        return
    if "spot" in count:
        d.fields["capacity"] = "fargate-spot"
        d.fields["desiredCount"] = int(count["spot"])
    span = count.get("range")
    low = high = None
    if isinstance(span, str) and re.fullmatch(r"\d+-\d+", span):
        low, high = map(int, span.split("-"))
    elif isinstance(span, dict):
        low, high = span.get("min"), span.get("max")
        if "spot_from" in span:
            report.dropped(src, ("count", "range", "spot_from"), "count.range.spot_from: Spot from the n-th task on",
                           hint="`capacity: {fargate: 1, fargate-spot: 3}` weighs providers instead")
    if low is None or high is None:
        return
    targets: dict[str, int] = {}
    exposed = "public" in d.fields or any(e.get("loadBalancer") != "edge" for e in d.fields.get("expose", []))
    for key, name in (("cpu_percentage", "cpu"), ("memory_percentage", "memory"),
                      ("requests", "albRequests" if exposed else "requests")):
        value = count.get(key)
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, int):
            targets[name] = value
    delay = count.get("queue_delay") or {}
    latency, each = seconds(delay.get("acceptable_latency")), seconds(delay.get("msg_processing_time"))
    if latency and each:
        targets["backlog"] = max(1, int(latency // each))
        d.note(("scaling", "targets", "backlog"), "queue_delay in Copilot: acceptable latency / processing time")
    if "response_time" in count:
        report.dropped(src, ("count", "response_time"), "count.response_time: scc scales on cpu, memory, requests, "
                       "connections and backlog", hint="`deployment.alarms.latency` rolls back on latency instead")
    scaling: dict[str, Any] = {"min": int(low), "max": int(high)}
    if targets:
        scaling["targets"] = targets
    cooldown = count.get("cooldown") or {}
    cool = {k: math.ceil(seconds(cooldown[f"{k}_cooldown"]) or 0) for k in ("in", "out")
            if f"{k}_cooldown" in cooldown}
    if cool:
        scaling["cooldown"] = cool
    d.fields["scaling"] = scaling


def _storage(src: Source, d: WorkloadDraft, data: dict[str, Any], report: Report) -> None:
    storage = data.get("storage") or {}
    if isinstance(storage.get("ephemeral"), int) and storage["ephemeral"] > 20:
        d.fields["ephemeralStorage"] = min(200, max(21, storage["ephemeral"]))
    if storage.get("readonly_fs"):
        d.fields["readonlyRootFilesystem"] = True
    for vname, volume in (storage.get("volumes") or {}).items():
        name = scc_name(str(vname), "vol")
        efs = (volume or {}).get("efs")
        where = ("storage", "volumes", vname)
        if efs is True or (isinstance(efs, dict) and "uid" in efs):
            report.needs(src, (*where, "efs"), f"volume {vname}: an EFS file system Copilot creates",
                         hint=f"create it (or `overrides.resources`) and give `volumes: {{{name}: {{efs: "
                              "{fileSystem: fs-...}}}}`")
            continue
        spec: dict[str, Any] = {}
        if isinstance(efs, dict) and efs.get("id"):
            spec["efs"] = {"fileSystem": str(efs["id"])}
            auth = efs.get("auth") or {}
            if auth.get("access_point_id"):
                spec["efs"]["accessPoint"] = str(auth["access_point_id"])
            elif efs.get("root_dir"):
                spec["efs"]["rootDirectory"] = str(efs["root_dir"])
            if auth.get("iam") is False:
                spec["efs"]["iam"] = False
        d.fields.setdefault("volumes", {})[name] = spec
        if (volume or {}).get("path"):
            mount: dict[str, Any] = {"volume": name, "path": str(volume["path"])}
            if volume.get("read_only", True) and spec:
                mount["readOnly"] = True
            d.fields.setdefault("mounts", []).append(mount)


def _sidecars(src: Source, d: WorkloadDraft, data: dict[str, Any], image: dict[str, Any], report: Report) -> None:
    containers: dict[str, Any] = {}
    for sname, car in (data.get("sidecars") or {}).items():
        car = car or {}
        if not car.get("image"):
            report.needs(src, ("sidecars", sname), f"sidecar {sname} has no image (Copilot builds it)")
            continue
        c: dict[str, Any] = {"image": str(car["image"] if isinstance(car["image"], str) else
                                          car["image"].get("location", ""))}
        if "essential" in car:
            c["essential"] = bool(car["essential"])
        words = _words(car.get("command"))
        if words:
            c["command"] = words
        if car.get("variables"):
            c["environment"] = {k: str(v) for k, v in car["variables"].items() if not isinstance(v, dict)}
        number, _, protocol = str(car.get("port", "")).partition("/")
        if number.isdigit():
            c["ports"] = [{"name": scc_name(str(sname)), "port": int(number)} | (
                {"protocol": "udp"} if protocol == "udp" else {})]
        if car.get("mount_points"):
            c["mounts"] = [{"volume": scc_name(str(m.get("source_volume"))), "path": str(m.get("path"))}
                           | ({"readOnly": True} if m.get("read_only", True) else {}) for m in car["mount_points"]]
        if car.get("depends_on"):
            c["waitFor"] = {scc_name(str(k)): str(v).lower() for k, v in car["depends_on"].items()}
        for key in car:
            if key not in ("image", "essential", "command", "variables", "port", "mount_points", "depends_on"):
                report.dropped(src, ("sidecars", sname, key), f"sidecars.{sname}.{key}: not carried over")
        containers[scc_name(str(sname), "c")] = c
    if containers:
        d.fields["containers"] = containers


def _logging(src: Source, d: WorkloadDraft, data: dict[str, Any], report: Report) -> None:
    logging = data.get("logging") or {}
    if isinstance(logging.get("retention"), int):
        d.fields["logs"] = {"retentionDays": logging["retention"]}
    if logging.get("destination"):
        router: dict[str, Any] = {"options": {str(k): str(v) for k, v in logging["destination"].items()}}
        if logging.get("image"):
            router["image"] = str(logging["image"])
        d.fields.setdefault("logs", {})["router"] = router
    if logging.get("secretOptions"):
        report.needs(src, ("logging", "secretOptions"), "logging.secretOptions name SSM parameters: scc needs ARNs",
                     hint="add `logs.router.secretOptions: {key: <ARN>}`")
    for key in logging:
        if key not in ("retention", "destination", "image", "secretOptions"):
            report.dropped(src, ("logging", key), f"logging.{key}: not carried over")


def _job_and_queue(src: Source, d: WorkloadDraft, data: dict[str, Any], report: Report) -> None:
    if d.job:
        schedule = str((data.get("on") or {}).get("schedule", "none"))
        if schedule.startswith("@every "):
            total = seconds(schedule.removeprefix("@every ")) or 3600
            unit, size = next((u, s) for u, s in (("days", 86400), ("hours", 3600), ("minutes", 60))
                              if total % s == 0 or u == "minutes")
            n = max(1, int(total // size))
            d.fields["schedule"] = {"rate": f"{n} {unit[:-1] if n == 1 else unit}"}
        elif schedule in _CRON:
            d.fields["schedule"] = {"cron": _CRON[schedule]}
        elif len(schedule.split()) == 5:
            minute, hour, dom, month, dow = schedule.split()
            if dow != "*":
                dow = re.sub(r"\d", lambda m: str(int(m.group()) % 7 + 1), dow)
                dom = "?"
            d.fields["schedule"] = {"cron": f"{minute} {hour} {dom} {month} {'?' if dow == '*' else dow} *"}
            d.note(("schedule",), f"Copilot's {schedule!r} in EventBridge's six fields")
        if isinstance(data.get("retries"), int):
            d.fields["retries"] = data["retries"]
        if "timeout" in data:
            report.dropped(src, ("timeout",), "timeout: a job's time limit", hint="stop it from the application")
    if d.worker:
        queue: dict[str, Any] = {}
        q = (data.get("subscribe") or {}).get("queue") or {}
        timeout = seconds(q.get("timeout")) if "timeout" in q else None
        if timeout is not None:
            queue["visibilityTimeout"] = int(timeout)
        tries = (q.get("dead_letter") or {}).get("tries")
        if isinstance(tries, int):
            queue["deadLetter"] = {"maxReceives": tries}
        d.fields["queue"] = queue
        d.note(("queue",), "Copilot's worker queue; the service reads its URL from QUEUE_URL (COPILOT_QUEUE_URI in "
                           "Copilot)")
        for i, topic in enumerate((data.get("subscribe") or {}).get("topics") or []):
            report.needs(src, ("subscribe", "topics", i), f"topic {topic.get('name')} of {topic.get('service')}: "
                         "scc subscribes the queue to SNS topics by ARN", hint="add the topic's ARN under "
                         "`queue.subscribe`")
