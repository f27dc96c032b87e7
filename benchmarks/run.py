"""scc performance benchmark (issue 8): one command, every contender side by side in one run.

    .venv/bin/python benchmarks/run.py [--quick]

1. Reference app: `cdk synth` of ../shared/peers/cdk/app.js against `scc build` (with lint) of
   the equivalent scc spec, plus `scc validate`, `scc build --no-lint` and `scc --help`,
   alternating the contenders round by round (A B C ... A B C ...), medians and ratios.
2. CDK scale app: `cdk synth` of app-scale.js against `scc build` of the same architecture
   (genspec.py cdk-scale) at N = 10 and 46 (CDK's largest under its 500-resource limit).
3. Scale series: `scc build` of generated specs of N = 10 ... 1000 services, wall time and peak
   memory of the process, and the time of every pipeline stage (stages.py).

Writes benchmarks/RESULTS.md (and the raw figures to benchmarks/.cache/last-run.json). See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
SPECS = BENCH / "specs"
REFERENCE_SPEC = SPECS / "cdk-reference.yaml"
DEFAULT_PEER = ROOT.parent / "shared" / "peers" / "cdk"
SIZES = (10, 50, 100, 300, 1000)
CDK_SCALE_SIZES = (10, 46)
TIMEOUT = 1800.0
MID_EDIT = ("(if scc/ is being edited right now, wait, or measure a commit: "
            "benchmarks/run.py --rev HEAD)")

sys.path.insert(0, str(BENCH))
import genspec  # noqa: E402

# The goals of issue 8, shown next to the figures.
GOAL_RATIO = 3.0
GOAL_VALIDATE = 0.3
GOAL_NO_LINT = 0.5
GOAL_300 = 60.0
GOAL_1000 = 300.0
GOAL_1000_MB = 1024.0


# ----------------------------------------------------------------------------------------------
# Running a child process: wall time, CPU time and peak RSS (wait4).


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_mb: float
    exit: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = TIMEOUT) -> Run:
    """Run cmd; ru_maxrss from wait4 is the largest resident set of the child and of every
    descendant it waited for (for `npx cdk synth`: the largest node process of the tree)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, maxrss_mb=usage.ru_maxrss / 1024,
                   exit=proc.returncode, stdout=out.read().decode(errors="replace"),
                   stderr=err.read().decode(errors="replace"), timed_out=killed.is_set())


