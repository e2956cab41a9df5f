"""Turn a composed mail into the RFC 5322 message the SMTP relay receives.

Digests carry the headers bulk senders must (RFC 2369 / RFC 8058): ``List-Unsubscribe``
with an https and a mailto URI, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` and
``List-Id``; every mail has a ``Message-ID`` fixed when it is recorded in the outbox, so a
retried send is the same message byte for byte.

The message always has the same shape (multipart/alternative: a text part, then an HTML
part, both UTF-8 in base64), so ``render_message`` writes it directly: the generic
``email`` generator spent more time per digest than composing it (docs/benchmarks.md).
``build_message`` parses the result back into an ``EmailMessage`` for callers that want one.
"""

from __future__ import annotations

import base64
import email.policy
import re
import secrets
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

from paperscope.digests.compose import Digest


def mail_domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def message_id(kind: str, subscription_id: int, period: str, nonce: str, base_url: str) -> str:
    """A Message-ID fixed by (kind, subscription, period): the same on every retry."""
    safe_period = "".join(c if c.isalnum() or c in "-." else "-" for c in period)
    return f"<{kind}.{subscription_id}.{safe_period}.{nonce[:12]}@{mail_domain(base_url)}>"


_LINES_OF_76 = re.compile(rb".{1,76}")


@lru_cache(maxsize=16)
def sender_address(mail_from: str) -> str:
    """The bare address of ``mail_from`` (``"paperscope <d@x>"`` -> ``d@x``)."""
    return parseaddr(mail_from)[1] or mail_from


@lru_cache(maxsize=16)
def _from_header(mail_from: str) -> str:
    name, address = parseaddr(mail_from)
    return formataddr((_one_line(name), address), charset="utf-8") if name else address


def _one_line(value: str) -> str:
    """No CR or LF may reach a header from user-supplied text (header injection)."""
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def _text_header(value: str) -> str:
    value = _one_line(value)
    if value.isascii() and len(value) < 900:
        return value
    return Header(value, "utf-8", header_name="Subject").encode(linesep="\r\n")


def _base64_lines(data: bytes) -> bytes:
    """Base64 in 76-character CRLF lines (``base64.encodebytes`` loops in Python: slower)."""
    return b"\r\n".join(_LINES_OF_76.findall(base64.b64encode(data))) + b"\r\n"


def _part(content_type: str, body: str) -> bytes:
    encoded = _base64_lines(body.encode("utf-8"))
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode("ascii") + encoded


def render_message(
    mail: Digest,
    *,
    to: str,
    mail_from: str,
    msg_id: str,
    date: datetime,
    unsubscribe_url: str | None = None,
    list_id: str | None = None,
) -> bytes:
    """The wire bytes (CRLF) of a multipart/alternative message, with the list headers when
    ``unsubscribe_url`` / ``list_id`` are given."""
    headers = [
        ("From", _from_header(mail_from)),
        ("To", _one_line(to)),
        ("Subject", _text_header(mail.subject)),
        ("Date", format_datetime(date)),
        ("Message-ID", _one_line(msg_id)),
        ("MIME-Version", "1.0"),
    ]
    if unsubscribe_url:
        mailto = f"mailto:{sender_address(mail_from)}?subject=unsubscribe"
        # Folded after the comma, so no line grows past the limit however long the token.
        headers.append(("List-Unsubscribe", f"<{_one_line(unsubscribe_url)}>,\r\n <{mailto}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    if list_id:
        headers.append(("List-Id", _text_header(list_id)))
    boundary = f"=_paperscope_{secrets.token_hex(12)}"
    headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers).encode("utf-8")
    delimiter = f"--{boundary}\r\n".encode("ascii")
    return b"".join(
        (
            head,
            b"\r\n",
            delimiter,
            _part("text/plain", mail.text),
            b"\r\n",
            delimiter,
            _part("text/html", mail.html),
            b"\r\n",
            f"--{boundary}--\r\n".encode("ascii"),
        )
    )


def build_message(
    mail: Digest,
    *,
    to: str,
    mail_from: str,
    msg_id: str,
    date: datetime,
    unsubscribe_url: str | None = None,
    list_id: str | None = None,
) -> EmailMessage:
    """``render_message`` as an ``EmailMessage`` (for previews and inspection)."""
    raw = render_message(
        mail,
        to=to,
        mail_from=mail_from,
        msg_id=msg_id,
        date=date,
        unsubscribe_url=unsubscribe_url,
        list_id=list_id,
    )
    return parse_message(raw)


def parse_message(raw: bytes) -> EmailMessage:
    """Wire bytes back into an ``EmailMessage`` (headers decoded, parts readable)."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)  # type: ignore[arg-type]
    assert isinstance(message, EmailMessage)  # what the default policy builds
    return message


def list_id(kind: str, site_name: str, base_url: str) -> str:
    """``paperscope trending digest <trending.example.org>``: one list per subscription kind."""
    return f"{site_name} {kind} digest <{kind}.{mail_domain(base_url)}>"
