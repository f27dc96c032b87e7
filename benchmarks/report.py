"""RESULTS.md from the measured data alone: RESULTS.md.tmpl filled with the figures of one run.

`render(results)` takes what measure.measure() returns (or last-run.json, loaded back), so a
report can be re-rendered without measuring (`benchmarks/run.py --report-only FILE`). The prose
is in the template; this module computes the medians, ratios and goal statuses and formats the
table rows.
"""

from __future__ import annotations

import math
import re
import statistics
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parent / "RESULTS.md.tmpl"

# The goals of issues 8 and 21, shown next to the figures.
GOAL_RATIO = 3.0  # reference app, cdk synth / scc build
GOAL_VALIDATE = 0.2
GOAL_NO_LINT = 0.5
GOAL_EXPONENT = 1.15
GOAL_COLD = {10: 3.0, 46: 1.5}  # cold scc build against cdk synth of app-scale.js: at least this much faster
GOAL_WARM = {46: 2.0, 250: 4.0}  # rebuild after a one-service edit, lint included: at most this long
GOAL_MB_250 = 300.0
FIT_FROM = 50  # below ~50 services fixed costs (start-up, imports, cfn-lint's rules) dominate

STAGES = ("load", "schema", "model", "plan", "rules", "compile", "render")
CDK_REFERENCE = "cdk synth (app.js)"

Figures = dict[str, Any]


# ----------------------------------------------------------------------------------------------
# Formatting.


