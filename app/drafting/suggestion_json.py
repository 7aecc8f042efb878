"""Suggestions inline in the drafting room's editor (static/js/drafting/suggestions.js), for the
signed-in browser session: the open suggestions placed on the newest text, and making, changing
(suggestion mode: its suggester types on), accepting, rejecting and withdrawing one. The rules
are the review package's (app/review/suggestions.py, suggestion_decisions.py): the same service
calls as the review pages and the API.

JSON in and out; a refusal answers `{"error": {"code", "message"}}` with its 4xx status and changes
nothing. POSTs and PUTs carry the page's CSRF token in the `X-CSRFToken` header."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.drafting.pages import bp, colour_of
from app.extensions import db
from app.letters.loading import Need, load_letter
from app.review.models import Suggestion
from app.review.suggestion_decisions import accept_suggestion, reject_suggestion, withdraw_suggestion
from app.review.suggestion_places import place_suggestion
from app.review.suggestions import create_suggestion, revise_suggestion, suggestions_for
from app.shared.errors import InvalidInput, NotFound, ServiceError


def _refused(error: ServiceError):
    return jsonify({"error": {"code": error.code, "message": error.message}}), error.status


def _author(suggestion: Suggestion) -> dict[str, Any]:
    author = suggestion.author
    if author is None:  # the official was removed
        return {"id": None, "name": _("a former official"), "color": None}
    return {"id": author.id, "name": author.name, "color": colour_of(author.id)}


@bp.get("/drafts/<int:letter_id>/suggestions.json")
@login_required
def open_suggestions(letter_id: int):
    """`{revision, can_decide, suggestions: [{id, author, note, start, end, replacement}]}`: the open
    suggestions that still apply, placed on the text of `revision` (the newest)."""
    official = current_official()
    try:
        letter = load_letter(letter_id, viewer=official, need=Need.DRAFT)
    except ServiceError as error:
        return _refused(error)
    out = []
    for suggestion in suggestions_for(letter, "open"):
        placed = place_suggestion(letter, suggestion)
        if placed is not None:
            out.append({"id": suggestion.id, "author": _author(suggestion), "note": suggestion.note, **placed})
    return jsonify(
        {
            "revision": letter.revision,
            "can_decide": can(official, Action.DECIDE_SUGGESTION) and not letter.is_locked,
            "suggestions": out,
        }
    )


@bp.post("/drafts/<int:letter_id>/suggestions.json")
@login_required
def suggest(letter_id: int):
    """`{base_revision, patch, note}` as in the API's POST /letters/{id}/suggestions: 201 `{id}`."""
    body = request.get_json(silent=True)
    try:
        if not isinstance(body, dict):
            raise InvalidInput(_("Send a JSON object."))
        suggestion = create_suggestion(
            current_official(), letter_id, body.get("base_revision"), body.get("patch"), body.get("note", "")
        )
    except ServiceError as error:
        return _refused(error)
    return jsonify({"id": suggestion.id, "status": "open"}), 201


@bp.put("/drafts/<int:letter_id>/suggestions/<int:suggestion_id>.json")
@login_required
def revise(letter_id: int, suggestion_id: int):
    """Its suggester typed on (suggestion mode): `{base_revision, patch}` replaces the open
    suggestion's change, with the rules of a new one; 200 `{id, status: "open"}`."""
    body = request.get_json(silent=True)
    try:
        if not isinstance(body, dict):
            raise InvalidInput(_("Send a JSON object."))
        _of_letter(letter_id, suggestion_id)
        suggestion = revise_suggestion(
            current_official(), suggestion_id, body.get("base_revision"), body.get("patch"), body.get("note")
        )
    except ServiceError as error:
        db.session.rollback()
        return _refused(error)
    return jsonify({"id": suggestion.id, "status": suggestion.status})


_DECISIONS = {"accept": accept_suggestion, "reject": reject_suggestion, "withdraw": withdraw_suggestion}


@bp.post("/drafts/<int:letter_id>/suggestions/<int:suggestion_id>/<any(accept, reject, withdraw):action>.json")
@login_required
def decide(letter_id: int, suggestion_id: int, action: str):
    """Accept (merged whole or not at all, credited to the suggester) or reject, where it stands;
    or, for its suggester, withdraw it."""
    official = current_official()
    try:
        _of_letter(letter_id, suggestion_id)
        decided = _DECISIONS[action](official, suggestion_id)
    except ServiceError as error:
        db.session.rollback()
        return _refused(error)
    return jsonify({"status": decided.status})


def _of_letter(letter_id: int, suggestion_id: int) -> Suggestion:
    """The suggestion, when it is one of this letter's (404 otherwise)."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.letter_id != letter_id:
        raise NotFound(_("No such suggestion."))
    return suggestion
