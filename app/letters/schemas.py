"""Schemas of the letters API: creating and reading a letter."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.sync import MAX_TEXT_UNITS
from app.web.api.fields import InputSchema, OneLine, Text, WholeNumber
from app.web.api.schemas import Author


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


TRANSLATION_STATUSES = ["drafting", "locked", "left_out"]


class TranslationSchema(Schema):
    """A translation's newest version (dumped from app.letters.translation_models.LetterTranslation)."""

    language = fields.String(required=True, metadata={"example": "es"})
    title = fields.String(required=True)
    text = fields.String(required=True)
    revision = fields.Integer(required=True, metadata={"description": "1 for the first saved version"})
    status = fields.String(
        required=True,
        metadata={
            "enum": TRANSLATION_STATUSES,
            "description": "`locked`: locked with the letter, or published after it (see `locked_at`); "
            "`left_out`: not approved when the letter was locked, not published (it may still be "
            "approved and published by the clerk)",
        },
    )
    approved_revision = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the version a reviewer approved last"}
    )
    approved = fields.Boolean(required=True, metadata={"description": "a reviewer approved the newest version"})
    content_hash = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null until locked; lowercase hex SHA-256 of the UTF-8 text once locked"},
    )
    locked_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "when it was locked: with the letter, or later when the clerk published it"},
    )
    updated_at = fields.DateTime(required=True)


class TranslationSaveSchema(InputSchema):
    title = OneLine(required=True, metadata={"example": "Afirmar nuestro estatus de ciudad santuario"})
    text = Text(required=True, metadata={"example": "# Al alcalde\n\nNosotros, los abajo firmantes..."})
    base_revision = WholeNumber(
        required=True,
        metadata={
            "description": "the version the change was made on (0 for a new translation): 409 `stale` if "
            "someone saved since"
        },
    )


class TranslationRevisionSchema(Schema):
    """A saved version (dumped from app.letters.translation_models.TranslationRevision)."""

    revision = fields.Integer(required=True, attribute="number")
    title = fields.String(required=True)
    text = fields.String(required=True)
    author = Author(required=True)
    created_at = fields.DateTime(required=True)


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
    translations = fields.List(
        fields.Nested(TranslationSchema),
        required=True,
        metadata={"description": "every translation of a draft; once locked, only those locked with it"},
    )
