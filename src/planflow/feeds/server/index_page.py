"""The feed server's index page (vi + en): each feed's subscription links."""

from __future__ import annotations

import html
from urllib.parse import quote

from planflow.feeds.server.reload import FeedServer


def _links(base: str, path: str) -> tuple[str, str]:
    https = base + path
    return https, "webcal://" + https.split("://", 1)[1]


def index_html(server: FeedServer, base: str) -> str:
    """The index page: each feed's links (https, webcal, Google, Outlook), or, with
    tokens, a note that links are private. Everything is HTML-escaped."""
    plan = server.version.loaded.plan
    e = html.escape
    out = [
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>Lịch công tác · {e(plan.title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}td,th{padding:.3rem .6rem;text-align:left;vertical-align:top}"
        "tr:nth-child(even){background:#f4f4f4}</style>\n</head>\n<body>\n",
        f"<h1>{e(plan.title)}</h1>\n<p>{e(plan.issuer)} · {plan.year}</p>\n",
    ]
    if server.private:
        out.append(
            "<p>Đường dẫn lịch của từng đơn vị là riêng tư: cán bộ phụ trách gửi cho "
            "từng đơn vị đường dẫn của mình. Không chia sẻ đường dẫn này.</p>\n"
            '<p lang="en">Each unit\'s calendar link is private: the officer in charge '
            "gives every unit its own link. Do not share it.</p>\n"
        )
    else:
        out.append(
            "<p>Đăng ký lịch công tác của đơn vị trong Google Calendar, Outlook, Apple "
            "Calendar hoặc Thunderbird (bấm đường dẫn, hoặc sao chép và dán). Google cập "
            "nhật lịch đăng ký 8–24 giờ một lần.</p>\n"
            '<p lang="en">Subscribe to your unit\'s calendar in Google Calendar, Outlook, '
            "Apple Calendar or Thunderbird (click a link, or copy and paste it). Google "
            "refreshes subscriptions every 8–24 hours.</p>\n"
            "<table>\n<tr><th>Đơn vị / Unit</th><th>Đường dẫn / Link</th>"
            "<th>Thêm vào / Add to</th></tr>\n"
        )
        rows = [("Toàn bộ kế hoạch / Whole plan", "plan.ics")]
        rows += [(u.name, f"units/{quote(u.id, safe='')}.ics") for u in plan.units]
        for name, tail in rows:
            https, webcal = _links(base, "/feeds/" + tail)
            expanded, _ = _links(base, "/feeds/expanded/" + tail)
            google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
            outlook = (
                "https://outlook.live.com/calendar/0/addfromweb?url="
                + quote(expanded, safe="") + "&name=" + quote(name, safe="")
            )  # fmt: skip
            out.append(
                f'<tr><td>{e(name)}</td><td><a href="{e(https)}">{e(https)}</a><br>'
                f'<a href="{e(webcal)}">webcal</a> · '
                f'<a href="{e(expanded)}">mỗi lần một sự kiện / one event each</a></td>'
                f'<td><a href="{e(google)}">Google</a> · '
                f'<a href="{e(outlook)}">Outlook</a> · '
                f'<a href="{e(webcal)}">Apple</a></td></tr>\n'
            )
        out.append("</table>\n")
    out.append("<p><small>planflow</small></p>\n</body>\n</html>\n")
    return "".join(out)
