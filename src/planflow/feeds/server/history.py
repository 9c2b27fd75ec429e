"""Last-Modified of each served feed: moves forward when the bytes change, never back.

A client that polls with ``If-Modified-Since`` alone gets 304 whenever the feed's
Last-Modified is not after the date it sends, so that date must never go backwards,
not even across a restart with an older plan file put back. With a state file
(``planflow serve --state FILE``) each feed's last ETag and Last-Modified are kept in
``FILE.http.json`` and survive restarts. Without one, a feed first rendered after a
start is stamped no earlier than the start itself: a restart may make clients fetch
a feed once more, never miss a change.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from planflow.feeds.server.wording import say
from planflow.feeds.state import write_chunks
from planflow.i18n import N_

__all__ = ["LastModified"]

log = logging.getLogger("planflow.feeds.server")
_FORMAT = 1


class LastModified:
    """Each feed's last (ETag, Last-Modified); persisted when ``path`` is given.

    Not thread-safe: the server calls it under its render lock.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        # a feed never seen is dated no earlier than this: the start, unless the
        # state file remembers what was served before
        self.floor = int(time.time())
        self._feeds: dict[str, tuple[str, int]] = {}
        if path is not None:
            feeds = _read(path)
            if feeds is not None:
                self._feeds, self.floor = feeds, 0

    def stamp(self, key: str, etag: str, mtime: int) -> int:
        """The Last-Modified (epoch seconds) of feed ``key`` now holding ``etag``.

        Unchanged bytes keep their date; changed bytes get the plan file's mtime, but
        strictly after the previous date; a feed never seen gets the mtime (with a
        state file that remembers) or not before the server started (without one).
        """
        now = int(time.time())
        previous = self._feeds.get(key)
        if previous is not None and previous[0] == etag:
            return previous[1]
        modified = min(mtime, now)
        if previous is not None:
            modified = max(modified, previous[1] + 1)
        else:
            modified = max(modified, self.floor)
        self._feeds[key] = (etag, modified)
        return modified

    def save(self) -> None:
        """Write the dates to the state file (atomically), when there is one."""
        if self.path is None:
            return
        data = {"planflow_http_state": _FORMAT, "feeds": {
            key: {"etag": etag, "last_modified": modified}
            for key, (etag, modified) in sorted(self._feeds.items())
        }}  # fmt: skip
        try:
            write_chunks(os.fspath(self.path), [json.dumps(data, indent=1).encode()])
        except OSError as exc:
            log.error(say(N_("cannot save {file} ({reason}); Last-Modified dates are kept in "
                             "memory only"), file=self.path, reason=exc.strerror))  # fmt: skip


def _read(path: Path) -> dict[str, tuple[str, int]] | None:
    """The dates kept in ``path``; ``None`` when they cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(key): (str(item["etag"]), int(item["last_modified"]))
            for key, item in data["feeds"].items()
        }
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # dates that cannot be read are dates that might go backwards: start from now
        log.warning(say(N_("cannot read {file} ({reason}); feeds are dated from now on"),
                        file=path, reason=exc))  # fmt: skip
        return None
