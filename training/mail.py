"""Outgoing mail that leaves only when the work it reports is saved.

A view or command *queues* a message in the database session; the message is sent after that
session commits, and dropped if it rolls back. So a request that fails half-way never tells
anyone about a change that did not happen, and a reminder is never sent for a row that was not
written. Without `MAIL_SERVER` the message goes to the log, so nothing is lost silently.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from smtplib import SMTPDataError, SMTPRecipientsRefused, SMTPSenderRefused

from flask import Flask, current_app
from flask_mail import Message
from sqlalchemy import event
from sqlalchemy.orm import Session

from training.extensions import db, mail

log = logging.getLogger(__name__)

OUTBOX = "khien_outbox"
UNSENT = "khien_unsent"


def init_mail(app: Flask) -> None:
    mail.init_app(app)


def queue_mail(*, to: Sequence[str], subject: str, body: str, html: str | None = None) -> Message:
    message = Message(subject=subject, recipients=list(to), body=body, html=html)
    db.session.info.setdefault(OUTBOX, []).append(message)
    return message


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def take_unsent() -> int:
    """How many committed messages the mail server refused since the last call. A page cannot
    undo its saved change for that, but a command can say so and exit non-zero, so that cron
    tells the operator instead of a log line nobody reads."""
    return int(db.session.info.pop(UNSENT, 0))


def _recipients(message: Message) -> str:
    return ", ".join(str(recipient) for recipient in message.recipients)


def _deliver(messages: list[Message]) -> int:
    """Sends or logs the messages; how many could not be sent."""
    if not mail_configured():
        for message in messages:
            log.warning(
                "No MAIL_SERVER set; not sent to %s: %s", _recipients(message), message.subject
            )
        return 0
    sent = refused = 0
    try:
        with mail.connect() as connection:
            for message in messages:
                try:
                    connection.send(message)
                except (SMTPRecipientsRefused, SMTPSenderRefused, SMTPDataError):
                    # One refused address must not hold back everyone else's mail (smtplib
                    # resets the transaction, so the connection goes on).
                    log.exception("The mail server refused the message to %s", _recipients(message))
                    refused += 1
                else:
                    sent += 1
    except OSError:
        # The change is saved; a mail server that is down must not turn it into an error page.
        log.exception("Could not send %d message(s) after commit", len(messages) - sent)
        return len(messages) - sent
    return refused


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    messages = session.info.pop(OUTBOX, None)
    if messages:
        unsent = _deliver(messages)
        if unsent:
            session.info[UNSENT] = session.info.get(UNSENT, 0) + unsent


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(OUTBOX, None)
