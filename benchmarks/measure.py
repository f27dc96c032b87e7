"""The measurements of the benchmark, as plain JSON-serialisable data (no report text here).

1. Reference app: `cdk synth` of the CDK peer's app.js against `scc build` (with lint) of the
   closest scc spec and of examples/shop.yaml, plus `scc build --no-lint`, `scc validate` and
   `scc --help`, alternating round by round after a warm-up round.
2. CDK scale app: `cdk synth` of app-scale.js against a cold `scc build` of the same architecture
   (genspec.py cdk-scale) at N = 10 and 46.
2b. Warm rebuild: `scc build` of a generated app (genspec.py mesh) at N = 46 and 250 after a
   one-service edit, with the lint cache and the output directory of the build before it.
3. Scale series: `scc build` of generated specs of N services, each run through stages.py (wall
   time and peak memory of the process, the time of every pipeline stage).
4. With a baseline revision: the scc commands of 1 (build with and without lint, validate, --help
   of the reference spec) and the builds of 3, of that revision, alternating with this one.

`measure(settings)` returns {"meta": ..., "data": ..., "notes": [...]}, what run.py writes to
benchmarks/.cache/last-run.json and report.py renders.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import platform
import pstats
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genspec
from harness import (
    BENCH,
    CACHE,
    MID_EDIT,
    ROOT,
    Run,
    cdk_env,
    cdk_synth_cmd,
    prepare_cdk,
    resolve,
    run,
    scc_env,
    snapshot,
)
from report import fmt_mb, fmt_s

REFERENCE_SPEC = BENCH / "specs" / "cdk-reference.yaml"
CDK_SCALE_SIZES = (10, 46)
WARM_SIZES = (46, 250)  # 250: the largest app one nested-stack operation takes (2,500 resources)
CDK_REFERENCE = "cdk synth (app.js)"


@dataclass
class Settings:
    """What to measure (run.py's command line)."""

    command: str
    quick: bool
    sizes: list[int]
    cdk: bool
    cdk_scale: bool
    cdk_peer: Path
    profile: int
    scc: str
    python: str
    rev: str | None
    baseline: str | None

    @property
    def rounds(self) -> int:
        return 2 if self.quick else 5

    @property
    def rounds_scale(self) -> int:
        return 1 if self.quick else 3

    @property
    def reps_small(self) -> int:
        return 1 if self.quick else 3

    @property
    def reps_large(self) -> int:
        return 1


@dataclass
class Contender:
    """One command of the reference app; `baseline_of` names the contender it is the baseline of."""

    name: str
    cmd: list[str]
    cwd: Path
    env: dict[str, str]
    baseline_of: str | None = None


def log(msg: str) -> None:
    print(msg, flush=True)


# ----------------------------------------------------------------------------------------------
# About the run: machine, versions, git.


def count_resources(path: Path) -> int | None:
    try:
        if path.suffix == ".json":
            data = json.loads(path.read_text())
        else:
            from cfn_tools import load_yaml

            data = load_yaml(path.read_text())
        return len(data.get("Resources", {}))
    except Exception:
        return None


def versions(cdk_dir: Path | None) -> dict[str, str]:
    from importlib import metadata

    out: dict[str, str] = {}
    for dist in ("scc", "cfn-lint", "troposphere", "cfn-flip", "jsonschema", "PyYAML", "typer"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    out["python"] = platform.python_version()
    for tool in ("node", "npm"):
        exe = shutil.which(tool)
        done = subprocess.run([exe, "--version"], capture_output=True, text=True) if exe else None
        out[tool] = done.stdout.strip() if done else "absent"
    if cdk_dir is not None:
        for pkg in ("aws-cdk", "aws-cdk-lib", "constructs"):
            manifest = cdk_dir / "node_modules" / pkg / "package.json"
            if manifest.exists():
                out[pkg] = json.loads(manifest.read_text()).get("version", "?")
    return out


def scc_version(python: str, env: dict[str, str]) -> str:
    """scc.__version__ as the children import it ('' if scc does not import)."""
    done = subprocess.run([python, "-c", "import scc; print(scc.__version__)"], env=env, capture_output=True,
                          text=True, cwd=CACHE)
    return done.stdout.strip()


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    flags = ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        for line in info.splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mhz = [float(line.split(":", 1)[1]) for line in info.splitlines() if line.startswith("cpu MHz")]
        if mhz:
            flags = f", {mhz[0]:.0f} MHz"
        if " hypervisor" in info:
            flags += ", virtual machine"
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"cpu": cpu + flags, "cores": str(os.cpu_count()), "memory": mem,
            "os": f"{platform.system()} {platform.release()}"}


def short(rev: str) -> str:
    return subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def git_state(rev: str | None) -> str:
    try:
        head = short(rev or "HEAD")
        if rev:
            return f"{head}, measured from a snapshot (--rev {rev})"
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "scc", "pyproject.toml"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" with uncommitted changes in scc/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ----------------------------------------------------------------------------------------------
# The measurements.


class Measurement:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.source = snapshot(settings.rev) if settings.rev else None
        self.env = scc_env(self.source)
        self.base_source = snapshot(settings.baseline) if settings.baseline else None
        self.base_env = scc_env(self.base_source) if self.base_source else None
        self.shop = (self.source or ROOT) / "examples" / "shop.yaml"
        self.out = CACHE / "out"
        self.specs = CACHE / "specs"
        self.notes: list[str] = []
        self.data: dict[str, Any] = {}
        self.cdk_failed = False
        self.stages_failed = False

    def note(self, text: str) -> None:
        print(f"NOTE: {text}", flush=True)
        self.notes.append(text.replace("\n", " "))

    def spec(self, name: str, text: str) -> Path:
        self.specs.mkdir(parents=True, exist_ok=True)
        path = self.specs / name
        path.write_text(text)
        return path

    # -- 1. the reference app ------------------------------------------------------------------

    def contenders(self, cdk_dir: Path | None) -> list[Contender]:
        scc, ref, shop = self.s.scc, str(REFERENCE_SPEC), str(self.shop)
        out = str(self.out / "reference")
        c: list[Contender] = []
        if cdk_dir is not None:
            c.append(Contender(CDK_REFERENCE, cdk_synth_cmd(), cdk_dir, cdk_env()))
        scc_commands = [
            ("scc build (reference spec)", ["build", ref, "-o", out], True),
            ("scc build (examples/shop.yaml)", ["build", shop, "-o", out], False),
            ("scc build --no-lint (reference spec)", ["build", "--no-lint", ref, "-o", out], True),
            ("scc validate (reference spec)", ["validate", ref], True),
            # against the templates the build above wrote: nothing changes, every resource is compared
            ("scc plan (reference spec)", ["plan", ref, "--against", out], True),
            ("scc build --no-lint (examples/shop.yaml)", ["build", "--no-lint", shop, "-o", out], False),
            ("scc validate (examples/shop.yaml)", ["validate", shop], False),
            ("scc --help", ["--help"], True),
        ]
        base_out = str(self.out / "baseline-reference")
        for name, args, compared in scc_commands:
            c.append(Contender(name, [scc, *args], ROOT, self.env))
            if compared and self.base_env is not None:
                base_args = [base_out if a == out else a for a in args]
                c.append(Contender(f"{name} @ {self.s.baseline}", [scc, *base_args], ROOT, self.base_env, name))
        return c

    def reference(self, cdk_dir: Path | None) -> None:
        rounds = self.s.rounds
        contenders = self.contenders(cdk_dir)
        log(f"\n== Reference app: {len(contenders)} contenders, 1 warm-up round + {rounds} rounds, alternating")
        runs: dict[str, list[Run]] = {c.name: [] for c in contenders}
        for r in range(rounds + 1):
            for c in list(contenders):
                res = run(c.cmd, c.cwd, c.env)
                if res.exit != 0:
                    failed = f"`{' '.join(c.cmd)}` failed (exit {res.exit})"
                    if c.name == CDK_REFERENCE:  # the peer failing is no reason to stop measuring scc
                        self.note(f"{failed}: the CDK side is skipped\n{res.tail()}")
                        self.cdk_failed = True
                    elif c.baseline_of is not None:
                        self.note(f"{failed} with scc of {self.s.baseline}: not compared\n{res.tail(4)}")
                    else:
                        raise SystemExit(f"{c.name} failed (exit {res.exit}):\n{res.tail()}\n{MID_EDIT}")
                    contenders.remove(c)
                    runs.pop(c.name, None)
                    continue
                if r > 0:
                    runs[c.name].append(res)
            if r == 0:
                log("  warm-up done")
            else:
                log(f"  round {r}: " + ", ".join(fmt_s(runs[c.name][-1].wall) for c in contenders if runs[c.name]))
        pairs = {c.name: c.baseline_of for c in contenders if c.baseline_of is not None}
        self.data["reference"] = {n: [x.figures() for x in v] for n, v in runs.items() if n not in pairs}
        if self.s.baseline:
            self.data.setdefault("baseline", {})["reference"] = {
                this: {"this": self.data["reference"][this], "base": [x.figures() for x in runs[name]]}
                for name, this in pairs.items()}
        ref_n = count_resources(self.out / "reference" / "cdkref.yaml")
        shop_n = count_resources(self.out / "reference" / "shop.yaml")
        resources = {"scc build (reference spec)": ref_n, "scc build --no-lint (reference spec)": ref_n,
                     "scc build (examples/shop.yaml)": shop_n, "scc build --no-lint (examples/shop.yaml)": shop_n}
        if cdk_dir is not None and not self.cdk_failed:
            resources[CDK_REFERENCE] = count_resources(cdk_dir / "cdk.out" / "ReferenceStack.template.json")
        self.data["reference_resources"] = resources

    # -- 2. the CDK scale app ------------------------------------------------------------------

    def cdk_scale(self, cdk_dir: Path | None) -> None:
        if cdk_dir is None or not self.s.cdk_scale or self.cdk_failed:
            return
        reps = self.s.rounds_scale
        log(f"\n== CDK scale app: N = {', '.join(map(str, CDK_SCALE_SIZES))}, {reps} rounds, alternating")
        specs = {n: self.spec(f"cdk-scale-{n}.yaml", genspec.cdk_scale(n)) for n in CDK_SCALE_SIZES}
        rows: dict[int, dict[str, list[Run]]] = {n: {"cdk": [], "scc": []} for n in CDK_SCALE_SIZES}
        for r in range(reps + 1):
            for n in CDK_SCALE_SIZES:
                cdk = run(cdk_synth_cmd("node app-scale.js", f"cdk.out.scale{n}"), cdk_dir, cdk_env(N=str(n)))
                scc = run([self.s.scc, "build", str(specs[n]), "-o", str(self.out / "cdk-scale")], ROOT, self.env)
                if cdk.exit != 0:
                    self.note(f"`cdk synth` of app-scale.js, N={n}, failed (exit {cdk.exit}): the CDK scale "
                              f"comparison is skipped. {cdk.tail(4, ' ')}")
                    return
                if scc.exit != 0:
                    raise SystemExit(f"scc build N={n} failed (exit {scc.exit}):\n{scc.tail()}\n{MID_EDIT}")
                if r > 0:
                    rows[n]["cdk"].append(cdk)
                    rows[n]["scc"].append(scc)
                    log(f"  round {r} N={n}: cdk synth {fmt_s(cdk.wall)}, scc build {fmt_s(scc.wall)}")
        self.data["cdk_scale"] = {n: {k: [x.figures() for x in v] for k, v in row.items()} for n, row in rows.items()}
        self.data["cdk_scale_resources"] = {
            n: {"cdk": count_resources(cdk_dir / f"cdk.out.scale{n}" / "ScaleStack.template.json"),
                "scc": count_resources(self.out / "cdk-scale" / f"cdkscale{n}.yaml")} for n in CDK_SCALE_SIZES}

    # -- 2b. warm rebuilds ---------------------------------------------------------------------

    def warm(self) -> None:
        """A rebuild after a one-service edit, as a user makes them all day: the lint cache and the
        output directory hold the build before it (made untimed first, then each round's edit
        builds on the previous round's). The edit is the image tag of the service in the middle of
        the list (in a middle nested stack at N = 250): its task definition and what follows it."""
        rounds = self.s.rounds_scale
        log(f"\n== Warm rebuild after a one-service edit: N = {', '.join(map(str, WARM_SIZES))}, "
            f"{rounds} rounds, alternating")
        cache = CACHE / "warm-lint-cache"
        shutil.rmtree(cache, ignore_errors=True)
        env = {**self.env, "SCC_CACHE_DIR": str(cache)}
        base = {n: genspec.mesh(n) for n in WARM_SIZES}
        edited = {n: f"s{n // 2:04d}" for n in WARM_SIZES}
        runs: dict[int, list[Run]] = {n: [] for n in WARM_SIZES}
        resources: dict[int, int | None] = {}
        for r in range(rounds + 1):
            for n in WARM_SIZES:
                old = f"image: public.ecr.aws/example/{edited[n]}:"
                text = base[n].replace(old, f"{old}edit{r}-", 1) if r else base[n]
                assert r == 0 or text != base[n], "the edit must change the spec"
                spec = self.spec(f"warm-{n}.yaml", text)
                out = self.out / f"warm-{n}"
                if r == 0:
                    shutil.rmtree(out, ignore_errors=True)
                res = run([self.s.scc, "build", str(spec), "-o", str(out)], ROOT, env)
                if res.exit != 0:
                    raise SystemExit(f"scc build of {spec.name} (warm) failed (exit {res.exit}):\n{res.tail()}\n"
                                     f"{MID_EDIT}")
                if r == 0:
                    resources[n] = sum(count_resources(p) or 0 for p in [out / f"mesh{n}.yaml",
                                                                          *sorted((out / f"mesh{n}").glob("*.yaml"))])
                    if (resources[n] or 0) > 2500:
                        self.note(f"genspec.py mesh {n} has {resources[n]} resources: more than one nested-stack "
                                  "operation takes (2,500); make the generated app smaller")
                    continue
                runs[n].append(res)
                log(f"  round {r} N={n}: rebuilt in {fmt_s(res.wall)}, {fmt_mb(res.maxrss_mb)}")
        self.data["warm"] = {n: [x.figures() for x in v] for n, v in runs.items()}
        self.data["warm_resources"] = resources
        self.data["warm_edit"] = edited

    # -- 3. the scale series -------------------------------------------------------------------

    def reps(self) -> dict[int, int]:
        return {n: (self.s.reps_small if n <= 100 else self.s.reps_large) for n in self.s.sizes}

    def scale(self) -> None:
        sizes, reps = self.s.sizes, self.reps()
        specs = {n: self.spec(f"mesh-{n}.yaml", genspec.mesh(n)) for n in sizes}
        log(f"\n== Scale series: N = {', '.join(map(str, sizes))} "
            f"({', '.join(f'{reps[n]}x' for n in sizes)}), each run a fresh `scc build` with stage timers")
        results: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
        for r in range(max(reps.values(), default=0)):
            for n in sizes:
                if r < reps[n]:
                    figures = self.stage_run(specs[n])
                    results[n].append(figures)
                    log(f"  N={n:<5} {scale_line(figures)}")
        self.data["scale"] = results
        missing = sorted({m for runs in results.values() for f in runs for m in f.get("missing", [])})
        if missing:
            self.notes.append(f"stages.py found no {', '.join(missing)}: those stages are not timed "
                              "(update TARGETS in benchmarks/stages.py); the wall times still cover them.")

    def build(self, spec: Path, env: dict[str, str], out: str) -> Run:
        return run([self.s.scc, "build", str(spec), "-o", str(self.out / out)], ROOT, env)

    def stage_run(self, spec: Path, profile: Path | None = None) -> dict[str, Any]:
        """One `scc build` through stages.py: the process's figures and the stage split. stages.py
        is a black box that may lag behind the code it instruments: if it gives no figures, the
        build runs plain and only its wall time, CPU time and peak memory are kept."""
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            js = Path(fh.name)
        try:
            cmd = [self.s.python, str(BENCH / "stages.py"), "--json", str(js)]
            if profile:
                cmd += ["--profile", str(profile)]
            cmd += ["--", "build", str(spec), "-o", str(self.out / "scale")]
            res = run(cmd, ROOT, self.env)
            try:
                figures: dict[str, Any] = json.loads(js.read_text())
            except (OSError, ValueError):
                figures = {}
        finally:
            js.unlink(missing_ok=True)
        if not figures:
            if not self.stages_failed:
                self.note(f"benchmarks/stages.py gave no figures (first for {spec.name}, exit {res.exit}): the stages "
                          f"are not timed, the processes are measured with a plain `scc build`. "
                          f"{res.tail(3, ' ')}".rstrip())
            self.stages_failed = True
            res = self.build(spec, self.env, "scale")
            figures = {"stages": {}, "stages_failed": True, "exit": res.exit, "errors": []}
        figures.update(wall=res.wall, cpu=res.cpu, maxrss_mb=res.maxrss_mb, timed_out=res.timed_out)
        if res.exit != 0:
            raise SystemExit(f"scc build of {spec.name} failed (exit {res.exit}) with {figures.get('errors')}:\n"
                             f"{res.tail()}\n{MID_EDIT}")
        return figures

    # -- 4. against a baseline revision --------------------------------------------------------

    def baseline_scale(self) -> None:
        """`scc build` of the scale series' specs, this revision and the baseline alternating; the
        same plain command on both sides (the stage timers run for this revision only, above)."""
        if self.base_env is None:
            return
        sizes, reps = self.s.sizes, self.reps()
        log(f"\n== Against {self.s.baseline}: scc build of N = {', '.join(map(str, sizes))}, alternating")
        pairs: dict[int, dict[str, list[Run]]] = {n: {"this": [], "base": []} for n in sizes}
        for r in range(max(reps.values(), default=0)):
            for n in sizes:
                if r >= reps[n] or n not in pairs:
                    continue
                spec = self.specs / f"mesh-{n}.yaml"
                if r % 2 == 0:  # A B, B A, ...: a drift of the machine hits both alike
                    this = self.build(spec, self.env, "baseline-this")
                    base = self.build(spec, self.base_env, "baseline-base")
                else:
                    base = self.build(spec, self.base_env, "baseline-base")
                    this = self.build(spec, self.env, "baseline-this")
                if this.exit != 0:
                    raise SystemExit(f"scc build of {spec.name} failed (exit {this.exit}):\n{this.tail()}\n{MID_EDIT}")
                if base.exit != 0:
                    self.note(f"scc build of {spec.name} with scc of {self.s.baseline} failed (exit {base.exit}): "
                              f"not compared. {base.tail(3, ' ')}".rstrip())
                    del pairs[n]
                    continue
                pairs[n]["this"].append(this)
                pairs[n]["base"].append(base)
                log(f"  N={n:<5} this {fmt_s(this.wall)}, {fmt_mb(this.maxrss_mb)}; "
                    f"{self.s.baseline} {fmt_s(base.wall)}, {fmt_mb(base.maxrss_mb)}")
        self.data.setdefault("baseline", {})["scale"] = {
            n: {k: [x.figures() for x in v] for k, v in row.items()} for n, row in pairs.items()}

    # -- profile -------------------------------------------------------------------------------

    def profile(self) -> None:
        n = self.s.profile
        if not n:
            return
        spec = self.spec(f"mesh-{n}.yaml", genspec.mesh(n))
        prof = CACHE / f"profile-{n}.prof"
        prof.unlink(missing_ok=True)
        log(f"\n== cProfile of the {n}-service build -> {prof.relative_to(ROOT)}")
        self.stage_run(spec, profile=prof)
        if not prof.exists():
            self.note(f"no cProfile of the {n}-service build: stages.py wrote none")
            return
        buf = io.StringIO()
        stats = pstats.Stats(str(prof), stream=buf)
        stats.sort_stats("cumulative").print_stats(30)
        buf.write("\n")
        stats.sort_stats("tottime").print_stats(20)
        self.data["profile"] = {"n": n, "text": buf.getvalue()}
        log(f"  written; `python -m pstats {prof.relative_to(ROOT)}` to browse")


def scale_line(f: dict[str, Any]) -> str:
    parts = " ".join(f"{k}={fmt_s(v)}" for k, v in f.get("stages", {}).items() if v is not None)
    return f"built in {fmt_s(f['wall'])}, {fmt_mb(f['maxrss_mb'])}: {parts or 'stages not timed'}"


def measure(s: Settings) -> dict[str, Any]:
    """Every measurement of one run: {"meta": ..., "data": ..., "notes": [...]} (JSON-serialisable)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.time()
    m = Measurement(s)
    meta: dict[str, Any] = {
        "command": s.command,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": loadavg(),
        "machine": machine(),
        "git": git_state(s.rev),
        "quick": s.quick,
        "rounds": s.rounds,
        "rounds_scale": s.rounds_scale,
        "reps_small": s.reps_small,
        "reps_large": s.reps_large,
    }
    cdk_dir = None
    if not s.cdk:
        meta["cdk_skipped"] = "--no-cdk was given"
    else:
        cdk_dir, why = prepare_cdk(s.cdk_peer, log)
        if cdk_dir is None:
            meta["cdk_skipped"] = why
            print(f"NOTE: {why}", flush=True)
    meta["versions"] = versions(cdk_dir)
    meta["versions"]["scc"] = scc_version(s.python, m.env) or meta["versions"]["scc"]
    if s.baseline and m.base_env is not None:
        meta["baseline"] = {"rev": s.baseline, "commit": short(resolve(s.baseline)),
                            "scc": scc_version(s.python, m.base_env) or "?"}

    m.reference(cdk_dir)
    m.cdk_scale(cdk_dir)
    m.warm()
    m.scale()
    m.baseline_scale()
    m.profile()
    meta["load_end"] = loadavg()
    meta["duration"] = time.time() - started
    return {"meta": meta, "data": m.data, "notes": m.notes}

