"""Marshmallow schemas for the JSON API (they also generate the OpenAPI description)."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class LetterCreateSchema(Schema):
    title = fields.String(required=True, metadata={"example": "Affirm our sanctuary city status"})
    text = fields.String(required=True, metadata={"example": "# To the Mayor\n\nWe, the undersigned..."})


class LetterCreatedSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["drafting"]})
    revision = fields.Integer(required=True)
    text = fields.String(required=True)


class LetterSchema(LetterCreatedSchema):
    status = fields.String(required=True, metadata={"enum": ["drafting", "locked"]})
    content_hash = fields.String(allow_none=True, required=True)
    endorsement_count = fields.Integer(required=True)
    signature_count = fields.Integer(required=True)


class AuthorSchema(Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String()


class LockedSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["locked"]})
    revision = fields.Integer(required=True)
    content_hash = fields.String(required=True, metadata={"description": "lowercase hex SHA-256 of the UTF-8 text"})


class EndorsementCreateSchema(Schema):
    title = fields.String(allow_none=True, metadata={"example": "Alder, Ward 26"})


class EndorsementSchema(Schema):
    id = fields.Integer(required=True)
    official = fields.Nested(AuthorSchema, required=True)
    title = fields.String(allow_none=True)
    content_hash = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class SignatureCreateSchema(Schema):
    name = fields.Raw(required=True, metadata={"type": "string", "example": "Ana Ruiz"})
    email = fields.Raw(required=True, metadata={"type": "string", "format": "email"})
    ward = fields.Raw(allow_none=True, metadata={"type": "string", "example": "Ward 7"})
    public = fields.Raw(load_default=False, metadata={"type": "boolean", "description": "show my name"})
    updates = fields.Raw(load_default=False, metadata={"type": "boolean", "description": "keep my email for updates"})


class StatusSchema(Schema):
    status = fields.String(required=True)


class ConfirmSchema(Schema):
    token = fields.Raw(required=True, metadata={"type": "string"})


class ConfirmedSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["confirmed"]})
    receipt_code = fields.String(
        allow_none=True, metadata={"description": "shown once, on first confirmation; null if confirmed before"}
    )


class LogEntrySchema(Schema):
    letter_id = fields.Integer()
    seq = fields.Integer()
    kind = fields.String(metadata={"enum": ["signature", "withdrawal", "paper_batch"]})
    commitment = fields.String()
    count = fields.Integer()
    recorded_on = fields.String()
    prev_hash = fields.String()
    hash = fields.String()


class SignatureLogSchema(Schema):
    letter_id = fields.Integer()
    content_hash = fields.String()
    entries = fields.List(fields.Nested(LogEntrySchema))
    head = fields.String()
