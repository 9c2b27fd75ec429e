"""HTTP feed server: the plan's calendar feeds over HTTP, as an ASGI app (Starlette).

``create_app(plan_path)`` gives an app that any ASGI server runs (``planflow serve``
runs it with uvicorn)::

    GET/HEAD /                                  index page (vi + en) with subscription links
    GET/HEAD /feeds/plan.ics                    the whole plan
    GET/HEAD /feeds/units/<unit>.ics            one unit (lead + coordinator duties)
    GET/HEAD /feeds/expanded/…                  the same, one event per occurrence (Outlook)

With a tokens file (:mod:`planflow.feeds.tokens`) feeds are private and only served under
``/feeds/<secret>/…``: a unit's token opens that unit's feeds, an ``all`` token the
plan feed and every unit's. A wrong token and an unknown path get the same 404.

HTTP behaviour, for calendar clients that poll for years:

* the body is rendered once per plan version and kept in memory with its gzip form;
* a strong ETag over the exact bytes (``"<sha256>"``, ``"<sha256>-gzip"`` for the
  gzip body) and ``Vary: Accept-Encoding``;
* ``If-None-Match`` is checked first (``*`` or any listed tag of this feed → 304;
  a tag of the other encoding of the same bytes matches too: the client holds the
  current content); ``If-Modified-Since`` only without it, only when it parses and
  is not in the future, and only → 304 when the feed really is not newer;
* Last-Modified is the plan file's mtime, never before the previous value for the
  same feed, strictly after it when the bytes changed, and unchanged when they did
  not (editing one unit's task does not touch the other units' feeds).

The plan file is checked at most once a second, on request (size, mtime, inode, then
the SHA-256 of its bytes). A changed plan is loaded and rendered before it replaces
the served version; a plan with errors is rejected, its ``FILE:LINE:COL`` problems
logged, and the last good version kept. The tokens file is re-read the same way, so
``planflow tokens --revoke`` takes effect within a second.
"""

from __future__ import annotations

try:  # the serve extra; checked first so that every submodule finds it
    import starlette  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by hand
    raise ImportError(
        "planflow's feed server needs Starlette and uvicorn: pip install 'planflow[serve]'"
    ) from exc

# names other than __all__'s are re-exported explicitly (``x as x``): the one-module
# server offered them too
from planflow.feeds.server.app import create_app
from planflow.feeds.server.http_cache import MEDIA_TYPE as MEDIA_TYPE
from planflow.feeds.server.http_cache import Rendered
from planflow.feeds.server.http_cache import accepts_gzip as accepts_gzip
from planflow.feeds.server.http_cache import etag_matches as etag_matches
from planflow.feeds.server.http_cache import not_found as not_found
from planflow.feeds.server.http_cache import not_modified as not_modified
from planflow.feeds.server.http_cache import parse_http_date as parse_http_date
from planflow.feeds.server.index_page import index_html as index_html
from planflow.feeds.server.reload import CHECK_INTERVAL as CHECK_INTERVAL
from planflow.feeds.server.reload import FeedKey as FeedKey
from planflow.feeds.server.reload import FeedServer
from planflow.feeds.server.reload import log as log

__all__ = ["FeedServer", "Rendered", "create_app"]
