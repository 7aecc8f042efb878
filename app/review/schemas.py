"""Marshmallow schemas of the review calls (history, diff, blame, suggestions, approvals, checkpoints,
comments). Output schemas dump what the review services return (models and dataclasses); pages may
dump with them too (e.g. `RevisionSchema().dump(info)` for a RevisionInfo). Input schemas check
what they document (see app/web/api/fields.py); the services check again."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, fields

from app.letters.revisions import MAX_EDIT_ID_LENGTH
from app.review.approvals import MAX_MESSAGE_LENGTH
from app.review.comments import MAX_BODY_LENGTH
from app.review.locking import MAX_REASON_LENGTH
from app.review.suggestions import MAX_NOTE_LENGTH
from app.web.api.fields import NOT_BLANK, Flag, InputField, InputSchema, Offset, OneLine, Text, WholeNumber
from app.web.api.schemas import Author, AuthorSchema

SUGGESTION_STATUSES = ["open", "accepted", "rejected", "withdrawn"]

# -- history ----------------------------------------------------------------------------------


class RevisionSchema(Schema):
    """One revision (dumped from app.review.history.RevisionInfo)."""

    revision = fields.Integer(required=True, attribute="number")
    author = Author(required=True)
    created_at = fields.DateTime(required=True)
    edit_id = fields.String(required=True)


class RevisionTextSchema(Schema):
    """A revision's exact text (dumped from app.review.history.RevisionText)."""

    revision = fields.Integer(required=True)
    text = fields.String(required=True)


class DiffQuerySchema(InputSchema):
    class Meta:
        unknown = EXCLUDE

    first = WholeNumber(from_text=True, data_key="from", required=True, metadata={"description": "revision a"})
    second = WholeNumber(from_text=True, data_key="to", required=True, metadata={"description": "revision b"})


class DiffRuns(fields.Field):
    """diff-match-patch tuples as `[op, text]` pairs."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[list[Any]]:
        return [[op, text] for op, text in value]


class DiffSchema(Schema):
    """A diff between two revisions (dumped from app.review.history.RevisionDiff)."""

    first = fields.Integer(data_key="from", required=True)
    second = fields.Integer(data_key="to", required=True)
    diffs = DiffRuns(
        required=True,
        metadata={
            "type": "array",
            "items": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "items": {"oneOf": [{"type": "integer", "enum": [-1, 0, 1]}, {"type": "string"}]},
            },
            "description": "diff-match-patch tuples [op, text]: op -1 deleted, 0 kept, 1 inserted",
            "example": [[0, "We ask the city to "], [-1, "affirm"], [1, "reaffirm"], [0, " its status."]],
        },
    )


class BlameQuerySchema(InputSchema):
    class Meta:
        unknown = EXCLUDE

    revision = WholeNumber(from_text=True, metadata={"description": "default: the newest"})


class BlameRunSchema(Schema):
    """Documents app.review.authorship.blame_body's runs (that JSON is built and cached there)."""

    text = fields.String(required=True)
    revision = fields.Integer(required=True)
    author = fields.Nested(AuthorSchema, required=True)


# -- suggestions ------------------------------------------------------------------------------


class PatchText(InputField):
    """Patch text, checked by the sync engine (400 `bad_patch`, 413 `too_large`)."""

    openapi = {"type": "string", "description": "diff-match-patch patch text (UTF-16 offsets), made on base_revision"}


class SuggestionCreateSchema(InputSchema):
    base_revision = WholeNumber(required=True)
    patch = PatchText(required=True)
    note = Text(max_length=MAX_NOTE_LENGTH, load_default="")


class SuggestionCreatedSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["open"]})


class SuggestionSchema(Schema):
    """A suggestion (dumped from app.review.models.Suggestion)."""

    id = fields.Integer(required=True)
    letter_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": SUGGESTION_STATUSES})
    base_revision = fields.Integer(required=True)
    patch = fields.String(required=True)
    note = fields.String(required=True)
    author = Author(required=True)
    created_at = fields.DateTime(required=True)
    revision = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the revision an accepted suggestion made"}
    )
    decided_by = fields.Nested(AuthorSchema, required=True, allow_none=True)
    decided_at = fields.DateTime(required=True, allow_none=True)
    problem = fields.String(
        required=True, allow_none=True, metadata={"description": "why it could not be accepted last time"}
    )


class SuggestionAcceptedSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["accepted"]})
    revision = fields.Integer(required=True)


class SuggestionStatusSchema(Schema):
    status = fields.String(required=True, metadata={"enum": SUGGESTION_STATUSES})


# -- approvals, checkpoints, review requests, restoring -----------------------------------------


class ApprovalCreateSchema(InputSchema):
    revision = WholeNumber(required=True)


class ApprovalSchema(Schema):
    """An approval (dumped from app.review.models.Approval)."""

    id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    reviewer = Author(required=True)
    created_at = fields.DateTime(required=True)


class ApprovalsSchema(Schema):
    """A letter's approvals (dumped from app.review.approvals.ApprovalStatus)."""

    approved_revision = fields.Integer(required=True, allow_none=True)
    newest_revision = fields.Integer(required=True)
    newest_differs = fields.Boolean(required=True)
    approvals = fields.List(fields.Nested(ApprovalSchema), required=True)


class CheckpointCreateSchema(InputSchema):
    revision = WholeNumber(required=True)
    name = OneLine(required=True, metadata={"example": "Draft sent to the mayor's office"})


