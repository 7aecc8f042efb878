"""/api/v1: history (revisions, diff, blame) and review (suggestions, approvals, checkpoints, review
requests, comments, restoring). Officials only; see docs/review.md."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.accounts.api_auth import api_official
from app.letters.loading import Need, load_letter
from app.review import approvals as review
from app.review import authorship, comments, history, suggestion_decisions, suggestions
from app.review.approvals import ApprovalStatus
from app.review.comments import Thread
from app.review.history import RevisionDiff, RevisionInfo
from app.review.models import Approval, Checkpoint, Comment, ReviewRequest, Suggestion
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
from app.web.api.blueprint import answers, blp

BEARER = [{"bearerAuth": []}]

# Blame is sent as the JSON text app/review/authorship.py builds and caches (thousands of runs);
# BlameRunSchema documents it. Every other answer is dumped by its schema.


@blp.route("/letters/<int:letter_id>/revisions")
class Revisions(MethodView):
    @blp.response(200, RevisionSchema(many=True))
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int) -> list[RevisionInfo]:
        """Every revision, oldest first: who made it, when, and its edit_id (officials)."""
        return history.list_revisions(api_official(), letter_id)


@blp.route("/letters/<int:letter_id>/revisions/<int:number>")
class RevisionText(MethodView):
    @blp.response(200, RevisionTextSchema)
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, number: int) -> history.RevisionText:
        """The exact text after revision n (officials). 404 for a revision the letter does not have."""
        return history.read_revision(api_official(), letter_id, number)


@blp.route("/letters/<int:letter_id>/diff")
class Diff(MethodView):
    @blp.arguments(DiffQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, DiffSchema)
    @answers(400, 401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, first: int, second: int) -> RevisionDiff:
        """Word-level diff from revision `from` to revision `to`, after semantic clean-up (officials).

        The kept and deleted runs spell revision `from`; the kept and inserted runs spell revision `to`.
        400 for missing, malformed or out-of-range revision numbers."""
        return history.diff_between(api_official(), letter_id, first, second)


@blp.route("/letters/<int:letter_id>/blame")
class Blame(MethodView):
    @blp.arguments(BlameQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, BlameRunSchema(many=True))
    @answers(400, 401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int, revision: int | None = None) -> Response:
        """Who wrote each part of revision n (default: the newest): runs whose texts, joined, are its text,
        each credited to the revision that wrote it and that revision's author (officials)."""
        return Response(authorship.blame_body(api_official(), letter_id, revision), mimetype="application/json")


# -- suggestions ------------------------------------------------------------------------------


@blp.route("/letters/<int:letter_id>/suggestions")
class LetterSuggestions(MethodView):
    @blp.response(200, SuggestionSchema(many=True))
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int) -> list[Suggestion]:
        """Every suggestion on the letter, oldest first (officials)."""
        letter = load_letter(letter_id, viewer=api_official(), need=Need.DRAFT)
        return suggestions.suggestions_for(letter)

    @blp.arguments(SuggestionCreateSchema)
    @blp.response(201, SuggestionCreatedSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int) -> Suggestion:
        """Suggest a change (reviewer, drafter): `patch` as in real-time drafting, made on `base_revision`.

        400 `bad_patch`, 409 `conflict` (the patch does not apply to its base, or the text it changes was
        edited since), 409 `locked`, 413 `too_large`."""
        return suggestions.create_suggestion(
            api_official(), letter_id, payload["base_revision"], payload["patch"], payload["note"]
        )


@blp.route("/suggestions/<int:suggestion_id>")
class SuggestionItem(MethodView):
    @blp.response(200, SuggestionSchema)
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, suggestion_id: int) -> Suggestion:
        """One suggestion (officials)."""
        return suggestions.get_suggestion(api_official(), suggestion_id)


@blp.route("/suggestions/<int:suggestion_id>/accept")
class SuggestionAccept(MethodView):
    @blp.response(200, SuggestionAcceptedSchema)
    @answers(400, 401, 403, 404, 409, 413)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int) -> Suggestion:
        """Accept (drafter): merged and stored like an edit, credited to the suggester, whole or not at all,
        and broadcast to the letter's room. 409 `conflict` leaves it open (see `problem`); 409 `locked`."""
        return suggestion_decisions.accept_suggestion(api_official(), suggestion_id)


@blp.route("/suggestions/<int:suggestion_id>/reject")
class SuggestionReject(MethodView):
    @blp.response(200, SuggestionStatusSchema)
    @answers(401, 403, 404, 409)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int) -> Suggestion:
        """Reject (drafter); the text is unchanged. 409 if it was already decided."""
        return suggestion_decisions.reject_suggestion(api_official(), suggestion_id)


@blp.route("/suggestions/<int:suggestion_id>/withdraw")
class SuggestionWithdraw(MethodView):
    @blp.response(200, SuggestionStatusSchema)
    @answers(401, 403, 404, 409)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int) -> Suggestion:
        """Withdraw your own open suggestion (403 for someone else's). 409 if it was already decided."""
        return suggestion_decisions.withdraw_suggestion(api_official(), suggestion_id)


