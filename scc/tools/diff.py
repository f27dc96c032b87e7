"""`scc diff OLD NEW`: two rule-checked specs -> what the change does to the infrastructure, in
words, with the warnings of `scc plan` on the templates both build. Pure, given the comparison.

Settings are compared as the spec writes them (each service with `defaults` merged under it,
each environment with its overrides merged in), leaf by leaf, so no setting can change
unnoticed; each is named by its spec path and shown in YAML flow style. The warnings are
`scc plan`'s (create-only properties from CloudFormation's schemas, ECS's refusals) on the
templates both specs compile to (`pipeline.compare`), so the two commands never disagree.
The summary reads the typed model through the accessors below. The call variables each
caller receives come from the plan, so a change of their name or format (a new `format`, an
appProtocol that turns a URL into host:port) is named too."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from scc.diagnostics import Diagnostic
from scc.front.merge import merge  # the language's merge rule, to put `defaults` under each service
from scc.front.schema import resolve, schema
from scc.front.spec import Source

# ---- The typed model: every model attribute the summary reads (adapt here when scc.model changes).
from scc.model import App, Service
from scc.plan import Endpoint, Plan
from scc.tools.plan import Change as PlanChange
from scc.tools.plan import owner


def _services(app: App) -> dict[str, Service]:
    return {s.name: s for s in app.services}


def _summary(svc: Service) -> str:
    return f"{svc.main.image}, {len(svc.ports)} port(s), role {svc.role}"


# ---- Output.


@dataclass(frozen=True)
class Change:
    text: str
    warning: str = ""


def render(changes: list[Change]) -> str:
    if not changes:
        return "no infrastructure change\n"
    lines = [c.text for c in changes if c.text]
    lines += [c.warning for c in changes if c.warning]
    return "\n".join(lines) + "\n"


class _Number(str):
    """A number as the spec writes it, where the text is what counts (`environment: {V: 010}`)."""


class _Dumper(yaml.SafeDumper):
    pass


def _number(dumper: _Dumper, value: _Number) -> yaml.ScalarNode:
    tag: str = dumper.resolve(yaml.ScalarNode, str(value), (True, False))  # type: ignore[no-untyped-call]
    return dumper.represent_scalar(tag, str(value))


_Dumper.add_representer(_Number, _number)


def show(value: Any) -> str:
    """A value as a user writes it: YAML flow style, quoted only where YAML needs it."""
    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, width=math.inf, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").rstrip("\n")


# ---- Schema defaults.


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def _form(node: dict[str, Any], want: str) -> dict[str, Any]:
    """The branch of a oneOf/anyOf of the wanted type (the object form of `namespace: local`)."""
    node = resolve(node)
    for key in ("oneOf", "anyOf"):
        for branch in node.get(key, ()):
            branch = resolve(branch)
            kind = branch.get("type")
            if kind == want or (want == "object" and "properties" in branch) or (
                    want == "array" and "items" in branch):
                return branch
    return node


def _child(node: dict[str, Any], part: str | int) -> dict[str, Any] | None:
    array = _form(node, "array")
    if array.get("type") == "array":
        items = array.get("items")
        return items if isinstance(items, dict) else None
    obj = _form(node, "object")
    props: dict[str, dict[str, Any]] = obj.get("properties", {})
    if isinstance(part, str) and part in props:
        return props[part]
    extra = obj.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _node(path: tuple[str | int, ...]) -> dict[str, Any] | None:
    node: dict[str, Any] | None = schema()
    for part in path:
        if node is None:
            return None
        node = _child(node, part)
    return None if node is None else resolve(node)


def default_at(path: tuple[str | int, ...]) -> Any:
    """The default the schema documents for a spec path (`("services", "api", "cpu")` -> 256),
    or MISSING. A list entry is any key: `("services", "api", "ports", 0, "appProtocol")`."""
    node = _node(path)
    return node["default"] if node is not None and "default" in node else MISSING


# Sections whose presence turns something on: left out is not the same as written empty.
_SWITCHES = {"public", "discovery"}
# Lists of mappings whose entries are paired by a key, not by position.
_KEYED = {"ports": "name", "calls": "service", "schedule": "name"}


def _opens(path: tuple[str | int, ...]) -> bool:
    """Whether a mapping left out means the same as the mapping written empty (all defaults):
    then its keys are compared one by one, else it is shown whole."""
    node = _node(path)
    if node is None or "default" in node or path[-1] in _SWITCHES:
        return False
    obj = _form(node, "object")
    return obj.get("type") == "object" and not obj.get("required")


# ---- The spec as written.


def written(src: Source) -> dict[str, Any]:
    """The spec's settings: `defaults` merged under each service (maps merge, lists replace),
    numbers whose text matters kept as written."""
    data = _texts(src.data, (), src.numbers)
    out = {k: v for k, v in data.items() if k not in ("defaults", "environments")}
    defaults = data.get("defaults", {})
    out["services"] = {name: merge(defaults, own) for name, own in data.get("services", {}).items()}
    return out


def _texts(value: Any, path: tuple[str | int, ...], numbers: dict[Any, str]) -> Any:
    if isinstance(value, dict):
        return {k: _texts(v, (*path, k), numbers) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts(v, (*path, i), numbers) for i, v in enumerate(value)]
    in_env = len(path) >= 2 and path[-2] == "environment"
    if in_env and isinstance(value, int | float) and not isinstance(value, bool):
        return _Number(numbers.get(path, str(value)))
    return value


def _name(shown: str, part: str | int, entry: bool = False) -> str:
    if entry:
        return f"{shown}[{part}]"
    return f"{shown}.{part}" if shown else str(part)


def _side(path: tuple[str | int, ...], value: Any) -> str:
    if value is not MISSING:
        return show(value)
    default = default_at(path)
    return "(not set)" if default is MISSING else f"{show(default)} (default)"


def _effective(path: tuple[str | int, ...], value: Any) -> Any:
    return default_at(path) if value is MISSING else value


def _keys(a: dict[Any, Any], b: dict[Any, Any]) -> list[Any]:
    """NEW's keys in its order, each key only OLD has after the key it follows in OLD."""
    out = list(b)
    for i, key in enumerate(a):
        if key not in b:
            after = next((k for k in reversed(list(a)[:i]) if k in out), None)
            out.insert(0 if after is None else out.index(after) + 1, key)
    return out


