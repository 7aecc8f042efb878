"""The flask-smorest Api that generates /api/v1/openapi.json from the code: every error is
described as the contract's `{"error": {"code", "message", "details"?}}`, with the statuses each
operation really answers (flask-smorest's own `{code, status, message, errors}` is not used)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import fields

from app.web.api.fields import Ward
from app.web.api.schemas import ErrorSchema

ERRORS: dict[int, str] = {
    400: "The input is not valid (`bad_request`; `bad_patch` for a patch that cannot be read): nothing "
    "changed. `details.field` names the field when there is one. Text with NUL characters or lone "
    "surrogates, and JSON nested too deeply to read, are refused this way.",
    401: "No API token, or one that is not valid (`unauthorized`).",
    403: "The official's role may not do this (`forbidden`).",
    404: "No such letter, revision, suggestion, comment or checkpoint, or a draft asked for publicly (`not_found`).",
    409: "Refused in the letter's present state (`conflict`, `locked`): nothing changed.",
    413: "Too large (`too_large`): a body over 1 MiB, a letter over 200,000 UTF-16 code units, or a "
    "patch over its limit.",
    415: "The body is not JSON (`unsupported_media_type`): send `Content-Type: application/json`.",
    429: "Too many requests (`rate_limited`): from this address, or (review requests) from this official "
    "or for this letter; `Retry-After` says when to try again.",
    500: "A fault of the server (`server_error`), never an answer to the input; the request was not completed.",
}

API_DESCRIPTION = (
    "Undersigned's public API, version 1. See docs/api.md.\n\n"
    'Every error is JSON, `{"error": {"code": "...", "message": "...", "details": {...}}}` '
    "(`details` only where it helps), with the status each operation lists. A method a path does not "
    "have is answered 405 (`method_not_allowed`) with an `Allow` header."
)


class ContractApi(Api):
    """An Api whose errors follow the contract's JSON format (see app/web/errors.py)."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # no catch-all: each operation lists its statuses

    def _register_error_handlers(self) -> None:
        # Error handling is app-wide and lives in app/web/errors.py.
        return None

    def _register_responses(self) -> None:
        for status, description in ERRORS.items():
            response: dict[str, Any] = {"description": description, "schema": self.ERROR_SCHEMA}
            prepare_response(response, self.spec, self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(HTTPStatus(status).name, response, lazy=True)

    def _register_etag_headers(self) -> None:
        return None  # no ETags in this API

    def _register_pagination_header(self) -> None:
        return None  # no pagination in this API


BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "An official's API token."}


def make_api(app: Flask) -> ContractApi:
    """An Api bound to `app`, describing the wards `app` is configured with."""
    api = ContractApi(app, spec_kwargs={"info": {"description": API_DESCRIPTION}})
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    wards = list(app.config["WARDS"])

    def ward_choices(converter: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
        if isinstance(field, Ward):
            return {"type": "string", "enum": [None, "", *wards], "nullable": True}
        return {}

    api.ma_plugin.converter.add_attribute_function(ward_choices)
    return api
