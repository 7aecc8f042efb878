"""The /api/v1 blueprint; route modules attach to it. Its parser reads request bodies as the
contract says (JSON only), and `answers` documents the errors an operation gives."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Request, abort
from flask_babel import gettext as _
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from app.accounts.api_auth import load_api_official
from app.shared.validation import is_storable


class ContractParser(FlaskParser):
    """Invalid input is a 400 `bad_request` (see app/web/errors.py), and documented so. A body
    must be JSON (415 otherwise) that the parser can read (not nested hundreds of levels deep),
    whose strings are text: no NUL, no lone surrogate escape (400)."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            if req.get_data(cache=True):
                abort(415, _("Send the body as JSON, with Content-Type: application/json."))
            return core.missing
        try:
            body = core.parse_json(req.get_data(cache=True))
        except RecursionError:
            abort(400, _("The body is nested too deeply."))
        if not is_storable(body):
            abort(400, _("Text in the body may not contain NUL characters or lone surrogate escapes."))
        return body

    def _handle_invalid_json_error(self, error: Exception, req: Request, *args: Any, **kwargs: Any) -> Any:
        abort(400, _("The body is not valid JSON."))


class ContractBlueprint(Blueprint):
    ARGUMENTS_PARSER = ContractParser()


blp = ContractBlueprint("api_v1", __name__, url_prefix="/api/v1", description="Undersigned API, version 1")
blp.before_request(load_api_official)


def answers(*statuses: int) -> Callable[[Callable], Callable]:
    """Document the error statuses an operation answers, each in the contract's error format
    (the response components are registered by app/web/api/openapi.py)."""

    def decorate(view: Callable) -> Callable:
        for status in sorted(statuses, reverse=True):
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorate
