"""HTTP caching of one feed: ETags, 304s (``If-None-Match``/``If-Modified-Since``) and gzip.

A :class:`Rendered` feed holds both encodings and their validators; :func:`feed_response`
answers a GET/HEAD for it (200 or 304), :func:`not_found` is the server's one 404.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime

import attrs
from starlette.requests import Request
from starlette.responses import Response

MEDIA_TYPE = "text/calendar; charset=utf-8"
_NOT_FOUND_BODY = b"404 Not Found / Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y\n"
_NOT_FOUND_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Type": "text/plain; charset=utf-8",
}


@attrs.frozen
class Rendered:
    """One feed as served: both encodings, their ETags and Last-Modified (epoch seconds)."""

    body: bytes
    gzipped: bytes
    etag: str
    etag_gzip: str
    last_modified: int
    last_modified_http: str


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip``/``x-gzip``/``*``, q > 0)."""
    if not header:
        return False
    star: float | None = None
    for part in header.split(","):
        name, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        name = name.strip().lower()
        if name in ("gzip", "x-gzip"):
            return q > 0
        if name == "*":
            star = q
    return star is not None and star > 0


def etag_matches(header: str, tags: Iterable[str]) -> bool:
    """Weak comparison of an ``If-None-Match`` value with the feed's tags; ``*`` matches."""
    if header.strip() == "*":
        return True
    wanted = set(tags)
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag in wanted:
            return True
    return False


def parse_http_date(value: str) -> int | None:
    """An HTTP-date as epoch seconds, or ``None`` when it does not parse."""
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000" (and asctime dates): UTC
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def not_modified(headers: Mapping[str, str], feed: Rendered) -> bool:
    """Whether a GET/HEAD with these request headers gets 304 (:rfc:`9110` 13.2.2)."""
    inm = headers.get("if-none-match")
    if inm is not None:
        return etag_matches(inm, (feed.etag, feed.etag_gzip))
    ims = headers.get("if-modified-since")
    if ims is None:
        return False
    since = parse_http_date(ims)
    if since is None or since > time.time():  # garbage or in the future: ignore it
        return False
    return feed.last_modified <= since


def feed_response(request: Request, feed: Rendered, *, private: bool) -> Response:
    zipped = accepts_gzip(request.headers.get("accept-encoding"))
    headers = {
        "ETag": feed.etag_gzip if zipped else feed.etag,
        "Last-Modified": feed.last_modified_http,
        "Vary": "Accept-Encoding",
        "Cache-Control": "private, no-cache" if private else "no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    if private:
        headers["Referrer-Policy"] = "no-referrer"
    if not_modified(request.headers, feed):
        return Response(status_code=304, headers=headers)
    body = feed.gzipped if zipped else feed.body
    if zipped:
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(body))
    content = b"" if request.method == "HEAD" else body
    return Response(content, headers=headers, media_type=MEDIA_TYPE)


def not_found() -> Response:
    """The one 404: the same for a wrong token, an unknown unit and an unknown path."""
    return Response(_NOT_FOUND_BODY, status_code=404, headers=_NOT_FOUND_HEADERS)


_UNAVAILABLE_BODY = "503 Service Unavailable / Tạm ngừng phục vụ lịch\n".encode()


def unavailable() -> Response:
    """No feed is served now (the tokens file in use is missing or broken; see the log)."""
    return Response(
        _UNAVAILABLE_BODY,
        status_code=503,
        headers={**_NOT_FOUND_HEADERS, "Retry-After": "60"},
    )
