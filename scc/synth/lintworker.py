"""Stage lint, started early: a process forked when a build begins, that imports cfn-lint and
loads its rules (about 0.7 s) on the other core while this one compiles and renders, and then
lints what it is sent. Each template can be sent ahead as soon as it is rendered (`ahead`): the
worker starts on it (decoding, keys, kept findings) while this process renders the next one; the
final request (`call`) finds that work done. A build that needs no lint (every template
unchanged, or an error before lint) stops it unused."""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import queue
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# A small template of the resource types scc makes most (examples/shop.yaml's, as scc builds it).
WARM_UP = Path(__file__).with_name("warmup.yaml")
_early: list[Worker] = []  # started by the command line for the build it runs next
_warm: list[bool] = []  # this process has paid what a first lint pays (a fork inherits it)


def warm() -> None:
    """cfn-lint loaded, and what a first lint pays once per process (schemas, patterns) paid.
    A process that builds many times (the test suite) warms once: every worker it forks after
    starts warm."""
    from scc.synth import cfnlint_engine

    eng = cfnlint_engine.engine()
    if eng is not None and not _warm:
        data, _ = cfnlint_engine.decode(WARM_UP.read_text(encoding="utf-8"))
        cfnlint_engine.run(eng, data, ("us-east-1",), [], None)
        _warm.append(True)


def _serve(conn: Connection) -> None:
    try:
        from scc.synth import cfnlint_engine

        cfnlint_engine.engine()
        if not conn.poll():  # nothing to lint yet (asked after loading: a small build is there by then)
            warm()
        while True:
            request = conn.recv()
            if request is None:
                break
            ahead, fn, args = request
            if ahead:  # a head start only: if it fails, the final request does the work itself
                with contextlib.suppress(Exception):
                    fn(*args)
                continue
            try:
                conn.send((True, fn(*args)))
            except Exception:
                conn.send((False, traceback.format_exc()))
            break
        conn.close()
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    # No interpreter teardown: nothing here needs it, and freeing cfn-lint's objects one by
    # one takes a quarter of a second.
    os._exit(0)


class Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, theirs = context.Pipe()
        self._proc = context.Process(target=_serve, args=(theirs,), name="scc-lint")
        self._proc.start()
        theirs.close()
        # Requests go out from a thread: a template is larger than the pipe holds, and the worker
        # reads only between two pieces of work; this process renders on meanwhile.
        self._out: queue.SimpleQueue[tuple[bool, Callable[..., Any], tuple[Any, ...]] | None] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_all, name="scc-lint-send", daemon=True)
        self._sender.start()
        _live.append(self)

    def _send_all(self) -> None:
        while (request := self._out.get()) is not None:
            try:
                self._conn.send(request)
            except (OSError, ValueError):  # the worker was stopped
                return

    def ahead(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """fn(*args) in the worker when it is free, for nothing but a head start on `call`."""
        self._out.put((True, fn, args))

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], meanwhile: Callable[[], None]) -> Any:
        """fn(*args) in the worker (once, after what was sent ahead), meanwhile() here;
        RuntimeError with its traceback if fn failed there."""
        try:
            self._out.put((False, fn, args))
            meanwhile()
            ok, value = self._conn.recv()
        finally:
            self.stop()
        if not ok:
            raise RuntimeError(f"the lint worker failed:\n{value}")
        return value

    def stop(self) -> None:
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()
        self._out.put(None)
        self._sender.join()  # a send to the stopped worker fails at once (broken pipe)
        self._conn.close()
        if self in _live:
            _live.remove(self)


_live: list[Worker] = []


@atexit.register
def _stop_all() -> None:
    """A worker a failed build left waiting: stopped, or multiprocessing would wait for it at exit."""
    for worker in list(_live):
        worker.stop()


def start() -> Worker | None:
    """A worker (the one prestart() began, if any), where processes can be forked and there is a
    second core to load it on."""
    if _early:
        return _early.pop()
    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        return None
    try:
        return Worker()
    except OSError:
        return None


def prestart() -> None:
    """Start the worker of the next build now (the command line, before its slower imports)."""
    worker = start()
    if worker is not None:
        _early.append(worker)
