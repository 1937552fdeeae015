"""What runs on a Dask worker: the rules plugin, the batch task, and the checks made before any
work is sent (the worker's identity, whether it can read the archive).

The rules reach each worker once: `RulesPlugin` carries the cleaning options (and the
command's identity) and is registered with the scheduler, which hands it to every worker,
including those that join later. Tasks name the plugin and carry only documents.

`clean_batch` is pure and idempotent: the same documents give the same results wherever and
however often it runs (a lost worker's batches simply run again elsewhere); it writes nothing.
Each document is cleaned in one of the worker's cleaning processes (jobs.slot: the local pool's
processes, one per worker thread, one document at a time each), within the per-document budget,
and fails with the local pool's reasons (`too-complex`, `crashed`).
"""

from __future__ import annotations

import hashlib
import pickle
import platform
import queue
import threading
from dataclasses import replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

import cleaners
import scraper
from scraper.jobs.incremental import input_digest
from scraper.jobs.slot import Slot, Starter
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument
from scraper.store.archive import _records

# what the cleaning output depends on besides our own code (a worker with another version of
# any of these could write other bytes), and what carries tasks and results
PIPELINE_DISTRIBUTIONS = (
    "trafilatura",
    "justext",
    "htmldate",
    "courlan",
    "lxml",
    "lxml_html_clean",
    "selectolax",
    "nh3",
    "python-frontmatter",
    "PyYAML",
    "charset-normalizer",
    "publicsuffixlist",
    # and what carries tasks and results
    "dask",
    "distributed",
    "cloudpickle",
    "msgpack",
)

READ_AHEAD = 256 * 1024  # bytes a remote archive (s3://…) is read in, from a record's offset
Item = tuple[SourceDocument, str, str]  # a document, its output stem, the key of its options


@cache
def identity() -> dict[str, str]:
    """What must match between the command and every worker for the output to be identical:
    scraper's version, a hash of its code and the cleaners' (every .py file), the pipeline's
    libraries and Python's minor version."""
    digest = hashlib.sha256()
    for package in (scraper, cleaners):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    found = {"scraper": scraper.__version__, "code": digest.hexdigest()[:16]}
    found["python"] = ".".join(platform.python_version_tuple()[:2])
    for dist in PIPELINE_DISTRIBUTIONS:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "missing"
    return found


def differences(ours: dict[str, str], theirs: dict[str, str]) -> list[str]:
    """`name here X, there Y` for every component that differs."""
    return [
        f"{name} {ours.get(name, 'missing')} here, {theirs.get(name, 'missing')} there"
        for name in sorted(set(ours) | set(theirs))
        if ours.get(name) != theirs.get(name)
    ]


def archive_listing(base: str) -> dict[str, int]:
    """The WARC files a worker sees at `base` (a path or an fsspec URL) and their sizes."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(base)
    return {
        Path(entry["name"]).name: int(entry["size"])
        for entry in fs.ls(root, detail=True)
        if str(entry["name"]).endswith(".warc.gz")
    }


def read_archived(base: str, doc: SourceDocument) -> SourceDocument | None:
    """The document with the body of its archived record (None when unreadable)."""
    import fsspec

    assert doc.ref is not None
    try:
        # a record is rarely over a few hundred KB: remote stores read ahead no more than that
        with fsspec.open(f"{base.rstrip('/')}/{doc.ref.file}", "rb", block_size=READ_AHEAD) as fh:
            fh.seek(doc.ref.offset)
            for _requested, response in _records(fh):
                return replace(doc, data=response.body)
    except (OSError, ValueError):
        return None
    return None


class RulesPlugin(WorkerPlugin):  # type: ignore[misc]
    """The cleaning options of one command, on every worker; each worker thread gets a slot."""

    def __init__(self, options: dict[str, CleanOptions], budget: float, ident: dict[str, str]) -> None:
        self.options = options
        self.budget = budget
        self.identity = ident
        self.slots: queue.SimpleQueue[Slot] = queue.SimpleQueue()
        self.all: list[Slot] = []
        self.starter: Starter | None = None

    def setup(self, worker: Any) -> None:
        self.starter = Starter(pickle.dumps(self.options, protocol=pickle.HIGHEST_PROTOCOL))
        for _ in range(max(1, int(worker.state.nthreads))):
            slot = Slot(self.starter, self.budget)
            self.all.append(slot)
            self.slots.put(slot)
            threading.Thread(target=slot.warm, name="scraper-warm", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        for slot in self.all:
            slot.close()
        if self.starter is not None:
            self.starter.close()

    def __getstate__(self) -> dict[str, Any]:  # what travels: the options, once per worker
        return {"options": self.options, "budget": self.budget, "identity": self.identity}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["options"], state["budget"], state["identity"])  # type: ignore[misc]


def clean_batch(plugin: str, archive: str | None, items: list[Item]) -> list[Rendered | Failed]:
    """Clean a batch on this worker (the task): one result per document, in order."""
    rules = get_worker().plugins.get(plugin)
    if not isinstance(rules, RulesPlugin):
        raise RuntimeError(f"this worker has no rules plugin {plugin!r}")
    mismatch = differences(rules.identity, identity())
    if mismatch:  # a worker that joined after the check, with other code: it must not clean
        failed = Failed("clean", "this Dask worker runs other code: " + "; ".join(mismatch))
        return [failed for _ in items]
    slot = rules.slots.get()  # one per thread: never two documents at once in one process
    try:
        return [_clean_one(slot, archive, doc, stem, key) for doc, stem, key in items]
    finally:
        rules.slots.put(slot)


def _clean_one(
    slot: Slot, archive: str | None, doc: SourceDocument, stem: str, key: str
) -> Rendered | Failed:
    if doc.ref is None:
        return slot.clean(doc, stem, key)
    if not doc.data:  # a reference into the archive: read it here
        read = read_archived(archive, doc) if archive is not None else None
        if read is None:
            return Failed("archive", "its archived response is missing or unreadable")
        doc = read
    doc = replace(doc, ref=None)
    result = slot.clean(doc, stem, key)
    if isinstance(result, Rendered):
        result = replace(result, input_sha256=input_digest(doc))
    return result
