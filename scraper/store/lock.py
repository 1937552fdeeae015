"""One run at a time: an exclusive lock on a file next to the state store.

flock(2) is released by the kernel when the process ends, however it ends (SIGKILL too), so a
crashed run never leaves a stale lock behind. The file holds the holder's pid and start time,
for the message the next run prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path


class LockHeld(Exception):
    """Another run holds the lock; the message says which."""


class RunLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            os.close(fd)
            raise LockHeld(
                f"another run holds {self.path}" + (f" ({holder})" if holder else "") + "; not starting"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        self._fd = fd

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
