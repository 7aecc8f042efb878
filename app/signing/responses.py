"""What came of a letter: the clerk records the addressee's response (or the council's action).

A response is a draft, seen only by clerks, until the clerk sends it; sending publishes it on the
letter's page and has the mail sender email it, once, to each signer who asked for updates
(app.signing.response_mail). A draft can be edited until it is sent, never after: both edit and
send change the row only while `sent_at` is empty, so a late edit never races a send. Every
action is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.shared.db_types import utcnow
from app.shared.errors import Conflict, InvalidInput, NotFound
from app.shared.validation import is_storable
from app.signing import public_state
from app.signing.models import LetterResponse, Signature, SignatureStatus

MAX_SOURCE = 200
MAX_TEXT = 20_000


@dataclass(frozen=True)
class ResponseInput:
    source: str
    text: str


def _text(value: object, field: str, label: str, max_length: int, multiline: bool) -> str:
    if not isinstance(value, str) or not is_storable(value):
        raise InvalidInput(_("%(field)s must be text.", field=label), details={"field": field})
    value = value.replace("\r\n", "\n").strip()
    if not 1 <= len(value) <= max_length:
        raise InvalidInput(
            _("%(field)s must be %(min)s to %(max)s characters long.", field=label, min=1, max=max_length),
            details={"field": field},
        )
    if not multiline and any(ch in value for ch in "\r\n"):
        raise InvalidInput(_("%(field)s must be one line.", field=label), details={"field": field})
    return value


def validate(source: object, text: object) -> ResponseInput:
    return ResponseInput(
        _text(source, "source", _("From whom"), MAX_SOURCE, multiline=False),
        _text(text, "text", _("The response"), MAX_TEXT, multiline=True),
    )


def _locked_letter(letter_id: int):
    letter = load_letter(letter_id, need=Need.EXISTS)
    if not letter.is_locked:
        raise Conflict(_("A response can only be recorded for a locked letter."))
    return letter


def create(actor: Official | None, letter_id: int, data: ResponseInput) -> LetterResponse:
    require(actor, Action.PUBLISH_RESPONSE)
    letter = _locked_letter(letter_id)
    response = LetterResponse(letter_id=letter.id, source=data.source, text=data.text, created_by_id=actor.id)
    db.session.add(response)
    db.session.flush()
    audit.record(actor, "response.created", f"letter:{letter.id}", response=response.id)
    db.session.commit()
    return response


def get(actor: Official | None, response_id: int, letter_id: int | None = None) -> LetterResponse:
    """A response, draft or sent, for a clerk (NotFound if it is not the letter's, when given)."""
    require(actor, Action.PUBLISH_RESPONSE)
    response = db.session.get(LetterResponse, response_id)
    if response is None or (letter_id is not None and response.letter_id != letter_id):
        raise NotFound(_("No such response."))
    return response


def edit(actor: Official | None, response_id: int, data: ResponseInput) -> LetterResponse:
    """Change a draft; Conflict once it is sent."""
    response = get(actor, response_id)
    changed = db.session.execute(
        update(LetterResponse)
        .where(LetterResponse.id == response.id, LetterResponse.sent_at.is_(None))
        .values(source=data.source, text=data.text, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict(_("This response was sent; it can no longer be changed."))
    audit.record(actor, "response.edited", f"letter:{response.letter_id}", response=response.id)
    db.session.commit()
    db.session.refresh(response)
    return response


def send(actor: Official | None, response_id: int) -> LetterResponse:
    """Publish the response and have it mailed to the signers who asked for updates; once."""
    response = get(actor, response_id)
    _locked_letter(response.letter_id)
    changed = db.session.execute(
        update(LetterResponse)
        .where(LetterResponse.id == response.id, LetterResponse.sent_at.is_(None))
        .values(sent_at=utcnow(), sent_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict(_("This response was already sent."))
    recipients = subscriber_count(response.letter_id)
    audit.record(actor, "response.sent", f"letter:{response.letter_id}", response=response.id, recipients=recipients)
    db.session.commit()
    public_state.changed(response.letter_id)  # the letter's page shows it now
    db.session.refresh(response)
    return response


def subscribers(letter_id: int):
    """The signatures whose signers asked for updates and can still be mailed."""
    return select(Signature).where(
        Signature.letter_id == letter_id,
        Signature.status == SignatureStatus.CONFIRMED.value,
        Signature.wants_updates.is_(True),
        Signature.email.is_not(None),
    )


def subscriber_count(letter_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(subscribers(letter_id).subquery())) or 0


def for_clerk(actor: Official | None, letter_id: int) -> list[LetterResponse]:
    """Every response of the letter, drafts included, newest first."""
    require(actor, Action.PUBLISH_RESPONSE)
    query = select(LetterResponse).where(LetterResponse.letter_id == letter_id)
    return list(db.session.scalars(query.order_by(LetterResponse.id.desc())))


def published(letter_id: int) -> list[LetterResponse]:
    """The responses sent, newest first: what the public page and the API show."""
    query = select(LetterResponse).where(LetterResponse.letter_id == letter_id, LetterResponse.sent_at.is_not(None))
    return list(db.session.scalars(query.order_by(LetterResponse.sent_at.desc(), LetterResponse.id.desc())))


def published_state(letter_id: int) -> str:
    """A short token that changes when a response is published (for the public page's version)."""
    query = select(func.count(), func.max(LetterResponse.id)).where(
        LetterResponse.letter_id == letter_id, LetterResponse.sent_at.is_not(None)
    )
    count, last = db.session.execute(query).one()
    return f"{count}:{last or 0}"
