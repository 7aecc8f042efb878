"""The background mail sender: delivers queued mail outside requests, with retries.

With `SMTP_HOST` set, mail goes over SMTP; otherwise each message is written to
`instance/outbox/` as an `.eml` file. A row is deleted as soon as its message is
handed over, so that recipients' addresses are not kept longer than needed (on SQLite the
write-ahead log is then emptied too, see app.shared.sqlite).

Features add round tasks (`add_round_task`): work that runs at the start of every round, outside
requests, such as preparing mail that a request only recorded the need for, or purging data that
is no longer needed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import smtplib
import time
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

from flask import Flask, request_started
from sqlalchemy import select

from app.extensions import db, socketio
from app.mail.models import OutgoingMail
from app.mail.queue import render_deferred
from app.shared.db_types import utcnow
from app.shared.sqlite import request_wal_truncation, truncate_wal_if_requested

log = logging.getLogger(__name__)


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class SMTPTransport:
    """Sends over one SMTP connection, opened on first use and kept for a delivery round."""

    def __init__(self, host: str, port: int, timeout: float = 15.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            self._smtp = smtp
        return self._smtp

    def send(self, message: EmailMessage) -> None:
        try:
            self._connection().send_message(message)
        except (OSError, smtplib.SMTPException):
            self.close()  # a broken connection is not reused
            raise

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None


class OutboxTransport:
    """Writes each message to a folder as an .eml file (development and demos)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
        path.write_bytes(bytes(message))

    def close(self) -> None:
        return None


def transport_for(app: Flask) -> Transport:
    if app.config.get("SMTP_HOST"):
        return SMTPTransport(app.config["SMTP_HOST"], app.config["SMTP_PORT"])
    return OutboxTransport(app.config["MAIL_OUTBOX"])


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="undersigned.invalid")
    for name, value in json.loads(mail.headers or "{}").items():
        message[name] = value
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


ROUND_TASKS = "undersigned.mail_round_tasks"
RoundTask = Callable[[], object]


def add_round_task(app: Flask, task: RoundTask) -> None:
    """Run `task` (in an app context) at the start of every delivery round, before mail is sent."""
    app.extensions.setdefault(ROUND_TASKS, []).append(task)


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 30 s, 1 min, 2 min ... capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


YIELD_FACTOR = 4  # under load, a backlogged sender pauses 4x its round: at most a fifth of the process


def give_up(mail: OutgoingMail, error: str) -> None:
    """Mark a mail failed for good, keeping what explains the failure (the template, the language,
    the attempts, the error and the recipient's domain) and nothing personal: the address, the name
    and the links (secret tokens among them) in the subject, bodies, context and headers are erased.
    A resident whose link never arrived asks again; nobody needs their address kept for that."""
    domain = mail.recipient.rpartition("@")[2]
    mail.failed, mail.last_error = True, error[:500]
    mail.recipient = f"@{domain}" if domain else ""
    mail.subject, mail.text_body, mail.html_body = "", "", ""
    mail.context = mail.headers = None


class MailSender:
    """Delivers due mail. Safe to run in several processes (rows are claimed with SKIP LOCKED)."""

    def __init__(self, app: Flask, transport: Transport | None = None) -> None:
        self.app = app
        self.transport = transport or transport_for(app)
        self.stopping = False  # `run_forever` returns after the round under way
        self.keep_running: Callable[[], bool] = lambda: True  # checked between rounds too

    def deliver_due(self, limit: int = 50) -> int:
        """Send what is due now; return how many messages were handed over."""
        sent = 0
        with self.app.app_context():
            self._run_round_tasks()
            query = (
                select(OutgoingMail)
                .where(OutgoingMail.failed.is_(False), OutgoingMail.next_attempt_at <= utcnow())
                .order_by(OutgoingMail.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            try:
                for mail in db.session.scalars(query).all():
                    sent += self._deliver_one(mail)
                db.session.commit()
            finally:
                self.transport.close()
                db.session.rollback()
                db.session.remove()
            if sent:
                request_wal_truncation()
            truncate_wal_if_requested(db.engine)
        return sent

    def _run_round_tasks(self) -> None:
        for task in self.app.extensions.get(ROUND_TASKS, []):
            try:
                task()
            except Exception:  # one failing task must not stop the mail
                log.exception("mail sender: round task %s failed", getattr(task, "__name__", task))
            finally:
                db.session.rollback()
                db.session.remove()

    def _deliver_one(self, mail: OutgoingMail) -> int:
        try:
            render_deferred(mail)  # a mail queued by a hot path is rendered here, not in its request
        except Exception as error:  # a template that cannot render: keep the row, mark it failed
            log.exception("mail %s could not be rendered", mail.id)
            give_up(mail, f"render: {type(error).__name__}")
            return 0
        try:
            self.transport.send(build_message(mail, self.app.config["MAIL_FROM"]))
        except (OSError, smtplib.SMTPException) as error:
            mail.attempts += 1
            mail.last_error = str(error)[:500]
            if mail.attempts >= self.app.config["MAIL_MAX_ATTEMPTS"]:
                give_up(mail, str(error))
                log.error("giving up on mail %s after %s attempts: %s", mail.id, mail.attempts, error)
            else:
                mail.next_attempt_at = utcnow() + retry_delay(mail.attempts)
                log.warning("mail %s failed (attempt %s), will retry: %s", mail.id, mail.attempts, error)
            return 0
        db.session.delete(mail)
        return 1

    def run_forever(self, batch: int = 50) -> None:
        """The background loop, for the life of the server process: rounds back to back while mail
        waits, else a pause of MAIL_SENDER_INTERVAL. The sender shares its process with the
        requests: after a full round during which requests came in, it pauses YIELD_FACTOR times
        what the round took, so that under load it takes at most a fifth of the process (a burst
        of signatures is answered first and mailed right after it, and meanwhile as a fifth of
        the process allows)."""
        interval = self.app.config["MAIL_SENDER_INTERVAL"]
        while not self.stopping and self.keep_running():
            started, requests_before = time.monotonic(), _traffic.requests
            try:
                sent = self.deliver_due(limit=batch)
            except Exception:  # keep the loop alive through database outages
                log.exception("mail sender: delivery round failed")
                sent = 0
            if sent < batch:
                socketio.sleep(interval)
            elif _traffic.requests != requests_before:
                socketio.sleep(min(interval, YIELD_FACTOR * (time.monotonic() - started)))
            else:
                socketio.sleep(0)


class _Traffic:
    """How many requests this process has started (the sender yields to them)."""

    requests = 0


_traffic = _Traffic()


def _count_request(sender: object, **extra: object) -> None:
    _traffic.requests += 1


def start_background_sender(app: Flask) -> MailSender | None:
    """Start the sender as a background task of the server process."""
    if not app.config.get("MAIL_SENDER_ENABLED"):
        return None
    sender = MailSender(app)
    request_started.connect(_count_request, app)
    socketio.start_background_task(sender.run_forever)
    return sender
