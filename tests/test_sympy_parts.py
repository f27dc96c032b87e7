"""The lint worker imports only the parts of sympy cfn-lint uses (scc/synth/sympy_parts.py); the
rest of sympy comes the moment anyone asks for it. Each case runs in a fresh interpreter: the
test process has usually imported sympy whole already."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(script: str) -> None:
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]


def test_parts_first_then_the_whole_package_on_demand() -> None:
    _run("""
import sys
from scc.synth import sympy_parts
assert sympy_parts.load()
import sympy
from sympy import And, Dummy, Equivalent, Implies, Not, Or, Symbol  # what cfn-lint imports
from sympy.logic.inference import satisfiable
assert "sympy.polys" not in sys.modules and len([m for m in sys.modules if m.startswith("sympy")]) < 100
x, y = Symbol("x"), Symbol("y")
assert sympy.simplify is not None  # anything else: sympy's __init__ runs
assert "sympy.polys" in sys.modules and "__getattr__" not in vars(sympy)
assert satisfiable(And(Equivalent(x, Not(y)), Or(x, y))) in ({x: True, y: False}, {x: False, y: True})
assert sympy_parts.load() is False  # sympy is there now
""")


def test_whole_before_conditions_and_nothing_partial_left_when_sympy_is_already_there() -> None:
    _run("""
import sys
import sympy
from scc.synth import sympy_parts
assert sympy_parts.load() is False and sys.modules["sympy"] is sympy
sympy_parts.whole()  # nothing to do
assert sympy_parts.needed_by({"Conditions": {"A": {"Fn::Equals": ["a", "b"]}}})
assert not sympy_parts.needed_by({"Conditions": {}, "Resources": {"Q": {"Condition": "A"}}})
""")


def test_a_failed_partial_import_leaves_no_trace() -> None:
    _run("""
import sys
from scc.synth import sympy_parts
sympy_parts.MODULES = ("sympy.core", "sympy.no_such_module")
assert sympy_parts.load() is False
assert not [m for m in sys.modules if m == "sympy" or m.startswith("sympy.")]
import sympy
assert sympy.simplify is not None and "sympy.polys" in sys.modules
""")