@blp.route("/suggestions/<int:suggestion_id>/refresh")
class SuggestionRefresh(MethodView):
    @blp.response(200, SuggestionSchema)
    @answers(400, 401, 403, 404, 409)
    @blp.doc(security=BEARER)
    def post(self, suggestion_id: int) -> Suggestion:
        """Re-place an open suggestion on the newest revision (its suggester or a drafter).
        409 `conflict` when the text it changed is gone; 400 when the newest text already has it."""
        return suggestion_decisions.refresh_suggestion(api_official(), suggestion_id)


# -- approvals --------------------------------------------------------------------------------


@blp.route("/letters/<int:letter_id>/approvals")
class Approvals(MethodView):
    @blp.response(200, ApprovalsSchema)
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int) -> ApprovalStatus:
        """Approvals, newest revision first, and whether the newest text differs from the last approved."""
        return review.approval_status(load_letter(letter_id, viewer=api_official(), need=Need.DRAFT))

    @blp.arguments(ApprovalCreateSchema)
    @blp.response(201, ApprovalSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int) -> Approval:
        """Approve a revision (reviewer). 404 for an unknown revision; 409 if you approved it already."""
        return review.approve(api_official(), letter_id, payload["revision"])


# -- checkpoints, review requests, restoring --------------------------------------------------


@blp.route("/letters/<int:letter_id>/checkpoints")
class Checkpoints(MethodView):
    @blp.response(200, CheckpointSchema(many=True))
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int) -> list[Checkpoint]:
        """Named revisions, oldest first (officials)."""
        return review.checkpoints_for(load_letter(letter_id, viewer=api_official(), need=Need.DRAFT))

    @blp.arguments(CheckpointCreateSchema)
    @blp.response(201, CheckpointSchema)
    @answers(400, 401, 403, 404, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int) -> Checkpoint:
        """Name a revision (drafter, clerk); naming it again renames it. 404 for an unknown revision."""
        return review.name_checkpoint(api_official(), letter_id, payload["revision"], payload["name"])


@blp.route("/letters/<int:letter_id>/review-requests")
class ReviewRequests(MethodView):
    @blp.arguments(ReviewRequestCreateSchema)
    @blp.response(201, ReviewRequestSchema)
    @answers(400, 401, 403, 404, 413, 415, 429)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int) -> ReviewRequest:
        """Ask the mayor's office to review a checkpoint (drafter, clerk): every reviewer is emailed.
        404 for a checkpoint of another letter, or none. 429 `rate_limited` (with Retry-After) beyond
        a few requests an hour per official and per letter."""
        return review.request_review(api_official(), letter_id, payload["checkpoint_id"], payload["message"])


@blp.route("/letters/<int:letter_id>/restore")
class Restore(MethodView):
    @blp.arguments(RestoreSchema)
    @blp.response(201, RestoredSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int) -> dict:
        """Restore an old revision's text as a new revision (drafter), broadcast to the letter's room.
        400 when the newest text already is that text; 409 `locked`."""
        stored = review.restore_revision(api_official(), letter_id, payload["revision"], edit_id=payload.get("edit_id"))
        return {"stored": stored, "restored": payload["revision"]}


# -- comments ---------------------------------------------------------------------------------


@blp.route("/letters/<int:letter_id>/comments")
class Comments(MethodView):
    @blp.response(200, ThreadSchema(many=True))
    @answers(401, 404)
    @blp.doc(security=BEARER)
    def get(self, letter_id: int) -> list[Thread]:
        """Comment threads, oldest first, each anchor carried to the newest revision (officials)."""
        return comments.list_threads(api_official(), letter_id)

    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    @answers(400, 401, 404, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, letter_id: int) -> Comment:
        """Comment on characters start..end of a revision (default: the newest). 400 outside the text;
        404 for an unknown revision."""
        return comments.add_comment(
            api_official(),
            letter_id,
            payload["body"],
            revision=payload.get("revision"),
            start=payload["start"],
            end=payload["end"],
        )


@blp.route("/comments/<int:comment_id>/replies")
class Replies(MethodView):
    @blp.arguments(ReplyCreateSchema)
    @blp.response(201, CommentSchema)
    @answers(400, 401, 404, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, comment_id: int) -> Comment:
        """Reply in a comment's thread (officials)."""
        return comments.reply(api_official(), comment_id, payload["body"])


@blp.route("/comments/<int:comment_id>/resolve")
class Resolve(MethodView):
    @blp.arguments(ResolveSchema)
    @blp.response(200, CommentSchema)
    @answers(400, 401, 404, 413, 415)
    @blp.doc(security=BEARER)
    def post(self, payload: dict, comment_id: int) -> Comment:
        """Resolve a thread, or reopen it with {"resolved": false} (officials)."""
        return comments.set_resolved(api_official(), comment_id, payload["resolved"])
