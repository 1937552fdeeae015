"""Derived data kept between runs: a pure result (the parsed public-suffix list, the built-in
rules) stored under the user's cache directory and keyed by a hash of everything it is built
from, so start-up does the work once, not in every process.

A snapshot is never trusted blindly. It is read only from a directory and a file that this user
owns and nobody else can write (no symbolic links), it carries its payload's length and CRC-32,
and the caller validates what it decodes. Whatever goes wrong — no cache directory, a
corrupt, foreign, stale or unwritable file — reading gives None and the caller builds the data as
it always did; writing fails silently. The directory is `$SCRAPER_CACHE_DIR`, else
`$XDG_CACHE_HOME/scraper`, else `~/.cache/scraper`; `SCRAPER_CACHE_DIR=""` turns snapshots off.
(The check is against damage — a torn or truncated write, a flipped bit: what keeps out a hostile
file is that only this user can write one, since anyone who can write the file can also write
any digest that is not keyed. CRC-32 finds every burst of up to 32 wrong bits and misses one
random change in four billion, as in zip, gzip and PNG; it costs a quarter of the instructions of
the BLAKE2b digest it replaces, which was a thirtieth of the start-up of `scraper clean` on one
document. The keys below stay BLAKE2b: they name a snapshot's every input, and `hashlib` loads
OpenSSL, which `scraper clean` then needs for no other hash.)
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
from binascii import crc32  # (zlib's; binascii loads with base64, which PyYAML and others load)
from pathlib import Path
from typing import Any

try:
    from _blake2 import blake2b  # hashlib.blake2b itself, without hashlib loading OpenSSL
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

_MAGIC = b"scraper-snapshot-3\n"  # then the payload's length (8 bytes) and CRC-32 (4 bytes)
_HEAD = len(_MAGIC) + 12
_DIGEST = 32  # (of a key)
_MAX_BYTES = 64 * 1024 * 1024  # a snapshot larger than this is not read
_KEEP = 4  # snapshots of one name kept under different keys


def cache_dir() -> Path | None:
    """Where snapshots live (None: turned off, or no home directory to put them in)."""
    explicit = os.environ.get("SCRAPER_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not base:
        home = os.path.expanduser("~")
        if home == "~":
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "scraper"


def key(*parts: bytes | str) -> str:
    """A hex key over every input of a snapshot (length-prefixed, so parts cannot run together)."""
    h = blake2b(digest_size=_DIGEST)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def stamp(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """What identifies a source file of a snapshot without reading it, as CPython keys its bytecode
    cache on a source's size and modification time: its resolved path, device, inode, size,
    and modification and change times in nanoseconds (the change time cannot be set back by
    a user, so a file rewritten in place gets a new key)."""
    real = os.path.realpath(path)
    st = os.stat(real)
    numbers = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    return (real, *map(str, numbers))


def _private(st: os.stat_result, kind: int) -> bool:
    """Owned by this user, of the expected kind, and writable by nobody else."""
    getuid = getattr(os, "getuid", None)
    return (
        getuid is not None
        and stat.S_IFMT(st.st_mode) == kind
        and st.st_uid == getuid()
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _path(name: str, digest: str) -> Path | None:
    where = cache_dir()
    return None if where is None else where / f"{name}-{digest[:40]}.bin"


def load(name: str, digest: str) -> bytes | None:
    """The payload stored for `name` under key `digest`, or None (absent, foreign, corrupt)."""
    path = _path(name, digest)
    if path is None:
        return None
    try:
        if not _private(os.lstat(path.parent), stat.S_IFDIR):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not _private(st, stat.S_IFREG) or st.st_size > _MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            blob = f.read(st.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(blob) < _HEAD or not blob.startswith(_MAGIC) or blob[len(_MAGIC) : _HEAD] != _check(blob, _HEAD):
        return None
    return blob[_HEAD:]


def _check(data: bytes, start: int) -> bytes:
    """The length and CRC-32 of `data[start:]`, as the header holds them."""
    with memoryview(data) as view:
        return (len(data) - start).to_bytes(8, "big") + crc32(view[start:]).to_bytes(4, "big")


def store(name: str, digest: str, payload: bytes) -> None:
    """Keep `payload` for the next process (atomically; any failure leaves no snapshot)."""
    path = _path(name, digest)
    if path is None or len(payload) > _MAX_BYTES - 1024:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.lstat(path.parent), stat.S_IFDIR):
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(tmp, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + _check(payload, 0) + payload)
        os.replace(tmp, path)
        _prune(path, name)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _prune(kept: Path, name: str) -> None:
    """Remove the oldest snapshots of `name` under other keys (an older list, older rules, another
    Python), keeping the last few: checkouts or environments that take turns each keep theirs."""
    others = []
    for old in kept.parent.glob(f"{name}-*.bin"):
        digest = old.name[len(name) + 1 : -len(".bin")]
        if old != kept and len(digest) == 40 and all(c in "0123456789abcdef" for c in digest):
            with contextlib.suppress(OSError):
                others.append((old.stat().st_mtime_ns, old))
    for _, old in sorted(others, reverse=True)[_KEEP - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()


def load_table(name: str, digest: str) -> dict[Any, Any]:
    """A table kept by `store_table`, or an empty one. Its entries are the caller's to check: plain
    data, or data still encoded, which the caller decodes and checks when it is asked for."""
    payload = load(name, digest)
    if payload is None:
        return {}
    try:
        entries = marshal.loads(payload)
    except Exception:  # a snapshot that does not decode is rebuilt, never fatal
        return {}
    return entries if isinstance(entries, dict) else {}


def store_table(name: str, digest: str, known: dict[Any, Any], new: dict[Any, Any], bound: int) -> None:
    """Keep `known` with `new` added, at most `bound` entries (the oldest first); never raises."""
    if not new:
        return
    try:
        entries = dict(list({**known, **new}.items())[:bound])
        store(name, digest, marshal.dumps(entries))
    except Exception:  # pragma: no cover - a snapshot is never worth a failed exit
        pass
