"""`flask --app wsgi seed-demo`: demo officials, a draft and a locked, signed letter (idempotent)."""

from __future__ import annotations

import secrets

import click
from sqlalchemy import select

from app.accounts.models import Official
from app.accounts.passwords import hash_password
from app.extensions import db
from app.letters import creation, endorsements
from app.letters.models import Letter
from app.letters.write_lock import letter_write_lock
from app.review import approvals, locking
from app.shared.db_types import utcnow
from app.shared.secret_tokens import digest
from app.signing import confirmations, signature_log, signatures
from app.signing.models import Signature, SignatureStatus

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


LOCKED_TITLE = "Keep our library branches open in the evening"

LOCKED_TEXT = """# Keep our library branches open in the evening

To the Mayor and the Board of Alders,

Our branch libraries are where students study after school, where neighbours learn English and
where job seekers print their applications. We ask the city to fund evening hours, until 8 pm,
at every branch, in next year's budget.
"""

DEMO_SIGNERS = [
    ("Rosa Benítez", "Ward 7", True),
    ("Tomasz Nowak", "Ward 26", True),
    ("Amina Yusuf", "Ward 3", False),
    ("Kwame Mensah", "Ward 12", True),
    ("Li Wei", "Ward 7", False),
    ("Sofía Herrera", None, False),
    ("Noah Goldberg", "Ward 26", True),
    ("Fatima Zahra", "Ward 1", False),
]


def _ensure_locked_demo_letter(drafter: Official, clerk: Official, reviewer: Official) -> None:
    """A second demo letter, locked, endorsed and signed, to show the public page."""
    if db.session.scalar(select(Letter).where(Letter.title == LOCKED_TITLE)) is not None:
        return
    letter = creation.create_letter(drafter, LOCKED_TITLE, LOCKED_TEXT)
    approvals.approve(reviewer, letter.id, 0)  # the mayor's office approved the text the clerk locks
    locking.lock_letter(clerk, letter.id)
    endorsements.endorse(drafter, letter.id, "Alder, Ward 26")
    endorsements.endorse(reviewer, letter.id, "Mayor's Office")
    with letter_write_lock(letter.id) as locked:
        for number, (name, ward, public) in enumerate(DEMO_SIGNERS):
            code = confirmations.new_receipt_code()
            commitment = signature_log.receipt_commitment(locked.id, code)
            db.session.add(
                Signature(
                    letter_id=locked.id,
                    email_hmac=signatures.email_hmac(f"demo-signer-{number}@demo.undersigned.example"),
                    name=name,
                    ward=ward,
                    public=public,
                    status=SignatureStatus.CONFIRMED.value,
                    confirm_digest=digest(f"demo-{locked.id}-{number}-{secrets.token_hex(8)}"),
                    receipt_commitment=commitment,
                    version_hashes={"original": locked.content_hash},
                    confirmed_at=utcnow(),
                )
            )
            signature_log.append(locked, "signature", commitment, versions={"original": locked.content_hash})
            db.session.flush()
        locked.online_signature_count += len(DEMO_SIGNERS)
        db.session.commit()


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the demo officials and letters (safe to run again); print each sign-in."""
    officials = [_ensure_official(email, name, role) for email, name, role in DEMO_OFFICIALS]
    if db.session.scalar(select(Letter).where(Letter.title == DEMO_TITLE)) is None:
        creation.create_letter(officials[1], DEMO_TITLE, DEMO_TEXT)
    _ensure_locked_demo_letter(officials[1], officials[0], officials[3])
    click.echo(f"Demo sign-ins (password for each: {DEMO_PASSWORD}):")
    for email, name, role in DEMO_OFFICIALS:
        click.echo(f"  {role:<9} {name:<32} {email}")
