"""Stage lint: rendered template text -> diagnostics from cfn-lint, run in process and mapped
back to the part of the spec that produced each resource."""

from __future__ import annotations

from scc.codes import problem
from scc.diagnostics import Diagnostic, Path

# cfn-lint rules scc turns off, each with its reason:
# - E1029 ("embedded parameter outside Fn::Sub") fires when `${X}` in a plain string names a
#   parameter or resource of the template. The user's strings are written verbatim, and a shell
#   variable that happens to share a name with one of scc's logical ids (`echo ${VpcId}`) is no
#   mistake of theirs; the real mistake, `${AWS::Region}` expecting a substitution, is scc's own
#   rule SCC109. Every substitution scc makes is an explicit Fn::Sub.
ALWAYS_IGNORED = ("E1029",)


def lint(text: str, regions: tuple[str, ...], ignore: tuple[str, ...], origin: dict[str, Path]) -> list[Diagnostic]:
    from cfnlint.api import ManualArgs  # slow import: kept off the start-up path
    from cfnlint.api import lint as cfn_lint
    from cfnlint.helpers import REGIONS

    unknown = [problem("SCC110", f"cfn-lint does not know the region {r!r}", ("lint", "regions", i),
                       hint="use a region code such as us-east-1 or eu-west-1")
               for i, r in enumerate(regions) if r not in REGIONS]
    if unknown:
        return unknown
    cfn_ignore = [*ALWAYS_IGNORED, *(c for c in ignore if not c.startswith("SCC"))]
    matches = cfn_lint(text, config=ManualArgs(regions=list(regions), ignore_checks=cfn_ignore))
    out = []
    for m in matches:
        where = list(m.path or [])
        resource = where[1] if len(where) > 1 and where[0] in ("Resources", "Outputs", "Parameters") else None
        spec_path = origin.get(resource, ()) if resource else ()
        location = "/".join(str(p) for p in where) or f"line {m.linenumber}"
        code = "SCC901" if m.rule.severity == "error" else "SCC902"
        hint = ("this is a bug in scc: please report it with your spec" if code == "SCC901"
                else f"silence it with lint.ignore: [{m.rule.id}] if it is intended")
        out.append(problem(code, f"cfn-lint {m.rule.id} at {location}: {m.message}", spec_path, hint=hint,
                           at_key=True))
    return out
