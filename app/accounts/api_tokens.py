"""API tokens: issued once in full, stored as a digest, revocable."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.events import announce_credentials_ended
from app.accounts.models import ApiToken, Official
from app.audit import log as audit
from app.extensions import db
from app.shared.db_types import utcnow
from app.shared.errors import NotFound, Unauthorized
from app.shared.secret_tokens import digest, new_token
from app.shared.validation import clean_text

TOKEN_PREFIX = "usg_"  # noqa: S105  (a visible prefix, not a secret)


def issue_token(official: Official, label: str = "API token") -> str:
    """Create a token for this official and return it; it is never shown again."""
    label = clean_text(label, "label", max_length=100)
    token = new_token(TOKEN_PREFIX)
    db.session.add(ApiToken(official_id=official.id, label=label, token_digest=digest(token), prefix=token[:10]))
    audit.record(official, "api_token.issued", f"official:{official.id}", label=label)
    db.session.commit()
    return token


def authenticate_token(token: str) -> Official:
    """The active official owning this active token, or Unauthorized."""
    return active_token(token).official


def active_token(token: str) -> ApiToken:
    """This token's record if it is active and its official too (its use is noted), or Unauthorized."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthorized(_("The API token is missing or not valid."))
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == digest(token)))
    if record is None or not record.is_active or not record.official.active:
        raise Unauthorized(_("The API token is missing or not valid."))
    now = utcnow()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        record.last_used_at = now
        db.session.commit()
    return record


def list_tokens(official: Official) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.official_id == official.id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(official: Official, token_id: int) -> None:
    record = db.session.get(ApiToken, token_id)
    if record is None or record.official_id != official.id:
        raise NotFound(_("No such token."))
    if record.revoked_at is None:
        official_id = official.id
        record.revoked_at = utcnow()
        audit.record(official, "api_token.revoked", f"official:{official_id}", token_id=token_id)
        db.session.commit()
        announce_credentials_ended(official_id)
