"""Schema patterns are anchored for real and mean the same in scc and in editors (issue 19).

jsonschema matches `pattern` with re.search, where `$` also matches before a final newline (the
end of every YAML block scalar, `name: |`); scc's validator reads the final `$` as `\\Z`, as
JavaScript reads it in yaml-language-server. Here, for every pattern of the schema: it is
anchored at both ends; values that match it stop matching with a trailing newline, a CR LF, or any
control character, line or paragraph separator put anywhere (no AWS identifier or ARN holds one);
and JavaScript's RegExp (with the `u` flag, as the language server compiles them) gives the same
answer as scc on every probe. Strings without a pattern are listed: only those may hold line breaks."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scc.front.schema import anchored, schema, validate
from tests.editor.server import ensure

HOSTILE = ["\n", "\r\n", "\r", "\x00", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"]

# Strings whose AWS value may hold line breaks and control characters (shell lines, variables,
# labels, descriptions): the only ones without a pattern, enum or const.
FREE_TEXT = {
    "#/properties/description",
    "#/definitions/serviceFields/properties/command/items",
    "#/definitions/serviceFields/properties/entryPoint/items",
    "#/definitions/serviceFields/properties/environment/additionalProperties",
    "#/definitions/serviceFields/properties/dockerLabels/additionalProperties",
    "#/definitions/serviceFields/properties/logs/properties/router/properties/options/additionalProperties",
    "#/definitions/container/properties/dockerLabels/additionalProperties",
    "#/definitions/healthCheck/properties/command/oneOf/0",
    "#/definitions/healthCheck/properties/command/oneOf/1/additionalItems",
    "#/definitions/cfnOutput/properties/Description",
}


def _nodes(node: Any = None, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    node = schema() if node is None else node
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key not in ("examples", "default", "defaultSnippets", "enum", "const"):
                yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, f"{where}/{i}")


PATTERNS = sorted({n["pattern"] for _, n in _nodes() if isinstance(n.get("pattern"), str)})


def test_every_pattern_is_anchored_at_both_ends() -> None:
    assert PATTERNS
    assert [p for p in PATTERNS if not (p.startswith("^") and p.endswith("$") and not p.endswith("\\$"))] == []
    assert all(anchored(p).pattern.endswith("\\Z") for p in PATTERNS)


def test_only_free_text_strings_have_no_pattern() -> None:
    def stringy(n: dict[str, Any]) -> bool:
        t = n.get("type")
        return t == "string" or (isinstance(t, list) and "string" in t)

    free = {w for w, n in _nodes() if stringy(n) and not any(k in n for k in ("pattern", "enum", "const", "$ref"))}
    assert free == FREE_TEXT


def _probes(pattern: str, base: str) -> list[str]:
    out = [base + h for h in HOSTILE]
    out += [base[:i] + h + base[i:] for h in HOSTILE for i in {0, len(base) // 2, len(base)}]
    return out


@pytest.mark.slow
@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_no_pattern_accepts_a_line_break_or_control_character(data: st.DataObject) -> None:
    pattern = data.draw(st.sampled_from(PATTERNS))
    base = data.draw(st.from_regex(anchored(pattern), fullmatch=True).filter(lambda s: len(s) <= 200))
    assert anchored(pattern).search(base)
    accepted = [p for p in _probes(pattern, base) if anchored(pattern).search(p)]
    assert accepted == [], f"{pattern} accepts {accepted[:3]!r}"


def test_validator_refuses_a_block_scalar_name() -> None:
    spec = {"version": 1, "name": "shop\n", "services": {"api": {"image": "nginx"}}}
    assert [d.code for d in validate(spec)] == ["SCC106"]
    assert validate({**spec, "name": "shop"}) == []


@pytest.mark.slow
def test_javascript_agrees_with_scc_on_every_probe() -> None:
    """One node process judges every (pattern, probe) as the language server would."""
    node, why = ensure()
    if node is None:
        pytest.skip(why)
    cases: list[tuple[str, str]] = []

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        pattern = data.draw(st.sampled_from(PATTERNS))
        base = data.draw(st.from_regex(anchored(pattern), fullmatch=True).filter(lambda s: len(s) <= 120))
        cases.extend((pattern, p) for p in [base, *_probes(pattern, base)])

    collect()
    cases += [(p, "") for p in PATTERNS]
    script = ("const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "const re = (p) => { try { return new RegExp(p, 'u'); } catch { return new RegExp(p); } };"
              "process.stdout.write(JSON.stringify(cases.map(([p, s]) => re(p).test(s))));")
    done = subprocess.run([node, "-e", script], input=json.dumps(cases), capture_output=True, text=True,
                          timeout=60, check=True)
    js = json.loads(done.stdout)
    differ = [(p, s) for (p, s), j in zip(cases, js, strict=True) if bool(anchored(p).search(s)) != j]
    assert differ == [], differ[:5]
