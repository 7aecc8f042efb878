"""`flask --app wsgi anonymize` and `flask --app wsgi verify-log`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from app.signing import signature_admin
from app.signing.signature_log import verify_log


@click.command("anonymize")
@click.option("--closed-before", "closed_before", required=True, help="YYYY-MM-DD: letters closed before this day.")
def anonymize(closed_before: str) -> None:
    """Remove personal data of letters closed before DATE; counts and logs stay verifiable."""
    try:
        cutoff = datetime.fromisoformat(closed_before).replace(tzinfo=UTC)
    except ValueError as error:
        raise click.BadParameter("use the form YYYY-MM-DD", param_hint="--closed-before") from error
    count = signature_admin.anonymize_closed_before(cutoff)
    click.echo(f"Removed personal data from {count} closed letter(s).")


@click.command("verify-log")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--receipt", help="Your receipt code: check that your signature is in the log.")
def verify_log_command(file, receipt: str | None) -> None:
    """Check a downloaded signature log (GET /api/v1/letters/ID/log) on its own."""
    try:
        log = json.load(file)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"not a JSON file: {error}") from error
    result = verify_log(log, receipt)
    for problem in result.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if not result.ok:
        raise click.ClickException("the log does NOT verify")
    click.echo(f"The log verifies: {result.online} online and {result.paper} paper signatures, {result.total} in all.")
    click.echo(f"Letter SHA-256: {log['content_hash']}")
    if receipt is not None:
        if not result.receipt_found:
            raise click.ClickException("your receipt code is NOT in this log (or the signature was withdrawn)")
        click.echo("Your receipt code is in the log: your signature is counted.")
