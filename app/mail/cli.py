"""`flask --app wsgi mail send`: deliver queued mail now (the server does it in the background)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.mail.delivery import MailSender

mail_group = AppGroup("mail", help="Outgoing mail.")


@mail_group.command("send")
def send_queued() -> None:
    """Deliver every queued message that is due."""
    sender = MailSender(current_app._get_current_object())
    total = 0
    while sent := sender.deliver_due():
        total += sent
    click.echo(f"Delivered {total} message(s).")
