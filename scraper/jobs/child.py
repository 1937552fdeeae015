"""A cleaning process with a time budget per document, for a Dask worker.

A Dask worker runs tasks in threads, and trafilatura's lxml parsers are not thread-safe (two
documents extracted at once crash the process). So a worker does not clean: each of its threads
owns one `Child`, a separate Python process that cleans one document at a time, with the
options sent once when it starts. A document that takes longer than its budget gets its child
killed and fails alone with reason `too-complex`; a child that crashes (a segfault in C code)
fails only the document it was cleaning (reason `clean`). The next document starts a new child.

The child dies with its worker: it exits at the end of its input (the pipe closes when the
worker dies) and checks once a second that its parent is still the one that started it.

Frames on the pipes: 8-byte big-endian length, then a pickle (the parent is the only writer).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import site
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import scraper
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument

START_TIMEOUT = 300.0  # seconds for a child to start and load the pipeline (a loaded machine)
_HEADER = 8


class ChildDied(Exception):
    """The child exited (or was killed) before it answered."""


def _write_frame(out: IO[bytes], obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(_HEADER, "big") + data)
    out.flush()


def _read_exact(fd: int, n: int, deadline: float) -> bytes | None:
    """`n` bytes from `fd`, or None when the deadline passes first; ChildDied at end of file."""
    chunks: list[bytes] = []
    while n > 0:
        left = None if deadline == float("inf") else deadline - time.monotonic()
        if (left is not None and left <= 0) or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise ChildDied
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float) -> Any | None:
    header = _read_exact(fd, _HEADER, deadline)
    if header is None:
        return None
    body = _read_exact(fd, int.from_bytes(header, "big"), deadline)
    if body is None:
        return None
    return pickle.loads(body)


class Child:
    """One cleaning process (started on first use, replaced after a kill or a crash)."""

    def __init__(self, options: dict[str, CleanOptions], budget: float) -> None:
        self.options = options
        self.budget = budget
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()  # one document at a time

    def warm(self) -> None:
        """Start the process now (its imports take seconds), not with the first document."""
        with self.lock:
            if self.proc is None:
                with contextlib.suppress(ChildDied):  # the first document will say so
                    self.proc = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        package_root = str(Path(scraper.__file__).resolve().parents[1])
        if package_root not in (*site.getsitepackages(), site.getusersitepackages()):
            # a checkout (PYTHONPATH, or the working directory of `python -m`): the same one
            env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(
            [sys.executable, "-c", "from scraper.jobs.child import main; main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            _write_frame(proc.stdin, self.options)
            ready = _read_frame(proc.stdout.fileno(), time.monotonic() + START_TIMEOUT)
        except (OSError, ChildDied):
            ready = None
        if ready != ("ready", scraper.__file__):
            self._kill(proc)
            loaded = f" (it loads scraper from {ready[1]})" if isinstance(ready, tuple) else ""
            raise ChildDied(f"the cleaning process did not start{loaded}")
        return proc

    def clean(self, doc: SourceDocument, stem: str, key: str) -> Rendered | Failed:
        """Clean in the child, within the budget; a document that kills the child fails alone."""
        with self.lock:
            return self._clean(doc, stem, key)

    def _clean(self, doc: SourceDocument, stem: str, key: str) -> Rendered | Failed:
        if self.proc is not None and self.proc.poll() is not None:
            self._kill(self.proc)  # died between documents (the OOM killer …): not this one's fault
        if self.proc is None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        try:
            _write_frame(proc.stdin, (doc, stem, key))
            result = _read_frame(proc.stdout.fileno(), time.monotonic() + self.budget)
        except (OSError, ChildDied):
            code = self._kill(proc)
            how = f"signal {-code}" if code < 0 else f"exit status {code}"
            return Failed("clean", f"the cleaning process crashed on this document ({how})")
        if result is None:
            self._kill(proc)
            return Failed("too-complex", f"cleaning took longer than {self.budget:g} s; stopped")
        assert isinstance(result, Rendered | Failed)
        return result

    def _kill(self, proc: subprocess.Popen[bytes]) -> int:
        if proc is self.proc:
            self.proc = None
        if proc.poll() is None:
            proc.kill()
        code = proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()
        return code

    def close(self) -> None:
        with self.lock:
            if self.proc is not None:
                self._kill(self.proc)


# -- the child's side ----------------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)  # the worker is gone: nobody wants the result


def main() -> None:
    """Read the options, then (document, stem, key) frames; answer each with what to write."""
    import scraper.pipeline.core  # loaded before "ready": not in a document's budget
    from scraper.jobs.workers import clean  # the same pipeline and rendering as the local pool

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    inp = sys.stdin.buffer
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the frames
    never = float("inf")
    options = _read_frame(inp.fileno(), never)
    _write_frame(out, ("ready", scraper.__file__))  # the same code as the worker's, or refused
    while True:
        try:
            request = _read_frame(inp.fileno(), never)
        except ChildDied:
            return  # end of input: the worker closed the pipe or died
        assert isinstance(request, tuple) and isinstance(options, dict)
        doc, stem, key = request
        _write_frame(out, clean(doc, options[key], stem))
