"""Command-line interface: `flask --app wsgi ...`."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.cli.demo import seed_demo
    from app.cli.mail import mail_group
    from app.cli.signing import anonymize, verify_log_command
    from app.cli.users import users_group

    app.cli.add_command(users_group)
    app.cli.add_command(seed_demo)
    app.cli.add_command(mail_group)
    app.cli.add_command(anonymize)
    app.cli.add_command(verify_log_command)
