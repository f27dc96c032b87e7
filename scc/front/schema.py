"""Stage schema: plain data -> located diagnostics from scc.schema.json, in plain words."""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, cast

from scc.codes import SCC101, SCC102, SCC103, SCC104, SCC105, SCC106, SCC107, problem
from scc.diagnostics import Diagnostic, Path

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}


# Words YAML 1.1 read as booleans; in YAML 1.2 (and in scc) they are text.
YAML11_BOOLEANS = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false", "off": "false"}


def schema_text() -> str:
    """The schema as shipped: inside the wheel, or from the source tree when run from a checkout.
    (A path beside the package, not importlib.resources: its import is 2% of `scc validate`.)"""
    packaged = FsPath(__file__).resolve().parents[1] / "scc.schema.json"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (FsPath(__file__).resolve().parents[2] / "schemas" / "scc.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())  # the schema document is a JSON object
    return loaded


def _whole(checker: object, value: object) -> bool:
    # 1.0 is not a whole number in a spec: `cpu: 512.0` would reach the template as "512.0".
    return isinstance(value, int) and not isinstance(value, bool)


@cache
def anchored(pattern: str) -> re.Pattern[str]:
    """A schema pattern with the meaning editors give it. JavaScript's `$` (no m flag) matches
    only at the very end; Python's also before a final newline, so `^[a-z]+$` would accept
    "shop\\n", the value of a YAML block scalar (`name: |`). Every pattern of the schema ends
    in `$` (tests/test_schema_patterns.py): that one is `\\Z` here."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


def _pattern(validator: Validator, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not anchored(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=1)
def _validator() -> Validator:
    """The validator whose errors scc explains (jsonschema: its errors carry paths, contexts and
    the failing schema node)."""
    from jsonschema import Draft7Validator, validators

    strict = Draft7Validator.TYPE_CHECKER.redefine("integer", _whole)
    # jsonschema's stubs leave `extend` unannotated; it returns a new validator class.
    extend = cast("Callable[..., type[Validator]]", validators.extend)
    return extend(Draft7Validator, validators={"pattern": _pattern}, type_checker=strict)(schema())


@lru_cache(maxsize=1)
def _fast() -> Any:
    """jsonschema-rs's compiled validator of the same schema, or None where it cannot be had.
    It only answers "valid or not", in a few milliseconds and without importing jsonschema (a
    third of `scc validate`'s start-up); a spec it finds invalid goes to `_validator()` to be
    explained. Formats are not checked, as `_validator()` checks none."""
    try:
        import jsonschema_rs

        return jsonschema_rs.Draft7Validator(schema(), validate_formats=False)
    except Exception:  # not installed, or a schema it does not take: the slow path answers
        return None


_LIMIT = 2**63


def _plain(data: Any) -> bool:
    """Data on which both validators read the schema alike: no floats (jsonschema-rs, as JSON
    Schema says, counts 1.0 as an integer; scc does not), mapping keys that are strings, integers
    that fit 64 bits. (Patterns agree: every one ends in `$`, which is `\\Z` in both, and uses
    only explicit character classes; tests/test_schema_fast.py holds the two to the same verdicts.)"""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str) or item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not -_LIMIT <= item < _LIMIT:
                return False
        elif isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack += item.values()
        elif isinstance(item, list):
            stack += item
        else:
            return False
    return True


def is_valid_fast(data: Any) -> bool | None:
    """jsonschema-rs's verdict on plain data; None when it has none to give."""
    fast = _fast()
    if fast is None or not _plain(data):
        return None
    try:
        return bool(fast.is_valid(data))
    except Exception:  # anything it cannot take: the slow path answers
        return None


def validate(data: Any) -> list[Diagnostic]:
    if is_valid_fast(data):
        return []
    found: list[Diagnostic] = []
    for err in _validator().iter_errors(data):
        found += _translate(err)
    found = list(dict.fromkeys(found))
    # A value of the wrong type fails its enum and pattern too: the type error says it all.
    typed = {d.path for d in found if d.code == SCC103.code}
    return [d for d in found if not (d.code != SCC103.code and d.path in typed)]


def _close(word: str, options: list[str], n: int, cutoff: float) -> list[str]:
    import difflib  # only for a mistake: kept off the start-up path of `scc validate`

    return difflib.get_close_matches(word, options, n=n, cutoff=cutoff)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _TYPE_WORDS[_kind(value)]
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pointer(ref: str) -> dict[str, Any]:
    """The schema node a local `$ref` (`#/definitions/port`, `#/properties/tags`) points at."""
    node = schema()
    for part in ref.lstrip("#").strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]  # every node on a $ref's way is a mapping
    return node


def resolve(sub: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its `$ref`s followed; the node's own keywords win over the target's."""
    while "$ref" in sub:
        merged = {k: v for k, v in sub.items() if k != "$ref"}
        sub = {**pointer(sub["$ref"]), **merged}
    return sub


def _type_fits(branch: dict[str, Any], value: Any) -> bool:
    branch = resolve(branch)
    allowed = branch.get("type")
    if allowed is None:
        return True
    kinds = allowed if isinstance(allowed, list) else [allowed]
    kind = _kind(value)
    return kind in kinds or (kind == "integer" and "number" in kinds)


def _translate(err: ValidationError) -> list[Diagnostic]:
    path: Path = tuple(err.absolute_path)
    v = err.validator
    # Any JSON value: the instance from the spec, the keyword's value from the schema (an error
    # from iter_errors always has both set).
    inst: Any = err.instance
    value: Any = err.validator_value
    sch = err.schema if isinstance(err.schema, dict) else {}

    if v in ("oneOf", "anyOf") and all(set(b) == {"required"} for b in value):
        # "exactly one of" / "at least one of" a set of keys, e.g. cron, rate or at.
        keys = [b["required"][0] for b in value]
        present = [k for k in keys if isinstance(inst, dict) and k in inst]
        listed = ", ".join(keys)
        if v == "oneOf" and present:
            return [problem(SCC107, f"set only one of {listed}; this has {', '.join(present)}", path)]
        word = "one" if v == "oneOf" else "at least one"
        return [problem(SCC102, f"missing {word} of {listed}", path, at_key=True)]

    if v in ("oneOf", "anyOf"):
        branches = value
        fitting = [i for i, b in enumerate(branches) if _type_fits(b, inst)]
        if len(fitting) == 1:
            sub = [e for e in err.context if e.schema_path and e.schema_path[0] == fitting[0]]
            out = [d for e in sub for d in _translate(e)]
            if out:
                return out
        kinds: list[str] = []
        for b in branches:
            t = resolve(b).get("type")
            kinds += t if isinstance(t, list) else [t] if t else []
        want = " or ".join(dict.fromkeys(_TYPE_WORDS.get(k, k) for k in kinds)) or "another form"
        return [problem(SCC103, f"expected {want}, got {_show(inst)}", path)]

    if v == "additionalProperties":
        props: dict[str, Any] = sch.get("properties", {})
        allowed = sorted(props)
        out = []
        for key in inst:
            if key in props:
                continue
            hint = _unknown_key_hint(str(key), inst[key], inst, props, path)
            if not hint:
                close = _close(key, allowed, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else (
                    "allowed keys here: " + ", ".join(allowed) if allowed else "")
            out.append(problem(SCC101, f"unknown key {key!r}", (*path, key), hint=hint, at_key=True))
        return out

    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else str(value)
        if isinstance(inst, dict) and _close(missing, list(inst), n=1, cutoff=0.8):
            return []  # `imagee` for `image`: the unknown key's did-you-mean says it all
        hint = ""
        standing = [str(k) for k in inst if _STANDS_FOR.get(str(k)) == missing] if isinstance(inst, dict) else []
        if standing:
            hint = f"`{standing[0]}` is written `{missing}` here"  # Kubernetes' `containerPort` for `port`
        if missing == "image" and len(path) >= 2 and path[-2] == "containers":
            hint = "add `image: <registry>/<repository>:<tag>` to the container"
        elif missing == "image":
            hint = "add `image: <registry>/<repository>:<tag>` to the service, or set it once in `defaults`"
        return [problem(SCC102, f"missing required key {missing!r}", path, hint=hint, at_key=True)]

    if v == "type":
        kinds = value if isinstance(value, list) else [value]
        words = " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
        hint = _type_hint(path, inst, kinds) or _plain_type_hint(inst, kinds)
        return [problem(SCC103, f"expected {words}, got {_show(inst)}", path, hint=hint)]

    if v in ("enum", "const"):
        options = value if v == "enum" else [value]
        listed = ", ".join(str(o) for o in options)
        hint = ""
        if isinstance(inst, str):
            lower = [str(o) for o in options if str(o).lower() == inst.lower()]
            close = lower or _close(inst, [str(o) for o in options], n=1, cutoff=0.6)
            if close:
                hint = f"did you mean `{close[0]}`?"
        if path and path[-1] == "cpu" and isinstance(inst, int):
            hint = _cpu_hint(inst) or (
                "Fargate task CPU units are 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)")
        hint = _enum_hint(path, inst) or hint
        return [problem(SCC104, f"{_show(inst)} is not allowed here; use one of: {listed}", path, hint=hint)]

    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        lo, hi, above = sch.get("minimum"), sch.get("maximum"), sch.get("exclusiveMinimum")
        parts = [f"at least {lo}" if lo is not None else "", f"greater than {above}" if above is not None else "",
                 f"at most {hi}" if hi is not None else ""]
        rng = " and ".join(p for p in parts if p)
        return [problem(SCC105, f"{_show(inst)} is out of range: must be {rng}", path)]

    if v == "pattern" and "propertyNames" in err.relative_schema_path:
        # A bad key: jsonschema reports the mapping, with the key itself as the instance.
        msg = sch.get("patternErrorMessage", "")
        hint = _unprintable_hint(str(inst)) or (
            "AWS reserves the `aws:` prefix in any case: rename the key" if str(inst).lower().startswith("aws:")
            else "")
        return [problem(SCC106, f"{inst!r} is not a valid name here" + (f": {msg}" if msg else ""),
                        (*path, inst), at_key=True, hint=hint)]

    if v == "pattern":
        msg = sch.get("patternErrorMessage") or f"must match {value}"
        hint = _unprintable_hint(inst) if isinstance(inst, str) else ""
        return [problem(SCC106, f"{_show(inst)} has the wrong format: {msg}", path, hint=hint)]

    phrases = {
        "minItems": f"needs at least {value} item(s)",
        "maxItems": f"allows at most {value} item(s)",
        "uniqueItems": "has duplicate items",
        "minProperties": f"needs at least {value} entr{'y' if value == 1 else 'ies'}",
        "minLength": "must not be empty" if value == 1 else f"must be at least {value} characters",
        "maxLength": f"must be at most {value} characters",
    }
    what = phrases.get(str(v), err.message)
    return [problem(SCC107, f"this value {what}", path)]


_UNPRINTABLE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]")


def _unprintable_hint(text: str) -> str:
    """A line break or control character where no AWS identifier holds one."""
    if text.endswith("\n") and not _UNPRINTABLE.search(text[:-1]):
        return ("the value ends with a line break, as a `|` or `>` block scalar does: write it on the key's "
                "line, or use `|-`")
    found = _UNPRINTABLE.search(text)
    if found is None:
        return ""
    return f"remove the U+{ord(found.group()):04X} (a line break or control character) at position {found.start()}"


def _plain_type_hint(inst: Any, kinds: list[str]) -> str:
    """A value of the wrong type that is the right one written differently."""
    if isinstance(inst, bool) and "string" in kinds:
        return "true and false are booleans: quote the value, e.g. \"true\""
    if isinstance(inst, str) and kinds == ["boolean"] and inst.lower() in YAML11_BOOLEANS:
        return f"specs are YAML 1.2, where {inst} is text: write {YAML11_BOOLEANS[inst.lower()]}"
    if isinstance(inst, float) and "integer" in kinds and inst.is_integer():
        return f"write {int(inst)}, without the decimal point"
    if isinstance(inst, str) and ("integer" in kinds or "number" in kinds):
        return "write the number without quotes"
    return ""


# What people coming from Docker Compose, Kubernetes and Copilot write, and how scc says it.
# Hints for an unknown key, by where it is (a service or `defaults`, a port, a health check, the
# top level); each wins over the close-match hint, which would point at a look-alike key
# (`deploy` -> `deployment`, `protocol` -> `appProtocol`) that means something else.

_VOLUMES = ("volumes belong to a service: `services.<name>.volumes: {cache: {}}` (task storage) or "
            "`{data: {efs: {fileSystem: fs-...}}}`, mounted with `mounts: [{volume: cache, path: /tmp}]`")
_CONTAINERS = ("the service's own keys (`image`, `ports`, `command`, ...) describe its main container; "
               "sidecars and init containers go under `containers: {exporter: {image: ...}}`, ordered with "
               "`waitFor`. The Service Connect proxy is not declared: ECS adds it")
_NO_HOST_PORT = ("Fargate has no host ports: in awsvpc mode every task has its own address and "
                 "the container port (`port`) is the task's port")
_PROBE = ("the container health check is `healthCheck: {command: curl -f http://localhost:8080/ || exit 1}` "
          "(run by ECS inside the container; a public service's load balancer check is `public.healthCheck`)")

_SERVICE_KEYS: dict[str, str] = {
    "container_name": ("the container is named after the service's key under `services`: "
                       "rename the key to rename it"),
    "hostname": ("callers reach a service by its key under `services` (through Service Connect); a port's "
                 "`discoveryName` or `alias` changes the name they use"),
    "depends_on": ("`dependsOn: [name]` only orders creation; `calls: [name]` also orders it, opens the "
                   "called port to this service and sets `<NAME>_URL`"),
    "links": "`calls: [name]`: this service may then reach that one, and gets its address in `<NAME>_URL`",
    "restart": ("ECS restarts tasks itself: it replaces a stopped task to keep `desiredCount` running, "
                "so there is no restart policy to set; remove the key"),
    "env_file": ("set variables in the spec, `environment: {LOG_LEVEL: info}`; values that must stay "
                 "secret go in `secrets: {DB_PASSWORD: <Secrets Manager or SSM parameter ARN>}`"),
    "networks": ("not needed: every service runs in the stack's VPC, callers reach it through Service "
                 "Connect (`namespace`), and `calls` says who may reach whom"),
    "volumes": _VOLUMES,
    "containers": _CONTAINERS,
    "sidecars": _CONTAINERS,
    "initContainers": _CONTAINERS,
    "healthcheck": ("the key is `healthCheck` (camelCase): `healthCheck: {command: curl -f http://localhost:8080/ "
                    "|| exit 1}`; Compose's `test` is `command`, and `interval`, `timeout` and `startPeriod` "
                    "are seconds (`interval: 30`, not `30s`)"),
    "livenessProbe": _PROBE,
    "readinessProbe": _PROBE,
    "startupProbe": _PROBE,
    "build": ("scc deploys images, it does not build them: build and push the image, then "
              "`image: <registry>/<repository>:<tag>`"),
    "env": "variables are a mapping: `environment: {LOG_LEVEL: info}` (secret values in `secrets`)",
    "variables": "variables are `environment: {LOG_LEVEL: info}` (secret values in `secrets`)",
    "args": ("the container's arguments are `command: [npm, start]` (Kubernetes `args` is scc's `command`, "
             "Kubernetes `command` is scc's `entryPoint`)"),
    "resources": ("the task's size is `cpu` (CPU units, 1024 = 1 vCPU) and `memory` (MiB), a Fargate pair "
                  "such as `cpu: 512` with `memory: 1024`"),
    "cpus": "the task's CPU is `cpu` in CPU units (1024 = 1 vCPU): 0.5 vCPU is `cpu: 512`",
    "mem_limit": "the task's memory is `memory` in MiB: `mem_limit: 1g` is `memory: 1024`",
    "stop_grace_period": "`stopTimeout: 30`: seconds between SIGTERM and SIGKILL (2..120)",
    "read_only": "`readonlyRootFilesystem: true`",
    "init": "`initProcess: true`",
    "working_dir": "the key is `workingDirectory: /app` (default: the image's `WORKDIR`)",
    "workingDir": "the key is `workingDirectory: /app` (default: the image's `WORKDIR`)",
    "privileged": "Fargate does not run privileged containers",
    "logging": "every service logs to its own CloudWatch log group: `logs: {retentionDays: 30}`",
}

_PORT_KEYS: dict[str, str] = {
    "containerPort": "the container port is `port: {n}`",
    "target": "the container port is `port: {n}`",
    "hostPort": _NO_HOST_PORT + "; remove it",
    "published": _NO_HOST_PORT + "; remove it (a load balancer in front is `public`)",
}

_TOP_KEYS: dict[str, str] = {
    "volumes": _VOLUMES,
    "networks": _SERVICE_KEYS["networks"],
    "secrets": ("secrets are set per service (or in `defaults`): `secrets: {DB_PASSWORD: "
                "<Secrets Manager or SSM parameter ARN>}`"),
    "apiVersion": "scc reads its own spec, not a Kubernetes manifest: `version: 1`, `name` and `services`",
    "kind": "scc reads its own spec, not a Kubernetes manifest: `version: 1`, `name` and `services`",
}

# An unknown key that stands for a required one: the missing key's hint names it.
_STANDS_FOR = {"containerPort": "port", "target": "port"}


def _unknown_key_hint(key: str, value: Any, holder: dict[Any, Any], props: dict[str, Any], path: Path) -> str:
    """A hint for an unknown key people bring from another tool, or "" for the close-match hint."""
    service = "image" in props and "desiredCount" in props
    job = "image" in props and "schedule" in props and "retries" in props
    if job and key in ("ports", "public", "expose", "scaling", "desiredCount", "role", "discovery", "deployment",
                       "queue", "serviceConnect", "exec", "dependsOn"):
        return (f"a job runs to completion and listens on nothing: `{key}` belongs to services; make it a "
                "service under `services` if it must keep running")
    port = "appProtocol" in props and "port" in props
    if service and key in ("replicas", "count"):
        if isinstance(value, dict):
            return "a fixed number of tasks is `desiredCount: 2`; auto scaling is `scaling: {min: 1, max: 10}`"
        n = value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 2
        return f"the number of tasks is `desiredCount: {n}`"
    if service and key == "deploy":
        replicas = value.get("replicas") if isinstance(value, dict) else None
        count = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else "N"
        return (f"Compose's `deploy` is spread over the service: `replicas` is `desiredCount: {count}`, "
                "`resources.limits` are `cpu` (CPU units, 1024 = 1 vCPU) and `memory` (MiB); "
                "rollouts are `deployment`")
    if service and key == "expose":
        first = value[0] if isinstance(value, list) and value else None
        shown = str(first) if isinstance(first, (int, str)) and str(first).isdigit() else "8080"
        return (f"container ports are `ports: [{{name: http, port: {shown}, appProtocol: http}}]`; "
                "callers use `calls`")
    if service and key == "stop_grace_period" and isinstance(value, str) and _seconds(value) is not None:
        return f"`stopTimeout: {_seconds(value)}`: seconds between SIGTERM and SIGKILL (2..120)"
    if service and key == "cpus" and _cpu_hint(value):
        return _cpu_hint(value)
    if service and key == "mem_limit" and isinstance(value, str) and _mib(value) is not None:
        return f"the task's memory is `memory` in MiB: `memory: {_mib(value)}`"
    if service and key in _SERVICE_KEYS:
        return _SERVICE_KEYS[key]
    if port and key in _PORT_KEYS:
        number = value if isinstance(value, int) and not isinstance(value, bool) else 8080
        return _PORT_KEYS[key].format(n=number)
    if "command" in props and "startPeriod" in props and key == "test":
        return ("the check is `command`: a shell line (`command: curl -f http://localhost:8080/ || exit 1`) "
                "or a list starting with CMD or CMD-SHELL")
    if "services" in props and "version" in props and key in _TOP_KEYS:
        return _TOP_KEYS[key]
    if key == "protocol" and isinstance(value, str) and value.lower() in ("tcp", "udp"):
        return _transport_hint(value.lower(), holder, props, path)
    same = [k for k in props if k.lower() == key.replace("_", "").replace("-", "").lower()]
    if same:
        word = "camelCase" if "_" in key or "-" in key else "case-sensitive"
        return f"keys are {word}: `{same[0]}`"
    return ""


def _transport_hint(transport: str, holder: dict[Any, Any], props: dict[str, Any], path: Path) -> str:
    """`protocol: udp` where there is no `protocol`: it is a port's transport, not `appProtocol`."""
    called = holder.get("service")
    if "service" in props and isinstance(called, str):
        where = f"services.{called}.ports"  # a call: the port is the called service's
    elif len(path) > 1 and path[0] == "services":
        where = f"services.{path[1]}.ports"
    else:
        where = "the service's `ports`"
    if "appProtocol" in props:
        # A port of a schema without transports (language 1.0).
        return (f"{transport} is a transport, not an application protocol (`appProtocol`: http, http2, grpc); "
                "ports are tcp in this version of the language")
    hint = (f"{transport} is a port's transport: a port's `protocol: {transport}` is set on the port, "
            f"in {where}, not here")
    if "certificateArn" in props and "allowFrom" in props:
        hint += "; the load balancer of `public` is an application load balancer, which carries http and https"
    return hint


def _flow(value: Any) -> str:
    """A value in YAML flow style, quoted where a plain scalar would read as something else."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9_./@-][A-Za-z0-9_./@=-]*", text) and text.lower() not in (
        "true", "false", "null", "~", "-", *YAML11_BOOLEANS)
    numeric = re.fullmatch(r"[-+]?(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?", text) or text.lower() in (".inf", ".nan")
    return text if plain and not numeric else json.dumps(text)


def _port_example(item: Any) -> str:
    """Compose's `"8080:80"`, `"53:53/udp"` or `8080`, as an scc port."""
    text = str(item).strip()
    mapping, _, transport = text.partition("/")
    parts = mapping.split(":")
    container = parts[-1] if parts[-1].isdigit() else "8080"
    if transport.lower() == "udp":
        example = f"`ports: [{{name: udp, port: {container}, protocol: udp}}]`"
    else:
        example = f"`ports: [{{name: http, port: {container}, appProtocol: http}}]` (no appProtocol: plain tcp)"
    if len(parts) > 1:
        return (f"a port is a mapping: {example}. Fargate has no host ports (awsvpc: the container port is "
                f"the task's own port), so `{text}` is port {container}")
    return f"a port is a mapping: {example}; on Fargate the container port is the task's own port (awsvpc)"


def _variables_example(items: list[Any]) -> str:
    """Compose's `["KEY=value"]` or Kubernetes' `[{name: KEY, value: v}]`, as an scc mapping."""
    pairs: dict[str, Any] = {}
    for item in items[:3]:
        if isinstance(item, str):
            name, eq, val = item.partition("=")
            pairs[name.strip() or "KEY"] = val if eq else "<value>"
        elif isinstance(item, dict) and "name" in item:
            pairs[str(item["name"])] = item.get("value", "<value>")
    return _flow(pairs or {"LOG_LEVEL": "info"})


_SIZES = {"": 1, "b": 1 / 2**20, "k": 1 / 1024, "kb": 1 / 1024, "ki": 1 / 1024, "m": 1, "mb": 1, "mi": 1,
          "g": 1024, "gb": 1024, "gi": 1024}
_SECONDS_KEYS = {"interval", "timeout", "startPeriod", "stopTimeout", "ttl", "cooldown", "idle", "perRequest"}


def _cpu_hint(value: Any) -> str:
    """Compose's `cpus: 0.5` and Kubernetes' `500m` are vCPUs; scc's `cpu` is CPU units."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(m?)", text)
    if not match:
        return ""
    vcpu = float(match[1]) / (1000 if match[2] else 1)
    if vcpu > 16:
        return ""
    units = round(vcpu * 1024)
    fits = units in (256, 512, 1024, 2048, 4096, 8192, 16384)
    shown = f"{vcpu:g} vCPU"
    if fits:
        return f"`cpu` is in CPU units (1024 = 1 vCPU): {shown} is `cpu: {units}`"
    return (f"`cpu` is in CPU units (1024 = 1 vCPU): {shown} is not a Fargate size; "
            "use 256, 512, 1024, 2048, 4096, 8192 or 16384")


def _mib(value: str) -> int | None:
    """Compose's `512M`, `1g` and Kubernetes' `1Gi` in MiB."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value.strip().lower())
    if not match or match[2] not in _SIZES:
        return None
    return round(float(match[1]) * _SIZES[match[2]])


def _seconds(value: str) -> int | None:
    """Compose's durations, `30s`, `1m30s`, in seconds."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?", value.strip().lower())
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _memory_hint(value: str) -> str:
    mib = _mib(value) if re.search(r"[A-Za-z]", value) else None  # "1024" quoted: the plain hint
    return "" if mib is None else f"`memory` is MiB, a whole number: `memory: {mib}`"


def _seconds_hint(key: str, value: str) -> str:
    seconds = _seconds(value)
    return "" if seconds is None else f"a number of seconds, without the unit: `{key}: {seconds}`"


def _type_hint(path: Path, inst: Any, kinds: list[str]) -> str:
    """The scc form of what a spec from Compose or Kubernetes writes in another shape."""
    key = path[-1] if path else ""
    parent = path[-2] if len(path) > 1 else ""
    if (key == "ports" or (parent == "ports" and isinstance(key, int))) and isinstance(inst, (str, int)) \
            and not isinstance(inst, bool):
        return _port_example(inst)
    if key == "environment" and isinstance(inst, list):
        return f"variables are a mapping, not a list: `environment: {_variables_example(inst)}`"
    if key == "secrets" and isinstance(inst, list):
        return ("secrets are a mapping of variable to secret: `secrets: {DB_PASSWORD: "
                "<Secrets Manager or SSM parameter ARN>}`")
    if parent == "environment" and inst is None:
        return "a variable needs a value here (scc has no host environment to copy it from): `KEY: value`"
    if key in ("command", "entryPoint") and isinstance(inst, str) and "array" in kinds:
        return _command_hint(str(key), inst)
    if key == "cpu" and not isinstance(inst, bool) and isinstance(inst, (str, float)):
        return _cpu_hint(inst)
    if key == "memory" and isinstance(inst, str):
        return _memory_hint(inst)
    if key in _SECONDS_KEYS and isinstance(inst, str):
        return _seconds_hint(str(key), inst)
    if path == ("version",) and str(inst).strip() not in ("1", "1.0"):
        return _VERSION
    if key == "volumes" and isinstance(inst, list):  # Compose's `- data:/var/lib/data`
        return ("volumes are a mapping by name, mounted by the containers: `volumes: {data: {}}` and "
                "`mounts: [{volume: data, path: /var/lib/data}]`")
    if parent == "expose" and isinstance(key, int) and isinstance(inst, (str, int)) and not isinstance(inst, bool):
        # Compose's `expose: ["8080"]` opens a container port; scc's puts a port behind a load balancer.
        shown = str(inst) if str(inst).isdigit() else "8080"
        return (f"container ports are `ports: [{{name: http, port: {shown}, appProtocol: http}}]` (callers use "
                f"`calls`); `expose` puts a port behind a load balancer: `expose: [{{loadBalancer: internal, "
                f"port: {shown}}}]`")
    if key == "containers" and isinstance(inst, list):  # Kubernetes' `- name: exporter`
        return "containers are a mapping by name: `containers: {exporter: {image: ..., ports: [...]}}`"
    return ""


_VERSION = "`version` is the scc language version: write `version: 1` (not a Compose file format version)"


def _command_hint(key: str, line: str) -> str:
    """`command: npm start` as a list; a shell line as `[sh, -c, ...]`."""
    try:
        import shlex  # only for a mistake in a command: kept off the start-up path

        words = shlex.split(line)
    except ValueError:
        words = []
    if len(words) > 2 and words[0].rsplit("/", 1)[-1] in ("sh", "bash") and words[1] == "-c":
        return f"a list of words: `{key}: {_flow([*words[:2], ' '.join(words[2:])])}`"
    if re.search(r"[|&;<>$`*]", line) or not words:
        return f"a list of words; for a shell line: `{key}: {_flow(['sh', '-c', line])}`"
    return f"a list of words: `{key}: {_flow(words)}`"


def _enum_hint(path: Path, inst: Any) -> str:
    """Values from Compose and Kubernetes that scc spells another way."""
    key = path[-1] if path else ""
    if path == ("version",):
        return _VERSION
    if not isinstance(inst, str):
        return ""
    word = inst.lower()
    if key == "appProtocol" and word == "tcp":
        return "plain tcp is a port without `appProtocol`: leave it out"
    if key == "appProtocol" and word == "udp":
        return "udp is a transport, not an application protocol: `protocol: udp`, without `appProtocol`"
    if key == "protocol" and word in ("http", "http2", "grpc"):
        return f"{word} is an application protocol: `appProtocol: {word}` (`protocol` is the transport, tcp or udp)"
    if key == "platform" and ("arm64" in word or "aarch64" in word):
        return "`platform: arm64`"
    if key == "platform" and "amd64" in word:
        return "`platform: x86_64`"
    return ""
