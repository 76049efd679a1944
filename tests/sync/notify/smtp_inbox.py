"""A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: each message with its envelope recipients; `hold` keeps a message's
    final answer back until released (a worker can then be killed mid-send)."""

    def __init__(self):
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.hold: threading.Event | None = None
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=policy.default)))
        self.arrived.set()
        if self.hold is not None:
            import asyncio
            while not self.hold.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpts, message in self.received if address in rcpts]


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.inbox = Inbox()
        self.port = port or free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.inbox.hold is not None:
            self.inbox.hold.set()
        self._controller.stop()
