"""Marshmallow schemas every part of the JSON API shares: the error format and authors (each
feature keeps its own schemas beside its API module). Output schemas dump the models and
dataclasses the services return, so the JSON is the one the OpenAPI description shows; input
schemas check what they document (see app/web/api/fields.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from marshmallow import Schema, fields

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
