"""The fetcher's network stream (fetch.guard._Stream) against raw servers on 127.0.0.1: a read
that stalls ends at the read timeout, long before the total deadline, as a timeout; a kept-alive
connection the server closed is noticed before it is used again (the next request gets a new
connection and its answer)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig
from scraper.fetch.errors import Retryable

PAGE = b"<html><body><p>hello</p></body></html>"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(PAGE) + PAGE


@contextmanager
def raw_server(handle: Callable[[socket.socket, int], None]) -> Iterator[str]:
    """Each accepted connection handed to `handle` (with its number) on a thread of its own."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        n = 0
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn, n), daemon=True).start()
            n += 1

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        srv.close()


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return data
        data += chunk
    return data


def fetcher(**kw: object) -> Fetcher:
    base: dict[str, object] = dict(
        allow_private=True, total_timeout=10.0, read_timeout=0.3, attempts=1, http2=False, robots=False
    )
    base.update(kw)
    return Fetcher(FetchConfig(**base))  # type: ignore[arg-type]


def test_a_stalled_read_ends_at_the_read_timeout() -> None:
    def stall(conn: socket.socket, _: int) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\npart")
        time.sleep(3)
        conn.close()

    async def go(base: str) -> None:
        async with fetcher() as f:
            await f.get(base + "/slow")

    with raw_server(stall) as base:
        started = time.monotonic()
        with pytest.raises(Retryable) as err:
            asyncio.run(go(base))
        assert time.monotonic() - started < 2.5
    assert err.value.reason == "timeout" and "ReadTimeout" in str(err.value)


def test_a_kept_alive_connection_the_server_closed_is_not_used_again() -> None:
    def once(conn: socket.socket, n: int) -> None:
        read_request(conn)
        conn.sendall(ANSWER)  # keep-alive by default in HTTP/1.1 …
        time.sleep(0.2)
        conn.close()  # … but closed by the server before the next request

    async def go(base: str) -> list[bytes]:
        async with fetcher() as f:
            first = await f.get(base + "/a")
            await asyncio.sleep(0.5)
            second = await f.get(base + "/b")
            return [first.body, second.body]

    with raw_server(once) as base:
        assert asyncio.run(go(base)) == [PAGE, PAGE]


def test_connection_locks_take_a_free_lock_at_once_and_still_exclude() -> None:
    """httpcore's connection locks (fetch.guard): a free lock is taken without a trip round the
    event loop; a held one makes the next task wait its turn, and a waiting task can be
    cancelled without taking it."""
    from httpcore._synchronization import AsyncLock

    import scraper.fetch.guard  # noqa: F401  (installs the locks' set-up)

    async def main() -> list[str]:
        lock, order = AsyncLock(), []

        async def other() -> None:
            order.append("other ran")

        async def holder() -> None:
            async with lock:
                order.append("a holds")
                await asyncio.sleep(0.05)
                order.append("a releases")

        async def waiter() -> None:
            async with lock:
                order.append("b holds")

        side = asyncio.create_task(other())
        async with lock:  # free: taken before the task scheduled above gets a turn
            order.append("free lock taken")
        await side
        a = asyncio.create_task(holder())
        await asyncio.sleep(0)
        b, c = asyncio.create_task(waiter()), asyncio.create_task(waiter())
        await asyncio.sleep(0.01)
        c.cancel()
        await asyncio.gather(a, b, c, return_exceptions=True)
        assert c.cancelled()
        return order

    assert asyncio.run(main()) == ["free lock taken", "other ran", "a holds", "a releases", "b holds"]
