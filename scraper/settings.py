"""Every default in one place: paths, politeness and bounds. The command line, the sources file
and the fetcher all take their defaults from here (and the README documents these values).

Paths are relative: to the working directory on the command line, to the sources file's own
directory in `sources.toml`.
"""

from __future__ import annotations

import os
from pathlib import Path

from scraper import __version__

# -- paths ---------------------------------------------------------------------------------------
SOURCES = Path("sources.toml")  # `scraper run`, `reclean`, `audit`: the sources file
OUT_DIR = Path("out")  # cleaned Markdown and .audit.json records
STATE = Path(".scraper/state.db")  # SQLite: validators, hashes, versions, runs
ARCHIVE = Path(".scraper/archive")  # every new response body, as WARC
LOCK_SUFFIX = ".lock"  # the run lock sits next to the state store: state.db.lock
AUDIT_SUFFIX = ".audit.json"  # the sidecar of every output: <stem>.audit.json

# -- politeness: who we are, how hard we ask -----------------------------------------------------
CONTACT = "https://github.com/scraper-project/scraper"
USER_AGENT = f"scraper/{__version__} (+{CONTACT})"
CONCURRENCY = 16  # requests in flight overall
PER_HOST = 2  # requests in flight per host
DELAY = 0.0  # seconds between request starts on one host (robots.txt Crawl-delay raises it)
CRAWL_DELAY_CAP = 30.0  # a robots.txt Crawl-delay is honoured up to this many seconds

# -- bounds: nothing waits or grows without limit ------------------------------------------------
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 15.0  # per read
TIMEOUT = 60.0  # per response: headers to last byte
MAX_BYTES = 10 * 1024 * 1024  # largest body, after decompression
MAX_REDIRECTS = 10
ATTEMPTS = 4  # tries per URL for timeouts, connection errors and 408/429/5xx
RETRY_AFTER_CAP = 120.0  # longest Retry-After honoured
BACKOFF_INITIAL = 1.0
BACKOFF_MAX = 30.0
BREAKER = 5  # consecutive failed URLs after which a host is given up for the run

# -- bounds per source, per run: every walk ends (each bound hit is reported with its reason) ----
MAX_PAGES = 1000  # pages taken from a source's feeds and sitemaps ("max-pages")
MAX_LISTINGS = 100  # sitemaps and feeds followed ("max-listings"); a breeding index stops here
MAX_DEPTH = 5  # listings followed from a seed to a page ("max-depth"); robots.txt → index →
# sitemap → page is depth 3
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # bytes of bodies fetched ("max-bytes")
MAX_ENTRIES = 50_000  # entries read from one sitemap or feed (the sitemap protocol's own limit)
STATE_BUSY_S = 10.0  # wait this long for a state store another program holds, then stop (exit 3)

# -- bounds per document ---------------------------------------------------------------------------
# seconds to clean one document; a cleaning process over it is killed and replaced, and the
# document fails with reason "too-complex" (every cleaning backend reads this one setting)
CLEAN_BUDGET_S = 30.0
WORKER_START_S = 60.0  # a new cleaning process must be ready (its imports done) within this
# HTML nested deeper than this is flattened before cleaning (tags beyond it dropped, text kept),
# so parsing stays linear; the 98 pages of fixtures/ and the shared corpus nest at most 40 deep,
# and trafilatura loses text nested about 195 deep
MAX_NESTING = 100
NAME_BYTES = 200  # longest output name (UTF-8 bytes, cut on a character boundary): with
# ".audit.json" and a temp file's prefix and suffix every file name stays within 255 bytes

# -- incremental runs ----------------------------------------------------------------------------
REVALIDATE_HOURS = 24.0  # a page whose listing date did not move is asked again after this
ATTRIBUTION_LINE = True  # end each body with "Originally published by [Name](url)."


# -- Dask (`--dask ADDRESS`) ---------------------------------------------------------------------
DASK_CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler and see a first worker
DASK_BATCH = 16  # documents per task (per-task overhead amortised; little redone when a worker dies)
DASK_BATCH_BYTES = 8 * 1024 * 1024  # input bytes per task, at most (one larger document goes alone)
DASK_IN_FLIGHT = 2  # tasks in flight per cleaning slot (a worker thread): one running, one ready
DASK_LINGER = 0.02  # seconds a partial batch waits for more documents while a slot is free
DASK_NO_WORKERS_S = 300.0  # a cluster without a worker this long: the documents left fail


def default_workers() -> int:
    """Cleaning processes: one per core, at most two (the fetching process needs a core too)."""
    return max(1, min(2, os.cpu_count() or 1))
