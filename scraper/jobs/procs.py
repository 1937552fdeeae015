"""Cleaning processes: started clean, killed when stuck, dead when their parent is.

Why not concurrent.futures.ProcessPoolExecutor: it cannot kill one worker (a stuck document
would hold its worker for good, or a kill would break the whole pool), and with "fork" every
worker inherits every descriptor of the parent — the run lock's included — and outlives it
when only the parent is killed, which wedged every later run. So each worker here is a
process of its own:

* started with subprocess (fork + exec at once, `close_fds`): it inherits nothing but the
  three pipe descriptors it is given, never the lock; it runs a fresh interpreter
  (`python -c BOOT`, the parent's sys.path), so no thread or lock state is copied either;
* it dies with its parent: PR_SET_PDEATHSIG (SIGKILL) on Linux, checked against the parent's
  pid to close the race at start; and everywhere a thread that waits on a pipe only the parent
  holds open, and ends the process at its EOF. An idle worker also ends at EOF on its tasks;
* it asks the OOM killer to take it before the parent (oom_score_adj 1000) and ignores SIGINT
  (Ctrl-C is the parent's to handle);
* a document that takes longer than the budget gets its worker killed (SIGKILL) and replaced;
  the document fails with `too-complex` and the batch goes on. A worker that dies on its own
  (a crash, the OOM killer) fails its document with `crashed`, and is replaced too.

Workers must be started by a thread that lives as long as they do (PR_SET_PDEATHSIG fires when
the thread that forked them ends): the pool starts them on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

# the worker's entry point: scraper.cli.worker sets the process up as the command starts (its
# snapshots, the collector) and calls `serve` below; argv[1] names the snapshots' tables
BOOT = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[2]); from scraper.cli.worker import serve; serve()"
)
PR_SET_PDEATHSIG = 1
PIPE_ROOM = 32 * 1024  # a task this small is written to an idle worker's pipe without blocking
_STOP = pickle.dumps(None, protocol=pickle.HIGHEST_PROTOCOL)  # the task that ends a worker


class WorkerLost(Exception):
    """The worker is gone (killed for its budget, or dead); `reason` and message for the report."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Worker:
    """One cleaning process: `call(task)` sends a task and waits for its answer (blocking: run
    it in a thread), within a budget."""

    def __init__(self, setup: bytes) -> None:
        task_r, task_w = os.pipe()
        done_r, done_w = os.pipe()
        alive_r, alive_w = os.pipe()
        fds = (task_r, done_w, alive_r)
        env = dict(os.environ, SCRAPER_WORKER_FDS=json.dumps([*fds, os.getpid()]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", BOOT, "worker", json.dumps(sys.path)],
                pass_fds=fds,
                close_fds=True,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            for fd in fds:
                os.close(fd)  # the child's ends
        self.tasks = Connection(task_w, readable=False)
        self.answers = Connection(done_r, writable=False)
        self._alive = alive_w  # never written: the worker sees EOF when the parent is gone
        self.ready = False
        self._told = False  # told to end (ask_stop)
        self._setup = setup  # sent from the calling thread, not here: the worker may take a while

    @property
    def pid(self) -> int:
        return self.process.pid

    def call(self, task: Any, budget: float, start_timeout: float) -> Any:
        """Send a task, wait at most `budget` seconds for the answer. Raises WorkerLost."""
        if not self.ready:
            self._wait_ready(start_timeout)
        try:
            self.tasks.send(task)
            if not self.answers.poll(budget):
                self.kill()
                raise WorkerLost("too-complex", f"cleaning took longer than {budget:g} s: stopped")
            return self.answers.recv()
        except (EOFError, OSError):
            raise WorkerLost("crashed", f"the cleaning process died ({self._death()})") from None

    async def acall(self, task: Any, budget: float, start_timeout: float) -> Any:
        """`call` for an event loop, without a thread per task: the task is written at once when
        it fits in the pipe (an idle worker's pipe is empty), the answer is awaited on the loop
        (a reader on the pipe, within `budget`) and read once it arrives. Start-up, a large task
        and a lost worker's post-mortem are waited for in a thread. Raises WorkerLost."""
        loop = asyncio.get_running_loop()
        if not self.ready:
            await loop.run_in_executor(None, self._wait_ready, start_timeout)
        try:
            data = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) <= PIPE_ROOM:
                self.tasks.send_bytes(data)
            else:
                await loop.run_in_executor(None, self.tasks.send_bytes, data)
            arrived = loop.create_future()
            fd = self.answers.fileno()
            loop.add_reader(fd, _settle, arrived)
            try:
                async with asyncio.timeout(budget):
                    await arrived
            except TimeoutError:
                arrived.cancel()
            finally:
                loop.remove_reader(fd)
            if arrived.cancelled():
                self.kill()
                raise WorkerLost("too-complex", f"cleaning took longer than {budget:g} s: stopped")
            return pickle.loads(self.answers.recv_bytes())
        except (EOFError, OSError):
            death = await loop.run_in_executor(None, self._death)
            raise WorkerLost("crashed", f"the cleaning process died ({death})") from None

    def start(self, timeout: float) -> None:
        """Send the setup and wait until the worker is ready (`call` does it when not yet done):
        its imports then happen before its first task. Raises WorkerLost."""
        if not self.ready:
            self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        try:
            self.tasks.send_bytes(self._setup)
            if not self.answers.poll(timeout):
                self.kill()
                raise WorkerLost("crashed", f"a cleaning process was not ready within {timeout:g} s")
            self.answers.recv_bytes()
        except (EOFError, OSError):
            raise WorkerLost("crashed", f"a cleaning process did not start ({self._death()})") from None
        self.ready = True

    def _death(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "no answer"
        return f"killed by signal {-code}" if code < 0 else f"exit status {code}"

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self._close()

    def ask_stop(self) -> None:
        """Tell an idle, ready worker to end, without waiting for it (`stop` waits): a pool
        tells every worker first, so they end together."""
        if self.ready and not self._told:
            self._told = True
            with contextlib.suppress(OSError):
                self.tasks.send_bytes(_STOP)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask an idle worker to end (unless `ask_stop` did); kill it when it does not. One that
        was never given its set-up (a run that cleaned nothing) waits for it, not for a task: it
        is killed."""
        if not self.ready:
            self.kill()
            return
        self.ask_stop()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close()

    def _close(self) -> None:
        for conn in (self.tasks, self.answers):
            with contextlib.suppress(OSError):
                conn.close()
        if self._alive >= 0:
            with contextlib.suppress(OSError):
                os.close(self._alive)
            self._alive = -1


def _settle(arrived: asyncio.Future[None]) -> None:
    if not arrived.done():
        arrived.set_result(None)


# -- in the worker ------------------------------------------------------------------------------


def _die_with_parent(parent: int, alive_fd: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w", encoding="ascii") as fh:
            fh.write("1000")
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(0)

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(alive_fd, 1):
                pass
        os._exit(0)  # EOF: the parent is gone

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(loaded: Callable[[], None] | None = None) -> None:
    """A worker's life: take the setup, say ready, then answer tasks until None or EOF.
    `loaded` is called once the extraction stack is loaded, before the worker says ready."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    task_fd, done_fd, alive_fd, parent = json.loads(os.environ.pop("SCRAPER_WORKER_FDS"))
    _die_with_parent(parent, alive_fd)
    tasks = Connection(task_fd, writable=False)
    answers = Connection(done_fd, readable=False)
    from scraper.jobs import workers  # the extraction stack, loaded before "ready"

    try:
        handle = workers.worker_setup(pickle.loads(tasks.recv_bytes()))
        if loaded is not None:
            loaded()
        answers.send_bytes(b"ready")
        while True:
            task = tasks.recv()
            if task is None:
                break
            answers.send(handle(task))
    except (EOFError, OSError, KeyboardInterrupt):
        return
    _exit_now()


def _exit_now() -> None:
    """End a worker told to: its exit handlers run (they keep its snapshot tables), its output
    is flushed, and it ends without tearing its interpreter down (freeing the extraction stack
    object by object took ~0.1 s per worker, after the run's last document; it holds no file
    but its pipes)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)
