"""What ``planflow serve`` shares between one plan and a workspace: how it listens.

One option decorator (:func:`listen_options`) and one runner (:func:`run_server`), so
the address, the proxy trust and the connection limits are written once, whatever
is served.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import click

from planflow.i18n import N_

__all__ = ["Listen", "listen_options", "run_server"]

F = TypeVar("F", bound=Callable[..., Any])


@attrs.frozen
class Listen:
    """Where and how the server listens (the options of :func:`listen_options`)."""

    host: str
    port: int
    forwarded_allow_ips: str
    log_level: str
    max_header_bytes: int
    header_timeout: float
    max_connections: int
    keep_alive: int

    @property
    def address(self) -> str:
        """``http://HOST:PORT/``, for the line printed at start."""
        return f"http://{self.host}:{self.port}/"


_OPTIONS = (
    click.option(
        "--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on.")
    ),
    click.option(
        "--port",
        default=8080,
        show_default=True,
        type=click.IntRange(0, 65535),
        help=N_("Port to listen on."),
    ),
    click.option(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        show_default=True,
        help=N_("Proxies whose X-Forwarded-Proto/For are trusted (the nginx in front)."),
    ),
    click.option(
        "--log-level",
        default="info",
        show_default=True,
        type=click.Choice(["critical", "error", "warning", "info", "debug"]),
        help=N_("How much the server logs."),
    ),
    click.option(
        "--max-header-bytes",
        default=16384,
        show_default=True,
        type=click.IntRange(1024),
        help=N_("Largest request line and headers, in bytes."),
    ),
    click.option(
        "--header-timeout",
        default=10.0,
        show_default=True,
        type=click.FloatRange(0.1),
        help=N_("Seconds a client may take to send its request line and headers."),
    ),
    click.option(
        "--max-connections",
        default=200,
        show_default=True,
        type=click.IntRange(1),
        help=N_("Open connections at most; more are closed (or answered 503)."),
    ),
    click.option(
        "--keep-alive",
        default=5,
        show_default=True,
        type=click.IntRange(1),
        help=N_("Seconds an idle connection stays open between requests."),
    ),
)
_FIELDS = tuple(a.name for a in attrs.fields(Listen))


def listen_options(fn: F) -> F:
    """Add the listening options; the command receives them as one ``listen: Listen``."""

    @functools.wraps(fn)
    def command(**kwargs: Any) -> Any:
        listen = Listen(**{name: kwargs.pop(name) for name in _FIELDS})
        return fn(listen=listen, **kwargs)

    for option in reversed(_OPTIONS):
        command = option(command)
    return command  # type: ignore[return-value]


def run_server(app: Any, listen: Listen, *, access_log: bool) -> None:
    """Serve ``app`` with uvicorn, behind the guarded HTTP protocol (the serve extra)."""
    import uvicorn

    from planflow.feeds.server.protocol import guarded_protocol

    uvicorn.run(
        app,
        host=listen.host,
        port=listen.port,
        log_level=listen.log_level,
        proxy_headers=True,
        forwarded_allow_ips=listen.forwarded_allow_ips,
        server_header=False,
        # private feed URLs hold secrets: keep them out of logs
        access_log=access_log,
        http=guarded_protocol(
            header_timeout=listen.header_timeout, max_connections=listen.max_connections
        ),
        h11_max_incomplete_event_size=listen.max_header_bytes,
        timeout_keep_alive=listen.keep_alive,
        limit_concurrency=listen.max_connections,
    )
