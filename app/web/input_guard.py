"""Text no database can keep is refused before any page or API call sees it: a NUL character (or
a lone surrogate) in the path, the query string or a form field is a 400, never a 500.

Werkzeug never hands the app a lone surrogate from these: percent-encoded bytes that are not
UTF-8 (a surrogate's `%ED%A0%80`, say) stay the escape text in form fields and the query, and
become U+FFFD in the path. So only NUL can arrive this way, but both are checked. JSON bodies
are checked by the API's parser (app/web/api/blueprint.py)."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _

from app.shared.errors import InvalidInput
from app.shared.validation import is_storable
from app.web.errors import wants_json

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_unstorable_input() -> None:
    """Before each request: the path, the query and the form fields must be storable text."""
    if not is_storable([request.path, *request.args.items(multi=True)]):
        raise InvalidInput(_("The address may not contain NUL characters."))
    if wants_json() or request.mimetype not in FORM_TYPES:
        return  # the API reads JSON bodies only (its parser checks them; a form there is a 415)
    form = request.form.items(multi=True)
    if not is_storable(list(form)):
        raise InvalidInput(_("What you sent may not contain NUL characters. Remove them and try again."))


def register_input_guard(app: Flask) -> None:
    app.before_request(refuse_unstorable_input)
