"""Error responses: the contract's JSON on /api, friendly pages elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.shared.errors import ServiceError

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "bad_request",
    429: "rate_limited",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, details: dict | None = None) -> Response:
    body: dict = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, message=message), status


def _page_title(status: int) -> str:
    return {
        400: _("That request could not be understood"),
        401: _("Please sign in"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("That action is not allowed here"),
        409: _("That could not be done right now"),
        413: _("That was too large"),
        429: _("Too many requests"),
    }.get(status, _("Something went wrong"))


def handle_service_error(error: ServiceError):
    db.session.rollback()
    retry_after = error.details.get("retry_after") if error.status == 429 else None
    if wants_json():
        response = json_error(error.status, error.code, error.message, error.details)
    else:
        response = make_response(_page(error.status, _page_title(error.status), error.message))
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if wants_json():
        message = error.description or "Request failed."
        details = None
        data = getattr(error, "data", None)
        if isinstance(data, dict) and "messages" in data:  # the API schemas refused the input
            status = 400
            message, details = validation_problem(data["messages"])
        elif status == 429:
            message = _("Too many requests; try again later.")
        response = json_error(status, HTTP_CODES.get(status, "error"), message, details)
        # Keep what the exception says in its headers (405: Allow; 429: Retry-After), not its HTML type.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    if status == 429:
        return _page(429, _page_title(429), _("You have made too many requests. Please wait a little and try again."))
    if isinstance(error, CSRFError):
        return _page(400, _("This form has expired"), _("Please go back, reload the page and try again."))
    return _page(status, _page_title(status), _error_message(status))


def validation_problem(messages: dict) -> tuple[str, dict]:
    """The message and details of an answer to input the API's schemas refused: the first problem
    as the message, the field it concerns, and every field's problems (`{location: {field: [...]}}`)."""
    field = None
    problem = _("The request could not be understood.")
    for found in messages.values():
        if isinstance(found, dict) and found:
            name, problems = next(iter(found.items()))
            first = problems[0] if isinstance(problems, list) and problems else problems
            if name != "_schema":  # the body as a whole
                field = name
            problem = str(first) if isinstance(first, str) else _("%(field)s is not valid.", field=name)
            break
        if isinstance(found, list) and found:
            problem = str(found[0])
            break
    details: dict = {"fields": messages}
    if field is not None:
        details["field"] = field
    return problem, details


def _error_message(status: int) -> str:
    return {
        401: _("Sign in to continue."),
        403: _("Your role does not allow this. Ask the city clerk if you think it should."),
        404: _("We could not find what you were looking for."),
        413: _("What you sent was too large."),
    }.get(status, _("Please go back and try again."))


def handle_unexpected(error: Exception):
    log.exception("unhandled error", exc_info=error)
    db.session.rollback()
    if wants_json():
        return json_error(500, "server_error", "The server failed; the request was not completed.")
    return _page(500, _("Something went wrong"), _("The server could not complete your request. Please try again."))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
