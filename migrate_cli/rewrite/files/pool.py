"""The worker processes of a rewrite run: batches of paths out, results back, and Ctrl-C (stopping.py).

At the first Ctrl-C the parent sets a flag in shared memory; each worker reads it between files,
finishes the file in hand and returns what it did, and batches still queued come back empty. At a
second Ctrl-C the parent sends the workers SIGTERM and waits for them (a write in progress ends
first, see stopping.write_section), so the process exits at once and no temporary file is left.
Every file a worker writes is also reported on a queue as it is written, so the parent knows what
was written even when a batch's results never come back.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from migrate_cli.rewrite.files import stopping

Result = TypeVar("Result")

#: How long a worker sent SIGTERM may take to end the write in hand before it is killed.
TERMINATE_GRACE_SECONDS = 10.0


class Pool(Generic[Result]):
    """Run `task` over `paths` in worker processes, `batch` paths per round trip."""

    def __init__(self, task: Callable[[str], Result], jobs: int, stop: stopping.Interrupts) -> None:
        self.task = task
        self.jobs = jobs
        self.stop = stop
        #: Paths the workers wrote, as they wrote them.
        self.written: list[str] = []

    def run(self, paths: Sequence[str], batch: int, collect: Callable[[Result], None]) -> None:
        """`collect` every result, in path order. KeyboardInterrupt (a second Ctrl-C) after the
        workers are stopped; `written` then holds every file they wrote."""
        # libcst is imported lazily (a run with nothing to change never needs it), but forked
        # workers share what the parent imported: importing it once here beats once per worker
        # (measured: about 1 s of worker CPU saved on benchmark 1).
        import migrate_cli.rewrite.apply.splice  # noqa: F401

        context = _mp_context()
        flag = context.RawValue("b", 0)  # plain shared memory: set from a signal handler, no lock
        log = context.SimpleQueue()
        reader = threading.Thread(target=self._read_log, args=(log,), daemon=True)
        self.stop.on_request(lambda: setattr(flag, "value", 1))
        executor = ProcessPoolExecutor(
            max_workers=min(self.jobs, -(-len(paths) // batch)),
            mp_context=context,
            initializer=_worker_init,
            initargs=(self.task, flag, log, os.getpid()),
        )
        # Forked workers share the parent's memory until they write to it; the garbage collector
        # would write to every inherited object on its first pass. Frozen objects it leaves alone.
        # (Under fork the workers start at the first submit, so the freeze covers their start.)
        gc.freeze()
        try:
            with _ctrl_c_held():  # the workers are forked here
                futures = [
                    executor.submit(_run_in_worker, list(paths[start : start + batch]))
                    for start in range(0, len(paths), batch)
                ]
            gc.unfreeze()
            reader.start()  # after the workers are forked: a child of a threaded process can deadlock
            for future in futures:
                for result in future.result():
                    collect(result)
        except BaseException:
            # A second Ctrl-C (or a bug): stop the workers now; each ends the write in hand first.
            _terminate(executor)
            raise
        finally:
            gc.unfreeze()
            executor.shutdown(wait=True, cancel_futures=True)
            if reader.is_alive():
                log.put(None)  # the workers are gone: nothing follows
                reader.join(TERMINATE_GRACE_SECONDS)

    def _read_log(self, log: Any) -> None:
        for path in iter(log.get, None):
            self.written.append(path)


def _terminate(executor: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor.terminate_workers() does this from Python 3.14 on
    # (https://docs.python.org/3.14/library/concurrent.futures.html); before, its process table
    # is the only handle on the workers.
    workers = list((getattr(executor, "_processes", None) or {}).values())
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(TERMINATE_GRACE_SECONDS)
        if worker.is_alive():  # stuck in a system call for 10 s: its temporary file may stay
            worker.kill()
            worker.join()


def _mp_context() -> Any:
    import multiprocessing

    # fork starts a worker in about a millisecond with the engine already imported. It is unsafe
    # on macOS (system frameworks) and absent on Windows, where the platform default is used.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


# What a worker runs, set once per worker by its initializer instead of being pickled again with
# every batch of paths.
_worker_task: Callable[[str], Any] | None = None
_worker_stop: stopping.WorkerStop | None = None


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """SIGINT waits while workers are forked: a forked worker runs this process's Python handler
    until its initializer replaces it, and a Ctrl-C in between printed a traceback from the
    worker. Blocked here, it is delivered to this process once the block ends (a forked child
    does not inherit pending signals)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: workers are spawned, not forked
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _die_with(parent: int) -> None:
    """Linux: SIGTERM this worker when its parent dies, whatever kills it (SIGKILL included).
    Otherwise an orphaned worker waits on the task queue forever, every worker holding the
    queue's write end open for the others, and keeps the parent's stdout open: a `| cat` never
    ends. prctl(PR_SET_PDEATHSIG): https://man7.org/linux/man-pages/man2/prctl.2.html"""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(128 + signal.SIGTERM)


def _worker_init(task: Callable[[str], Any], flag: Any, log: Any, parent: int) -> None:
    global _worker_task, _worker_stop
    _worker_stop = stopping.WorkerStop(flag)
    _worker_stop.install()
    if hasattr(signal, "pthread_sigmask"):  # held by the parent while it forked us (_ctrl_c_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with(parent)
    stopping.set_write_log(log.put)
    _worker_task = task
    # Under spawn, pay the engine's import once per worker, before the first file arrives.
    import migrate_cli.rewrite.engine  # noqa: F401


def _run_in_worker(paths: list[str]) -> list[Any]:
    assert _worker_task is not None and _worker_stop is not None, "worker used before its initializer ran"
    done = []
    with _worker_stop.task():
        for path in paths:
            if _worker_stop.requested:
                break
            done.append(_worker_task(path))
    return done