def scc_env(source: Path | None) -> dict[str, str]:
    """The environment of every scc child: bytecode cached, as after a pip install. This machine
    sets PYTHONDONTWRITEBYTECODE=1, which would recompile scc's own modules on every run; the
    cache goes to benchmarks/.cache/pycache, never next to the sources. With --rev, the scc
    package of that revision comes first on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME")}
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    # Every measured build lints for real: the lint cache would turn repeated rounds into cache
    # hits, which cdk synth, the peer, has no counterpart for.
    env["SCC_CACHE_DIR"] = ""
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(source), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def snapshot(rev: str) -> Path:
    """The scc sources of a git revision (scc/, schemas/, examples/) in benchmarks/.cache/src/, to
    measure a commit while the working tree is being edited. Used through PYTHONPATH."""
    import io
    import tarfile

    sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    dest = CACHE / "src" / sha[:12]
    if not (dest / "scc" / "__init__.py").exists():
        blob = subprocess.run(["git", "archive", "--format=tar", sha, "scc", "schemas", "examples"], cwd=ROOT,
                              capture_output=True, check=True).stdout
        tmp = Path(tempfile.mkdtemp(dir=CACHE))
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(dest, ignore_errors=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(dest)
    return dest


def cdk_env() -> dict[str, str]:
    return {**os.environ, "CDK_DISABLE_VERSION_CHECK": "true"}


# ----------------------------------------------------------------------------------------------
# The CDK peer: a copy in benchmarks/.cache/cdk with its own node_modules.


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_cdk(peer: Path, log: Any) -> tuple[Path | None, str]:
    """Copy the peer app and `npm ci` it (once per package-lock). Returns (dir, reason if skipped)."""
    missing = [tool for tool in ("node", "npm", "npx") if shutil.which(tool) is None]
    if missing:
        return None, f"{', '.join(missing)} not found on PATH: the CDK side is skipped"
    if not (peer / "app.js").is_file():
        return None, f"no CDK peer app at {peer}: the CDK side is skipped"
    work = CACHE / "cdk"
    work.mkdir(parents=True, exist_ok=True)
    for src in peer.iterdir():
        if src.is_file():
            dst = work / src.name
            if not dst.exists() or dst.read_bytes() != src.read_bytes():
                dst.unlink(missing_ok=True)
                shutil.copyfile(src, dst)
            dst.chmod(0o644)
    stamp = work / ".npm-ci.sha256"
    lock = work / "package-lock.json"
    want = _digest(lock) if lock.exists() else "no-lock"
    if not (work / "node_modules").is_dir() or not stamp.exists() or stamp.read_text() != want:
        log(f"npm ci in {work.relative_to(ROOT)} ...")
        r = run(["npm", "ci", "--no-audit", "--no-fund"], work, dict(os.environ), timeout=900)
        if r.exit != 0:
            tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-5:])
            return None, f"`npm ci` failed (exit {r.exit}): the CDK side is skipped\n{tail}"
        stamp.write_text(want)
    return work, ""


def cdk_synth_cmd(app: str | None = None, out: str | None = None) -> list[str]:
    cmd = ["npx", "cdk", "synth", "--quiet", "--no-notices"]
    if app:
        cmd += ["--app", app]
    if out:
        cmd += ["--output", out]
    return cmd


# ----------------------------------------------------------------------------------------------
# Figures.


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


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
    for tool, args in (("node", ["--version"]), ("npm", ["--version"])):
        exe = shutil.which(tool)
        out[tool] = subprocess.run([exe, *args], capture_output=True, text=True).stdout.strip() if exe else "absent"
    if cdk_dir is not None:
        for pkg in ("aws-cdk", "aws-cdk-lib", "constructs"):
            manifest = cdk_dir / "node_modules" / pkg / "package.json"
            if manifest.exists():
                out[pkg] = json.loads(manifest.read_text()).get("version", "?")
    return out


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


def git_state(rev: str | None) -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", rev or "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
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
# The benchmark.


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        self.scc = args.scc
        self.py = args.python
        self.source = args.source
        self.env = scc_env(args.source)
        self.shop = (args.source or ROOT) / "examples" / "shop.yaml"
        self.out = CACHE / "out"
        self.notes: list[str] = []
        self.data: dict[str, Any] = {}
        self.cdk_failed = False

    def log(self, msg: str) -> None:
        print(msg, flush=True)

    # -- the reference app ---------------------------------------------------------------------

    def contenders(self, cdk_dir: Path | None) -> list[tuple[str, list[str], Path, dict[str, str]]]:
        ref, shop = str(REFERENCE_SPEC), str(self.shop)
        out = str(self.out / "reference")
        c: list[tuple[str, list[str], Path, dict[str, str]]] = []
        if cdk_dir is not None:
            c.append(("cdk synth (app.js)", cdk_synth_cmd(), cdk_dir, cdk_env()))
        c += [
            ("scc build (reference spec)", [self.scc, "build", ref, "-o", out], ROOT, self.env),
            ("scc build (examples/shop.yaml)", [self.scc, "build", shop, "-o", out], ROOT, self.env),
            ("scc build --no-lint (reference spec)", [self.scc, "build", "--no-lint", ref, "-o", out], ROOT, self.env),
            ("scc validate (reference spec)", [self.scc, "validate", ref], ROOT, self.env),
            ("scc build --no-lint (examples/shop.yaml)", [self.scc, "build", "--no-lint", shop, "-o", out], ROOT,
             self.env),
            ("scc validate (examples/shop.yaml)", [self.scc, "validate", shop], ROOT, self.env),
            ("scc --help", [self.scc, "--help"], ROOT, self.env),
        ]
        return c

    def reference(self, cdk_dir: Path | None) -> None:
        rounds = self.args.rounds
        contenders = self.contenders(cdk_dir)
        self.log(f"\n== Reference app: {len(contenders)} contenders, 1 warm-up round + {rounds} rounds, alternating")
        runs: dict[str, list[Run]] = {name: [] for name, *_ in contenders}
        for r in range(rounds + 1):
            for name, cmd, cwd, env in list(contenders):
                res = run(cmd, cwd, env)
                if res.exit != 0:
                    tail = "\n".join(res.stderr.strip().splitlines()[-8:])
                    if name.startswith("cdk"):  # the peer failing is no reason to stop measuring scc
                        why = f"`{' '.join(cmd)}` failed (exit {res.exit}): the CDK side is skipped\n{tail}"
                        print(f"NOTE: {why}", flush=True)
                        self.notes.append(why.replace("\n", " "))
                        contenders = [c for c in contenders if c[0] != name]
                        runs.pop(name, None)
                        self.cdk_failed = True
                        continue
                    raise SystemExit(f"{name} failed (exit {res.exit}):\n{tail}\n{MID_EDIT}")
                if r > 0:
                    runs[name].append(res)
            if r == 0:
                self.log("  warm-up done")
            else:
                self.log(f"  round {r}: " + ", ".join(fmt_s(runs[n][-1].wall) for n, *_ in contenders if runs[n]))
        self.data["reference"] = {n: [asdict(x) | {"stdout": "", "stderr": ""} for x in v] for n, v in runs.items()}
        ref_n = count_resources(self.out / "reference" / "cdkref.yaml")
        shop_n = count_resources(self.out / "reference" / "shop.yaml")
        resources = {"scc build (reference spec)": ref_n, "scc build --no-lint (reference spec)": ref_n,
                     "scc build (examples/shop.yaml)": shop_n, "scc build --no-lint (examples/shop.yaml)": shop_n}
        if cdk_dir is not None and not self.cdk_failed:
            resources["cdk synth (app.js)"] = count_resources(cdk_dir / "cdk.out" / "ReferenceStack.template.json")
        self.data["reference_resources"] = resources

    # -- the CDK scale app ---------------------------------------------------------------------

    def cdk_scale(self, cdk_dir: Path | None) -> None:
        if cdk_dir is None or self.args.no_cdk_scale or self.cdk_failed:
            return
        reps = self.args.rounds_scale
        self.log(f"\n== CDK scale app: N = {', '.join(map(str, CDK_SCALE_SIZES))}, {reps} rounds, alternating")
        specs = CACHE / "specs"
        specs.mkdir(parents=True, exist_ok=True)
        rows: dict[int, dict[str, list[Run]]] = {}
        for n in CDK_SCALE_SIZES:
            spec = specs / f"cdk-scale-{n}.yaml"
            spec.write_text(genspec.cdk_scale(n))
            rows[n] = {"cdk": [], "scc": []}
        for r in range(reps + 1):
            for n in CDK_SCALE_SIZES:
                cdk = run(cdk_synth_cmd("node app-scale.js", f"cdk.out.scale{n}"), cdk_dir, {**cdk_env(), "N": str(n)})
                scc = run([self.scc, "build", str(specs / f"cdk-scale-{n}.yaml"), "-o", str(self.out / "cdk-scale")],
                          ROOT, self.env)
                if cdk.exit != 0:
                    tail = " ".join(cdk.stderr.strip().splitlines()[-4:])
                    self.notes.append(f"`cdk synth` of app-scale.js, N={n}, failed (exit {cdk.exit}): the CDK scale "
                                      f"comparison is skipped. {tail}")
                    self.log(f"NOTE: {self.notes[-1]}")
                    return
                if scc.exit != 0:
                    tail = "\n".join(scc.stderr.strip().splitlines()[-8:])
                    raise SystemExit(f"scc build N={n} failed (exit {scc.exit}):\n{tail}\n{MID_EDIT}")
                if r > 0:
                    rows[n]["cdk"].append(cdk)
                    rows[n]["scc"].append(scc)
                    self.log(f"  round {r} N={n}: cdk synth {fmt_s(cdk.wall)}, scc build {fmt_s(scc.wall)}")
        self.data["cdk_scale"] = {
            n: {k: [asdict(x) | {"stdout": "", "stderr": ""} for x in v] for k, v in row.items()} for n, row in
            rows.items()}
        self.data["cdk_scale_resources"] = {
            n: {"cdk": count_resources(cdk_dir / f"cdk.out.scale{n}" / "ScaleStack.template.json"),
                "scc": count_resources(self.out / "cdk-scale" / f"cdkscale{n}.yaml")} for n in CDK_SCALE_SIZES}

    # -- the scale series ----------------------------------------------------------------------

    def scale(self) -> None:
        sizes = self.args.sizes
        specs = CACHE / "specs"
        specs.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            (specs / f"mesh-{n}.yaml").write_text(genspec.mesh(n))
        reps = {n: (self.args.reps_small if n <= 100 else self.args.reps_large) for n in sizes}
        self.log(f"\n== Scale series: N = {', '.join(map(str, sizes))} "
                 f"({', '.join(f'{reps[n]}x' for n in sizes)}), each run a fresh `scc build` with stage timers")
        results: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
        for r in range(max(reps.values())):
            for n in sizes:
                if r >= reps[n]:
                    continue
                figures = self.stage_run(specs / f"mesh-{n}.yaml")
                results[n].append(figures)
                self.log(f"  N={n:<5} {self.scale_line(figures)}")
        self.data["scale"] = results
        missing = sorted({m for runs in results.values() for r in runs for m in r.get("missing", [])})
        if missing:
            self.notes.append(f"stages.py found no {', '.join(missing)}: those stages are not timed "
                              "(update TARGETS in benchmarks/stages.py); the wall times still cover them.")

    def stage_run(self, spec: Path, profile: Path | None = None) -> dict[str, Any]:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            js = Path(fh.name)
        try:
            cmd = [self.py, str(BENCH / "stages.py"), "--json", str(js)]
            if profile:
                cmd += ["--profile", str(profile)]
            cmd += ["--", "build", str(spec), "-o", str(self.out / "scale")]
            res = run(cmd, ROOT, self.env)
            try:
                figures = json.loads(js.read_text())
            except (OSError, ValueError):
                tail = "\n".join(res.stderr.strip().splitlines()[-8:])
                raise SystemExit(f"stage run of {spec.name} failed (exit {res.exit}):\n{tail}") from None
        finally:
            js.unlink(missing_ok=True)
        figures["wall"] = res.wall
        figures["cpu"] = res.cpu
        figures["maxrss_mb"] = res.maxrss_mb
        figures["timed_out"] = res.timed_out
        if res.exit != 0 and not figures["refused_scc903"]:
            tail = "\n".join(res.stderr.strip().splitlines()[-8:])
            raise SystemExit(f"scc build of {spec.name} failed (exit {res.exit}) with {figures['errors']}:\n{tail}")
        return figures

    @staticmethod
    def scale_line(f: dict[str, Any]) -> str:
        state = "refused SCC903" if f["refused_scc903"] else "built"
        st = f["stages"]
        parts = " ".join(f"{k}={fmt_s(v)}" for k, v in st.items() if v is not None)
        return f"{state} in {fmt_s(f['wall'])}, {fmt_mb(f['maxrss_mb'])}: {parts}"

    # -- profile -------------------------------------------------------------------------------

    def profile(self) -> None:
        n = self.args.profile
        if not n:
            return
        spec = CACHE / "specs" / f"mesh-{n}.yaml"
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(genspec.mesh(n))
        prof = CACHE / f"profile-{n}.prof"
        self.log(f"\n== cProfile of the {n}-service build -> {prof.relative_to(ROOT)}")
        self.stage_run(spec, profile=prof)
        import io
        import pstats

        buf = io.StringIO()
        stats = pstats.Stats(str(prof), stream=buf)
        stats.sort_stats("cumulative").print_stats(30)
        buf.write("\n")
        stats.sort_stats("tottime").print_stats(20)
        self.data["profile"] = {"n": n, "text": buf.getvalue()}
        self.log(f"  written; `python -m pstats {prof.relative_to(ROOT)}` to browse")


# ----------------------------------------------------------------------------------------------
# RESULTS.md


def _wall(runs: list[dict[str, Any]]) -> float | None:
    return median([r["wall"] for r in runs])


def _status(ok: bool | None) -> str:
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


def report(bench: Bench, meta: dict[str, Any]) -> str:
    d = bench.data
    ref = d.get("reference", {})
    med = {name: _wall(runs) for name, runs in ref.items()}
    cdk = med.get("cdk synth (app.js)")
    build = med.get("scc build (reference spec)")
    validate = med.get("scc validate (reference spec)")
    nolint = med.get("scc build --no-lint (reference spec)")
    scale = {int(k): v for k, v in d.get("scale", {}).items()}

    def scale_med(n: int, key: str) -> float | None:
        runs = scale.get(n, [])
        vals = [r[key] for r in runs if r.get(key) is not None]
        return median(vals)

    def stage_med(n: int, stage: str) -> float | None:
        vals = [r["stages"].get(stage) for r in scale.get(n, []) if r["stages"].get(stage) is not None]
        return median(vals)

    def built(n: int) -> bool | None:
        runs = scale.get(n)
        if not runs:
            return None
        return not any(r["refused_scc903"] for r in runs)

    def upto_render(r: dict[str, Any]) -> float:
        return sum(v for k, v in r["stages"].items() if k != "lint" and v is not None) + r["imports"]

    L: list[str] = []
    w = L.append
    w("# scc benchmark results\n")
    w(f"Generated by `{meta['command']}` on {meta['date']} ({meta['duration']:.0f} s). "
      "Re-run it to refresh this file; compare figures only within one run (see README.md).\n")

    # Machine.
    m, v = meta["machine"], meta["versions"]
    w("## Machine\n")
    w("| | |\n|---|---|")
    w(f"| CPU | {m['cpu']} |")
    w(f"| cores | {m['cores']} |")
    w(f"| memory | {m['memory']} |")
    w(f"| OS | {m['os']} |")
    w(f"| Python | {v['python']} |")
    w(f"| node / npm | {v['node']} / {v['npm']} |")
    w(f"| scc | {v['scc']} (git {meta['git']}) |")
    w(f"| cfn-lint / troposphere / cfn-flip | {v['cfn-lint']} / {v['troposphere']} / {v['cfn-flip']} |")
    w(f"| jsonschema / PyYAML / typer | {v['jsonschema']} / {v['PyYAML']} / {v['typer']} |")
    if "aws-cdk-lib" in v:
        w(f"| aws-cdk (CLI) / aws-cdk-lib / constructs | {v.get('aws-cdk', '?')} / {v['aws-cdk-lib']} / "
          f"{v.get('constructs', '?')} |")
    w(f"| load average (1, 5, 15 min) | start {meta['load_start']}; end {meta['load_end']} |")
    w(f"| repetitions | reference app: {meta['rounds']} rounds after 1 warm-up; CDK scale app: "
      f"{meta['rounds_scale']} rounds; scale series: {meta['reps_small']} (N ≤ 100), {meta['reps_large']} (N > 100)"
      f"{' (--quick)' if meta['quick'] else ''} |")
    w("")
    if meta.get("cdk_skipped"):
        w(f"> **CDK side skipped:** {meta['cdk_skipped']}\n")
    try:
        busy = float(meta["load_start"].split()[0]) > 0.5 or float(meta["load_end"].split()[0]) > 1.5
    except (ValueError, IndexError):
        busy = False
    if busy:
        w("> Other processes were running during this run (see the load average): absolute figures "
          "are noisier than on an idle machine; the alternation keeps the ratios fair.\n")
    w("Every figure is a fresh process, as a user runs it: wall time from start to exit, CPU time "
      "(user + system) and peak resident memory (`ru_maxrss` from `wait4`; for `npx cdk synth` the "
      "largest process of its tree). Python bytecode is cached, as after `pip install` (this machine "
      "sets `PYTHONDONTWRITEBYTECODE=1`; the harness caches bytecode in `benchmarks/.cache/pycache`). "
      "Medians over the rounds; every round runs each contender once, in turn.\n")

    # Goals.
    w("## Goals of issue 8 next to the measured figures\n")
    w("| goal | target | measured | status |\n|---|---|---|---|")
    ratio = cdk / build if cdk and build else None
    w(f"| `scc build` (with lint) vs `cdk synth`, reference app | ≥ {GOAL_RATIO:.0f}× faster | "
      + (f"{fmt_s(build)} vs {fmt_s(cdk)}: **{ratio:.2f}×** | {_status(ratio >= GOAL_RATIO)} |" if ratio
         else f"{fmt_s(build)}; cdk synth not measured | {_status(None)} |"))
    w(f"| `scc validate`, reference spec | < {GOAL_VALIDATE * 1000:.0f} ms | {fmt_s(validate)} | "
      f"{_status(validate < GOAL_VALIDATE if validate else None)} |")
    w(f"| `scc build --no-lint`, reference spec | < {GOAL_NO_LINT * 1000:.0f} ms | {fmt_s(nolint)} | "
      f"{_status(nolint < GOAL_NO_LINT if nolint else None)} |")
    # Linear growth: exponent of the stages up to render over every N, and of the whole build
    # over the N that built.
    ns = sorted(scale)
    pre = [(n, median([upto_render(r) - r["imports"] for r in scale[n]])) for n in ns]
    full = [(n, scale_med(n, "wall")) for n in ns if built(n) and n >= 50]
    # Below ~50 services fixed costs (start-up, imports, cfn-lint's rule loading) dominate: the
    # exponents are fitted over N >= 50 only.
    b_pre = slope([(n, t) for n, t in pre if n >= 50 and t])
    b_full = slope([(n, t) for n, t in full if t]) if len(full) >= 2 else None
    if b_pre is None:
        lin_txt, lin_ok = "–", None
    else:
        lin_txt, lin_ok = f"load…render: time ∝ N^{b_pre:.2f} (N ≥ 50)", b_pre <= 1.15
    if b_full is not None:
        lin_txt += f"; whole build with lint: N^{b_full:.2f} over N = {', '.join(str(n) for n, _ in full)}"
        lin_ok = bool(lin_ok) and b_full <= 1.15
    else:
        largest = max((n for n in ns if built(n)), default=None)
        lin_txt += ("; whole build with lint: not measurable, " + (
            f"the largest N built in this run is {largest}" if largest else "no N built in this run"))
    lin_status = _status(lin_ok) if b_full is not None or lin_ok is None else (
        f"load…render {_status(lin_ok)}; with lint {_status(None)}")
    w(f"| cost grows linearly with N | exponent ≈ 1 (≤ 1.15) | {lin_txt} | {lin_status} |")
    for n, goal, target, label in ((300, GOAL_300, "< 60 s", "300 services build and lint"),
                                   (1000, GOAL_1000, "< 5 min and < 1 GB", "1000 services build and lint")):
        if n not in scale:
            w(f"| {label} | {target} | not run (--sizes) | {_status(None)} |")
            continue
        wall, rss = scale_med(n, "wall"), scale_med(n, "maxrss_mb")
        if built(n):
            ok = wall < goal and (n != 1000 or rss < GOAL_1000_MB)
            w(f"| {label} | {target} | {fmt_s(wall)}, {fmt_mb(rss)} peak | {_status(ok)} |")
        else:
            w(f"| {label} | {target} | refused (SCC903) until nested stacks land; up to render: "
              f"{fmt_s(wall)} wall, {fmt_mb(rss)} peak | {_status(None)} |")
    w("")

    # Reference app table.
    if ref:
        w("## Reference app: side by side\n")
        w("Every command is a fresh process, as a user runs it (Python or Node start-up included); "
          "the contenders alternate round by round. Peak memory is the child's `ru_maxrss` (for "
          "`npx cdk synth`, the largest process of its tree).\n")
        w("| command | resources | median wall | min … max | median CPU (user+sys) | peak memory | cdk synth ÷ this |")
        w("|---|---|---|---|---|---|---|")
        res = d.get("reference_resources", {})
        for name, runs in ref.items():
            walls = [r["wall"] for r in runs]
            mw = median(walls)
            if name.startswith("cdk"):
                vs = "1×"
            elif cdk and mw and name.startswith("scc build"):
                vs = f"{cdk / mw:.2f}×"
            else:
                vs = ""
            w(f"| `{name}` | {res.get(name) if res.get(name) is not None else ''} | {fmt_s(mw)} | "
              f"{fmt_s(min(walls))} … {fmt_s(max(walls))} | {fmt_s(median([r['cpu'] for r in runs]))} | "
              f"{fmt_mb(median([r['maxrss_mb'] for r in runs]))} | {vs} |")
        w("")
        w(REFERENCE_NOTES)

    # CDK scale app.
    cs = d.get("cdk_scale")
    if cs:
        w("## CDK scale app (app-scale.js) against the same architecture in scc\n")
        w("N client-server services with RequestCount scaling and one public frontend calling all of "
          "them; scc spec from `genspec.py cdk-scale`. N = 46 is the largest CDK synthesizes "
          "(CDK refuses more than 500 resources in one stack). Same process measurement as above.\n")
        w("| N | cdk synth | scc build (with lint) | cdk ÷ scc | resources cdk / scc | peak memory cdk / scc |")
        w("|---|---|---|---|---|---|")
        rs = d.get("cdk_scale_resources", {})
        for n, row in cs.items():
            c, s = _wall(row["cdk"]), _wall(row["scc"])
            r = rs.get(n, {})
            w(f"| {n} | {fmt_s(c)} | {fmt_s(s)} | {c / s:.2f}× | {r.get('cdk')} / {r.get('scc')} | "
              f"{fmt_mb(median([x['maxrss_mb'] for x in row['cdk']]))} / "
              f"{fmt_mb(median([x['maxrss_mb'] for x in row['scc']]))} |")
        w("")

    # Scale series.
    if scale:
        w("## Scale series: generated specs of N services\n")
        w("`genspec.py mesh N`: a public `web` front and N-1 client-server services (http, some http2 "
          "and grpc, one in twelve a plain tcp store), each calling 0-3 others, a third scaling on "
          "requests and a third on CPU and memory, some with secrets, task-role policies, arm64 or "
          "Spot. Each run is a fresh `scc build` process (benchmarks/stages.py: the real command line "
          "with a timer on every stage); wall time and peak memory are measured from outside the "
          "process, the stages inside it. Medians.\n")
        w("| N | resources | outcome | wall (process) | peak memory | interpreter | imports | load | schema | model | "
          "rules | compile | render | lint | rest |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n in ns:
            runs = scale[n]
            outcome = "built" if built(n) else "refused (SCC903)"
            lint = stage_med(n, "lint")
            lint_txt = fmt_s(lint) if lint is not None else (
                "refused (SCC903) until nested stacks land" if not built(n) else "not observed in process")
            interp = median([r["wall"] - r["command"] - (r["imports"] - r.get("imports_late", 0.0)) for r in runs])
            w(f"| {n} | {count_resources_for(n, runs)} | {outcome} | {fmt_s(scale_med(n, 'wall'))} | "
              f"{fmt_mb(scale_med(n, 'maxrss_mb'))} | {fmt_s(interp)} | {fmt_s(scale_med(n, 'imports'))} | "
              + " | ".join(fmt_s(stage_med(n, s)) for s in ("load", "schema", "model", "rules", "compile", "render"))
              + f" | {lint_txt} | {fmt_s(scale_med(n, 'other'))} |")
        w("")
        w("- *interpreter*: Python start-up and exit, outside the command. *imports*: typer, jsonschema, "
          "troposphere, cfn-flip, and cfn-lint when a lint starts. *compile* = `compile_app` + "
          "`Template.to_dict`. *rest*: the command's time outside the stages (argument parsing, limit "
          "checks, printing diagnostics, writing the file).")
        w("- *refused (SCC903)*: the template exceeds a CloudFormation limit and nothing is written; "
          "the stages up to render are still measured. Once nested stacks land the same harness "
          "measures the whole build, lint included, with no change.")
        per = [(n, stage_med(n, "lint")) for n in ns if built(n) and stage_med(n, "lint")]
        if len(per) >= 2:
            (n0, t0), (n1, t1) = per[0], per[-1]
            marginal = (t1 - t0) / (n1 - n0)
            w(f"- Indication, not a measurement: lint cost {marginal * 1000:.0f} ms per added service between "
              f"N = {n0} and N = {n1}; at that rate linting 1000 services in one process would take about "
              f"{fmt_s(t0 + marginal * (1000 - n0))}, if it stays linear (it does only while each template stays "
              "small: see the notes in README.md).")
        pre_rows = [(n, t) for n, t in pre if t]
        if pre_rows:
            w("- Time per service, load…render: " + ", ".join(f"N={n}: {t / n * 1000:.1f} ms" for n, t in pre_rows)
              + ".")
        w("")

    prof = d.get("profile")
    if prof:
        w(f"## cProfile of the {prof['n']}-service build\n")
        w("```")
        w(prof["text"].strip())
        w("```\n")
    for note in bench.notes:
        w(f"> {note}\n")
    return "\n".join(L).rstrip() + "\n"


def count_resources_for(n: int, runs: list[dict[str, Any]]) -> str:
    """Resources of the rendered template(s) of the first run: `433`, or `2,310 in 6 templates (max 480)`."""
    rendered = [tuple(x) for x in (runs[0].get("rendered") or [])] if runs else []
    if not rendered:
        return "?"
    if len(rendered) == 1:
        return f"{rendered[0][0]:,}"
    counts = [r for r, _ in rendered]
    return f"{sum(counts):,} in {len(counts)} templates (max {max(counts):,})"


REFERENCE_NOTES = """\
How the specs compare with `app.js` (the CDK peer):

