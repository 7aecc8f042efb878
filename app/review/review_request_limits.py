"""How often the mayor's office may be asked for a review. Each request emails every reviewer, so
each official may send at most REVIEW_REQUESTS_PER_HOUR_PER_OFFICIAL of them in any hour (all
letters together), and each letter gets at most REVIEW_REQUESTS_PER_HOUR_PER_LETTER in any hour
(all officials together); a limit of 0 is no limit. Counted from the stored requests, so every
server process sees the same counts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, func, select

from app.accounts.models import Official
from app.extensions import db
from app.review.models import ReviewRequest
from app.shared.db_types import utcnow
from app.shared.errors import RateLimited

WINDOW = timedelta(hours=1)


def check_review_request_limits(actor: Official, letter_id: int) -> None:
    """Raise RateLimited (429) if `actor` may not ask for another review of the letter now."""
    config = current_app.config
    now = utcnow()
    since = now - WINDOW
    per_official = config["REVIEW_REQUESTS_PER_HOUR_PER_OFFICIAL"]
    if per_official:
        count, oldest = _recent(ReviewRequest.requested_by_id == actor.id, since)
        if count >= per_official:
            raise RateLimited(
                _(
                    "You have asked for %(reviews)s in the last hour, the most allowed. Try again in %(minutes)s.",
                    reviews=ngettext("%(num)d review", "%(num)d reviews", count),
                    minutes=_in_minutes(oldest, now),
                ),
                retry_after=_seconds(oldest, now),
            )
    per_letter = config["REVIEW_REQUESTS_PER_HOUR_PER_LETTER"]
    if per_letter:
        count, oldest = _recent(ReviewRequest.letter_id == letter_id, since)
        if count >= per_letter:
            raise RateLimited(
                _(
                    "The mayor's office has been asked to review this letter %(times)s in the last hour, "
                    "the most allowed. Try again in %(minutes)s.",
                    times=ngettext("%(num)d time", "%(num)d times", count),
                    minutes=_in_minutes(oldest, now),
                ),
                retry_after=_seconds(oldest, now),
            )


def _recent(condition: ColumnElement[bool], since: datetime) -> tuple[int, datetime | None]:
    count, oldest = db.session.execute(
        select(func.count(ReviewRequest.id), func.min(ReviewRequest.created_at)).where(
            condition, ReviewRequest.created_at >= since
        )
    ).one()
    return count, oldest


def _seconds(oldest: datetime | None, now: datetime) -> int:
    """Seconds until the oldest request in the window leaves it (at least 1)."""
    if oldest is None:
        return 1
    if oldest.tzinfo is None:  # SQLite's aggregate gives the stored value back without its type
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max(1, math.ceil((oldest + WINDOW - now).total_seconds()))


def _in_minutes(oldest: datetime | None, now: datetime) -> str:
    """The wait in whole minutes, at least one ("1 minute", "5 minutes")."""
    minutes = max(1, math.ceil(_seconds(oldest, now) / 60))
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)
