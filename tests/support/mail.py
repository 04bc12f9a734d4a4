"""A real SMTP server for tests: aiosmtpd on a free loopback port, keeping
what it receives in memory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

from tests.support.servers import free_port


@dataclass
class Inbox:
    url: str
    messages: list[Message] = field(default_factory=list)

    def subjects_to(self, address: str) -> list[str]:
        return [m["Subject"] for m in self.messages if m["To"] == address]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler protocol
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    port = free_port()
    inbox = Inbox(f"smtp://127.0.0.1:{port}")
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
