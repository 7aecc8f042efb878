"""/api/v1: history (revisions, diff, blame) and review (suggestions, approvals, checkpoints, review
requests, comments, restoring). Officials only; see docs/review.md."""

from __future__ import annotations

from flask import Response, jsonify
from flask.views import MethodView
from flask_babel import gettext as _

from app.accounts.api_auth import api_official
from app.letters.loading import Need, load_letter
from app.review import approvals as review
from app.review import authorship, comments, history, suggestions
from app.review.schemas import (
    ApprovalCreateSchema,
    ApprovalSchema,
    ApprovalsSchema,
    BlameQuerySchema,
    BlameRunSchema,
    CheckpointCreateSchema,
    CheckpointSchema,
    CommentCreateSchema,
    CommentSchema,
    DiffQuerySchema,
    DiffSchema,
    ReplyCreateSchema,
    ResolveSchema,
    RestoredSchema,
    RestoreSchema,
    ReviewRequestCreateSchema,
    ReviewRequestSchema,
    RevisionSchema,
    RevisionTextSchema,
    SuggestionAcceptedSchema,
    SuggestionCreatedSchema,
    SuggestionCreateSchema,
    SuggestionSchema,
    SuggestionStatusSchema,
    ThreadSchema,
)
from app.shared.errors import InvalidInput
from app.web.api.blueprint import blp

BEARER = [{"bearerAuth": []}]

# Large answers (a history of thousands of revisions, a long diff or blame) are sent with jsonify:
# the schemas document them; the services already build exactly that JSON.


@blp.route("/letters/<int:letter_id>/revisions")
class Revisions(MethodView):
    @blp.response(200, RevisionSchema(many=True))
    @blp.doc(security=BEARER)
    def get(self, letter_id: int):
        """Every revision, oldest first: who made it, when, and its edit_id (officials)."""
        return jsonify(history.list_revisions(api_official(), letter_id))


@blp.route("/letters/<int:letter_id>/revisions/<int:number>")
class RevisionText(MethodView):
    @blp.response(200, RevisionTextSchema)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, number: int):
        """The exact text after revision n (officials). 404 for a revision the letter does not have."""
        return jsonify(history.read_revision(api_official(), letter_id, number))


@blp.route("/letters/<int:letter_id>/diff")
class Diff(MethodView):
    @blp.arguments(DiffQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, DiffSchema)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, first=None, second=None):
        """Word-level diff from revision `from` to revision `to`, after semantic clean-up (officials).

        The kept and deleted runs spell revision `from`; the kept and inserted runs spell revision `to`.
        400 for missing, malformed or out-of-range revision numbers."""
        return jsonify(history.diff(api_official(), letter_id, first, second))


@blp.route("/letters/<int:letter_id>/blame")
class Blame(MethodView):
    @blp.arguments(BlameQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, BlameRunSchema(many=True))
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, revision=None):
        """Who wrote each part of revision n (default: the newest): runs whose texts, joined, are its text,
        each credited to the revision that wrote it and that revision's author (officials)."""
        return Response(authorship.blame_body(api_official(), letter_id, revision), mimetype="application/json")


# -- suggestions ------------------------------------------------------------------------------


@blp.route("/letters/<int:letter_id>/suggestions")
class LetterSuggestions(MethodView):
    @blp.response(200, SuggestionSchema(many=True))
    @blp.doc(security=BEARER)
    def get(self, letter_id: int):
        """Every suggestion on the letter, oldest first (officials)."""
        letter = load_letter(letter_id, viewer=api_official(), need=Need.DRAFT)
        return [suggestions.suggestion_json(s) for s in suggestions.suggestions_for(letter)]

    @blp.arguments(SuggestionCreateSchema)
    @blp.response(201, SuggestionCreatedSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int):
        """Suggest a change (reviewer, drafter): `patch` as in real-time drafting, made on `base_revision`.

        400 `bad_patch`, 409 `conflict` (the patch does not apply to its base, or the text it changes was
        edited since), 409 `locked`, 413 `too_large`."""
        suggestion = suggestions.create_suggestion(
            api_official(), letter_id, payload.get("base_revision"), payload.get("patch"), payload.get("note")
        )
        return {"id": suggestion.id, "status": suggestion.status}


@blp.route("/suggestions/<int:suggestion_id>")
class SuggestionItem(MethodView):
    @blp.response(200, SuggestionSchema)
    @blp.doc(security=BEARER)
    def get(self, suggestion_id: int):
        """One suggestion (officials)."""
        return suggestions.suggestion_json(suggestions.get_suggestion(api_official(), suggestion_id))


@blp.route("/suggestions/<int:suggestion_id>/accept")
class SuggestionAccept(MethodView):
    @blp.response(200, SuggestionAcceptedSchema)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int):
        """Accept (drafter): merged and stored like an edit, credited to the suggester, whole or not at all,
        and broadcast to the letter's room. 409 `conflict` leaves it open (see `problem`); 409 `locked`."""
        suggestion = suggestions.accept_suggestion(api_official(), suggestion_id)
        return {"status": suggestion.status, "revision": suggestion.revision}