class CheckpointSchema(Schema):
    """A named revision (dumped from app.review.models.Checkpoint)."""

    id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    name = fields.String(required=True)
    created_by = Author(required=True)
    created_at = fields.DateTime(required=True)


class ReviewRequestCreateSchema(InputSchema):
    checkpoint_id = WholeNumber(required=True)
    message = Text(max_length=MAX_MESSAGE_LENGTH, load_default="")


class ReviewRequestSchema(Schema):
    """A review request (dumped from app.review.models.ReviewRequest)."""

    id = fields.Integer(required=True)
    checkpoint = fields.Nested(CheckpointSchema, required=True)
    recipients = fields.Integer(required=True, metadata={"description": "reviewers emailed"})


class RestoreSchema(InputSchema):
    revision = WholeNumber(required=True)
    edit_id = Text(
        max_length=MAX_EDIT_ID_LENGTH,
        pattern="^restore-",
        pattern_message=lambda: _("edit_id must be a string starting with 'restore-'."),
        metadata={"description": "optional, 'restore-...': sending it again never restores twice"},
    )


class RestoredSchema(Schema):
    """A restore: `stored` (app.letters.events.StoredRevision) and the `restored` revision number."""

    revision = fields.Integer(required=True, attribute="stored.revision", metadata={"description": "the new revision"})
    restored = fields.Integer(required=True, metadata={"description": "the revision whose text it restored"})
    edit_id = fields.String(required=True, attribute="stored.edit_id")


# -- comments ---------------------------------------------------------------------------------


def _comment_body() -> Text:
    return Text(required=True, min_length=1, max_length=MAX_BODY_LENGTH, pattern=NOT_BLANK)


class CommentCreateSchema(InputSchema):
    body = _comment_body()
    revision = WholeNumber(metadata={"description": "default: the newest"})
    start = Offset(required=True, metadata={"description": "character offset (code points)"})
    end = Offset(required=True, metadata={"description": "character offset, exclusive"})


class ReplyCreateSchema(InputSchema):
    body = _comment_body()


class ResolveSchema(InputSchema):
    resolved = Flag(load_default=True)


class AnchorSchema(Schema):
    """Where a thread's text is now (dumped from app.review.comments.Thread)."""

    revision = fields.Integer(required=True, allow_none=True, attribute="comment.tracked_revision")
    outdated = fields.Boolean(required=True, attribute="anchor.outdated")
    start = fields.Integer(required=True, allow_none=True, attribute="anchor.start")
    end = fields.Integer(required=True, allow_none=True, attribute="anchor.end")
    text = fields.Method("anchored_text", required=True, metadata={"type": "string", "nullable": True})
    edited = fields.Boolean(required=True)

    def anchored_text(self, thread: Any) -> str | None:
        return None if thread.anchor.outdated else thread.anchor.text


class CommentSchema(Schema):
    """A comment or reply (dumped from app.review.models.Comment)."""

    id = fields.Integer(required=True)
    letter_id = fields.Integer(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    author = Author(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    revision = fields.Integer(required=True, allow_none=True)
    start = fields.Integer(required=True, allow_none=True)
    end = fields.Integer(required=True, allow_none=True)
    quote = fields.String(required=True, allow_none=True)
    resolved = fields.Boolean(required=True, attribute="is_resolved")
    resolved_by = fields.Nested(AuthorSchema, required=True, allow_none=True)
    resolved_at = fields.DateTime(required=True, allow_none=True)


class ThreadSchema(CommentSchema):
    """A thread (dumped from app.review.comments.Thread): its first comment's fields, where its
    text is now, and the replies."""

    anchor = fields.Nested(AnchorSchema, required=True)
    replies = fields.List(fields.Nested(CommentSchema), required=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if attr == "anchor":
            return obj
        if attr == "replies":
            return obj.replies
        return super().get_attribute(obj.comment, attr, default)


class LockSchema(InputSchema):
    """The optional body of a lock: the revision the clerk saw, and a reason when no reviewer
    approved its text."""

    revision = WholeNumber(
        metadata={
            "description": "lock only this revision: 409 `stale` (nothing locked) if the letter has moved past it; "
            "default: the newest"
        }
    )
    reason = Text(
        min_length=1,
        max_length=MAX_REASON_LENGTH,
        pattern=NOT_BLANK,
        metadata={
            "description": "why the text is locked without a reviewer's approval of it (recorded with the lock "
            "and printed in the delivery packet); optional"
        },
    )
    require_translations = Flag(
        load_default=False,
        metadata={
            "description": "true: 409 `translation_not_approved` (nothing locked) when a translation's newest "
            "version is "
            "not approved; default false: such translations are left out of the lock (`translations_left_out`); "
            "the clerk may publish each later, once approved (`POST .../translations/{language}/publish`)"
        },
    )


class LockedSchema(Schema):
    """A lock (dumped from app.letters.events.LockResult)."""

    status = fields.Constant("locked", required=True, metadata={"enum": ["locked"]})
    revision = fields.Integer(required=True)
    content_hash = fields.String(required=True, metadata={"description": "lowercase hex SHA-256 of the UTF-8 text"})
    translations = fields.Function(
        lambda result: dict(result.translations),
        required=True,
        metadata={
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "the SHA-256 of each translation locked with the letter, by language",
            "example": {"es": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
        },
    )
    translations_left_out = fields.Function(
        lambda result: list(result.translations_left_out),
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "the languages of translations left out because no reviewer approved their newest version",
        },
    )