- `benchmarks/specs/cdk-reference.yaml` is the headline scc side: the closest to `app.js` that
  the language allows: the same two services, ports, app protocols, discovery name, health check,
  scaling (RequestCount 50, 1..10; CPU 60, 1..5), ordering, ingress on 8080, 256 CPU / 512 MiB
  tasks (scc warns SCC309 that the Service Connect proxy needs about 256 of them: two warnings),
  `nginx:latest`, a private DNS namespace `local` and the load balancer on port 80.
- The material difference: **`app.js` builds a VPC** (2 AZs, public and private subnets, NAT
  gateways, an internet gateway, routes: 25 of its resources) and CDK adds its metadata resource;
  scc never builds a VPC and takes `VpcId`, `SubnetIds` and `PublicSubnetIds` as template
  parameters. scc adds what it always adds: a log group, an execution role and a task role per
  service, the deployment circuit breaker. So the two templates are not the same size; each is
  what its tool makes of the same service architecture.
- `examples/shop.yaml` is the same architecture with scc's recommended settings (512 CPU /
  1024 MiB, an HTTP namespace, appProtocol on the frontend port, no warnings); it is measured
  too, as the example users start from.
- `cdk synth` includes CDK's own template validation (about 2 s of it, per the peer's README);
  `scc build` includes cfn-lint on the template, in process.
