"""A letter's history for officials: the revisions, any revision's text, diffs between revisions,
editing sessions, and replaying the stored patches between two revisions as operations.

Reading is for officials only (Action.READ_DRAFT), for drafting and locked letters alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Official
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.letters.models import Letter, Revision
from app.letters.revision_texts import text_at, view_at
from app.review.textdiff import Diffs, word_diff
from app.shared.errors import InvalidInput, NotFound
from app.shared.ids import whole_number
from app.shared.lru import LRUCache
from app.sync import Operation, apply_patch_to_view

# Consecutive revisions by one author at most this far apart are one editing session.
SESSION_GAP = timedelta(minutes=10)


def letter_key(letter: Letter) -> tuple[int, float]:
    """A key for in-process caches of a letter's immutable history: its id and creation time, so
    that a letter id used again (a database emptied and filled anew) never finds another's data."""
    return (letter.id, letter.created_at.timestamp() if letter.created_at else 0.0)


def require_revision(letter: Letter, number: int) -> int:
    """404 for a revision the letter does not have."""
    if not 0 <= number <= letter.revision:
        raise NotFound(
            _("This letter has no revision %(n)s (its newest is %(newest)s).", n=number, newest=letter.revision)
        )
    return number


# -- revisions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevisionInfo:
    number: int
    author_id: int | None
    author_name: str | None
    created_at: datetime
    edit_id: str

    def author(self) -> dict[str, Any]:
        if self.author_id is None:
            return {"id": None, "name": "—"}
        return {"id": self.author_id, "name": self.author_name}

    @property
    def kind(self) -> str:
        """`created`, `suggestion` (an accepted suggestion), `restore` or `edit`."""
        if self.number == 0:
            return "created"
        if self.edit_id.startswith("suggestion-"):
            return "suggestion"
        if self.edit_id.startswith("restore-"):
            return "restore"
        return "edit"


def revision_infos(letter: Letter, first: int = 0, last: int | None = None) -> list[RevisionInfo]:
    """Revisions first..last (default: all), oldest first, with their authors."""
    query = (
        select(Revision.number, Revision.author_id, Official.name, Revision.created_at, Revision.edit_id)
        .outerjoin(Official, Official.id == Revision.author_id)
        .where(Revision.letter_id == letter.id, Revision.number >= first)
        .order_by(Revision.number)
    )
    if last is not None:
        query = query.where(Revision.number <= last)
    return [RevisionInfo(*row) for row in db.session.connection().execute(query)]


def revision_infos_for(letter: Letter, numbers: set[int]) -> list[RevisionInfo]:
    """The given revisions (those that exist), in order."""
    wanted = sorted(numbers)
    out: list[RevisionInfo] = []
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        out.extend(
            RevisionInfo(*row)
            for row in db.session.execute(
                select(Revision.number, Revision.author_id, Official.name, Revision.created_at, Revision.edit_id)
                .outerjoin(Official, Official.id == Revision.author_id)
                .where(Revision.letter_id == letter.id, Revision.number.in_(chunk))
                .order_by(Revision.number)
            )
        )
    return out


def revision_info(letter: Letter, number: int) -> RevisionInfo:
    require_revision(letter, number)
    infos = revision_infos(letter, number, number)
    if not infos:
        raise NotFound(_("This letter's history is incomplete."))
    return infos[0]


def list_revisions(actor: Official | None, letter_id: object) -> list[RevisionInfo]:
    """The contract's `GET /letters/{id}/revisions`: every revision, oldest first."""
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    return revision_infos(letter)


@dataclass(frozen=True)
class RevisionText:
    revision: int
    text: str


def read_revision(actor: Official | None, letter_id: object, number: object) -> RevisionText:
    """The contract's `GET /letters/{id}/revisions/{n}`: the exact text after revision n."""
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    n = require_revision(letter, whole_number(number, "revision", from_text=True))
    return RevisionText(n, text_at(letter, n))


# -- sessions ---------------------------------------------------------------------------------


@dataclass
class EditingSession:
    """One author's revisions, each at most SESSION_GAP after that author's one before; other
    authors' revisions may come in between (two alders typing at once each have one session)."""

    revisions: list[RevisionInfo] = field(default_factory=list)
    # Who else stored revisions between this session's first and last (their names, in order).
    alongside: list[str] = field(default_factory=list)

    @property
    def first(self) -> RevisionInfo:
        return self.revisions[0]

    @property
    def last(self) -> RevisionInfo:
        return self.revisions[-1]

    @property
    def count(self) -> int:
        return len(self.revisions)