@blp.route("/suggestions/<int:suggestion_id>/reject")
class SuggestionReject(MethodView):
    @blp.response(200, SuggestionStatusSchema)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int):
        """Reject (drafter); the text is unchanged. 409 if it was already decided."""
        return {"status": suggestions.reject_suggestion(api_official(), suggestion_id).status}


@blp.route("/suggestions/<int:suggestion_id>/withdraw")
class SuggestionWithdraw(MethodView):
    @blp.response(200, SuggestionStatusSchema)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int):
        """Withdraw your own open suggestion."""
        return {"status": suggestions.withdraw_suggestion(api_official(), suggestion_id).status}


@blp.route("/suggestions/<int:suggestion_id>/refresh")
class SuggestionRefresh(MethodView):
    @blp.response(200, SuggestionSchema)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int):
        """Re-place an open suggestion on the newest revision (its suggester or a drafter).
        409 `conflict` when the text it changed is gone."""
        return suggestions.suggestion_json(suggestions.refresh_suggestion(api_official(), suggestion_id))


# -- approvals --------------------------------------------------------------------------------


@blp.route("/letters/<int:letter_id>/approvals")
class Approvals(MethodView):
    @blp.response(200, ApprovalsSchema)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int):
        """Approvals, newest revision first, and whether the newest text differs from the last approved."""
        letter = load_letter(letter_id, viewer=api_official(), need=Need.DRAFT)
        status = review.approval_status(letter)
        return {
            "approved_revision": status.approved_revision,
            "newest_revision": status.newest_revision,
            "newest_differs": status.newest_differs,
            "approvals": [review.approval_json(a) for a in status.approvals],
        }

    @blp.arguments(ApprovalCreateSchema)
    @blp.response(201, ApprovalSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int):
        """Approve a revision (reviewer). 404 for an unknown revision; 409 if you approved it already."""
        return review.approval_json(review.approve(api_official(), letter_id, payload.get("revision")))


# -- checkpoints, review requests, restoring --------------------------------------------------


@blp.route("/letters/<int:letter_id>/checkpoints")
class Checkpoints(MethodView):
    @blp.response(200, CheckpointSchema(many=True))
    @blp.doc(security=BEARER)
    def get(self, letter_id: int):
        """Named revisions, oldest first (officials)."""
        letter = load_letter(letter_id, viewer=api_official(), need=Need.DRAFT)
        return [review.checkpoint_json(c) for c in review.checkpoints_for(letter)]

    @blp.arguments(CheckpointCreateSchema)
    @blp.response(201, CheckpointSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int):
        """Name a revision (drafter, clerk); naming it again renames it."""
        checkpoint = review.name_checkpoint(api_official(), letter_id, payload.get("revision"), payload.get("name"))
        return review.checkpoint_json(checkpoint)


@blp.route("/letters/<int:letter_id>/review-requests")
class ReviewRequests(MethodView):
    @blp.arguments(ReviewRequestCreateSchema)
    @blp.response(201, ReviewRequestSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int):
        """Ask the mayor's office to review a checkpoint (drafter, clerk): every reviewer is emailed."""
        request = review.request_review(api_official(), letter_id, payload.get("checkpoint_id"), payload.get("message"))
        return {
            "id": request.id,
            "checkpoint": review.checkpoint_json(request.checkpoint),
            "recipients": request.recipients,
        }


@blp.route("/letters/<int:letter_id>/restore")
class Restore(MethodView):
    @blp.arguments(RestoreSchema)
    @blp.response(201, RestoredSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int):
        """Restore an old revision's text as a new revision (drafter), broadcast to the letter's room."""
        stored = review.restore_revision(
            api_official(),
            letter_id,
            payload.get("revision"),
            edit_id=payload.get("edit_id"),
        )
        return {"revision": stored.revision, "restored": payload.get("revision"), "edit_id": stored.edit_id}


# -- comments ---------------------------------------------------------------------------------


@blp.route("/letters/<int:letter_id>/comments")
class Comments(MethodView):
    @blp.response(200, ThreadSchema(many=True))
    @blp.doc(security=BEARER)
    def get(self, letter_id: int):
        """Comment threads, oldest first, each anchor carried to the newest revision (officials)."""
        return comments.list_threads(api_official(), letter_id)

    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int):
        """Comment on characters start..end of a revision (default: the newest). 400 outside the text."""
        comment = comments.add_comment(
            api_official(),
            letter_id,
            payload.get("body"),
            revision=payload.get("revision"),
            start=payload.get("start"),
            end=payload.get("end"),
        )
        return comments.comment_json(comment)


@blp.route("/comments/<int:comment_id>/replies")
class Replies(MethodView):
    @blp.arguments(ReplyCreateSchema)
    @blp.response(201, CommentSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, comment_id: int):
        """Reply in a comment's thread (officials)."""
        return comments.comment_json(comments.reply(api_official(), comment_id, payload.get("body")))


@blp.route("/comments/<int:comment_id>/resolve")
class Resolve(MethodView):
    @blp.arguments(ResolveSchema)
    @blp.response(200, CommentSchema)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, comment_id: int):
        """Resolve a thread, or reopen it with {"resolved": false} (officials)."""
        resolved = payload.get("resolved", True)
        if not isinstance(resolved, bool):
            raise InvalidInput(_("resolved must be true or false."), details={"field": "resolved"})
        return comments.comment_json(comments.set_resolved(api_official(), comment_id, resolved))