"""


# ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="scc performance benchmark (issue 8). Writes benchmarks/RESULTS.md.")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a rough figure in about 1.5 minutes)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=list(SIZES),
                        help="service counts of the scale series (default 10,50,100,300,1000)")
    parser.add_argument("--no-cdk", action="store_true", help="skip the CDK side")
    parser.add_argument("--no-cdk-scale", action="store_true", help="skip the CDK scale app comparison")
    parser.add_argument("--cdk-peer", type=Path, default=DEFAULT_PEER, help="the CDK peer app (default %(default)s)")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="also cProfile an N-service build and add the top functions to RESULTS.md")
    parser.add_argument("--scc", default=None, help="the scc executable (default: next to this Python)")
    parser.add_argument("--rev", help="measure this git revision of scc (e.g. HEAD) instead of the working tree")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md", help="where to write the results")
    args = parser.parse_args()
    args.rounds = 2 if args.quick else 5
    args.rounds_scale = 1 if args.quick else 3
    args.reps_small = 1 if args.quick else 3
    args.reps_large = 1
    args.python = sys.executable
    if args.scc is None:
        here = Path(sys.executable).parent / "scc"
        args.scc = str(here if here.exists() else ROOT / ".venv" / "bin" / "scc")
    if not Path(args.scc).exists():
        raise SystemExit(f"no scc executable at {args.scc}: run with the project's venv "
                         "(.venv/bin/python benchmarks/run.py) or pass --scc")

    CACHE.mkdir(parents=True, exist_ok=True)
    args.source = snapshot(args.rev) if args.rev else None
    started = time.time()
    meta: dict[str, Any] = {
        "command": " ".join(["python benchmarks/run.py", *sys.argv[1:]]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": loadavg(),
        "machine": machine(),
        "git": git_state(args.rev),
        "quick": args.quick,
        "rounds": args.rounds,
        "rounds_scale": args.rounds_scale,
        "reps_small": args.reps_small,
        "reps_large": args.reps_large,
    }
    bench = Bench(args)

    cdk_dir = None
    if args.no_cdk:
        meta["cdk_skipped"] = "--no-cdk was given"
    else:
        cdk_dir, why = prepare_cdk(args.cdk_peer, bench.log)
        if cdk_dir is None:
            meta["cdk_skipped"] = why
            print(f"NOTE: {why}", flush=True)
    meta["versions"] = versions(cdk_dir)
    meta["versions"]["scc"] = subprocess.run(
        [args.python, "-c", "import scc; print(scc.__version__)"], env=bench.env, capture_output=True, text=True,
        cwd=CACHE).stdout.strip() or meta["versions"]["scc"]

    bench.reference(cdk_dir)
    bench.cdk_scale(cdk_dir)
    bench.scale()
    bench.profile()
    meta["load_end"] = loadavg()
    meta["duration"] = time.time() - started

    text = report(bench, meta)
    args.output.write_text(text, encoding="utf-8")
    (CACHE / "last-run.json").write_text(json.dumps({"meta": meta, "data": bench.data}, indent=1, default=str))
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} "
          f"in {meta['duration']:.0f} s")


if __name__ == "__main__":
    main()
