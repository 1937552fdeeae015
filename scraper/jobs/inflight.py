"""Documents to Dask tasks: batches, a bounded number in flight, results as they complete.

Documents are `put` one by one (from the crawl's event loop or a plain loop); a submitting
thread groups them into batches of up to `batch` documents or `batch_bytes` bytes and submits
one task per batch while fewer than `per_slot` tasks per cleaning slot (worker thread) are in
flight — one running and one ready on each slot, so no worker waits for the command and
neither the command nor the scheduler holds more than that. A partial batch waits `linger`
seconds for more documents while a slot is free, unless nothing is in flight (under load
batches fill by themselves; a caller that gives one document at a time does not wait).
A collecting thread takes results with `distributed.as_completed` and hands each document's
result to its callback.

A batch whose workers kept dying (distributed's KilledWorker) is split: each of its documents
runs again alone, so one document that kills its worker fails alone (reason `crashed`).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from distributed import CancelledError, Client, Future, as_completed
from distributed.scheduler import KilledWorker

from scraper import settings
from scraper.jobs.remote import clean_batch
from scraper.model import Failed, Rendered, SourceDocument

Result = Rendered | Failed


@dataclass
class Item:
    doc: SourceDocument
    stem: str
    key: str
    deliver: Callable[[Result], None]
    alone: bool = False  # its batch killed workers: it runs by itself


class InFlight:
    """Batches of documents on a Dask client; see the module's docstring."""

    def __init__(
        self,
        client: Client,
        plugin: str,
        archive: str | None = None,
        resolve: Callable[[SourceDocument], SourceDocument] | None = None,
        *,
        batch: int = settings.DASK_BATCH,
        batch_bytes: int = settings.DASK_BATCH_BYTES,
        per_slot: int = settings.DASK_IN_FLIGHT,
        linger: float = settings.DASK_LINGER,
        no_workers: float = settings.DASK_NO_WORKERS_S,
    ) -> None:
        self.client = client
        self.plugin = plugin
        self.archive = archive  # where workers read archived bodies (None: they are sent)
        self.resolve = resolve  # the command reads a referenced body before sending it
        self.batch, self.batch_bytes, self.per_slot, self.linger = batch, batch_bytes, per_slot, linger
        self.no_workers = no_workers
        self._alone_since: float | None = None  # since when the scheduler has had no worker
        self._cond = threading.Condition()
        self._pending: deque[Item] = deque()
        self._pending_bytes = 0
        self._since = 0.0  # when the oldest pending document arrived
        self._inflight: dict[Future, list[Item]] = {}
        self._completed = as_completed(loop=client.loop)
        self._closed = False
        self._broken: str | None = None  # why documents can no longer be cleaned
        self._slots_at, self._slots_seen = -1.0, 1
        self._names = (f"scraper-clean-{uuid.uuid4().hex[:12]}-{n}" for n in itertools.count())
        self.tasks = 0  # submitted (for the bench: documents per task)
        self._threads = [
            threading.Thread(target=self._guarded(self._submitter), name="dask-submit", daemon=True),
            threading.Thread(target=self._guarded(self._collector), name="dask-collect", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # -- the callers' side ---------------------------------------------------------------------

    def put(self, doc: SourceDocument, stem: str, key: str, deliver: Callable[[Result], None]) -> None:
        """Queue a document; `deliver` is called (from another thread) with its result."""
        with self._cond:
            if self._broken is None:
                self._add(Item(doc, stem, key, deliver))
                self._cond.notify_all()
                return
        deliver(Failed("clean", self._broken))

    def capacity(self) -> int:
        """Documents worth giving at once: the batches in flight and one more batch per slot,
        ready to go (a caller that reads documents as it gives them holds no more)."""
        with self._cond:
            return self.batch * (self.per_slot + 1) * max(1, self._slots())

    def close(self) -> None:
        """Stop; whatever is still in flight is cancelled and never delivered."""
        with self._cond:
            self._closed = True
            futures = list(self._inflight)
            self._cond.notify_all()
        if futures:
            self.client.cancel(futures)
        for thread in self._threads:
            thread.join(timeout=10)

    # -- batches -------------------------------------------------------------------------------

    def _add(self, item: Item, front: bool = False) -> None:
        if not self._pending:
            self._since = time.monotonic()
        if front:
            self._pending.appendleft(item)
        else:
            self._pending.append(item)
        self._pending_bytes += len(item.doc.data)

    def _slots(self) -> int:
        """Cleaning slots (worker threads) the scheduler reports, asked at most once a second."""
        now = time.monotonic()
        if now - self._slots_at >= 1.0:
            self._slots_at = now
            with contextlib.suppress(Exception):  # the scheduler is away: keep what it last said
                self._slots_seen = int(self.client.scheduler_info(n_workers=0).get("total_threads", 1))
        return self._slots_seen

    def _ready(self) -> float | None:
        """0 when a batch should go now, seconds to wait for more documents, None: nothing to do."""
        if not self._pending or len(self._inflight) >= self.per_slot * max(1, self._slots()):
            return None
        if (
            not self._inflight  # the cluster is idle: no reason to wait (one document at a time)
            or self._pending[0].alone
            or len(self._pending) >= self.batch
            or self._pending_bytes >= self.batch_bytes
        ):
            return 0.0
        return max(0.0, self._since + self.linger - time.monotonic())

    def _take(self) -> list[Item]:
        taken: list[Item] = []
        size = 0
        while self._pending and len(taken) < self.batch:
            item = self._pending[0]
            if taken and (item.alone or size + len(item.doc.data) > self.batch_bytes):
                break
            taken.append(self._pending.popleft())
            size += len(item.doc.data)
            if item.alone:
                break
        self._pending_bytes -= size
        self._since = time.monotonic()
        return taken

    def _submitter(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    self._watch_workers()
                    wait = self._ready()
                    if wait == 0.0:
                        break
                    # wake now and then: workers may have joined (more slots)
                    self._cond.wait(1.0 if wait is None else min(wait, 1.0))
                if self._closed:
                    return
                batch = self._take()
            try:
                future = self._submit(batch)
            except Exception as exc:  # the client is closing or the cluster is gone
                self._deliver(batch, [_failed(exc)] * len(batch))
                continue
            with self._cond:
                self._inflight[future] = batch
            self._completed.add(future)
            self.tasks += 1

    def _watch_workers(self) -> None:
        """Called with the lock held: after `no_workers` seconds without a worker, every
        document not yet cleaned fails (the command does not wait for ever)."""
        if self._slots() > 0 or not (self._pending or self._inflight):
            self._alone_since = None
            return
        now = time.monotonic()
        if self._alone_since is None:
            self._alone_since = now
        if now - self._alone_since >= self.no_workers:
            self._abandon(f"the Dask cluster had no worker for {self.no_workers:g} s")
            self._alone_since = None

    def _abandon(self, message: str) -> None:
        """With the lock held: every document not delivered yet fails with `message`."""
        items = [*self._pending, *(i for batch in self._inflight.values() for i in batch)]
        futures = list(self._inflight)
        self._pending.clear()
        self._pending_bytes = 0
        self._inflight.clear()
        with contextlib.suppress(Exception):
            self.client.cancel(futures)
        failed = Failed("clean", message)
        for item in items:
            item.deliver(failed)
        self._cond.notify_all()

    def _guarded(self, step: Callable[[], None]) -> Callable[[], None]:
        """A thread's loop that, should it ever fail, fails the documents instead of hanging."""

        def run() -> None:
            try:
                step()
            except Exception as exc:
                with self._cond:
                    self._broken = f"scraper's Dask client failed ({type(exc).__name__}: {exc})"
                    self._abandon(self._broken)
                    self._closed = True

        return run

    def _submit(self, batch: list[Item]) -> Future:
        items = []
        for item in batch:
            doc = item.doc
            if self.resolve is not None and doc.ref is not None and not doc.data:
                doc = self.resolve(doc)  # the workers cannot read the archive: send the body
            items.append((doc, item.stem, item.key))
        return self.client.submit(
            clean_batch, self.plugin, self.archive, items, key=next(self._names), pure=False
        )

    # -- results -------------------------------------------------------------------------------

    def _collector(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or bool(self._inflight), timeout=1.0)
                if self._closed:
                    return
            for future in self._completed:  # as they complete; ends when none is left
                self._finished(future)

    def _finished(self, future: Future) -> None:
        with self._cond:
            batch = self._inflight.pop(future, None)
            self._cond.notify_all()
        if batch is None or self._closed:
            return
        failure: Failed | None = None
        try:
            results: list[Result] = future.result()
        except KilledWorker:
            if len(batch) > 1:  # one of them kills workers: each goes alone
                with self._cond:
                    for item in reversed(batch):
                        item.alone = True
                        self._add(item, front=True)
                    self._cond.notify_all()
                return
            failure = Failed("crashed", "the Dask workers cleaning this document kept dying")
        except CancelledError:
            failure = Failed("clean", "the Dask scheduler cancelled its task (cluster shut down?)")
        except Exception as exc:
            failure = _failed(exc)
        finally:
            future.release()
        self._deliver(batch, [failure] * len(batch) if failure is not None else results)

    def _deliver(self, batch: list[Item], results: list[Result]) -> None:
        for item, result in zip(batch, results, strict=True):
            item.deliver(result)
        with self._cond:
            self._cond.notify_all()


def _failed(exc: BaseException) -> Failed:
    return Failed("clean", f"the Dask task failed ({type(exc).__name__}: {exc})")
