"""Schemas of the signing API: endorsements, signatures, confirmation and the published log."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.web.api.fields import Email, Flag, InputSchema, OneLine, Text, Ward
from app.web.api.schemas import Author


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
    `hash` itself (`versions` only when it is not null), as app.signing.signature_log.entry_hash
    computes it."""

    letter_id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["signature", "withdrawal", "paper_batch"]})
    commitment = fields.String(required=True)
    count = fields.Integer(required=True)
    recorded_on = fields.String(required=True, metadata={"format": "date"})
    prev_hash = fields.String(required=True)
    versions = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        allow_none=True,
        metadata={
            "description": 'a signature\'s version hashes, e.g. {"original": "…", "es": "…"}: the SHA-256 of '
            "every locked version of the letter when it was signed; null on other entries and on "
            "entries logged before version hashes were (their hash does not cover it)"
        },
    )
    hash = fields.String(required=True, attribute="entry_hash")


class SignatureLogSchema(Schema):
    """A letter's published signature log (dumped from app.signing.signature_log.PublishedLog)."""

    letter_id = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    entries = fields.List(fields.Nested(LogEntrySchema), required=True)
    head = fields.String(required=True, metadata={"description": "the last entry's hash (the content hash if none)"})


class ResponseInputSchema(InputSchema):
    source = OneLine(max_length=200, required=True, metadata={"example": "Mayor Rivera"})
    text = Text(
        required=True,
        min_length=1,
        max_length=20_000,
        pattern=r"\S",
        metadata={"example": "The branch will open on Sundays from May.", "description": "Markdown"},
    )


class ResponseSchema(Schema):
    """A response to a letter (dumped from app.signing.models.LetterResponse)."""

    id = fields.Integer(required=True)
    letter_id = fields.Integer(required=True)
    source = fields.String(required=True)
    text = fields.String(required=True)
    status = fields.Function(
        lambda response: "sent" if response.sent_at else "draft", required=True, metadata={"enum": ["draft", "sent"]}
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(required=True, allow_none=True)
    emailed = fields.Integer(required=True, attribute="mailed_count", metadata={"description": "emails queued so far"})
