"""`flask --app wsgi seed-demo`: demo officials and a demo letter (idempotent)."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.models import Letter, Official
from app.services import letters
from app.services.passwords import hash_password

DEMO_PASSWORD = "undersigned-demo"  # noqa: S105  (published demo sign-in, never for real accounts)

DEMO_OFFICIALS = [
    ("clerk@demo.undersigned.example", "Marta Quiñones", "clerk"),
    ("alder.okafor@demo.undersigned.example", "Alder Daniel Okafor", "drafter"),
    ("alder.lindqvist@demo.undersigned.example", "Alder Ingrid Lindqvist", "drafter"),
    ("mayors.office@demo.undersigned.example", "Priya Raman (Mayor's Office)", "reviewer"),
]

DEMO_TITLE = "Affirm our city's sanctuary status"

DEMO_TEXT = """# An open letter on our city's sanctuary status

To the Mayor and the Board of Alders,

We, the undersigned residents and officials, ask the city to **affirm its status as a
sanctuary city**: a place where every resident can call the police, send their children to
school and see a doctor without fear.

## What we ask

1. Reaffirm, by resolution, that city employees do not ask about immigration status.
2. Keep city records of residents' status out of federal immigration enforcement.
3. Publish, every year, how these commitments are kept.

Our neighbours make this city what it is. We stand with them.
"""


def _ensure_official(email: str, name: str, role: str) -> Official:
    official = db.session.scalar(select(Official).where(Official.email == email))
    if official is None:
        official = Official(email=email, name=name, role=role, active=True, password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(official)
        db.session.commit()
    return official


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the demo officials and demo letter (safe to run again); print each sign-in."""
    officials = [_ensure_official(email, name, role) for email, name, role in DEMO_OFFICIALS]
    if db.session.scalar(select(Letter).where(Letter.title == DEMO_TITLE)) is None:
        letters.create_letter(officials[1], DEMO_TITLE, DEMO_TEXT)
    click.echo(f"Demo sign-ins (password for each: {DEMO_PASSWORD}):")
    for email, name, role in DEMO_OFFICIALS:
        click.echo(f"  {role:<9} {name:<32} {email}")
