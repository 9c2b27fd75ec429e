"""Publishing an export folder all at once, so that a crash never leaves a mix.

An export is built in a new folder beside the published one (``.feeds.new-…`` next
to ``feeds``), SEQUENCE state included, and then switched into place in one step:

* on Linux, ``renameat2(RENAME_EXCHANGE)`` swaps the two folders atomically: a web
  server serving ``feeds/`` sees either the old folder or the new one, never a
  mixture, and never no folder;
* elsewhere, the old folder is renamed away and the new one renamed in: a subscriber
  may meet a missing folder for an instant, never a mixture.

Before the switch every file of the new folder is flushed to disk (one ``syncfs`` of
the file system rather than a ``fsync`` per file: an export of the national plan
writes 52,800 files), and after it the parent folder is fsynced, so that after a power
cut the folder is the old or the new one. The state file lives in the folder, so the
SEQUENCE numbers and the feeds that carry them are switched together: a crash before
the switch published nothing, and the numbers it used are free again.

A file whose bytes did not change is hard-linked from the old folder (same inode, same
mtime: a web server's ETag and Last-Modified stay put), as are files planflow did not
write (the feed of a unit no longer in the plan, an ``index.html``). Leftovers of an
export that was killed (``.feeds.new-…``, ``.feeds.old-…``, ``*.part``, ``*.tmp``) are
removed by the next export, which holds a lock (``.feeds.lock``) while it works.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from planflow.i18n import _
from planflow.plan.errors import PlanError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one export at a time is up to the user
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Batch",
    "Stage",
    "on_published",
    "published_together",
    "staged",
    "sweep_leftovers",
]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_TEMP_NAME = re.compile(r"^\..*\.(part|tmp)$")
_LEFTOVER = re.compile(r"^\.(.+)\.(?:new|old)-\d+-[0-9a-f]+$")


class Stage:
    """The folder an export is built in, beside the published folder ``target``."""

    def __init__(self, target: Path, path: Path) -> None:
        self.target = target  # the published folder (may not exist yet)
        self.path = path  # the folder being built

    def previous(self, relative: str) -> str | None:
        """The published copy of ``relative`` (``units/x.ics``), if there is one."""
        old = os.path.join(self.target, relative)
        return old if os.path.isfile(old) else None


@contextlib.contextmanager
def staged(out_dir: str | os.PathLike[str], *, sweep: bool = True) -> Iterator[Stage]:
    """Build a new version of ``out_dir`` and publish it when the block ends without
    an exception (on an exception, nothing is published and the new folder is removed).

    ``sweep=False`` leaves killed exports' leftovers beside ``out_dir`` alone: looking
    for them reads the whole parent folder, which a workspace export of 3,300 plans
    into one folder would do 3,300 times; it calls :func:`sweep_leftovers` once instead.
    """
    target = Path(os.path.realpath(out_dir))
    if Path.cwd().resolve().is_relative_to(target) or target.parent == target:
        raise PlanError(
            _("{folder}: the feeds folder would hold the current folder").format(folder=out_dir),
            hint=_(
                "export into a folder of its own, e.g. --out feeds: each export replaces "
                "the whole folder"
            ),
        )
    parent, name = target.parent, target.name
    parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(parent / f".{name}.lock")
    path: Path | None = None
    waiting = False  # handed to a batch, which unlocks and cleans up
    try:
        if sweep:
            _clean_leftovers(parent, name)
        path = parent / f".{name}.new-{os.getpid()}-{secrets.token_hex(4)}"
        os.mkdir(path)
        if target.is_dir():
            os.chmod(path, target.stat().st_mode & 0o7777)
        else:
            os.chmod(path, 0o777 & ~_umask())
        yield Stage(target, path)
        _carry_over(target, path)
        # complete and locked: switched into place with the open batch, or now alone
        batch = _BATCHES[-1] if _BATCHES else Batch()
        batch.waiting.append((lock, path, target))
        waiting = True
        if not _BATCHES:
            batch.publish()
            for error in batch.failed.values():
                raise error
    finally:
        if not waiting:
            if path is not None and path.exists():  # new folder on failure, old one after a swap
                shutil.rmtree(path, ignore_errors=True)
            os.close(lock)


class Batch:
    """Export folders built inside :func:`published_together`, waiting to be switched."""

    def __init__(self) -> None:
        self.waiting: list[tuple[int, Path, Path]] = []  # lock, new folder, target
        self.after: dict[Path, list[Callable[[], None]]] = {}
        #: the folders that could not be switched into place, with the reason
        self.failed: dict[Path, OSError] = {}

    def publish(self) -> None:
        """Flush every waiting folder to disk at once, then switch each into place; each
        folder is unlocked and the old version removed as it goes (and if the flush
        fails, every waiting folder is removed, none published)."""
        try:
            devices: dict[int, Path] = {}
            for _lock_fd, path, _target in self.waiting:
                devices.setdefault(os.stat(path).st_dev, path)
            for path in devices.values():
                _sync(path)
            parents: set[Path] = set()
            while self.waiting:
                lock, path, target = self.waiting.pop(0)
                try:
                    _switch(path, target)
                    parents.add(target.parent)
                except OSError as exc:
                    self.failed[target] = exc
                finally:
                    shutil.rmtree(path, ignore_errors=True)  # the old version, after a switch
                    os.close(lock)
            for parent in parents:
                _fsync_dir(parent)
        finally:
            self.discard()
        for target, calls in self.after.items():
            if target not in self.failed:
                for call in calls:
                    call()

    def discard(self) -> None:
        """Remove every waiting folder: none of them is published."""
        for lock, path, _target in self.waiting:
            shutil.rmtree(path, ignore_errors=True)
            os.close(lock)
        self.waiting.clear()


_BATCHES: list[Batch] = []


@contextlib.contextmanager
def published_together() -> Iterator[Batch]:
    """Within the block, each folder :func:`staged` builds waits, complete and locked, and
    all are switched into place when the block ends: one ``syncfs`` for all of them
    instead of one each (a workspace export publishes thousands of plan folders). Each
    folder is still switched on its own, atomically. On an exception in the block the
    waiting folders are removed and none of them is published; a folder that cannot
    be switched is named in :attr:`Batch.failed`, and the others are published.
    """
    batch = Batch()
    _BATCHES.append(batch)
    try:
        yield batch
    except BaseException:
        _BATCHES.remove(batch)
        batch.discard()
        raise
    _BATCHES.remove(batch)
    batch.publish()


def on_published(out_dir: str | os.PathLike[str], call: Callable[[], None]) -> None:
    """Run ``call`` once the export of ``out_dir`` is in place: now, or when the batch of
    :func:`published_together` is published (never, if that folder's switch failed)."""
    if _BATCHES:
        _BATCHES[-1].after.setdefault(Path(os.path.realpath(out_dir)), []).append(call)
    else:
        call()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _lock(lock_path: Path) -> int:
    """An open descriptor of ``lock_path`` holding its exclusive lock (released when it is
    closed, or by the kernel if the process dies)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
    return fd


def _clean_leftovers(parent: Path, name: str) -> None:
    """Remove what a killed export left: its unfinished folder, the old folder it had
    swapped out, and temporary files of older planflow versions in the published one."""
    for entry in os.scandir(parent):
        if entry.name.startswith((f".{name}.new-", f".{name}.old-")) and entry.is_dir(
            follow_symlinks=False
        ):
            shutil.rmtree(entry.path, ignore_errors=True)


def _carry_over(target: Path, path: Path) -> None:
    """Hard-link into the new folder every published file the export did not write
    (temporary files excepted), so that a folder switch drops nothing."""
    if not target.is_dir():
        return
    for root, dirs, files in os.walk(target):
        relative = os.path.relpath(root, target)
        here = path if relative == "." else path / relative
        for folder in list(dirs):
            if os.path.islink(os.path.join(root, folder)):  # kept as the link it is
                dirs.remove(folder)
                if not os.path.lexists(here / folder):
                    os.symlink(os.readlink(os.path.join(root, folder)), here / folder)
            else:
                (here / folder).mkdir(exist_ok=True)
        for file in files:
            if _TEMP_NAME.match(file):
                continue
            new = here / file
            if not os.path.lexists(new):
                _link_or_copy(os.path.join(root, file), os.fspath(new))


def sweep_leftovers(parent: str | os.PathLike[str]) -> None:
    """Remove what killed exports left in ``parent`` (the folder that holds feed folders),
    for every feed folder at once; a folder whose export is running (its lock is held)
    is left alone."""
    found: dict[str, list[str]] = {}
    try:
        entries = list(os.scandir(parent))
    except FileNotFoundError:
        return
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False):
            found.setdefault(match.group(1), []).append(entry.path)
    for name, paths in found.items():
        fd = os.open(os.path.join(parent, f".{name}.lock"), os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # an export of that folder is running: its own folder
            for path in paths:
                shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(fd)


def _link_or_copy(old: str, new: str) -> None:
    try:
        os.link(old, new, follow_symlinks=False)
    except OSError:  # another file system, or no hard links: a copy keeps the mtime
        shutil.copy2(old, new, follow_symlinks=False)


def _sync(path: Path) -> None:
    """Flush the new folder's files and entries to disk."""
    libc = _libc()
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc is not None and hasattr(libc, "syncfs") and libc.syncfs(fd) == 0:
            return
        os.sync()
    finally:
        os.close(fd)


def _switch(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``; ``new`` then names the old folder (if any)."""
    if not target.exists():
        os.rename(new, target)
    elif not _exchange(new, target):
        aside = target.with_name(f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        os.rename(target, aside)
        os.rename(new, target)
        os.rename(aside, new)


def _fsync_dir(folder: Path) -> None:
    """Make the folder's entries (a switch) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not possible."""
    libc = _libc()
    if libc is None or not hasattr(libc, "renameat2"):
        return False
    result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                            _RENAME_EXCHANGE)  # fmt: skip
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a file system or kernel without RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), os.fspath(b))


_LIBC: list[ctypes.CDLL | None] = []


def _libc() -> ctypes.CDLL | None:
    if not _LIBC:
        try:
            _LIBC.append(ctypes.CDLL(None, use_errno=True))
        except OSError:  # pragma: no cover - no C library to load (not POSIX)
            _LIBC.append(None)
    return _LIBC[0]
