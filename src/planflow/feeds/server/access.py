"""Who may read which feed: the tokens file, re-read when it changes, failing closed.

Three modes:

* **public**: no tokens file is in use (``--public``, or none was named and the
  default one does not exist yet): feeds are served at ``/feeds/…`` to anyone;
* **private**: feeds are served only at ``/feeds/<secret>/…`` to a token that opens
  them. A tokens file that appears while a server runs public makes it private
  within a second (``planflow tokens`` on a running server), and a changed file is
  re-read;
* **closed**: the tokens file was in use and is now missing or unreadable. No feed
  is served (503, with the reason logged) until a good file is back: a broken
  tokens file never makes private feeds public, nor keeps revoked secrets working.
"""

from __future__ import annotations

import logging
import os
import stat
from enum import Enum
from pathlib import Path

from planflow.feeds.server.wording import say
from planflow.feeds.tokens import Token, TokenStore
from planflow.i18n import N_
from planflow.plan.errors import PlanError

__all__ = ["Access", "Mode"]

log = logging.getLogger("planflow.feeds.server")


class Mode(str, Enum):
    """How feeds are served at the moment."""

    PUBLIC = "public"
    PRIVATE = "private"
    CLOSED = "closed"


class Access:
    """The tokens in force and the mode they put the server in.

    :param path: the tokens file, or ``None`` for a server that is public for good.
    :param public_until_tokens: a missing file at the start means "public until a
        tokens file appears" (the default tokens file); otherwise a missing named
        file means private with no token yet.
    :raises PlanError: the tokens file exists but is not one (at the start the server
        refuses to run rather than guess).
    """

    def __init__(self, path: Path | None, *, public_until_tokens: bool = False) -> None:
        self.path = path
        self.store: TokenStore | None = None
        self.reason = ""
        self._sig: tuple[int, ...] | None = None
        if path is None:
            self.mode = Mode.PUBLIC
            return
        self._sig = _signature(path)
        if self._sig is None:
            self.mode = Mode.PUBLIC if public_until_tokens else Mode.PRIVATE
            self.store = None if public_until_tokens else TokenStore([], path)
            return
        self.store = TokenStore.load(path)
        self.mode = Mode.PRIVATE
        warn_if_readable(path)

    def refresh(self) -> None:
        """Look at the tokens file (a ``stat``; a read only when it changed)."""
        if self.path is None:
            return
        sig = _signature(self.path)
        if sig == self._sig:
            return
        self._sig = sig
        if sig is None:
            if self.mode is Mode.PUBLIC:
                return  # still no tokens file: still public
            self._close(f"{self.path} is gone")
            return
        try:
            store = TokenStore.load(self.path, missing_ok=False)
        except PlanError as exc:
            self._close(str(exc))
            return
        was = self.mode
        self.store, self.mode, self.reason = store, Mode.PRIVATE, ""
        warn_if_readable(self.path)
        if was is Mode.PUBLIC:
            log.warning(say(N_("{file} appeared: feeds are private from now on ({count} tokens)"),
                            file=self.path, count=len(store)))  # fmt: skip
        else:
            log.info("re-read %s: %d tokens", self.path, len(store))

    def _close(self, reason: str) -> None:
        self.store, self.mode = None, Mode.CLOSED
        self.reason = reason
        log.error(say(N_("{reason}; no feed is served until a good tokens file is back "
                         "(`planflow tokens PLAN --list` checks it)"), reason=reason))  # fmt: skip

    def opens(self, secret: str | None, unit: str | None) -> bool:
        """Whether a request with ``secret`` (``None``: the public path) reads ``unit``'s
        feed (``None``: the plan feed) in the current mode (never in CLOSED)."""
        if self.mode is Mode.PUBLIC:
            return secret is None
        store = self.store
        if self.mode is Mode.CLOSED or secret is None or store is None:
            return False
        token = store.match(secret)
        return token is not None and token.opens(unit)

    def token(self, secret: str) -> Token | None:
        """The token behind ``secret`` in the current mode: only while private (a public
        server has no tokens, a closed one trusts none)."""
        store = self.store
        if self.mode is not Mode.PRIVATE or store is None:
            return None
        return store.match(secret)


def warn_if_readable(path: Path) -> bool:
    """Log a warning when others than the owner may read the tokens file."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return False
    if mode & 0o077:
        log.warning(say(N_("{file} has mode {mode:o}: others may read the token hashes; "
                           "chmod 600 it"), file=path, mode=mode))  # fmt: skip
        return True
    return False


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)
