"""Where a letter's review stands, in a few numbers: for the drafting room and the dashboard."""

from __future__ import annotations

from typing import Any

from app.letters.models import Letter
from app.review import approvals as review
from app.review import comments, suggestions


def review_summary(letter: Letter) -> dict[str, Any]:
    """For the drafting page and others: open suggestions and threads, and the approval status."""
    open_threads = sum(1 for t in comments.threads_for(letter) if not t.comment.is_resolved)
    return {
        "open_suggestions": suggestions.open_count(letter),
        "open_threads": open_threads,
        "approval": review.approval_status(letter),
    }
