"""Marshmallow schemas of the JSON API: the error format, authors, letters and signing. Output
schemas dump the models and dataclasses the services return, so the JSON is the one the OpenAPI
description shows; input schemas check what they document (see app/web/api/fields.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from marshmallow import Schema, fields

from app.sync import MAX_TEXT_UNITS
from app.web.api.fields import Email, Flag, InputSchema, OneLine, Text, Ward

ERROR_CODES = (
    "bad_request",
    "bad_patch",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "locked",
    "too_large",
    "unsupported_media_type",
    "rate_limited",
    "server_error",
)


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "one of: " + ", ".join(ERROR_CODES)})
    message = fields.String(required=True, metadata={"description": "for people, in the request's language"})
    details = fields.Dict(
        metadata={"description": "where it helps: `field` (the field concerned), `fields` (each field's problems)"}
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# -- officials --------------------------------------------------------------------------------


class AuthorSchema(Schema):
    id = fields.Integer(required=True, allow_none=True, metadata={"description": "null for a removed account"})
    name = fields.String(required=True)


REMOVED_ACCOUNT = SimpleNamespace(id=None, name="—")


class Author(fields.Nested):
    """An official as `{id, name}`, from an Official, a `{id, name}` dict, or a method returning
    one; a removed account (None) is `{id: null, name: "—"}` unless the field allows null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(AuthorSchema, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if callable(value):
            value = value()
        if value is None and not self.allow_none:
            value = REMOVED_ACCOUNT
        return super()._serialize(value, attr, obj, **kwargs)


# -- letters ----------------------------------------------------------------------------------


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


class LockedSchema(Schema):
    """A lock (dumped from app.letters.events.LockResult)."""

    status = fields.Constant("locked", required=True, metadata={"enum": ["locked"]})
    revision = fields.Integer(required=True)
    content_hash = fields.String(required=True, metadata={"description": "lowercase hex SHA-256 of the UTF-8 text"})


# -- endorsements and signatures --------------------------------------------------------------


class EndorsementCreateSchema(InputSchema):
    title = Text(
        max_length=200,
        allow_none=True,
        pattern=r"^$|\S",
        metadata={"example": "Alder, Ward 26", "description": "one line; empty or null for none"},
    )


class EndorsementSchema(Schema):
    id = fields.Integer(required=True)
    official = Author(required=True)
    title = fields.String(required=True, allow_none=True)
    content_hash = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class SignatureCreateSchema(InputSchema):
    name = OneLine(required=True, metadata={"example": "Ana Ruiz"})
    email = Email(required=True, metadata={"example": "ana@example.org"})
    ward = Ward(allow_none=True, metadata={"description": "one of the city's wards; empty or null for none"})
    public = Flag(load_default=False, metadata={"description": "show my name"})
    updates = Flag(load_default=False, metadata={"description": "keep my email for updates"})


class StatusSchema(Schema):
    status = fields.String(required=True)


class PendingSchema(Schema):
    status = fields.Constant("pending", required=True, metadata={"enum": ["pending"]})


class ConfirmSchema(InputSchema):
    token = Text(
        required=True,
        min_length=10,
        max_length=200,
        metadata={"description": "the last path segment of the link in the confirmation email"},
    )


class ConfirmedSchema(Schema):
    """A confirmation (dumped from app.signing.signatures.Confirmation)."""

    status = fields.Constant("confirmed", required=True, metadata={"enum": ["confirmed"]})
    receipt_code = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "shown once, on first confirmation; null if confirmed before"},
    )


class LogEntrySchema(Schema):
    """One entry of the signature log (dumped from a LogEntry). The hash covers every field but
    `hash` itself, as app.signing.signature_log.entry_hash computes it."""

    letter_id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["signature", "withdrawal", "paper_batch"]})
    commitment = fields.String(required=True)
    count = fields.Integer(required=True)
    recorded_on = fields.String(required=True, metadata={"format": "date"})
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True, attribute="entry_hash")


class SignatureLogSchema(Schema):
    """A letter's published signature log (dumped from app.signing.signature_log.PublishedLog)."""

    letter_id = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    entries = fields.List(fields.Nested(LogEntrySchema), required=True)
    head = fields.String(required=True, metadata={"description": "the last entry's hash (the content hash if none)"})
