"""Two validators, one verdict (issue 21): `scc validate` asks jsonschema-rs whether a spec is
valid (milliseconds, without importing jsonschema) and only a spec it rejects goes to jsonschema,
whose errors scc explains. They must agree on every spec, or a fast "valid" would hide an error.
Checked on every spec file of the repository and on thousands of edits of them, and on specs
generated from the schema's shape; data the two read differently (floats, non-string keys, huge
integers) never gets a fast verdict."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scc.front import schema as schema_module
from scc.front.schema import is_valid_fast, validate
from scc.front.spec import load
from tests.conftest import ROOT
from tests.test_property import spec


def _slow_verdict(data: Any) -> bool:
    return not any(True for _ in schema_module._validator().iter_errors(data))


def _specs() -> list[Any]:
    files = sorted({*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/**/*.yaml")} - {*ROOT.glob("tests/editor/**")})
    out = []
    for path in files:
        src, _ = load(str(path))
        if isinstance(src.data, dict) and "services" in src.data:
            out.append(src.data)
    return out


VALUES: list[Any] = [None, True, False, 0, 1, -1, 65536, 2**40, "", "x", "a b", "shop\n", "UPPER", "s0001", "http",
                     "grpc", "10.0.0.0/16", "arn:aws:iam::123456789012:role/x", [], [1], ["a"], {}, {"a": 1},
                     "public.ecr.aws/x:1", "256", "\u2028", "a\tb", "é", "0.5"]


def _edit(data: Any, rng: random.Random) -> Any:
    """One to three random edits: a value replaced, a key removed or a key added, anywhere."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        node = data
        while True:
            if isinstance(node, dict) and node:
                key = rng.choice(sorted(node))
                if rng.random() < 0.35 or not isinstance(node[key], (dict, list)) or not node[key]:
                    r = rng.random()
                    if r < 0.7:
                        node[key] = copy.deepcopy(rng.choice(VALUES))
                    elif r < 0.85:
                        del node[key]
                    else:
                        node[key + rng.choice(["x", "_", "s"])] = copy.deepcopy(rng.choice(VALUES))
                    break
                node = node[key]
            elif isinstance(node, list) and node:
                i = rng.randrange(len(node))
                if rng.random() < 0.35 or not isinstance(node[i], (dict, list)) or not node[i]:
                    node[i] = copy.deepcopy(rng.choice(VALUES))
                    break
                node = node[i]
            else:
                break
    return data


def test_fast_validator_is_there() -> None:
    assert schema_module._fast() is not None, "jsonschema-rs is a dependency: install the package"


def test_same_verdict_on_every_spec_of_the_repository_and_edits_of_them() -> None:
    rng = random.Random(21)
    seen: dict[bool | None, int] = {True: 0, False: 0, None: 0}
    for data in _specs():
        for case in [data, *(_edit(data, rng) for _ in range(6))]:
            fast = is_valid_fast(case)
            assert fast is None or fast == _slow_verdict(case), case
            seen[fast] += 1
    assert seen[True] >= 150 and seen[False] >= 500 and seen[None] < seen[True] / 5, seen


@pytest.mark.slow
def test_same_verdict_on_many_more_edits() -> None:
    rng = random.Random(7)
    for data in _specs():
        for _ in range(25):
            case = _edit(data, rng)
            fast = is_valid_fast(case)
            assert fast is None or fast == _slow_verdict(case), case


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.deferred(spec))
def test_same_verdict_on_specs_made_from_the_schema(data: dict[str, Any]) -> None:
    fast = is_valid_fast(data)
    if fast is not None:
        assert fast == _slow_verdict(data)


def _app(**web: Any) -> dict[str, Any]:
    return {"version": 1, "name": "shop", "services": {"web": {"image": "nginx:1.27", "cpu": 512, **web}}}


def test_a_plain_spec_gets_a_fast_verdict() -> None:
    assert is_valid_fast(_app()) is True and validate(_app()) == []
    assert is_valid_fast(_app(cpu="lots")) is False


@pytest.mark.parametrize("odd", [{"cpu": 512.0}, {"cpu": 0.5}, {"environment": {1: "x"}}, {"cpu": 2**70}])
def test_data_read_differently_gets_no_fast_verdict(odd: dict[str, Any]) -> None:
    assert is_valid_fast(_app(**odd)) is None


def test_a_whole_float_is_still_refused() -> None:
    assert [d.code for d in validate(_app(cpu=512.0))] == ["SCC103"]


def test_a_lone_surrogate_gets_the_same_verdict() -> None:
    case = _app(image="nginx:\ud800")  # YAML's "\ud800" escape makes one
    assert is_valid_fast(case) in (None, _slow_verdict(case))
