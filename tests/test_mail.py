"""Mail leaves only after the commit of the work it reports, through a real SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message as EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from training.extensions import db
from training.mail import queue_mail
from training.org.models import Unit


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox(app, monkeypatch) -> Iterator[_Inbox]:
    """An SMTP server on loopback, and the session app pointed at it."""
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    mail_state = app.extensions["mail"]
    monkeypatch.setattr(mail_state, "server", "127.0.0.1")
    monkeypatch.setattr(mail_state, "port", controller.port)
    monkeypatch.setattr(mail_state, "suppress", False)  # Flask-Mail suppresses under TESTING
    yield handler
    controller.stop()


def test_a_committed_change_sends_its_mail(database, make_unit, inbox):
    make_unit("SNV")
    queue_mail(to=["lan@example.org"], subject="Nhắc việc", body="Còn 7 ngày.")
    assert inbox.messages == []  # nothing leaves before the commit
    db.session.commit()
    assert len(inbox.messages) == 1
    sent = inbox.messages[0]
    assert sent["To"] == "lan@example.org"
    assert "Còn 7 ngày." in sent.get_payload(decode=True).decode("utf-8")


def test_a_rolled_back_change_sends_nothing(database, inbox):
    db.session.add(Unit(code="X", name="X", kind="agency", path="/x/"))
    queue_mail(to=["lan@example.org"], subject="Không được gửi", body="…")
    db.session.rollback()
    db.session.commit()  # a later commit does not resurrect the dropped message
    assert inbox.messages == []
    assert db.session.scalar(select(Unit).where(Unit.code == "X")) is None


def test_without_a_mail_server_the_message_goes_to_the_log(app, database, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    queue_mail(to=["lan@example.org"], subject="Nhắc việc", body="…")
    db.session.commit()
    assert "No MAIL_SERVER set; not sent to lan@example.org: Nhắc việc" in caplog.text