def _entries(items: Any, field: str) -> dict[str | int, Any]:
    out: dict[str | int, Any] = {}
    position = 0
    for item in items if isinstance(items, list) else ():
        if isinstance(item, str):
            key: str | int = item  # `calls: [backend]`
        elif isinstance(item, dict) and field in item:
            key = item[field]
        else:
            key, position = position, position + 1
        out.setdefault(key, item)
    return out


def _leaves(path: tuple[str | int, ...], shown: str, a: Any, b: Any) -> Iterable[Change]:
    """One line per changed setting: `~ services.api.cpu: 256 (default) -> 512`."""
    if _effective(path, a) == _effective(path, b):
        return
    maps = isinstance(a, dict) or isinstance(b, dict)
    if maps and all(isinstance(v, dict) or (v is MISSING and _opens(path)) for v in (a, b)):
        a, b = ({} if a is MISSING else a), ({} if b is MISSING else b)
        for key in _keys(a, b):
            yield from _leaves((*path, key), _name(shown, key), a.get(key, MISSING), b.get(key, MISSING))
        return
    field = _KEYED.get(str(path[-1])) if path else None
    if field and all(isinstance(v, list) or v is MISSING for v in (a, b)):
        before, after = _entries(a, field), _entries(b, field)
        for key in _keys(before, after):
            where = _name(shown, key, entry=True)
            if key not in before:
                yield Change(f"+ {where}" + ("" if after[key] == key else f": {show(after[key])}"))
            elif key not in after:
                yield Change(f"- {where}")
            else:
                yield from _leaves((*path, key), where, before[key], after[key])
        return
    yield Change(f"~ {shown}: {_side(path, a)} -> {_side(path, b)}")


def _settings(old: dict[str, Any], new: dict[str, Any], app: App) -> list[Change]:
    out: list[Change] = []
    for key in _keys(old, new):
        if key != "services":
            out += _leaves((key,), key, old.get(key, MISSING), new.get(key, MISSING))
            continue
        before, after = old.get(key, {}), new.get(key, {})
        now = _services(app)
        for name in _keys(before, after):
            if name not in before:
                out.append(Change(f"+ service {name} ({_summary(now[name])})"))
            elif name not in after:
                out.append(Change(f"- service {name}"))
            else:
                out += _leaves(("services", name), f"services.{name}", before[name], after[name])
    return out


# ---- Warnings, from `scc plan`'s verdict on the templates both specs build.

_PAST = {"create": "created", "update": "updated", "replace": "replaced", "delete": "deleted"}


