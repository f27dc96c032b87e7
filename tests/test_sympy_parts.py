"""The lint worker imports only the parts of sympy cfn-lint uses (scc/synth/sympy_parts.py); the
rest of sympy comes the moment anyone asks for it. Each case runs in a fresh interpreter: the
test process has usually imported sympy whole already."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_a_build_whose_override_adds_conditions_lints_them(tmp_path: Path) -> None:
    """The real path: `scc build` forks its lint worker, which loads sympy's parts; the template's
    Conditions (written by an override) make sympy whole before cfn-lint reads them."""
    spec = (ROOT / "examples" / "shop.yaml").read_text() + """
overrides:
  resources:
    ReportsBucket: { Type: AWS::S3::Bucket }
  patch:
    - op: add
      path: /Conditions
      value: { InEurope: { "Fn::Equals": [{ Ref: "AWS::Region" }, eu-west-1] } }
    - { op: add, path: /Resources/ReportsBucket/Condition, value: InEurope }
"""
    (tmp_path / "shop.yaml").write_text(spec)
    out = subprocess.run([sys.executable, "-m", "scc", "build", "shop.yaml", "-o", "out"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "SCC_CACHE_DIR": "", "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Condition: InEurope" in (tmp_path / "out" / "shop.yaml").read_text()
    assert "lint worker failed" not in out.stderr and "E0002" not in out.stdout + out.stderr
