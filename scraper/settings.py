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
MAX_PAGES = 1000  # pages taken from a source's feeds and sitemaps in one run
CLEAN_BUDGET_S = 60.0  # seconds to clean one document; past it, it fails with reason too-complex

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
