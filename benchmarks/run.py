"""scc performance benchmark (issues 8 and 21): one command, every contender side by side in one run.

    .venv/bin/python benchmarks/run.py [--quick] [--baseline REV]
    .venv/bin/python benchmarks/run.py --report-only benchmarks/.cache/last-run.json

Measures (measure.py, running its children with harness.py), writes the raw figures to
benchmarks/.cache/last-run.json, and renders benchmarks/RESULTS.md from them alone (report.py,
RESULTS.md.tmpl). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BENCH, CACHE, ROOT
from measure import Settings, measure
from report import render

DEFAULT_PEER = ROOT.parent / "shared" / "peers" / "cdk"
SIZES = (10, 46, 100, 250)  # 250: the largest app one nested-stack operation takes
LAST_RUN = CACHE / "last-run.json"


def sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="scc performance benchmark (issues 8, 21). Writes benchmarks/RESULTS.md.")
    p.add_argument("--quick", action="store_true", help="fewer repetitions (a rough figure in about 1.5 minutes)")
    p.add_argument("--sizes", type=sizes, default=list(SIZES),
                   help="service counts of the scale series (default 10,46,100,250)")
    p.add_argument("--no-cdk", action="store_true", help="skip the CDK side")
    p.add_argument("--no-cdk-scale", action="store_true", help="skip the CDK scale app comparison")
    p.add_argument("--cdk-peer", type=Path, default=DEFAULT_PEER, help="the CDK peer app (default %(default)s)")
    p.add_argument("--profile", type=int, metavar="N", default=0,
                   help="also cProfile an N-service build and add the top functions to RESULTS.md")
    p.add_argument("--scc", default=None, help="the scc executable (default: next to this Python)")
    p.add_argument("--rev", help="measure this git revision of scc (e.g. HEAD) instead of the working tree")
    p.add_argument("--baseline", metavar="REV",
                   help="also measure the scc commands of git revision REV, alternating with the measured one, "
                        "and add a table 'against REV' (figures and ratios)")
    p.add_argument("--report-only", type=Path, metavar="FILE",
                   help=f"measure nothing: render the report from FILE (a saved {LAST_RUN.name})")
    p.add_argument("--output", type=Path, default=BENCH / "RESULTS.md", help="where to write the results")
    return p


def shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def write_report(results: dict[str, object], output: Path) -> None:
    output.write_text(render(results), encoding="utf-8")


def main() -> None:
    args = parser().parse_args()
    if args.report_only:
        try:
            results = json.loads(args.report_only.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SystemExit(f"cannot read {args.report_only}: {exc}") from None
        write_report(results, args.output)
        print(f"wrote {shown(args.output)} from {shown(args.report_only)}")
        return

    scc = args.scc
    if scc is None:
        here = Path(sys.executable).parent / "scc"
        scc = str(here if here.exists() else ROOT / ".venv" / "bin" / "scc")
    if not Path(scc).exists():
        raise SystemExit(f"no scc executable at {scc}: run with the project's venv "
                         "(.venv/bin/python benchmarks/run.py) or pass --scc")
    settings = Settings(
        command=" ".join(["python benchmarks/run.py", *sys.argv[1:]]), quick=args.quick, sizes=args.sizes,
        cdk=not args.no_cdk, cdk_scale=not args.no_cdk_scale, cdk_peer=args.cdk_peer, profile=args.profile,
        scc=scc, python=sys.executable, rev=args.rev, baseline=args.baseline)
    measured = measure(settings)
    # The report is rendered from the data as saved, exactly as --report-only renders it.
    LAST_RUN.write_text(json.dumps(measured, indent=1, default=str), encoding="utf-8")
    write_report(json.loads(LAST_RUN.read_text(encoding="utf-8")), args.output)
    print(f"\nwrote {shown(args.output)} and {shown(LAST_RUN)} in {measured['meta']['duration']:.0f} s")


if __name__ == "__main__":
    main()