def plan_warnings(changes: list[PlanChange], names: list[str]) -> list[str]:
    """What the per-resource plan says would refuse or hurt, by service (then the app's own
    resources): its errors and warnings in full, every other replacement by id and the
    create-only properties behind it, and first the services that get a new task definition (their
    tasks are replaced in a deployment). Updates in place and the resources of an added or removed service
    are what the summary above already says."""
    scopes: dict[str, list[str]] = {}
    replaced: dict[str, list[str]] = {}
    redeployed: list[str] = []
    for c in changes:
        scope = owner(names, c.logical_id) or "app-wide"
        if c.severity:
            scopes.setdefault(scope, []).append(
                f"{c.severity}: {scope}: {c.logical_id} is {_PAST[c.action]}: {c.note}")
        elif c.action == "replace" and c.type == "AWS::ECS::TaskDefinition":
            if scope not in redeployed:
                redeployed.append(scope)
        elif c.action == "replace":
            props = f" ({', '.join(c.properties)})" if c.properties else ""
            replaced.setdefault(scope, []).append(f"{c.logical_id}{props}")
    out = [f"redeploys {', '.join(redeployed)}: a new task definition, whose tasks replace the running ones"] \
        if redeployed else []
    for scope in [*names, "app-wide"]:
        out += scopes.get(scope, [])
        if scope in replaced:
            out.append(f"warning: {scope}: CloudFormation replaces {', '.join(replaced[scope])}")
    return out


def _variable(e: Endpoint) -> str:
    """A call's variable as the caller's task receives it: `NAME=value`, or no variable."""
    if e.variable is None:
        return "no variable (format: none)"
    host = f"${{{e.host}}}" if e.host_parameter else e.host
    return f"{e.variable.name}={e.variable.text(host)}"


def _variables(plan: Plan) -> dict[tuple[str, str, str], str]:
    """(caller, called, port) -> the variable it gets, for every resolved call."""
    return {(sp.name, e.name, e.port_name): _variable(e) for sp in plan.services for e in sp.endpoints}


def _variable_changes(old: Plan, new: Plan) -> list[Change]:
    before, after = _variables(old), _variables(new)
    out = []
    for (caller, called, port), now in after.items():
        was = before.get((caller, called, port))
        if was is not None and was != now:
            out.append(Change(f"~ {caller} calls {called}: {was} -> {now}"))
    return out


# How both specs' templates compare (pipeline.compare): the plan's changes, or why it failed.
Compare = Callable[[tuple[Source, Plan], tuple[Source, Plan]], tuple[list[PlanChange], list[Diagnostic]]]


def diff(old: tuple[Source, Plan], new: tuple[Source, Plan], compare: Compare) -> list[Change]:
    """What changing one built spec (or one environment of it) into another does."""
    out = _settings(written(old[0]), written(new[0]), new[1].app)
    out += _variable_changes(old[1], new[1])
    changes, problems = compare(old, new)
    names = list(dict.fromkeys([s.name for s in old[1].app.services] + [s.name for s in new[1].app.services]))
    warnings = [f"error: {d.code} {d.message}" for d in problems] + plan_warnings(changes, names)
    return out + [Change("", w) for w in warnings]


# ---- Environments, paired by name.

Unit = tuple[Source, Plan]


def _label(env: str | None) -> str:
    return f"environment {env}" if env is not None else "the spec without environments"


def report(old: list[Unit], new: list[Unit], compare: Compare) -> str:
    """The whole output of `scc diff`: an environment in both specs is compared with itself, one
    only in NEW is added, one only in OLD removed (its stack stays: scc deletes nothing)."""
    before = {src.environment: (src, plan) for src, plan in old}
    after = {src.environment: (src, plan) for src, plan in new}
    if list(before) == [None] and list(after) == [None]:
        return render(diff(before[None], after[None], compare))
    lines: list[str] = []
    warnings: list[str] = []
    for env, (_, plan) in after.items():
        if env not in before:
            lines.append(f"+ {_label(env)}: builds {plan.app.name}")
    for env, (_, plan) in before.items():
        if env not in after:
            lines.append(f"- {_label(env)}: {plan.app.name} is no longer built")
            warnings.append(f"{_label(env)}: scc does not delete the stack of {plan.app.name}; delete it "
                            "yourself once nothing uses it")
    out = "".join(f"{line}\n" for line in lines) + "".join(f"warning: {w}\n" for w in warnings)
    both = [env for env in after if env in before]
    for env in both:
        if len(both) > 1 or lines:
            out += f"== {after[env][1].app.name}\n"
        out += render(diff(before[env], after[env], compare))
    return out
