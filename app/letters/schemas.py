"""Schemas of the letters API: creating and reading a letter."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.sync import MAX_TEXT_UNITS
from app.web.api.fields import InputSchema, OneLine, Text


class LetterCreateSchema(InputSchema):
    title = OneLine(required=True, metadata={"example": "Affirm our sanctuary city status"})
    text = Text(
        required=True,
        metadata={
            "example": "# To the Mayor\n\nWe, the undersigned...",
            "description": f"at most {MAX_TEXT_UNITS:,} UTF-16 code units (413 `too_large` beyond); "
            "line endings become \\n",
        },
    )


LETTER_STATUSES = ["drafting", "locked"]


class LetterCreatedSchema(Schema):
    """A new letter (dumped from a Letter)."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["drafting"]})
    revision = fields.Integer(required=True, metadata={"enum": [0]})
    text = fields.String(required=True)


class LetterSchema(Schema):
    """A letter with its counts (dumped from app.letters.counts.CountedLetter)."""

    id = fields.Integer(required=True, attribute="letter.id")
    title = fields.String(required=True, attribute="letter.title")
    status = fields.String(required=True, attribute="letter.status", metadata={"enum": LETTER_STATUSES})
    revision = fields.Integer(required=True, attribute="letter.revision")
    text = fields.String(required=True, attribute="letter.text")
    content_hash = fields.String(
        required=True,
        allow_none=True,
        attribute="letter.content_hash",
        metadata={"description": "null while drafting; lowercase hex SHA-256 of the UTF-8 text once locked"},
    )
    endorsement_count = fields.Integer(required=True, attribute="counts.endorsements")
    signature_count = fields.Integer(
        required=True, attribute="counts.signatures", metadata={"description": "confirmed online plus paper"}
    )
