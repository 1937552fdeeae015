"""The peer of `bench/fetch.py`: Scrapy fetching the same sitemaps with the same politeness
(robots.txt obeyed, `--per-host` requests in flight per site), `trafilatura.extract` in the page
callback and the text written to a file — the usual hand-made pipeline. Needs the `[bench]`
extra (Scrapy).

    python bench/scrapy_peer.py OUT_DIR PER_HOST SITEMAP_URL... [--download-only]

Every site of the bench is 127.0.0.1 on its own port: the download slot is host:port, so the
per-site limit applies per site (Scrapy's default slot, the host name, would put them all in one).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def main() -> None:
    import trafilatura
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response
    from scrapy.utils.sitemap import Sitemap

    argv = [a for a in sys.argv[1:] if a != "--download-only"]
    download_only = "--download-only" in sys.argv
    out, per_host, sitemaps = Path(argv[0]), int(argv[1]), argv[2:]

    def slot(url: str) -> dict[str, Any]:
        return {"download_slot": urlsplit(url).netloc}

    class Peer(Spider):
        name = "peer"
        count = 0

        async def start(self) -> AsyncIterator[Request]:
            for url in sitemaps:
                yield Request(url, callback=self.sitemap, meta=slot(url))

        def sitemap(self, response: Response) -> Iterator[Request]:
            for entry in Sitemap(response.body):
                yield Request(entry["loc"], callback=self.page, meta=slot(entry["loc"]))

        def page(self, response: Response) -> None:
            Peer.count += 1
            if download_only:
                return
            text = trafilatura.extract(response.body) or ""
            (out / f"{Peer.count}.txt").write_text(text, encoding="utf-8")

    process = CrawlerProcess(
        settings={
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": per_host * len(sitemaps),
            "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
            "DOWNLOAD_DELAY": 0,
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "COOKIES_ENABLED": False,
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    process.crawl(Peer)
    process.start()
    print(Peer.count)


if __name__ == "__main__":
    main()
