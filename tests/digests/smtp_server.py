"""A real SMTP server for tests (aiosmtpd): records every message it accepts, and can be told
to refuse recipients with a 4xx or 5xx reply.

Run in-process (``SmtpServer()``, a context manager) or as its own process
(``python -m digests.smtp_server PORT LOGFILE``), which appends one JSON line per message to
LOGFILE so that a test can kill and restart workers while the server keeps listening.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """aiosmtpd handler: keeps accepted messages, refuses listed recipients."""

    def __init__(self, log_file: Path | None = None) -> None:
        self.messages: list[tuple[Envelope, bytes]] = []
        self.refuse: dict[str, str] = {}  # address -> reply, e.g. "550 no such user"
        self.log_file = log_file
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self.lock:
            self.messages.append((envelope, content))
            if self.log_file is not None:
                parsed = message_from_bytes(content, policy=policy.default)
                line = {
                    "to": envelope.rcpt_tos,
                    "message_id": parsed["Message-ID"],
                    "subject": parsed["Subject"],
                    "at": time.time(),
                }
                with self.log_file.open("a") as handle:
                    handle.write(json.dumps(line) + "\n")
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on a free local port, recording what it accepts."""

    def __init__(self, log_file: Path | None = None) -> None:
        self.port = free_port()
        self.recorder = Recorder(log_file)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()

    def messages(self) -> list[EmailMessage]:
        with self.recorder.lock:
            raw = [content for _, content in self.recorder.messages]
        return [message_from_bytes(r, policy=policy.default) for r in raw]  # type: ignore[misc]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]

    def clear(self) -> None:
        with self.recorder.lock:
            self.recorder.messages.clear()


def main() -> None:
    port, log_file = int(sys.argv[1]), Path(sys.argv[2])
    recorder = Recorder(log_file)
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
