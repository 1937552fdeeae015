"""Atomic writes, one file or a batch: bytes go to a temp file beside the target, the temp
file's data is made durable, then it is renamed over the target, then the directory is synced.

A crash at any moment leaves each target holding either its old bytes or its new ones, never a
part; what it can leave besides is a temp file `.<name>.<pid>.tmp` (or, when that name is
taken, `.<name>.<random>.tmp`), which no reader of an output directory looks at and which
`scraper run` sweeps (jobs.run.sweep_temp_files).

A batch (`Batch`) writes every file of a group first, then syncs each file's data, then renames
each into place, then syncs each directory once: the disk's flushes are done together instead
of between every two creations, and the renames of a batch become durable with one directory
sync. A file is renamed only after its own data is durable, so the order that crash safety
needs holds for every file. Before the syncs, the batch's writeback is started for every file at
once (posix_fadvise, a hint): the kernel then allocates and writes the whole batch together, and
each file's own data sync waits for its part (a third less system time per file on ext4).
Given a pool of threads (`syncs`), a batch's data syncs, and then its directory syncs, are in
flight together, SYNC_THREADS at a time: each still returns only once its own file is durable,
and nothing is renamed before every data sync has returned, but the disk's cache flushes that
each sync waits for are shared by those in flight instead of made one after the other.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:  # (a caller with a pool has loaded concurrent.futures; a single write needs none)
    from concurrent.futures import Executor, ThreadPoolExecutor

_FLAGS = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC
# the data and what is needed to read it back (its size); a file's times need no flush here
_datasync = getattr(os, "fdatasync", os.fsync)
_advise = getattr(os, "posix_fadvise", None)  # not on macOS
SYNC_THREADS = 8  # a batch's syncs in flight at once, given a pool (commit's `syncs`)


def _read_umask() -> int:
    """The process umask, read once (setting it to read it is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()
_pid = os.getpid()  # in temp files' names; the child's own after a fork


def _forked() -> None:
    global _pid
    _pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


class Staged(NamedTuple):
    """A temp file holding a target's new bytes, open, not yet durable nor renamed."""

    fd: int
    tmp: str
    path: Path


LISTING_MAX = 100_000  # names kept per directory at most (a bigger one is looked into file by file)


class Listing:
    """The names in the directories a run writes to, each directory listed once, when a file in
    it is first looked for; then a file whose name is neither listed nor staged through this
    listing since does not exist, and is not opened to find that out (an output directory is
    mostly new files: two failed opens per document). Names are compared case-folded (and
    NFKC-normalised when not ASCII), so a name that a case-insensitive file system could take
    for a listed one is looked for. For one run: a file another program makes meanwhile is not
    seen, as it is not between any look and the rename that follows."""

    def __init__(self) -> None:
        self._dirs: dict[str, set[str]] = {}  # directory -> its names (_UNKNOWN: unreadable)

    def may_exist(self, path: Path) -> bool:
        head, _, name = str(path).rpartition(os.sep)
        names = self._dirs.get(head)
        if names is None:
            names = self._list(head)
        return names is _UNKNOWN or _fold(name) in names

    def add(self, path: Path) -> None:
        """A file staged for `path`: it exists once committed."""
        head, _, name = str(path).rpartition(os.sep)
        names = self._dirs.get(head)
        if names is None:
            names = self._list(head)
        if names is not _UNKNOWN:
            names.add(_fold(name))

    def _list(self, head: str) -> set[str]:
        names: set[str] = set()
        try:
            with os.scandir(head or os.curdir) as entries:
                for entry in entries:
                    if len(names) >= LISTING_MAX:
                        names = _UNKNOWN  # too many to keep: every file is looked for
                        break
                    names.add(_fold(entry.name))
        except (FileNotFoundError, NotADirectoryError):
            names = set()  # (staging makes it, or raises the error)
        except OSError:
            names = _UNKNOWN  # every file is looked for
        self._dirs[head] = names
        return names


_UNKNOWN: set[str] = set()  # (by identity: a directory that could not be listed)


def _fold(name: str) -> str:
    return name.lower() if name.isascii() else unicodedata.normalize("NFKC", name).casefold()


def current(path: Path, listing: Listing | None = None) -> bytes | None:
    """The bytes `path` holds, None when it does not exist (one failed open, or none when
    `listing` knows it is not there)."""
    if listing is not None and not listing.may_exist(path):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    with open(fd, "rb") as fh:
        return fh.read()


def unchanged(path: Path, data: bytes, listing: Listing | None = None) -> bool:
    """Whether `path` already holds exactly these bytes (then nothing is written)."""
    return current(path, listing) == data


def _open_temp(path: Path) -> tuple[int, str]:
    """A new temp file beside `path`, created with the mode open() would give it (0666 less
    the umask). One open under this process's name; only when that name is taken (a temp file
    a killed process with the same pid left, or another writer of the same target in this
    process) a random one (tempfile, which tries names until one is free)."""
    head, _, name = str(path).rpartition(os.sep)  # (no Path made for the directory)
    tmp = os.path.join(head, f".{name}.{_pid}.tmp")
    try:
        return os.open(tmp, _FLAGS, 0o666), tmp
    except FileExistsError:
        pass
    import tempfile  # (only here: it loads shutil, random, bz2 and lzma)

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~UMASK)  # as open() would create it (mkstemp makes it 0600)
    except BaseException:
        _drop(fd, tmp)
        raise
    return fd, tmp


