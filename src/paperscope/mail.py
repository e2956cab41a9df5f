"""SMTP delivery with smtplib: STARTTLS and login when configured, one connection reused
for many messages, and every failure sorted into temporary (retry later) or permanent.

Temporary: 4xx replies, refused or dropped connections, timeouts, and problems of our own
set-up (authentication, sender refused) that an operator can fix. Permanent: a 5xx reply to
the recipient or to the message itself, the cases where retrying cannot help.
"""

from __future__ import annotations

import smtplib
import ssl
from types import TracebackType

from paperscope.config import Settings


class DeliveryError(Exception):
    """A message the relay did not accept."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TemporaryFailure(DeliveryError):
    """Worth retrying later (4xx, no connection)."""


class PermanentFailure(DeliveryError):
    """Retrying will not help (5xx for this recipient or message)."""


class SmtpMailer:
    """Sends raw messages through the configured SMTP relay; use as a context manager."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            smtp.ehlo()
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def send(self, message: bytes, *, sender: str, to: str) -> None:
        """Hand one message to the relay; raise TemporaryFailure or PermanentFailure."""
        try:
            smtp = self._connect()
            smtp.sendmail(sender, [to], message)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()), (450, b"refused"))
            self._reset()
            raise _classified(code, reply) from error
        except smtplib.SMTPDataError as error:
            self._reset()
            raise _classified(error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPResponseException as error:
            # Sender refused, HELO or authentication problems: ours to fix, never the
            # recipient's fault, so never counted against the address.
            self._drop()
            raise TemporaryFailure(
                f"{error.smtp_code} {_text(error.smtp_error)}", code=error.smtp_code
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error

    def _reset(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _classified(code: int, reply: bytes | str) -> DeliveryError:
    text = f"{code} {_text(reply)}"
    if 500 <= code < 600:
        return PermanentFailure(text, code=code)
    return TemporaryFailure(text, code=code)
