"""Marshmallow schemas of the review calls (history, diff, blame, suggestions, approvals, checkpoints,
comments). Input fields are mostly `Raw`: the services check them and answer 400 with the field."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from app.web.api.schemas import AuthorSchema


class RevisionSchema(Schema):
    revision = fields.Integer(required=True)
    author = fields.Nested(AuthorSchema, required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    edit_id = fields.String(required=True)


class RevisionTextSchema(Schema):
    revision = fields.Integer(required=True)
    text = fields.String(required=True)


class DiffQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    first = fields.Raw(
        data_key="from", required=True, metadata={"type": "integer", "minimum": 0, "description": "revision a"}
    )
    second = fields.Raw(
        data_key="to", required=True, metadata={"type": "integer", "minimum": 0, "description": "revision b"}
    )


class DiffSchema(Schema):
    first = fields.Integer(data_key="from", attribute="from", required=True)
    second = fields.Integer(data_key="to", attribute="to", required=True)
    diffs = fields.List(
        fields.List(fields.Raw()),
        required=True,
        metadata={
            "description": "diff-match-patch tuples [op, text]: op -1 deleted, 0 kept, 1 inserted",
            "example": [[0, "We ask the city to "], [-1, "affirm"], [1, "reaffirm"], [0, " its status."]],
        },
    )


class BlameQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    revision = fields.Raw(metadata={"type": "integer", "minimum": 0, "description": "default: the newest"})


class BlameRunSchema(Schema):
    text = fields.String(required=True)
    revision = fields.Integer(required=True)
    author = fields.Nested(AuthorSchema, required=True)


class SuggestionCreateSchema(Schema):
    base_revision = fields.Raw(required=True, metadata={"type": "integer", "minimum": 0})
    patch = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "description": "diff-match-patch patch text (UTF-16 offsets), made on base_revision",
        },
    )
    note = fields.Raw(load_default="", metadata={"type": "string", "maxLength": 2000})


class SuggestionCreatedSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["open"]})


class SuggestionSchema(Schema):
    id = fields.Integer(required=True)
    letter_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "accepted", "rejected", "withdrawn"]})
    base_revision = fields.Integer(required=True)
    patch = fields.String(required=True)
    note = fields.String(required=True)
    author = fields.Nested(AuthorSchema, required=True)
    created_at = fields.String(required=True)
    revision = fields.Integer(allow_none=True, metadata={"description": "the revision an accepted suggestion made"})
    decided_by = fields.Nested(AuthorSchema, allow_none=True)
    decided_at = fields.String(allow_none=True)
    problem = fields.String(allow_none=True, metadata={"description": "why it could not be accepted last time"})


class SuggestionAcceptedSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["accepted"]})
    revision = fields.Integer(required=True)


class SuggestionStatusSchema(Schema):
    status = fields.String(required=True)


class ApprovalCreateSchema(Schema):
    revision = fields.Raw(required=True, metadata={"type": "integer", "minimum": 0})


class ApprovalSchema(Schema):
    id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    reviewer = fields.Nested(AuthorSchema, required=True)
    created_at = fields.String(required=True)


class ApprovalsSchema(Schema):
    approved_revision = fields.Integer(allow_none=True)
    newest_revision = fields.Integer(required=True)
    newest_differs = fields.Boolean(required=True)
    approvals = fields.List(fields.Nested(ApprovalSchema), required=True)


class CheckpointCreateSchema(Schema):
    revision = fields.Raw(required=True, metadata={"type": "integer", "minimum": 0})
    name = fields.Raw(required=True, metadata={"type": "string", "example": "Draft sent to the mayor's office"})


class CheckpointSchema(Schema):
    id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    name = fields.String(required=True)
    created_by = fields.Nested(AuthorSchema, required=True)
    created_at = fields.String(required=True)


class ReviewRequestCreateSchema(Schema):
    checkpoint_id = fields.Raw(required=True, metadata={"type": "integer"})
    message = fields.Raw(load_default="", metadata={"type": "string", "maxLength": 2000})


class ReviewRequestSchema(Schema):
    id = fields.Integer(required=True)
    checkpoint = fields.Nested(CheckpointSchema, required=True)
    recipients = fields.Integer(required=True, metadata={"description": "reviewers emailed"})


class RestoreSchema(Schema):
    revision = fields.Raw(required=True, metadata={"type": "integer", "minimum": 0})
    edit_id = fields.Raw(
        metadata={"type": "string", "description": "optional, 'restore-...': sending it again never restores twice"}
    )


class RestoredSchema(Schema):
    revision = fields.Integer(required=True, metadata={"description": "the new revision"})
    restored = fields.Integer(required=True, metadata={"description": "the revision whose text it restored"})
    edit_id = fields.String(required=True)


class CommentCreateSchema(Schema):
    body = fields.Raw(required=True, metadata={"type": "string", "maxLength": 5000})
    revision = fields.Raw(metadata={"type": "integer", "description": "default: the newest"})
    start = fields.Raw(required=True, metadata={"type": "integer", "description": "character offset (code points)"})
    end = fields.Raw(required=True, metadata={"type": "integer", "description": "character offset, exclusive"})


class ReplyCreateSchema(Schema):
    body = fields.Raw(required=True, metadata={"type": "string", "maxLength": 5000})


class ResolveSchema(Schema):
    resolved = fields.Raw(load_default=True, metadata={"type": "boolean"})


class AnchorSchema(Schema):
    revision = fields.Integer(allow_none=True)
    outdated = fields.Boolean(required=True)
    start = fields.Integer(allow_none=True)
    end = fields.Integer(allow_none=True)
    text = fields.String(allow_none=True)
    edited = fields.Boolean()


class CommentSchema(Schema):
    id = fields.Integer(required=True)
    letter_id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True)
    author = fields.Nested(AuthorSchema, required=True)
    body = fields.String(required=True)
    created_at = fields.String(required=True)
    revision = fields.Integer(allow_none=True)
    start = fields.Integer(allow_none=True)
    end = fields.Integer(allow_none=True)
    quote = fields.String(allow_none=True)
    resolved = fields.Boolean()
    resolved_by = fields.Nested(AuthorSchema, allow_none=True)
    resolved_at = fields.String(allow_none=True)


class ThreadSchema(CommentSchema):
    anchor = fields.Nested(AnchorSchema)
    replies = fields.List(fields.Nested(CommentSchema))