def _drop(fd: int, tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def stage(path: Path, data: bytes) -> Staged:
    """Write `data` to a new temp file beside `path` (its directory is created when it is
    missing). Raises OSError (disk full, permissions …), leaving no temp file."""
    try:
        fd, tmp = _open_temp(path)
    except (FileNotFoundError, NotADirectoryError):  # made here (or its error raised), not per file
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _open_temp(path)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked (a signal, a full pipe of a FUSE disk)
            view = view[os.write(fd, view) :]
    except BaseException:
        _drop(fd, tmp)
        raise
    return Staged(fd, tmp, path)


def fsync_dir(directory: Path) -> None:
    """Make renames in a directory durable (best effort: some filesystems refuse)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def commit(batch: list[Staged], sync_dirs: bool = True, syncs: Executor | None = None) -> None:
    """Make every staged file durable, then rename each over its target (in the batch's
    order), then sync each directory once (unless the caller does it). On an error, the files
    not renamed yet are removed and the error raised: the targets renamed before it hold their
    new bytes, the others their old ones. `syncs`: a pool of at least SYNC_THREADS threads, on
    which the data syncs, and then the directory syncs, run together (see above)."""
    closed = renamed = 0
    try:
        _start_writeback(batch)
        _together(_sync_data, [item.fd for item in batch], syncs)
        for item in batch:
            closed += 1  # counted first: a close that failed is not tried again (its number may be reused)
            os.close(item.fd)
            os.replace(item.tmp, item.path)
            renamed += 1
    except BaseException:
        for item in batch[closed:]:
            with contextlib.suppress(OSError):
                os.close(item.fd)
        for item in batch[renamed:]:
            with contextlib.suppress(OSError):
                os.unlink(item.tmp)
        raise
    if sync_dirs:  # (the parents as text: no Path made per file)
        heads = list(dict.fromkeys(str(item.path).rpartition(os.sep)[0] or os.curdir for item in batch))
        _together(_sync_dirs, heads, syncs)


class CommitThreads:
    """A thread that commits batches one after the other (`thread`), and the pool its batches'
    syncs run on (`syncs`, commit's): made together, shut down together (waiting for both)."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.thread: ThreadPoolExecutor = ThreadPoolExecutor(1, thread_name_prefix="commit")
        self.syncs: ThreadPoolExecutor = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="sync")

    def shutdown(self) -> None:
        self.thread.shutdown(wait=True)
        self.syncs.shutdown(wait=True)


def _sync_data(fds: list[int]) -> None:
    for fd in fds:
        _datasync(fd)


def _sync_dirs(heads: list[str]) -> None:
    for head in heads:
        fsync_dir(Path(head))


_Item = TypeVar("_Item", int, str)


def _together(run: Callable[[list[_Item]], None], items: list[_Item], pool: Executor | None) -> None:
    """`run` over the items: here, in order, without a pool or for one item; else over up to
    SYNC_THREADS parts of them at once on the pool's threads. Returns once every part has ended
    (none is left running on a file the caller closes next), raising the first part's error."""
    if pool is None or len(items) < 2:
        run(items)
        return
    from concurrent.futures import wait

    futures = []
    try:
        for i in range(min(SYNC_THREADS, len(items))):
            futures.append(pool.submit(run, items[i::SYNC_THREADS]))
        wait(futures)
    except BaseException:  # (interrupted: the syncs in flight still end before the files close)
        wait(futures)
        raise
    for future in futures:
        exc = future.exception()
        if exc is not None:
            raise exc


def _start_writeback(batch: list[Staged]) -> None:
    """Ask the kernel to start writing every staged file now (a hint; the data syncs that
    follow are what make each durable)."""
    if _advise is None or len(batch) < 2:
        return
    for item in batch:
        with contextlib.suppress(OSError):
            _advise(item.fd, 0, 0, os.POSIX_FADV_DONTNEED)


def discard(batch: Iterable[Staged]) -> None:
    """Give up staged files: their targets keep their old bytes."""
    for item in batch:
        _drop(item.fd, item.tmp)


def write_atomic(path: Path, data: bytes, sync_dir: bool = True) -> bool:
    """Write `data` to `path` atomically (temp file, data sync, rename, sync of the directory
    unless the caller does it). Returns False, writing nothing, when the file already holds
    exactly these bytes."""
    if unchanged(path, data):
        return False
    commit([stage(path, data)], sync_dirs=sync_dir)
    return True
