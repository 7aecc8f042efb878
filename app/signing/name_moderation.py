"""The clerk hides a public name from the letter's page (it stays counted), in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts.authorization import Action, require
from app.accounts.models import Official
from app.audit import log as audit
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.shared.errors import NotFound
from app.signing import public_state
from app.signing.models import HiddenReason, Signature, SignatureStatus

SHOWN_AT_ONCE = 100


@dataclass(frozen=True)
class ClerksName:
    signature_id: int
    name: str


@dataclass(frozen=True)
class NamesForClerk:
    listed: list[ClerksName]  # newest first, at most SHOWN_AT_ONCE (those matching the search)
    listed_total: int
    hidden_by_clerk: list[ClerksName]
    hidden_for_links: int


def _public(letter_id: int):
    return (
        Signature.letter_id == letter_id,
        Signature.status == SignatureStatus.CONFIRMED.value,
        Signature.public.is_(True),
        Signature.name.is_not(None),
    )


def names_for_clerk(actor: Official | None, letter_id: int, search: str = "") -> NamesForClerk:
    """The names signers chose to show: listed ones (newest first, optionally those containing
    `search`), the ones the clerk hid, and how many are not listed because they contain a link."""
    require(actor, Action.HIDE_SIGNER_NAME)
    letter = load_letter(letter_id, need=Need.EXISTS)
    listed = select(Signature).where(*_public(letter.id), Signature.hidden_reason.is_(None))
    if search.strip():
        listed = listed.where(func.lower(Signature.name).contains(search.strip().lower(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(listed.subquery())) or 0
    newest = listed.order_by(Signature.confirmed_at.desc(), Signature.id.desc()).limit(SHOWN_AT_ONCE)
    hidden = select(Signature).where(*_public(letter.id), Signature.hidden_reason == HiddenReason.CLERK.value)
    for_links = select(func.count()).where(*_public(letter.id), Signature.hidden_reason == HiddenReason.LINK.value)
    return NamesForClerk(
        listed=[ClerksName(s.id, s.name or "") for s in db.session.scalars(newest)],
        listed_total=total,
        hidden_by_clerk=[ClerksName(s.id, s.name or "") for s in db.session.scalars(hidden.order_by(Signature.id))],
        hidden_for_links=db.session.scalar(for_links) or 0,
    )


def _set_hidden(actor: Official | None, letter_id: int, signature_id: int, hidden: bool) -> None:
    require(actor, Action.HIDE_SIGNER_NAME)
    letter = load_letter(letter_id, need=Need.EXISTS)
    before, after = (None, HiddenReason.CLERK.value) if hidden else (HiddenReason.CLERK.value, None)
    condition = Signature.hidden_reason.is_(None) if before is None else Signature.hidden_reason == before
    changed = db.session.execute(
        update(Signature)
        .where(*_public(letter.id), Signature.id == signature_id, condition)
        .values(hidden_reason=after)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        if hidden:
            raise NotFound(_("That name is not listed on this letter's page."))
        raise NotFound(_("That name was not hidden by the clerk."))
    action = "signature.name_hidden" if hidden else "signature.name_shown"
    audit.record(actor, action, f"letter:{letter.id}", signature=signature_id)
    db.session.commit()
    public_state.changed(letter.id)


def hide_name(actor: Official | None, letter_id: int, signature_id: int) -> None:
    """Stop listing a public name on the letter's page and in the delivery packet; it still counts."""
    _set_hidden(actor, letter_id, signature_id, hidden=True)


def show_name(actor: Official | None, letter_id: int, signature_id: int) -> None:
    """List again a name the clerk hid (never one hidden for containing a link)."""
    _set_hidden(actor, letter_id, signature_id, hidden=False)
