"""One run at a time: an exclusive lock on a file next to the state store.

flock(2) is released by the kernel when the last descriptor of the lock's open file is closed,
however the process ends (SIGKILL too), so a killed run never leaves a stale lock behind — as
long as no other process holds a copy of the descriptor. None does: the descriptor is
close-on-exec, and cleaning workers are started with every descriptor but their own pipes
closed (jobs.procs), never forked from a process holding the lock.

The file holds the holder's pid and start time, and is emptied on release: a lock found free
with a holder still written in it belonged to a run that was killed, and is taken over with a
note (`taken_over`). A lock found held names its holder, and says so when that process is gone
(then a leftover of it holds the lock: its pid is in the message for the operator).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from pathlib import Path

from scraper.errors import UsageError


class LockHeld(Exception):
    """Another run holds the lock; the message says which."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.taken_over: str | None = None  # the holder written by a run that did not release

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise UsageError(f"cannot open the run lock {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            os.close(fd)
            raise LockHeld(self._held_message(holder)) from None
        except OSError as exc:
            os.close(fd)
            raise UsageError(f"cannot lock {self.path}: {exc.strerror or exc}") from None
        previous = os.read(fd, 200).decode("utf-8", "replace").strip()
        if previous:
            self.taken_over = previous
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        self._fd = fd

    def _held_message(self, holder: str) -> str:
        message = f"another run holds {self.path}" + (f" ({holder})" if holder else "") + "; not starting"
        m = re.match(r"pid (\d+)", holder)
        if m and not _alive(int(m.group(1))):
            message += f" — pid {m.group(1)} is gone: a process it left holds the lock"
        return message

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
