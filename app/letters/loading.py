"""Loading letters: the one policy for who may see which letter, and the dashboard's lists."""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.authorization import Action, can, require
from app.accounts.models import Official
from app.extensions import db
from app.letters.models import Letter, LetterStatus
from app.shared.errors import NotFound
from app.shared.ids import whole_number


class Need(enum.Enum):
    """What the caller needs the letter for."""

    EXISTS = "exists"  # the caller has checked the actor already
    READ = "read"  # anyone for a locked letter; officials for a draft
    DRAFT = "draft"  # officials only, whatever its status
    PUBLIC = "public"  # a locked letter; a draft is simply not found


def load_letter(letter_id: object, *, need: Need, viewer: Official | None = None) -> Letter:
    """The letter `letter_id` for `need`: 400 for an id that is not a whole number, 401/403 for
    a viewer who may not see it, 404 when there is none (or it is a draft and `need` is PUBLIC)."""
    if need is Need.DRAFT:
        require(viewer, Action.READ_DRAFT)
    letter = db.session.get(Letter, whole_number(letter_id, "letter_id"))
    if letter is None or (need is Need.PUBLIC and not letter.is_locked):
        raise NotFound(_("No such letter."))
    if need is Need.READ and not letter.is_locked:
        require(viewer, Action.READ_DRAFT)
    return letter


def list_letters(viewer: Official | None) -> list[Letter]:
    """Officials see every letter; the public sees locked ones."""
    query = select(Letter).order_by(Letter.updated_at.desc())
    if not can(viewer, Action.READ_DRAFT):
        query = query.where(Letter.status == LetterStatus.LOCKED.value)
    return list(db.session.scalars(query))
