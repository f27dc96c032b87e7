"""Stage lint, cfn-lint run in parts: a decoded template and the resources to validate in, cfn-lint's
findings out, split into those of each resource's schema validation and those of the rest.

cfn-lint spends about 90 % of a template's lint validating each resource against its type's
schema (rule E3001 descending into every entry of Resources, with E1001's children: Ref, Sub,
enum, GetAtt...). Here that descent is limited to a chosen set of resources while every other
rule runs as it always does, on the whole template; so a template can be linted in parts (the
resources split between processes) or only where it changed (scc/synth/lintparts.py keys the rest),
with exactly cfn-lint's rule set. Findings of E1001's matches under Resources/<id>, for a resource
whose validation ran, are that resource's; everything else is the template's.

Two shortcuts change no finding: a rule that is switched off (ignored, informational,
experimental) and has no child rules is not run at all (cfn-lint runs it and then drops what it
found), and the per-resource check of rules that keep cfn-lint's empty one (all but 4) is not
called for every resource; scc/synth/cfnlint_memo.py makes cfn-lint's validator classes once.

This reaches into two of cfn-lint's rule objects (E1001's matches, E3001's patternProperties);
`engine()` checks both are where cfn-lint 1.x keeps them, and without them lint.py lints whole
templates, as cfn-lint's own API does."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scc.synth import cfnlint_memo, sympy_parts
from scc.synth.lintcache import Finding


@dataclass
class _State:
    """What the current run validates (None: every resource) and gathers; one run at a time."""

    selection: set[str] | None = None
    descent_only: bool = False
    off: frozenset[str] = frozenset()  # rules whose findings this run drops (not enabled)
    descent: dict[int, Any] = field(default_factory=dict)  # id -> E1001's Match, kept alive


_state = _State()


@dataclass(frozen=True)
class Engine:
    rules: Any  # cfnlint.rules.Rules, loaded once per process
    stateful: frozenset[str] | None  # resource types of rules with state between resources
    leaves: frozenset[str]  # rules with no child rules: if switched off, nothing of theirs is reported


@dataclass(frozen=True)
class Outcome:
    template: list[Finding]  # findings of the whole template's rules (empty for a descent-only run)
    resources: dict[str, list[Finding]]  # per validated resource, its line relative to the resource's


def _stateful(rules: Any) -> frozenset[str] | None:
    """Resource types looked at by keyword rules that reset state per template (cfn-lint's way of
    keeping something from one resource for the next); None if one looks beyond named types."""
    from cfnlint.rules import CloudFormationLintRule

    types: set[str] = set()
    for rule in rules.data.values():
        if type(rule).initialize is CloudFormationLintRule.initialize or not hasattr(rule, "keywords"):
            continue  # no state, or a rule of the whole template (it always runs on all of it)
        if not rule.keywords:  # some name their keywords only when initialized for a template
            try:
                rule.initialize(None)
            except Exception:
                return None
            if not rule.keywords:
                return None
        for keyword in rule.keywords:
            parts = str(keyword).split("/")
            if len(parts) < 2 or parts[0] != "Resources" or "*" in parts[1]:
                return None
            types.add(parts[1])
    return frozenset(types)


def _tracked(matchall: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def run(filename: Any, cfn: Any) -> Iterator[Any]:
        for match in matchall(filename, cfn):
            _state.descent[id(match)] = match
            yield match
    return run


def _skipped_in_descent(rule_id: str, matchall: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def run(*args: Any) -> Iterator[Any]:
        if not _state.descent_only and rule_id not in _state.off:
            yield from matchall(*args)
    return run


def _nothing(*args: Any) -> tuple[()]:
    return ()


def _finds_nothing_per_resource(rule: Any) -> bool:
    """The rule's per-resource check is cfn-lint's base one, which finds nothing (325 of 329 rules:
    cfn-lint calls it for every resource all the same)."""
    from cfnlint.rules import CloudFormationLintRule

    base = CloudFormationLintRule
    return (type(rule).matchall_resource_properties is base.matchall_resource_properties
            and type(rule).match_resource_properties is base.match_resource_properties)


def _selected(pattern_properties: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def run(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        chosen = _state.selection
        if chosen is not None and isinstance(instance, dict):
            instance = {k: v for k, v in instance.items() if k in chosen}
        yield from pattern_properties(validator, value, instance, schema)
    return run


@lru_cache(maxsize=1)
def engine() -> Engine | None:
    """cfn-lint's rules, loaded once per process (forked workers inherit them), with the hooks;
    None when cfn-lint's rules are not shaped as expected."""
    sympy_parts.load()  # before cfn-lint imports sympy (a third of its load time)
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    rules = Runner(ConfigMixIn(**ManualArgs())).rules
    top, resources = rules.data.get("E1001"), rules.data.get("E3001")
    validators = getattr(resources, "validators", None)
    if top is None or not isinstance(validators, dict) or not callable(validators.get("patternProperties")):
        sympy_parts.whole()  # cfn-lint's own API lints whole templates from here on
        return None
    for rule_id, rule in rules.data.items():
        if rule_id == "E1001":
            rule.matchall = _tracked(rule.matchall)
            continue
        rule.matchall = _skipped_in_descent(rule_id, rule.matchall)
        rule.matchall_resource_properties = (
            _nothing if _finds_nothing_per_resource(rule)
            else _skipped_in_descent(rule_id, rule.matchall_resource_properties))
    validators["patternProperties"] = _selected(validators["patternProperties"])
    cfnlint_memo.install()
    # Rules and schemas live as long as the process: the collector need not walk them again.
    gc.freeze()
    # A rule with children runs them (some are only reached that way): never skipped.
    parents = {p for rule in rules.data.values() for p in getattr(rule, "parent_rules", ())}
    leaves = frozenset(r for r, rule in rules.data.items() if not rule.child_rules and r not in parents)
    return Engine(rules, _stateful(rules), leaves)


