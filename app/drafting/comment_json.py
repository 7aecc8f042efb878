"""Comments in the margin of the drafting room's editor (static/js/drafting/comments-margin.js), for
the signed-in browser session: the open threads placed on the newest text, and commenting,
replying, resolving. The rules are the review package's (app/review/comments.py): the same service
calls as the review pages and the API, which also tell the letter's room (the `comment` event).

JSON in and out; a refusal answers `{"error": {"code", "message"}}` with its 4xx status and changes
nothing. POSTs carry the page's CSRF token in the `X-CSRFToken` header. Offsets are UTF-16 code
units, as the editor counts them."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import login_required

from app.accounts.authorization import Action, can
from app.accounts.current import current_official
from app.accounts.models import Official
from app.drafting.pages import bp, colour_of
from app.letters.loading import Need, load_letter
from app.review import comments
from app.review.comments import Thread
from app.review.models import Comment
from app.shared.errors import InvalidInput, NotFound, ServiceError
from app.web.errors import json_error


def _refused(error: ServiceError):
    return json_error(error.status, error.code, error.message)


def _author(official: Official | None) -> dict[str, Any]:
    if official is None:  # the official was removed
        return {"id": None, "name": _("a former official"), "color": None}
    return {"id": official.id, "name": official.name, "color": colour_of(official.id)}


def _comment_json(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "author": _author(comment.author),
        "body": comment.body,
        "when": format_datetime(comment.created_at, "medium"),
    }


def _thread_json(thread: Thread) -> dict[str, Any]:
    root = thread.comment
    placed = not thread.anchor.outdated
    return {
        **_comment_json(root),
        "quote": root.quote or "",
        "outdated": not placed,
        "edited": thread.edited,
        "start": root.tracked_start if placed else None,
        "end": root.tracked_end if placed else None,
        "replies": [_comment_json(reply) for reply in thread.replies],
    }


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(_("Send a JSON object."))
    return body


def _thread_of(letter_id: int, comment_id: int) -> Comment:
    comment = comments.get_comment(current_official(), comment_id)
    if comment.letter_id != letter_id:
        raise NotFound(_("No such comment."))
    return comment


@bp.get("/drafts/<int:letter_id>/comments.json")
@login_required
def open_threads(letter_id: int):
    """`{revision, can_comment, threads: [{id, author, body, when, quote, outdated, edited, start,
    end, replies}]}`: the open threads, oldest first, each anchor (start..end, UTF-16 units) carried
    to the text of `revision` (the newest); an outdated one (its passage deleted) has no place."""
    official = current_official()
    try:
        letter = load_letter(letter_id, viewer=official, need=Need.DRAFT)
        threads = [t for t in comments.threads_for(letter) if not t.comment.is_resolved]
    except ServiceError as error:
        return _refused(error)
    return jsonify(
        {
            "revision": letter.revision,
            "can_comment": can(official, Action.COMMENT),
            "threads": [_thread_json(thread) for thread in threads],
        }
    )


@bp.post("/drafts/<int:letter_id>/comments.json")
@login_required
def comment(letter_id: int):
    """`{revision, start, end, body}` (UTF-16 offsets into the text of `revision`): 201 `{id}`."""
    try:
        body = _body()
        made = comments.add_comment(
            current_official(),
            letter_id,
            body.get("body"),
            revision=body.get("revision"),
            start=body.get("start"),
            end=body.get("end"),
            utf16=True,
        )
    except ServiceError as error:
        return _refused(error)
    return jsonify({"id": made.id}), 201


@bp.post("/drafts/<int:letter_id>/comments/<int:comment_id>/replies.json")
@login_required
def reply(letter_id: int, comment_id: int):
    """`{body}`: a reply in the thread, 201 `{id}`."""
    try:
        body = _body()
        _thread_of(letter_id, comment_id)
        made = comments.reply(current_official(), comment_id, body.get("body"))
    except ServiceError as error:
        return _refused(error)
    return jsonify({"id": made.id}), 201


@bp.post("/drafts/<int:letter_id>/comments/<int:comment_id>/resolve.json")
@login_required
def resolve(letter_id: int, comment_id: int):
    """`{resolved}` (default true): resolve the thread, or reopen it with false."""
    try:
        body = _body()
        resolved = body.get("resolved", True)
        if not isinstance(resolved, bool):
            raise InvalidInput(_("resolved must be true or false."), details={"field": "resolved"})
        _thread_of(letter_id, comment_id)
        thread = comments.set_resolved(current_official(), comment_id, resolved)
    except ServiceError as error:
        return _refused(error)
    return jsonify({"id": thread.id, "resolved": thread.is_resolved})
