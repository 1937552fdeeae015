"""Cleaning on a Dask cluster (`--dask ADDRESS`): the same seam as the local pool.

`DaskCleaner` connects (`tcp://…`/`tls://…` to a running scheduler, or `local:N` for a
LocalCluster of N worker processes that lives as long as the command), refuses a cluster whose
workers run other code, ships the cleaning options once per worker (remote.RulesPlugin), then
cleans documents in batches (inflight.InFlight), called as `await cleaner(doc, stem, key)` like
the local pool (crawl.Clean: the crawl's and `scraper clean`'s seam). Each document has the
local pool's budget (clean_budget) and fails with its reasons. Workers only clean; this process
decides what changed and writes, so the output is the local pool's, byte for byte.

`reclean`: the archive fetcher given by `archive_fetcher` leaves documents in the archive
(a reference: WARC file name and record offset). When every worker sees the archive's WARC
files — at the same path, or at `archive_url` (an fsspec URL such as s3://…) — the references
are sent and workers read the bodies; otherwise this process reads each body just before its
batch is sent. Either way only the batches in flight hold bodies.

Dask is an optional dependency: this module is imported only when `--dask` is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import re
import uuid
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from scraper import settings
from scraper.errors import UsageError
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument
from scraper.sources.config import dask_problem

Result = Rendered | Failed
_LOCAL = re.compile(r"local:(\d+)")


NO_DASK = "--dask needs Dask: pip install 'scraper[dask]' (dask[distributed])"


def check_address(address: str) -> str:
    """The address, or a UsageError saying what is expected (or that Dask is not installed):
    what can be told before anything is touched."""
    problem = dask_problem(address)
    if problem:
        raise UsageError(f"--dask {address!r}: {problem}")
    try:
        installed = importlib.util.find_spec("distributed") is not None
    except (ImportError, ValueError):  # a broken install, or a module set to None
        installed = False
    if not installed:
        raise UsageError(NO_DASK)
    return address


def connect(address: str, timeout: float = settings.DASK_CONNECT_TIMEOUT) -> tuple[Any, Any]:
    """(client, local cluster or None): connected, with at least one worker, within `timeout`."""
    check_address(address)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(NO_DASK) from None
    logging.getLogger("distributed").setLevel(logging.ERROR)  # its warnings are not ours to print
    m = _LOCAL.fullmatch(address)
    cluster = None
    try:
        if m:
            # the scheduler's HTTP server (health checks) moves off a busy default port with a
            # UserWarning on stderr: not ours to print, and not an error
            warnings.filterwarnings("ignore", message=r"Port \d+ is already in use", category=UserWarning)
            cluster = LocalCluster(
                n_workers=int(m.group(1)),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster, timeout=timeout, set_as_default=False)
        else:
            client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {_one_line(exc)}") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        _close(client, cluster)
        raise UsageError(f"the Dask scheduler at {address} has no workers (waited {timeout:g} s)") from None
    return client, cluster


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _close(client: Any, cluster: Any) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


class DaskCleaner:
    """crawl.Clean on a Dask cluster; see the module's docstring."""

    def __init__(
        self,
        address: str,
        options: dict[str, CleanOptions] | CleanOptions,
        *,
        archive: Path | None = None,
        archive_url: str | None = None,
        budget: float = settings.CLEAN_BUDGET_S,
    ) -> None:
        self.options = options if isinstance(options, dict) else {"": options}
        self.client, self.cluster = connect(address)  # first: it says when Dask is not installed
        from scraper.jobs import remote
        from scraper.jobs.inflight import InFlight

        self.plugin = f"scraper-rules-{uuid.uuid4().hex[:12]}"
        try:
            self._check_workers(remote.identity())
            self.client.register_plugin(
                remote.RulesPlugin(self.options, budget, remote.identity()), name=self.plugin
            )
            self.archive = archive
            shared = self._shared_archive(archive, archive_url) if archive is not None else None
            resolve = self._read_body if archive is not None and shared is None else None
            self.inflight = InFlight(self.client, self.plugin, shared, resolve)
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.unregister_worker_plugin(self.plugin)
            _close(self.client, self.cluster)
            raise
        self.shared_archive = shared

    def _check_workers(self, ours: dict[str, str]) -> None:
        from scraper.jobs.remote import differences, identity

        try:
            theirs: dict[str, dict[str, str]] = self.client.run(identity)
        except Exception as exc:  # ModuleNotFoundError …: scraper is not on the workers
            raise UsageError(
                f"the Dask workers cannot run scraper {ours['scraper']} "
                f"(install the same version there): {_one_line(exc)}"
            ) from None
        for worker, found in sorted(theirs.items()):
            diff = differences(ours, found)
            if diff:
                raise UsageError(
                    f"the Dask worker {worker} runs other code than this command "
                    f"({'; '.join(diff)}): install the same scraper and libraries on every worker"
                )

    def _shared_archive(self, archive: Path, url: str | None) -> str | None:
        """Where every worker reads the archive's WARC files (as they are here), or None."""
        from scraper.jobs.remote import archive_listing

        base = url or str(archive.resolve())
        here = {p.name: p.stat().st_size for p in archive.glob("*.warc.gz")} if archive.is_dir() else {}
        try:
            seen: dict[str, Any] = self.client.run(archive_listing, base, on_error="return")
        except Exception as exc:
            seen = {"?": exc}
        for worker, listing in sorted(seen.items()):
            missing = (
                [n for n, size in here.items() if listing.get(n) != size]
                if isinstance(listing, dict)
                else ["(cannot list it)"]
            )
            if missing:
                if url is not None:
                    what = _one_line(listing) if isinstance(listing, BaseException) else missing[0]
                    raise UsageError(
                        f"dask_archive {url}: the Dask worker {worker} does not see the archive "
                        f"as it is in {archive} ({what})"
                    )
                return None
        return base

    def _read_body(self, doc: SourceDocument) -> SourceDocument:
        from scraper.store.archive import read_at

        assert doc.ref is not None and self.archive is not None
        found = read_at(self.archive / doc.ref.file, doc.ref.offset)
        return replace(doc, data=found.body) if found is not None else doc  # workers say "archive"

    # -- the crawl's seam ------------------------------------------------------------------------

    async def __call__(self, doc: SourceDocument, stem: str, key: str = "") -> Result:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Result] = loop.create_future()

        def deliver(result: Result) -> None:
            loop.call_soon_threadsafe(_settle, done, result)

        self.inflight.put(doc, stem, key, deliver)
        return await done

    def archive_fetcher(self, state: Any, directory: Path, config: Any) -> Any:
        """reclean's fetcher: documents stay in the archive as references."""
        from scraper.jobs.refs import RefArchiveFetcher

        return RefArchiveFetcher(state, directory, config)

    def capacity(self) -> int:
        """Documents worth giving at once (jobs.batch reads no more inputs than this ahead)."""
        return self.inflight.capacity()

    def close(self) -> None:
        inflight = getattr(self, "inflight", None)
        if inflight is not None:
            inflight.close()
        with contextlib.suppress(Exception):  # a long-lived cluster forgets our rules (if still there)
            self.client.unregister_worker_plugin(self.plugin)
        _close(self.client, self.cluster)


def _settle(done: asyncio.Future[Result], result: Result) -> None:
    if not done.done():
        done.set_result(result)