def decode(text: str) -> tuple[Any, list[Finding]]:
    """The template as cfn-lint reads it (with line marks), or cfn-lint's findings if it cannot."""
    from cfnlint.decode.decode import decode_str

    data, errors = decode_str(text)
    if sympy_parts.needed_by(data):  # here, once per template, before any lane is forked to lint it
        sympy_parts.whole()
    return data, [finding(m) for m in errors or []]


def finding(m: Any) -> Finding:
    # Plain values only: cfn-lint's own str subclasses cannot cross processes nor go into JSON.
    return (str(m.rule.id), str(m.rule.severity), str(m.message),
            [p if isinstance(p, int) else str(p) for p in (getattr(m, "path", None) or [])], int(m.linenumber))


def run(eng: Engine, data: Any, regions: tuple[str, ...], ignore: list[str], selection: set[str] | None,
        descent_only: bool = False) -> Outcome:
    """cfn-lint on one decoded template, validating the `selection`'s resources (None: all)."""
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import run_template_by_data

    config = ConfigMixIn(**ManualArgs(regions=list(regions), ignore_checks=ignore))
    _state.selection, _state.descent_only, _state.descent = selection, descent_only, {}
    # A rule that is switched off (ignored, informational, experimental) still runs in cfn-lint,
    # which then drops its findings; here it does not run at all.
    _state.off = frozenset(r for r in eng.leaves if not eng.rules.is_rule_enabled(r, config))
    # cfn-lint makes millions of short-lived objects and few cycles: collecting less often is
    # about a fifth of its time.
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 50, 100)
    try:
        matches = list(run_template_by_data(data, config, eng.rules))
        descent = _state.descent
    finally:
        gc.set_threshold(*threshold)
        _state.selection, _state.descent_only, _state.descent = None, False, {}
        _state.off = frozenset()
    resources = data.get("Resources") if isinstance(data, dict) else None
    lines = {str(k): int(k.start_mark.line) + 1 if hasattr(k, "start_mark") else 0
             for k in (resources if isinstance(resources, dict) else {})}
    validated = set(lines) if selection is None else set(lines) & selection
    per: dict[str, list[Finding]] = {name: [] for name in validated}

    def mine(f: Finding) -> str | None:
        where = f[3]
        return str(where[1]) if len(where) > 1 and where[0] == "Resources" and where[1] in per else None

    found = [(id(m), finding(m)) for m in matches]
    kept = {_key(f) for _, f in found}
    # A resource's findings are those its validation made that cfn-lint reported (not ignored, not
    # dropped as a repeat of another rule's): gathered before cfn-lint's own deduplication, so they
    # do not depend on what else the template holds.
    for m in descent.values():
        f = finding(m)
        name = mine(f)
        if name is not None and _key(f) in kept:
            per[name].append((f[0], f[1], f[2], f[3], f[4] - lines[name]))
    template = [] if descent_only else [f for i, f in found if not (i in descent and mine(f) is not None)]
    return Outcome(template, per)


def _key(f: Finding) -> str:
    return json.dumps(f, separators=(",", ":"))
