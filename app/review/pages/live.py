"""Live review: the snapshot the review pages poll (static/js/review/live.js) to update themselves
while drafters type, with an ETag so that an unchanged letter costs a 304 and one small query."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from flask_login import login_required

from app.accounts.current import current_official
from app.letters.models import Letter
from app.review.live import LiveState, Snapshot, announcement, live_state
from app.review.pages.blueprint import bp

# How often a review page asks, in milliseconds (the page waits longer while its tab is hidden).
POLL_INTERVAL_MS = 3000


@bp.get("/live.json")
@login_required
def live(letter_id: int):
    """`{revision, snapshot, etag, announcement}`; 304 when the `If-None-Match` ETag still holds.
    `?since=` (a snapshot token) asks what changed since then, as a sentence to announce."""
    state = live_state(current_official(), letter_id)
    if request.if_none_match.contains(state.etag):
        unchanged = Response(status=304)
        unchanged.set_etag(state.etag)
        unchanged.headers["Cache-Control"] = "private, no-cache"
        return unchanged
    body = {
        "revision": state.snapshot.revision,
        "locked": bool(state.snapshot.locked),
        "snapshot": state.snapshot.token(),
        "etag": state.etag,
        "announcement": announcement(state, Snapshot.parse(request.args.get("since"))),
    }
    response = jsonify(body)
    response.set_etag(state.etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def live_attributes(letter: Letter) -> dict[str, Any]:
    """What a review page's live partial needs: where to ask, and the state it was rendered at."""
    state: LiveState = live_state(current_official(), letter.id)
    return {
        "url": url_for("review.live", letter_id=letter.id),
        "etag": state.etag,
        "snapshot": state.snapshot.token(),
        "interval": POLL_INTERVAL_MS,
    }


@bp.context_processor
def live_helpers() -> dict[str, Any]:
    return {"live_review": live_attributes}
