"""Regenerate everything that is generated from the code, after an intended change, in one go:

- the golden files of the tests (`pytest --update-goldens` over the suites that have them):
  templates, warnings, error reports, imported specs; a warnings file whose case stopped warning
  is removed, and so is every golden file of a case folder whose spec is gone;
- the committed templates under templates_out/, built from examples/ with cfn-lint, and any file
  there that no example builds any more;
- docs/rules.md, from the code registry (`scc explain --markdown`).

Usage: `.venv/bin/python scripts/regenerate.py`, then review `git diff` and commit what is meant.
Exit status: pytest's when a golden suite fails for another reason than a golden difference, 1
when an example does not build clean, else 0."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_SUITES = ["tests/test_golden.py", "tests/test_errors.py", "tests/test_imports.py"]
GOLDEN_FOLDERS = ["tests/golden", "tests/errors"]


def goldens() -> int:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--update-goldens",
                           *GOLDEN_SUITES], cwd=ROOT)
    for folder in GOLDEN_FOLDERS:
        for case in sorted((ROOT / folder).iterdir()):
            if case.is_dir() and not (case / "spec.yaml").exists():
                print(f"removed {case.relative_to(ROOT)} (its spec.yaml is gone)")
                shutil.rmtree(case)
    return done.returncode


def templates() -> int:
    sys.path.insert(0, str(ROOT))
    from scc.pipeline import build

    out = ROOT / "templates_out"
    examples = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.yaml"))
    import os

    os.chdir(ROOT)  # the template header names each spec as written here: examples/<name>.yaml
    result = build(examples, Path("templates_out"))
    for d in result.diagnostics:
        print(d.render(result.sources.get(d.file)), file=sys.stderr)
    if not result.ok or result.diagnostics:
        print("examples must build without errors, warnings or lint findings", file=sys.stderr)
        return 1
    written = {(ROOT / p).resolve() for p in result.written}
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_file() and path.resolve() not in written:
            print(f"removed {path.relative_to(ROOT)} (no example builds it)")
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    print(f"built {len(written)} template(s) under templates_out/")
    return 0


def docs() -> int:
    from scc.codes import rules_markdown

    (ROOT / "docs" / "rules.md").write_text(rules_markdown(), encoding="utf-8")
    print("wrote docs/rules.md")
    return 0


def main() -> int:
    status = [goldens(), templates(), docs()]
    return next((s for s in status if s), 0)


if __name__ == "__main__":
    raise SystemExit(main())
