"""SEQUENCE numbers kept between exports, and writing files so readers never see half.

Files are replaced atomically (a temporary file moved into place) and left untouched
(same bytes, same mtime) when nothing changed.
"""

from __future__ import annotations

import filecmp
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs

from planflow.plan.errors import PlanError

__all__ = ["STATE_FILE", "FeedState", "put_bytes", "put_chunks", "write_bytes", "write_chunks"]

STATE_FILE = ".planflow-feed-state.json"


@attrs.define
class FeedState:
    """SEQUENCE numbers that only go up: each UID's content digest and sequence.

    Stored as JSON (``.planflow-feed-state.json``) next to the exported feeds. A UID
    seen for the first time gets 0; the same digest again keeps its number; a new
    digest gets the next number. Entries are never dropped, so a task that comes
    back after being removed continues from its old number.
    """

    entries: dict[str, tuple[str, int]] = attrs.field(factory=dict)

    def sequence(self, uid: str, digest: str) -> int:
        """The SEQUENCE for ``uid`` with content ``digest``, recording it."""
        old = self.entries.get(uid)
        if old is not None and old[0] == digest:
            return old[1]
        number = 0 if old is None else old[1] + 1
        self.entries[uid] = (digest, number)
        return number

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FeedState:
        """Read a state file; a missing file is an empty state.

        :raises PlanError: the file is not a state file planflow wrote.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            entries = {
                str(uid): (str(item["digest"]), int(item["sequence"]))
                for uid, item in data["components"].items()
            }
        except FileNotFoundError:
            return cls()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PlanError(
                f"{path}: not a planflow feed state file ({exc})",
                hint="delete it to start the SEQUENCE numbers again from 0",
            ) from None
        return cls(entries)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state (sorted, so an unchanged state gives an unchanged file)."""
        write_chunks(os.fspath(path), (text.encode() for text in self._text()))

    def dumps(self) -> str:
        """The state file's text: what ``json.dumps(…, ensure_ascii=False, indent=1)``
        gives, written directly (the pure-Python indenting encoder takes seconds for a
        national plan's hundred thousand entries)."""
        return "".join(self._text())

    def _text(self) -> Iterator[str]:
        if not self.entries:
            yield '{\n "planflow_feed_state": 1,\n "components": {}\n}\n'
            return
        quote = json.encoder.encode_basestring
        yield '{\n "planflow_feed_state": 1,\n "components": {\n'
        uids = sorted(self.entries)
        for start in range(0, len(uids), 4096):  # a batch at a time: bounded memory
            rows = []
            for uid in uids[start : start + 4096]:
                digest, seq = self.entries[uid]
                entry = f'"digest": {quote(digest)},\n   "sequence": {seq:d}'
                rows.append(f"  {quote(uid)}: {{\n   {entry}\n  }}")
            yield (",\n" if start else "") + ",\n".join(rows)
        yield "\n }\n}\n"


def write_bytes(path: str, data: bytes) -> None:
    """Put ``data`` in ``path`` atomically, unless the file already holds exactly that."""
    try:
        if os.stat(path).st_size == len(data):
            with open(path, "rb") as old:
                if old.read() == data:
                    return
    except FileNotFoundError:
        pass
    temp = _temp(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(temp, path)


def write_chunks(path: str, chunks: Iterable[bytes]) -> None:
    """Stream ``chunks`` into ``path`` atomically (through a temporary file), leaving
    the file untouched when its bytes did not change."""
    temp = _temp(path)
    with open(temp, "wb") as stream:
        for chunk in chunks:
            stream.write(chunk)
    try:
        same = os.stat(path).st_size == os.stat(temp).st_size and filecmp.cmp(temp, path, False)
    except FileNotFoundError:
        same = False
    if same:
        os.unlink(temp)
    else:
        os.replace(temp, path)


def _temp(path: str) -> str:
    head, name = os.path.split(path)
    return os.path.join(head, f".{name}.tmp")


def put_bytes(path: str, data: bytes, previous: str | None) -> None:
    """Write ``data`` to ``path`` in a folder being built (see :mod:`.publish`), or
    hard-link ``previous`` there when it already holds exactly these bytes (same inode,
    same mtime: the web server's validators do not move)."""
    if previous is not None and _same_bytes(previous, data):
        _link(previous, path)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def put_chunks(path: str, chunks: Iterable[bytes], previous: str | None) -> None:
    """As :func:`put_bytes`, streaming ``chunks``; compared with ``previous`` afterwards."""
    with open(path, "xb") as stream:
        for chunk in chunks:
            stream.write(chunk)
    if previous is not None:
        try:
            same = os.stat(path).st_size == os.stat(previous).st_size and filecmp.cmp(
                path, previous, False
            )
        except FileNotFoundError:
            same = False
        if same:
            os.unlink(path)
            _link(previous, path)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as old:
            return old.read() == data
    except FileNotFoundError:
        return False


def _link(old: str, new: str) -> None:
    try:
        os.link(old, new)
    except OSError:  # no hard links here: a copy with the old mtime
        import shutil

        shutil.copy2(old, new)
