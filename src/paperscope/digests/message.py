"""Turn a composed mail into the RFC 5322 message the SMTP relay receives.

Digests carry the headers bulk senders must (RFC 2369 / RFC 8058): ``List-Unsubscribe``
with an https and a mailto URI, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` and
``List-Id``; every mail has a ``Message-ID`` fixed when it is recorded in the outbox, so a
retried send is the same message byte for byte.
"""

from __future__ import annotations

import email.policy
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from paperscope.digests.compose import Digest

# Long unsubscribe URLs are single words; a 998-character line limit keeps them unfolded
# (the RFC 5322 hard limit) instead of being turned into encoded words.
POLICY = email.policy.SMTP.clone(max_line_length=998)


def mail_domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def message_id(kind: str, subscription_id: int, period: str, nonce: str, base_url: str) -> str:
    """A Message-ID fixed by (kind, subscription, period): the same on every retry."""
    safe_period = "".join(c if c.isalnum() or c in "-." else "-" for c in period)
    return f"<{kind}.{subscription_id}.{safe_period}.{nonce[:12]}@{mail_domain(base_url)}>"


def sender_address(mail_from: str) -> str:
    """The bare address of ``mail_from`` (``"paperscope <d@x>"`` -> ``d@x``)."""
    return parseaddr(mail_from)[1] or mail_from


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
    """A multipart/alternative message (text, then HTML) with the list headers when given."""
    message = EmailMessage(policy=POLICY)
    name, address = parseaddr(mail_from)
    message["From"] = str(Address(display_name=name, addr_spec=address)) if name else address
    message["To"] = to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = msg_id
    message["MIME-Version"] = "1.0"
    if unsubscribe_url:
        mailto = f"mailto:{sender_address(mail_from)}?subject=unsubscribe"
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if list_id:
        message["List-Id"] = list_id
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def list_id(kind: str, site_name: str, base_url: str) -> str:
    """``paperscope trending digest <trending.example.org>``: one list per subscription kind."""
    return f"{site_name} {kind} digest <{kind}.{mail_domain(base_url)}>"
