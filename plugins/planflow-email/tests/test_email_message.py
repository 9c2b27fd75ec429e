"""The message itself: subject, headers, bodies, the .ics attachment, recipients, settings."""

from __future__ import annotations

from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.parser import BytesParser

import attrs
import pytest
from icalendar import Calendar
from planflow.plan.model import Plan

from pfemail_support import SENDER, channel, reminder, unit_settings
from planflow_email import (
    EmailConfig,
    EmailNotifier,
    EmailSettingsError,
    build_message,
    recipients,
    subject,
)
from planflow_email._settings import addresses

FROM = addresses(SENDER, "from")[0]


def _message(plan: Plan, task: str = "radio-programme", index: int = 3) -> bytes:
    event = reminder(plan, task, index)
    units = [plan.unit(u) for u in event.units]
    to, cc = recipients(event, plan, units, unit_settings(plan))
    return build_message(event, plan, sender=FROM, to=to, cc=cc).as_bytes()


class TestSubject:
    def test_vietnamese_subject(self, plan: Plan) -> None:
        """The subject tags the kind, gives the reference, the shortened title and the due date."""
        assert subject(reminder(plan), plan) == (
            "[Nhắc việc] C.I.2.a · Thực hiện chuyên mục phát thanh về cải cách hành chính và…"
            " — hạn 14/03/2025"
        )

    def test_encoded_words_decode_back_exactly(self, plan: Plan) -> None:
        """The raw Subject is RFC 2047 encoded-words (ASCII) that decode to the exact text."""
        raw = _message(plan)
        head = raw.split(b"\r\n\r\n", 1)[0]
        head.decode("ascii")  # every header is 7-bit
        line = head.split(b"Subject: ", 1)[1].split(b"\r\nFrom:", 1)[0].decode("ascii")
        assert "=?utf-8?" in line
        decoded = str(make_header(decode_header(line.replace("\r\n", ""))))
        assert decoded == subject(reminder(plan), plan)


class TestHeaders:
    def test_recipients_and_display_names(self, plan: Plan) -> None:
        """To is the lead with its Vietnamese name; Cc the coordinators that have an address."""
        msg = BytesParser(policy=policy.default).parsebytes(_message(plan))
        to = msg["To"].addresses
        cc = msg["Cc"].addresses
        assert [(a.display_name, a.addr_spec) for a in to] == [
            ("Phòng Văn hóa - Xã hội", "vhxh@example.gov.vn")
        ]
        assert [(a.display_name, a.addr_spec) for a in cc] == [
            ("Đài truyền thanh xã", "dai.truyenthanh@example.gov.vn")
        ]  # bcd has no address
        assert msg["From"].addresses[0].display_name == "UBND xã Bờ Y"

    def test_unit_to_setting_overrides_contacts(self, plan: Plan) -> None:
        """A unit's ``to`` (comma text, with or without names) replaces its contacts.email."""
        msg = BytesParser(policy=policy.default).parsebytes(_message(plan, "qa-page", 1))
        assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
            ("Chánh Văn phòng", "chanh.vp@example.gov.vn"),
            ("Văn phòng HĐND và UBND xã", "vanphong@example.gov.vn"),
        ]
        assert [a.addr_spec for a in msg["Cc"].addresses] == ["vhxh@example.gov.vn"]

    def test_deterministic(self, plan: Plan) -> None:
        """The same event gives the same bytes: Message-ID, Date, boundaries, .ics."""
        event = reminder(plan)
        msg = BytesParser(policy=policy.default).parsebytes(_message(plan))
        assert _message(plan) == _message(plan)
        assert msg["Message-ID"] == f"<{event.id}@demo-2025.planflow>"
        assert msg["Date"] == "Tue, 11 Mar 2025 07:30:00 +0700"
        assert msg["X-Planflow-Event"] == "reminder"
        assert msg["Auto-Submitted"] == "auto-generated"

    def test_lead_without_address(self, plan: Plan) -> None:
        """When the lead has no address the coordinators are in To; nobody at all: no mail."""
        event = reminder(plan)
        event = attrs.evolve(event, unit="bcd", coordinators=("radio",))
        units = [plan.unit("bcd"), plan.unit("radio")]
        to, cc = recipients(event, plan, units, {})
        assert [a.addr_spec for a in to] == ["dai.truyenthanh@example.gov.vn"] and cc == ()
        assert recipients(attrs.evolve(event, coordinators=()), plan, units[:1], {}) == ((), ())

    def test_duplicates_once(self, plan: Plan) -> None:
        """An address given twice (To and a coordinator's cc) appears once, in To."""
        event = reminder(plan)
        units = [plan.unit(u) for u in event.units]
        extra = {"radio": {"cc": "vhxh@example.gov.vn; luu.tru@example.gov.vn"}}
        to, cc = recipients(event, plan, units, extra)
        assert [a.addr_spec for a in to] == ["vhxh@example.gov.vn"]
        assert [a.addr_spec for a in cc] == [
            "dai.truyenthanh@example.gov.vn",
            "luu.tru@example.gov.vn",
        ]