def group_sessions(infos: list[RevisionInfo], gap: timedelta = SESSION_GAP) -> list[EditingSession]:
    """Editing sessions, ordered by their first revision: an author's edits join that author's
    open session when they come at most `gap` after its last revision, whatever other authors
    stored meanwhile. Revision 0, accepted suggestions and restores stand alone (they are events of
    their own); a restore also ends every open session, as it replaces the whole text."""
    sessions: list[EditingSession] = []
    open_sessions: dict[int | None, EditingSession] = {}
    for info in infos:
        current = open_sessions.get(info.author_id) if info.kind == "edit" else None
        if current is not None and info.created_at - current.last.created_at <= gap:
            current.revisions.append(info)
            continue
        session = EditingSession([info])
        sessions.append(session)
        if info.kind == "edit":
            open_sessions[info.author_id] = session
        elif info.kind in ("restore", "created"):
            open_sessions.clear()
    _note_alongside(sessions, infos)
    return sessions


def _note_alongside(sessions: list[EditingSession], infos: list[RevisionInfo]) -> None:
    """Fill each session's `alongside`: the other authors whose revisions fall inside its span."""
    position = {info.number: index for index, info in enumerate(infos)}
    for session in sessions:
        if session.count < 2 or session.last.number - session.first.number + 1 == session.count:
            continue  # no revision of anyone else in between
        names: dict[int | None, str] = {}
        for other in infos[position[session.first.number] + 1 : position[session.last.number]]:
            if other.author_id != session.first.author_id:
                names.setdefault(other.author_id, other.author()["name"])
        session.alongside = list(names.values())


# -- diffs ------------------------------------------------------------------------------------


# Diffs between two revisions never change: keep recent ones.
diff_cache: LRUCache[Diffs] = LRUCache(capacity=128)


def diff_revisions(letter: Letter, first: int, second: int) -> Diffs:
    """The word-level diff from revision `first` to revision `second` (both must exist)."""
    key = (letter_key(letter), first, second)
    cached = diff_cache.get(key)
    if cached is not None:
        return cached
    diffs = word_diff(text_at(letter, first), text_at(letter, second))
    diff_cache.put(key, diffs)
    return diffs


@dataclass(frozen=True)
class RevisionDiff:
    """The word-level diff from revision `first` to revision `second`."""

    first: int
    second: int
    diffs: Diffs


def diff_between(actor: Official | None, letter_id: object, first: object, second: object) -> RevisionDiff:
    """The contract's `GET /letters/{id}/diff?from=a&to=b`. Missing, malformed or out-of-range
    revision numbers are a 400 (they are parameters, not a resource)."""
    letter = load_letter(letter_id, viewer=actor, need=Need.DRAFT)
    if first is None or second is None:
        raise InvalidInput(
            _("Give both revisions: ?from=a&to=b."), details={"field": "from" if first is None else "to"}
        )
    a = whole_number(first, "from", from_text=True)
    b = whole_number(second, "to", from_text=True)
    for name, value in (("from", a), ("to", b)):
        if value > letter.revision:
            raise InvalidInput(
                _(
                    "%(what)s is out of range: this letter's revisions are 0 to %(newest)s.",
                    what=name,
                    newest=letter.revision,
                ),
                details={"field": name},
            )
    return RevisionDiff(a, b, diff_revisions(letter, a, b))


# -- replaying patches as operations ----------------------------------------------------------


def replay(letter: Letter, first: int, last: int) -> Iterator[tuple[int, str, Operation]]:
    """The revisions first+1..last as (number, text view after it, operation), in order.

    Starts from the text of `first` (a snapshot plus a few patches, or the cache) and applies
    each stored patch exactly, as clients do; the operation is in UTF-16 units.
    """
    view = view_at(letter, first)
    if last <= first:
        return
    rows = db.session.connection().execute(
        select(Revision.number, Revision.patch)
        .where(Revision.letter_id == letter.id, Revision.number > first, Revision.number <= last)
        .order_by(Revision.number)
    )
    expected = first + 1
    for number, patch in rows:
        if number != expected:
            raise NotFound(_("This letter's history is incomplete."))
        expected += 1
        view, ops = apply_patch_to_view(view, patch)  # "" (no change) gives the identity
        yield number, view, ops
    if expected != last + 1:
        raise NotFound(_("This letter's history is incomplete."))
