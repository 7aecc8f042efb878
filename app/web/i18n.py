"""Language choice: `?lang=` on the URL (a link to a page in one language, e.g. a letter's
translation), else an explicit choice kept in the session, else the browser's."""

from __future__ import annotations

import functools

from flask import current_app, has_request_context, request, session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, background sender
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    header = request.headers.get("Accept-Language", "")
    return _best_match(header, tuple(languages)) or current_app.config["BABEL_DEFAULT_LOCALE"]


@functools.lru_cache(maxsize=512)
def _best_match(header: str, languages: tuple[str, ...]) -> str | None:
    """The browser's preferred language among ours; browsers send few distinct headers, so the
    parse is kept per header."""
    return parse_accept_header(header, LanguageAccept).best_match(languages) if header else None