class TestBodies:
    def test_text_and_html_alternatives(self, plan: Plan) -> None:
        """multipart/alternative with UTF-8 text and HTML parts carrying the Vietnamese text."""
        msg = BytesParser(policy=policy.default).parsebytes(_message(plan))
        assert msg.get_content_type() == "multipart/mixed"
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert text is not None and html is not None
        assert text.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
        body = text.get_content().replace("\r\n", "\n")  # base64 keeps the CRLF of SMTP
        assert body.startswith("Kính gửi: Phòng Văn hóa - Xã hội.\n")
        assert "Nhiệm vụ dưới đây sắp đến hạn hoàn thành." in body
        assert "Hạn hoàn thành:" in body and "14/03/2025" in body
        assert "Đài truyền thanh xã, Ban chỉ đạo chuyển đổi số" in body
        assert '<html lang="vi">' in html.get_content()

    def test_html_is_escaped(self, plan: Plan) -> None:
        """A title with <, > and & is escaped in HTML and left as written in plain text."""
        msg = BytesParser(policy=policy.default).parsebytes(_message(plan, "qa-page", 1))
        html = msg.get_body(("html",))
        text = msg.get_body(("plain",))
        assert html is not None and text is not None
        assert "&lt;Hỏi – đáp&gt; &amp; tin bài “Chuyển đổi số”" in html.get_content()
        assert "<Hỏi" not in html.get_content()
        assert "<Hỏi – đáp> & tin bài “Chuyển đổi số”" in text.get_content()


class TestCalendar:
    def test_ics_attachment(self, plan: Plan) -> None:
        """One VEVENT on the due date, UID per occurrence, DTSTAMP from the event (no clock)."""
        event = reminder(plan)
        msg = BytesParser(policy=policy.default).parsebytes(_message(plan))
        (part,) = list(msg.iter_attachments())
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "PUBLISH"
        assert part.get_filename() == "radio-programme-3.ics"
        cal = Calendar.from_ical(part.get_content())
        assert str(cal["METHOD"]) == "PUBLISH"
        (vevent,) = cal.walk("VEVENT")
        assert str(vevent["UID"]) == "radio-programme-3@demo-2025.planflow"
        assert vevent.decoded("DTSTART") == event.due
        assert vevent.decoded("DTSTAMP").date() == event.time
        assert str(vevent["SUMMARY"]).startswith("C.I.2.a · Thực hiện chuyên mục phát thanh")


class TestDigest:
    def test_a_units_digest_counts_what_it_gathers(self, plan: Plan) -> None:
        """``planflow run`` after days off: one mail per unit with the counts, not a flood."""
        from planflow.jobs.year import digest_event

        from pfemail_support import events

        gathered = [e for e in events(plan) if "vhxh" in e.units and e.time.month == 2]
        digest = digest_event(plan.id, "vhxh", gathered, gathered[-1].time)
        units = [plan.unit("vhxh")]
        to, cc = recipients(digest, plan, units, unit_settings(plan))
        msg = BytesParser(policy=policy.default).parsebytes(
            build_message(digest, plan, sender=FROM, to=to, cc=cc).as_bytes()
        )
        first, last = min(e.time for e in gathered), max(e.time for e in gathered)
        assert str(msg["Subject"]).startswith(
            f"[Tổng hợp] Phòng Văn hóa - Xã hội: {first:%d/%m/%Y} – {last:%d/%m/%Y}"
        )
        assert [a.addr_spec for a in msg["To"].addresses] == ["vhxh@example.gov.vn"]
        text = msg.get_body(("plain",)).get_content()
        labels = {"reminder": "Nhắc việc", "due": "Đến hạn", "completed": "Hoàn thành"}
        for kind, label in labels.items():
            n = sum(1 for e in gathered if e.kind.value == kind)
            assert n > 0
            assert any(line.startswith(f"{label}:") and line.endswith(f" {n}")
                       for line in text.splitlines()), text  # fmt: skip
        assert msg["X-Planflow-Delivery"] == digest.id


