"""Running the benchmark's children: wall time, CPU time and peak memory from `wait4`, the
environment of every scc child, snapshots of a git revision, and the CDK peer's copy.

Nothing here knows what is measured or how it is reported (measure.py, report.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
TIMEOUT = 1800.0
MID_EDIT = ("(if scc/ is being edited right now, wait, or measure a commit: "
            "benchmarks/run.py --rev HEAD)")

Log = Callable[[str], None]


@dataclass
class Run:
    """One finished child process."""

    wall: float
    cpu: float
    maxrss_mb: float
    exit: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        """The run as plain data for last-run.json (without its output)."""
        return asdict(self) | {"stdout": "", "stderr": ""}

    def tail(self, lines: int = 8, sep: str = "\n") -> str:
        """The last lines of stderr, to say why it failed."""
        return sep.join(self.stderr.strip().splitlines()[-lines:])


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
    cache goes to benchmarks/.cache/pycache, never next to the sources. With a snapshot (--rev,
    --baseline), the scc package of that revision comes first on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME")}
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    # Every measured build lints for real: the lint cache would turn repeated rounds into cache
    # hits, which cdk synth, the peer, has no counterpart for.
    env["SCC_CACHE_DIR"] = ""
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(source), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def resolve(rev: str) -> str:
    """The full commit id of a git revision (SystemExit with git's message if there is none)."""
    done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"no git revision {rev!r} in {ROOT}")
    return done.stdout.strip()


def snapshot(rev: str) -> Path:
    """The scc sources of a git revision (scc/, schemas/, examples/) in benchmarks/.cache/src/, to
    measure a commit while the working tree is being edited. Used through PYTHONPATH."""
    sha = resolve(rev)
    dest = CACHE / "src" / sha[:12]
    if not (dest / "scc" / "__init__.py").exists():
        blob = subprocess.run(["git", "archive", "--format=tar", sha, "scc", "schemas", "examples"], cwd=ROOT,
                              capture_output=True, check=True).stdout
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=CACHE))
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(dest, ignore_errors=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(dest)
    return dest


def cdk_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "CDK_DISABLE_VERSION_CHECK": "true", **extra}


def cdk_synth_cmd(app: str | None = None, out: str | None = None) -> list[str]:
    cmd = ["npx", "cdk", "synth", "--quiet", "--no-notices"]
    if app:
        cmd += ["--app", app]
    if out:
        cmd += ["--output", out]
    return cmd


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_cdk(peer: Path, log: Log) -> tuple[Path | None, str]:
    """Copy the peer app to benchmarks/.cache/cdk and `npm ci` it (once per package-lock).
    Returns (dir, reason if skipped)."""
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
