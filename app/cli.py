"""Command-line interface: `flask --app wsgi ...`; each feature brings its own commands."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.accounts.cli import users_group
    from app.demo import seed_demo
    from app.mail.cli import mail_group
    from app.signing.cli import anonymize, verify_log_command

    for command in (users_group, seed_demo, mail_group, anonymize, verify_log_command):
        app.cli.add_command(command)
