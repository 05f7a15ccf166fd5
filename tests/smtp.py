"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def recipients(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


class RefusingInbox(Inbox):
    """Refuses the addresses in `refused`, as a server does for an unknown mailbox."""

    def __init__(self, refused: set[str]) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_inbox(
    app: Flask, monkeypatch: pytest.MonkeyPatch, handler: Inbox | None = None
) -> Iterator[Inbox]:
    """An SMTP server on loopback, and the app's Flask-Mail pointed at it."""
    handler = handler or Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        mail_state = app.extensions["mail"]
        monkeypatch.setattr(mail_state, "server", "127.0.0.1")
        monkeypatch.setattr(mail_state, "port", controller.port)
        monkeypatch.setattr(mail_state, "suppress", False)  # Flask-Mail suppresses under TESTING
        yield handler
    finally:
        controller.stop()
