"""The compiled-plan cache: an unchanged plan is not parsed again.

Each plan file has one entry in ``WORKSPACE/.planflow/cache/`` (named after the
plan's path in the workspace): a pickle of the loaded plan (the frozen model with
its document positions and warnings) together with the SHA-256 of every file it
was read from: the plan file and, when the loader reports them
(``LoadedPlan.sources``: the templates a plan ``extends``), every file it extends.
The cache's ``context`` (the digest of the workspace file's shared units, which
every plan reads) is part of every entry. An entry is used only when the context is
the same and every one of those files still has the same digest, so editing a
template invalidates exactly the plans that extend it, editing the shared units
invalidates every plan, and editing the rest of the workspace file none.

The results of a command on a plan (``simulate`` with a built-in completion model
and its options, ``validate``) are kept the same way, next to the plan, and used
only with the same options, the same plugins and the same source files: a warm
run of an unchanged workspace computes nothing again.

An entry that cannot be read (truncated, written by another planflow or Python,
not ours) is ignored and rewritten; entries are written to a temporary file and
moved into place, so a crash never leaves half an entry. The cache is as trusted
as the workspace folder itself (pickles run code when read): entries are created
readable by their owner only, and entries owned by another user are ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from planflow import __version__
from planflow.plan.loading import LoadedPlan

__all__ = ["CACHE_DIR", "CACHE_FORMAT", "PlanCache", "file_digest"]

CACHE_DIR = Path(".planflow") / "cache"
#: Bumped whenever the cached objects change shape; the planflow and Python versions
#: are part of every entry too, so an upgrade never reads an older entry.
CACHE_FORMAT = 2
_STAMP = (CACHE_FORMAT, __version__, sys.version_info[:2])


def file_digest(path: str | os.PathLike[str]) -> str | None:
    """SHA-256 of the file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


class PlanCache:
    """Compiled plans of one workspace, in ``folder`` (``None``: no cache at all)."""

    def __init__(self, folder: str | os.PathLike[str] | None, *, context: str = "") -> None:
        self.folder = Path(folder) if folder is not None else None
        #: what every entry also depends on besides its files (the shared units' digest)
        self.context = context
        self._stamp = (*_STAMP, context)
        self.hits = 0
        self.misses = 0
        # digests of the files each plan was read from, as last verified or stored here
        self._sources: dict[str, tuple[tuple[str, str | None], ...]] = {}

    def _entry(self, key: str) -> Path:
        assert self.folder is not None
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return self.folder / f"{name}.pickle"

    def get(self, key: str) -> LoadedPlan | None:
        """The cached plan for the member ``key``, if every file it was read from is unchanged."""
        if self.folder is None:
            return None
        entry = self._entry(key)
        try:
            with open(entry, "rb") as fh:
                if hasattr(os, "getuid") and os.fstat(fh.fileno()).st_uid != os.getuid():
                    return self._miss()
                stamp, sources, loaded = pickle.load(fh)
        except FileNotFoundError:
            return self._miss()
        except Exception:  # a damaged or foreign entry: rebuilt by the caller
            return self._miss()
        if stamp != self._stamp or not isinstance(loaded, LoadedPlan):
            return self._miss()
        if not _unchanged(sources):
            return self._miss()
        self.hits += 1
        self._sources[key] = sources
        return loaded

    def _miss(self) -> LoadedPlan | None:
        self.misses += 1
        return None

    def put(self, key: str, loaded: LoadedPlan, sources: Iterable[str | os.PathLike[str]]) -> None:
        """Store ``loaded`` for ``key``, with the digests of the files it was read from
        (the plan file first; a file that does not exist is recorded as missing).

        A digest is taken now, after loading: a file edited meanwhile gives a stale
        entry for one load at most, never a wrong plan for longer (the next look
        sees the new digest).
        """
        if self.folder is None:
            return
        digests: list[tuple[str, str | None]] = []
        for path in dict.fromkeys(os.path.abspath(s) for s in sources):
            # a missing file is recorded too: the workspace file may appear later
            digests.append((path, file_digest(path)))
        if not digests or digests[0][1] is None:
            return  # the plan file itself cannot be read again: nothing to vouch for
        self._sources[key] = tuple(digests)
        self._write(self._entry(key), (self._stamp, tuple(digests), loaded))

    def sources(self, key: str) -> tuple[tuple[str, str | None], ...] | None:
        """The files (with digests) the plan ``key`` was last read from through this cache."""
        return self._sources.get(key)

    # --- results of a plan ------------------------------------------------------------

    def result(self, key: str, kind: str, options: tuple[Any, ...]) -> Any:
        """What ``kind`` (``simulate``, ``validate``) gave for this plan with ``options``,
        if no file the plan was read from changed since; None otherwise."""
        if self.folder is None:
            return None
        try:
            with open(self._entry(f"{key}\0{kind}"), "rb") as fh:
                if hasattr(os, "getuid") and os.fstat(fh.fileno()).st_uid != os.getuid():
                    return None
                stamp, stored, sources, value = pickle.load(fh)
        except Exception:  # missing, damaged or foreign: computed again
            return None
        if stamp != self._stamp or stored != options or not _unchanged(sources):
            return None
        self._sources[key] = sources
        return value

    def put_result(self, key: str, kind: str, options: tuple[Any, ...], value: Any) -> None:
        """Keep ``value`` for :meth:`result`; the plan must have been loaded through this
        cache (its files' digests are those the plan was read from)."""
        sources = self._sources.get(key)
        if self.folder is None or sources is None:
            return
        self._write(self._entry(f"{key}\0{kind}"), (self._stamp, options, sources, value))

    def _write(self, entry: Path, payload: Any) -> None:
        assert self.folder is not None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, entry)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, RecursionError):
            return  # a read-only workspace simply has no cache


def _unchanged(sources: tuple[tuple[str, str | None], ...]) -> bool:
    return all(file_digest(path) == digest for path, digest in sources)