def median(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 100:
        return f"{value:.2f} s"
    return f"{value:.0f} s"


def fmt_mb(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} MB"


def fmt_ratio(num: float | None, den: float | None, bold: bool = False) -> str:
    if not num or not den:
        return "–"
    text = f"{num / den:.2f}×"
    return f"**{text}**" if bold else text


def row(*cells: object) -> str:
    """One Markdown table row."""
    return "| " + " | ".join("" if c is None else str(c) for c in cells) + " |"


def status(ok: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measurable yet"}[ok]


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares exponent b of t = a * N^b over the points (1.0 = linear)."""
    pts = [(math.log(n), math.log(t)) for n, t in points if t and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


# ----------------------------------------------------------------------------------------------
# The template.


def sections(path: Path = TEMPLATE) -> dict[str, string.Template]:
    """The template's sections: `%% NAME` lines start them; text before the first is a comment."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("%% "):
            current = found.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return {name: string.Template("\n".join(lines).strip("\n")) for name, lines in found.items()}


_ALONE = re.compile(r"^\$\{(\w+)\}$")


def fill(template: string.Template, values: dict[str, object]) -> str:
    """Substitute every placeholder (a missing value is an error); a line holding only a
    placeholder whose value is empty is left out."""
    kept = [line for line in template.template.splitlines()
            if not ((m := _ALONE.match(line)) and values.get(m.group(1)) == "")]
    return string.Template("\n".join(kept)).substitute({k: str(v) for k, v in values.items()})


class Report:
    def __init__(self, results: dict[str, Any], template: Path = TEMPLATE) -> None:
        self.meta: dict[str, Any] = results["meta"]
        self.data: dict[str, Any] = results["data"]
        self.notes: list[str] = list(results.get("notes", []))
        self.t = sections(template)
        self.ref: dict[str, list[Figures]] = self.data.get("reference", {})
        self.scale: dict[int, list[Figures]] = {int(k): v for k, v in self.data.get("scale", {}).items()}
        self.ns = sorted(self.scale)

    def section(self, name: str, **values: object) -> str:
        """A filled section, ending with one newline (a blank line follows it in the document)."""
        return fill(self.t[name], values).rstrip() + "\n"

    # -- figures -------------------------------------------------------------------------------

    def ref_wall(self, name: str) -> float | None:
        return median(r["wall"] for r in self.ref.get(name, []))

    def scale_med(self, n: int, key: str) -> float | None:
        return median(r.get(key) for r in self.scale.get(n, []))

    def stage_med(self, n: int, stage: str) -> float | None:
        return median(r.get("stages", {}).get(stage) for r in self.scale.get(n, []))

    def stages_timed(self, n: int) -> bool:
        return any(r.get("stages") for r in self.scale.get(n, []))

    def upto_render(self, n: int) -> float | None:
        """load…render of N: the stages before lint, without the imports."""
        return median(sum(v for k, v in r["stages"].items() if k != "lint" and v is not None)
                      for r in self.scale.get(n, []) if r.get("stages"))

    @staticmethod
    def interpreter(r: Figures) -> float | None:
        if r.get("command") is None or r.get("imports") is None:
            return None
        return float(r["wall"] - r["command"] - (r["imports"] - r.get("imports_late", 0.0)))

    # -- the document --------------------------------------------------------------------------

    def render(self) -> str:
        m, v, meta = self.meta["machine"], self.meta["versions"], self.meta
        base = meta.get("baseline")
        text = fill(self.t["document"], {
            "command": meta["command"], "date": meta["date"], "duration": f"{meta['duration']:.0f} s",
            "cpu": m["cpu"], "cores": m["cores"], "memory": m["memory"], "os": m["os"],
            "python": v["python"], "node": v["node"], "npm": v["npm"], "scc": v["scc"], "git": meta["git"],
            "baseline_row": row(f"baseline (--baseline {base['rev']})", f"{base['scc']} (git {base['commit']})")
            if base else "",
            "cfn_lint": v["cfn-lint"], "troposphere": v["troposphere"], "cfn_flip": v["cfn-flip"],
            "jsonschema": v["jsonschema"], "pyyaml": v["PyYAML"], "typer": v["typer"],
            "cdk_row": row("aws-cdk (CLI) / aws-cdk-lib / constructs",
                           f"{v.get('aws-cdk', '?')} / {v['aws-cdk-lib']} / {v.get('constructs', '?')}")
            if "aws-cdk-lib" in v else "",
            "load_start": meta["load_start"], "load_end": meta["load_end"],
            "rounds": meta["rounds"], "rounds_scale": meta["rounds_scale"],
            "reps_small": meta["reps_small"], "reps_large": meta["reps_large"],
            "quick": " (--quick)" if meta["quick"] else "",
            "cdk_skipped": self.section("cdk_skipped", why=meta["cdk_skipped"]) if meta.get("cdk_skipped") else "",
            "busy": self.section("busy") if self.busy() else "",
            "goal_rows": "\n".join(self.goal_rows()),
            "reference": self.section("reference", rows="\n".join(self.reference_rows())) if self.ref else "",
            "cdk_scale": self.section("cdk_scale", rows="\n".join(self.cdk_scale_rows()))
            if self.data.get("cdk_scale") else "",
            "warm": self.section("warm", rows="\n".join(self.warm_rows())) if self.data.get("warm") else "",
            "scale": self.scale_section() if self.scale else "",
            "baseline": self.baseline_section() if base and self.data.get("baseline") else "",
            "profile": self.section("profile", n=self.data["profile"]["n"], text=self.data["profile"]["text"].strip())
            if self.data.get("profile") else "",
            "notes": "\n".join(f"> {note}\n" for note in self.notes),
        })
        return text.rstrip() + "\n"

    def busy(self) -> bool:
        try:
            return float(self.meta["load_start"].split()[0]) > 0.5 or float(self.meta["load_end"].split()[0]) > 1.5
        except (ValueError, IndexError):
            return False

    # -- goals ---------------------------------------------------------------------------------

    def goal_rows(self) -> list[str]:
        cdk, build = self.ref_wall(CDK_REFERENCE), self.ref_wall("scc build (reference spec)")
        validate = self.ref_wall("scc validate (reference spec)")
        nolint = self.ref_wall("scc build --no-lint (reference spec)")
        ratio = cdk / build if cdk and build else None
        rows = [
            row("`scc build` (with lint) vs `cdk synth`, reference app", f"≥ {GOAL_RATIO:.0f}× faster",
                f"{fmt_s(build)} vs {fmt_s(cdk)}: **{ratio:.2f}×**" if ratio else
                f"{fmt_s(build)}; cdk synth not measured", status(ratio >= GOAL_RATIO if ratio else None)),
            row("`scc validate`, reference spec", f"< {GOAL_VALIDATE * 1000:.0f} ms", fmt_s(validate),
                status(validate < GOAL_VALIDATE if validate else None)),
            row("`scc build --no-lint`, reference spec", f"< {GOAL_NO_LINT * 1000:.0f} ms", fmt_s(nolint),
                status(nolint < GOAL_NO_LINT if nolint else None)),
            self.linear_row(),
        ]
        cold = self.data.get("cdk_scale") or {}
        for n, goal in GOAL_COLD.items():
            pair = cold.get(str(n)) or cold.get(n)
            label = f"cold `scc build` vs `cdk synth`, app-scale N={n}"
            if not pair:
                rows.append(row(label, f"≥ {goal:g}× faster", "not measured (CDK side skipped)", status(None)))
                continue
            c, s = (median(r["wall"] for r in pair[k]) for k in ("cdk", "scc"))
            ratio = c / s if c and s else None
            rows.append(row(label, f"≥ {goal:g}× faster", f"{fmt_s(s)} vs {fmt_s(c)}: **{ratio:.2f}×**" if ratio
                            else "–", status(ratio >= goal if ratio else None)))
        warm = {int(k): v for k, v in (self.data.get("warm") or {}).items()}
        for n, goal in GOAL_WARM.items():
            label = f"rebuild after a one-service edit, N={n}, lint included"
            wall = median(r["wall"] for r in warm.get(n, []))
            rows.append(row(label, f"≤ {goal:g} s", fmt_s(wall) if wall else "not measured",
                            status(wall <= goal if wall else None)))
        peaks = [m for m in (median(r["maxrss_mb"] for r in warm.get(250, [])), self.scale_med(250, "maxrss_mb"))
                 if m is not None]
        rows.append(row("peak memory at N=250 (cold build and warm rebuild)", f"< {GOAL_MB_250:.0f} MB",
                        " / ".join(fmt_mb(m) for m in peaks) or "not measured",
                        status(all(m < GOAL_MB_250 for m in peaks) if peaks else None)))
        return rows

    def warm_rows(self) -> list[str]:
        warm = {int(k): v for k, v in (self.data.get("warm") or {}).items()}
        resources = {int(k): v for k, v in (self.data.get("warm_resources") or {}).items()}
        edited = {int(k): v for k, v in (self.data.get("warm_edit") or {}).items()}
        return [row(n, f"{resources.get(n) or '?':,}" if resources.get(n) else "?", f"`{edited.get(n, '?')}`",
                    fmt_s(median(r["wall"] for r in runs)), f"{fmt_s(min(r['wall'] for r in runs))} … "
                    f"{fmt_s(max(r['wall'] for r in runs))}", fmt_s(median(r["cpu"] for r in runs)),
                    fmt_mb(median(r["maxrss_mb"] for r in runs)))
                for n, runs in sorted(warm.items()) if runs]

    def linear_row(self) -> str:
        """Exponents of N of load…render and of the whole build (with lint), fitted over N >= 50."""
        fit = [n for n in self.ns if n >= FIT_FROM]
        pre = [(n, t) for n in fit if (t := self.upto_render(n))]
        full = [(n, t) for n in fit if (t := self.scale_med(n, "wall"))]
        b_pre, b_full = slope(pre), slope(full)
        parts, exponents = [], []
        if b_pre is not None:
            parts.append(f"load…render: time ∝ N^{b_pre:.2f} (N ≥ {FIT_FROM})")
            exponents.append(b_pre)
        if b_full is not None:
            parts.append(f"whole build with lint: N^{b_full:.2f} over N = {', '.join(str(n) for n, _ in full)}")
            exponents.append(b_full)
        measured = "; ".join(parts) or f"– (needs two sizes of N ≥ {FIT_FROM}, --sizes)"
        ok = all(b <= GOAL_EXPONENT for b in exponents) if exponents else None
        return row("cost grows linearly with N", f"exponent ≈ 1 (≤ {GOAL_EXPONENT})", measured, status(ok))

    # -- tables --------------------------------------------------------------------------------

    def reference_rows(self) -> list[str]:
        cdk = self.ref_wall(CDK_REFERENCE)
        resources = self.data.get("reference_resources", {})
        rows = []
        for name, runs in self.ref.items():
            walls = [r["wall"] for r in runs]
            mw = median(walls)
            if name == CDK_REFERENCE:
                vs = "1×"
            elif cdk and mw and name.startswith("scc build"):
                vs = fmt_ratio(cdk, mw)
            else:
                vs = ""
            rows.append(row(f"`{name}`", resources.get(name), fmt_s(mw), f"{fmt_s(min(walls))} … {fmt_s(max(walls))}",
                            fmt_s(median(r["cpu"] for r in runs)), fmt_mb(median(r["maxrss_mb"] for r in runs)), vs))
        return rows

    def cdk_scale_rows(self) -> list[str]:
        resources = self.data.get("cdk_scale_resources", {})
        rows = []
        for n, pair in self.data["cdk_scale"].items():
            c, s = (median(r["wall"] for r in pair[k]) for k in ("cdk", "scc"))
            res = resources.get(n, {})
            rows.append(row(n, fmt_s(c), fmt_s(s), fmt_ratio(c, s), f"{res.get('cdk')} / {res.get('scc')}",
                            f"{fmt_mb(median(r['maxrss_mb'] for r in pair['cdk']))} / "
                            f"{fmt_mb(median(r['maxrss_mb'] for r in pair['scc']))}"))
        return rows

    def scale_section(self) -> str:
        rows = []
        for n in self.ns:
            runs = self.scale[n]
            timed = self.stages_timed(n)
            lint = self.stage_med(n, "lint")
            rows.append(row(n, resources_of(runs), fmt_s(self.scale_med(n, "wall")),
                            fmt_mb(self.scale_med(n, "maxrss_mb")), fmt_s(median(map(self.interpreter, runs))),
                            fmt_s(self.scale_med(n, "imports")), *(fmt_s(self.stage_med(n, s)) for s in STAGES),
                            fmt_s(lint) if lint is not None or not timed else "not observed in process",
                            fmt_s(self.scale_med(n, "other"))))
        per = [(n, t) for n in self.ns if (t := self.upto_render(n))]
        times = ", ".join(f"N={n}: {t / n * 1000:.1f} ms" for n, t in per)
        return self.section("scale", rows="\n".join(rows),
                            per_service=self.section("per_service", times=times).rstrip() if per else "")

    def baseline_section(self) -> str:
        base, rev = self.data["baseline"], self.meta["baseline"]["rev"]
        rows = []
        pairs = [(f"`{name}`", pair) for name, pair in base.get("reference", {}).items()]
        pairs += [(f"`scc build` mesh N={n}", pair) for n, pair in base.get("scale", {}).items()]
        for label, pair in pairs:
            bw, tw = (median(r["wall"] for r in pair[side]) for side in ("base", "this"))
            bm, tm = (median(r["maxrss_mb"] for r in pair[side]) for side in ("base", "this"))
            rows.append(row(label, fmt_s(bw), fmt_s(tw), fmt_ratio(tw, bw), fmt_mb(bm), fmt_mb(tm), fmt_ratio(tm, bm)))
        return self.section("baseline", rev=rev, commit=self.meta["baseline"]["commit"],
                            scc=self.meta["baseline"]["scc"], git=self.meta["git"], rows="\n".join(rows))


def resources_of(runs: list[Figures]) -> str:
    """Resources of the rendered template(s) of the first run: `433`, or `2,310 in 6 templates (max 480)`."""
    rendered = [tuple(x) for x in (runs[0].get("rendered") or [])] if runs else []
    if not rendered:
        return "?"
    counts = [r for r, _ in rendered]
    if len(counts) == 1:
        return f"{counts[0]:,}"
    return f"{sum(counts):,} in {len(counts)} templates (max {max(counts):,})"


def render(results: dict[str, Any], template: Path = TEMPLATE) -> str:
    """RESULTS.md of one run's results ({"meta", "data", "notes"}, as in last-run.json)."""
    return Report(results, template).render()
