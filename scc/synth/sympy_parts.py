"""Stage lint, loading cfn-lint sooner: only the parts of sympy that cfn-lint imports.

cfn-lint reads template conditions with sympy, and imports seven names from sympy's top-level
package (And, Or, Not, Implies, Equivalent, Symbol, Dummy) plus four of its modules. `import
sympy` runs sympy/__init__.py, which imports all of sympy: 419 modules, a third of the second
cfn-lint takes to load, on the critical path of every build that lints. Here the package module
is made without running its __init__, the modules cfn-lint imports are imported (66 in all, with
what they need), and the seven names are set on the package. Whatever else anyone asks of the
package makes it whole first: its module `__getattr__` runs sympy's real __init__ into it, so code
that wants the rest of sympy gets exactly what `import sympy` gives. A template with conditions
makes it whole before cfn-lint reads it (`whole()`): sympy imports more of itself while it
computes, in an order that only works once its __init__ has run.

If sympy is already imported, or any of this fails (a sympy that moved these names), nothing is
left half-done: the partial modules are removed and cfn-lint's own import runs as usual. Lint
findings are cfn-lint's either way (tests/test_lint_incremental.py compares them, conditions
included, with cfn-lint in an interpreter where scc changed nothing).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

# What cfn-lint 1.x imports from sympy (`from sympy import ...` and `from sympy.x import ...`).
NAMES = {"And": "sympy.logic.boolalg", "Or": "sympy.logic.boolalg", "Not": "sympy.logic.boolalg",
         "Implies": "sympy.logic.boolalg", "Equivalent": "sympy.logic.boolalg",
         "Symbol": "sympy.core.symbol", "Dummy": "sympy.core.symbol"}
# sympy.core first: sympy's modules import one another in that order when __init__ runs.
MODULES = ("sympy.core", "sympy.logic.boolalg", "sympy.core.symbol", "sympy.assumptions.cnf",
           "sympy.logic.inference")


def load() -> bool:
    """Import the parts; True if sympy is now the partial package, False if left to `import sympy`."""
    if "sympy" in sys.modules:
        return False
    spec = importlib.util.find_spec("sympy")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return False
    package = importlib.util.module_from_spec(spec)
    sys.modules["sympy"] = package
    try:
        for name in MODULES:
            importlib.import_module(name)
        for name, where in NAMES.items():
            setattr(package, name, getattr(sys.modules[where], name))
    except Exception:
        for name in [m for m in sys.modules if m == "sympy" or m.startswith("sympy.")]:
            del sys.modules[name]
        return False
    loader = spec.loader

    def rest(attr: str) -> Any:
        whole()
        return getattr(package, attr)

    _partial.append((package, loader))
    package.__getattr__ = rest  # type: ignore[method-assign]
    return True


def whole() -> None:
    """Make sympy whole (run its __init__) if it is the partial package. Needed before cfn-lint
    evaluates conditions: sympy imports more of itself while it works (Function.__new__ imports
    sympy.sets), and those imports only resolve in the order its __init__ gives them."""
    while _partial:
        package, loader = _partial.pop()
        package.__dict__.pop("__getattr__", None)
        loader.exec_module(package)  # sympy/__init__.py, into the package the parts are in


def needed_by(template: Any) -> bool:
    """Whether cfn-lint will work with sympy on this decoded template: when it has conditions
    (a Conditions or Rules section). Without them it only builds empty condition sets."""
    return isinstance(template, dict) and any(template.get(k) for k in ("Conditions", "Rules"))


_partial: list[tuple[Any, Any]] = []
