"""`flask --app wsgi mail send`: deliver queued mail now (the server does it in the background);
`flask --app wsgi mail serve`: the background sender as a process of its own (gunicorn starts one)."""

from __future__ import annotations

import os
import signal

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


@mail_group.command("serve")
@click.option("--parent", type=int, help="Stop when the process with this id is gone (the server that started it).")
@click.option("--nice", type=click.IntRange(0, 19), default=0, help="Lower this process's CPU priority by this much.")
def serve(parent: int | None, nice: int) -> None:
    """Deliver mail as it is queued, until stopped (SIGTERM or SIGINT end it after the round under way)."""
    if nice:
        os.nice(nice)
    sender = MailSender(current_app._get_current_object())
    if parent is not None:
        sender.keep_running = lambda: os.getppid() == parent

    def stop(signum, frame) -> None:
        sender.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo("Mail sender running.")
    sender.run_forever()
    click.echo("Mail sender stopped.")
