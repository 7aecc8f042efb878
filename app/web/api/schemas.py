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