class TestSettings:
    def test_defaults(self) -> None:
        """Port 25 (465 with ssl), security none, the default kinds."""
        config = EmailConfig.from_settings({"host": "smtp.example.vn", "from": SENDER})
        assert (config.port, config.security, config.verify) == (25, "none", True)
        assert config.kinds == {"reminder", "due", "overdue", "late", "missed", "digest"}
        ssl_config = EmailConfig.from_settings(
            {"host": "h", "from": SENDER, "security": "SSL", "kinds": "due, missed"}
        )
        assert ssl_config.port == 465 and ssl_config.kinds == {"due", "missed"}

    @pytest.mark.parametrize(
        ("run", "match"),
        [
            ({"from": SENDER}, r"email\.host: missing"),
            ({"host": "h"}, r"email\.from: missing"),
            ({"host": "h", "from": SENDER, "security": "tls"}, r"none, starttls, ssl"),
            ({"host": "h", "from": SENDER, "port": "abc"}, r"email\.port: expected a number"),
            ({"host": "h", "from": SENDER, "kinds": ["remind"]}, r"unknown event kind 'remind'"),
            ({"host": "h", "from": "not an address"}, r"is not an e-mail address"),
            ({"host": "h", "from": SENDER, "password": "x"}, r"email\.username: missing"),
        ],
    )
    def test_errors(self, run: dict[str, object], match: str) -> None:
        """Every bad setting is an EmailSettingsError (a ValueError) naming the setting."""
        with pytest.raises(EmailSettingsError, match=match) as info:
            EmailConfig.from_settings(run)
        assert isinstance(info.value, ValueError)

    def test_password_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``${VAR}`` in password and ``password_env`` both read the environment."""
        monkeypatch.setenv("PF_SMTP_PASSWORD", "mật-khẩu")
        base = {"host": "h", "from": SENDER, "username": "u"}
        expanded = EmailConfig.from_settings({**base, "password": "${PF_SMTP_PASSWORD}"})
        named = EmailConfig.from_settings({**base, "password_env": "PF_SMTP_PASSWORD"})
        assert expanded.password == named.password == "mật-khẩu"
        assert "mật-khẩu" not in repr(named)
        monkeypatch.delenv("PF_SMTP_PASSWORD")
        with pytest.raises(EmailSettingsError, match="PF_SMTP_PASSWORD is not set"):
            EmailConfig.from_settings({**base, "password_env": "PF_SMTP_PASSWORD"})

    def test_other_kinds_are_not_sent(self, plan: Plan, closed_port: int) -> None:
        """An event kind not in ``kinds`` is skipped without connecting to the server."""
        event = attrs.evolve(reminder(plan), kind="opened")
        units = [plan.unit(u) for u in event.units]
        settings = channel(plan, host="127.0.0.1", port=closed_port)
        EmailNotifier().deliver(event, plan=plan, units=units, settings=settings)


def test_hook_declares_the_notifier() -> None:
    """The entry-point module's hook returns a Notifier named ``email``."""
    from planflow.hooks.specs import Notifier

    import planflow_email

    (notifier,) = planflow_email.planflow_notifiers()
    assert isinstance(notifier, Notifier)
    assert notifier.name == "email"
    assert {s.name for s in notifier.settings if s.scope == "unit"} == {"to", "cc"}
    assert [s.name for s in notifier.settings if s.required] == ["host", "from"]
    assert any(s.secret for s in notifier.settings if s.name == "password")


def test_address_list_parsing() -> None:
    """Lists and comma text give the same addresses; bare ones take the unit's name."""
    given = addresses(["a@x.vn", "Bà Ngô Thị Ý <y@x.vn>"], "to", display_name="Đơn vị")
    assert given == (
        Address("Đơn vị", "a", "x.vn"),
        Address("Bà Ngô Thị Ý", "y", "x.vn"),
    )
    assert addresses("a@x.vn, Bà Ngô Thị Ý <y@x.vn>", "to", display_name="Đơn vị") == given


def test_long_display_names_fold_cleanly() -> None:
    """Long Vietnamese names, commas in names: lines ≤ 78, encoded-words ≤ 75, exact decoding."""
    from email.message import EmailMessage
    from email.policy import SMTP

    from pfemail_support import rfc2047_addresses
    from planflow_email._headers import address_header

    people = [
        Address("Trung tâm Văn hóa – thể thao – du lịch và truyền thông", "ttvh", "x.vn"),
        Address("Các Trường Tiểu học, Trung học cơ sở, liên cấp trên địa bàn xã", "th", "x.vn"),
        Address('Ban "Một cửa", UBND', "mc", "x.vn"),
        Address("", "noname", "x.vn"),
    ]
    msg = EmailMessage(policy=SMTP)
    msg.set_raw("Cc", address_header("Cc", people))
    raw = msg.as_bytes()
    lines = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert all(len(line) <= 78 for line in lines)
    import re

    assert all(len(w) <= 75 for w in re.findall(rb"=\?[^?]+\?b\?[^?]*\?=", raw))
    assert rfc2047_addresses(raw, "Cc") == [(p.display_name, p.addr_spec) for p in people]
