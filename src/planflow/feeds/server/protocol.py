"""HTTP limits for a feed server exposed directly: header size, header time, connections.

uvicorn's h11 protocol bounds an unfinished request's size
(``h11_max_incomplete_event_size``) but starts no timer before the first byte and
none while headers trickle in, and ``limit_concurrency`` answers 503 only to a
request that arrives: a client could hold thousands of silent connections open. The
protocol below adds what is missing:

* a connection beyond ``max_connections`` is closed as soon as it is accepted;
* a client must send a request's line and headers within ``header_timeout``
  seconds of connecting (or of the first byte after an idle keep-alive), else the
  connection is closed.

Put a reverse proxy (nginx) in front in production; these limits are the second line
(docs/calendar-feeds.md).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from planflow.feeds.server.wording import say
from planflow.i18n import N_

__all__ = ["guarded_protocol"]

log = logging.getLogger("planflow.feeds.server")


class _GuardedH11Protocol(H11Protocol):
    header_timeout: float = 10.0
    max_connections: int = 200

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning(say(N_("more than {count} connections: closing a new one"),
                            count=self.max_connections))  # fmt: skip
            transport.abort()
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first byte of a request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the request line and headers are in

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(*, header_timeout: float, max_connections: int) -> type[H11Protocol]:
    """An h11 protocol class for ``uvicorn.run(http=…)`` with these limits."""
    return type(
        "GuardedH11Protocol",
        (_GuardedH11Protocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )
