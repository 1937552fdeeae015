"""The fetcher tells sniffio once that its task runs on asyncio (httpcore and anyio ask for
every request): inside, the answer comes from the context; outside it is left as it was."""

from __future__ import annotations

import asyncio

import httpx
import sniffio

from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig


def test_the_fetchers_task_and_its_tasks_say_asyncio() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        page = httpx.ByteStream(b"<p>x</p>")  # streamed, as the network's are
        return httpx.Response(200, headers={"content-type": "text/html"}, stream=page)

    async def main() -> None:
        async with Fetcher(FetchConfig(), transport=httpx.MockTransport(answer)) as fetcher:
            seen.append(sniffio.current_async_library_cvar.get())
            task = asyncio.create_task(fetcher.get("http://127.0.0.1:9/a"))
            resp = await task
            assert resp.status == 200 and resp.body == b"<p>x</p>"
            seen.append(await asyncio.create_task(_library()))
        seen.append(sniffio.current_async_library())

    asyncio.run(main())
    assert seen == ["asyncio", "asyncio", "asyncio"]
    assert sniffio.current_async_library_cvar.get() is None  # (this thread's context untouched)


async def _library() -> str | None:
    return sniffio.current_async_library_cvar.get()
