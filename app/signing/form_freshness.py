"""When the signing form was last served to this browser, kept in a small signed cookie of its own.

The minimum time to fill in the form (SIGNING_FORM_MIN_SECONDS) counts from the last time the
server served the letter's page to this browser: a render, or a revalidation answered 304 (the
page is `private, no-cache`, so every view asks the server). A time printed in the page would be
kept by a cached copy and let a stale form through at once; a time the server sets cannot go stale.

The times (whole seconds, for the last few letters) live in their own cookie, signed with the
app's secret key, not in the session: a revalidation then rewrites a few dozen bytes and one
HMAC, and leaves the session cookie as it is. The age is counted from the end of the second
recorded (a form never looks older than it is); a page served again within the same second sets
no cookie at all.
"""

from __future__ import annotations

import time

from flask import current_app, g, request
from itsdangerous import BadSignature, Signer
from werkzeug.wrappers import Response

COOKIE_NAME = "signing_served"
REMEMBERED_LETTERS = 8


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="signing-form-served", sep="~")


def _read() -> dict[str, int]:
    """The times in this browser's cookie, oldest first; nothing if it is absent or tampered with."""
    try:
        payload = _signer().unsign(request.cookies.get(COOKIE_NAME, "")).decode()
    except BadSignature:
        return {}
    served: dict[str, int] = {}
    for item in payload.split("-"):
        letter, _, at = item.partition(".")
        if letter.isdigit() and at.isdigit():
            served[letter] = int(at)
    return served


def mark_served(letter_id: int) -> None:
    """The letter's form is being served to this browser now (the cookie goes out with
    `attach_served_cookie`)."""
    now = int(time.time())
    served = _read()
    if served.get(str(letter_id)) == now:
        return  # marked this second already
    served.pop(str(letter_id), None)
    served[str(letter_id)] = now
    while len(served) > REMEMBERED_LETTERS:
        served.pop(next(iter(served)))
    payload = "-".join(f"{letter}.{at}" for letter, at in served.items())
    g.signing_served_cookie = _signer().sign(payload).decode()


def attach_served_cookie(response: Response) -> Response:
    """Set the cookie `mark_served` prepared, if it did (with the session cookie's flags)."""
    value = g.pop("signing_served_cookie", None)
    if value is not None:
        config = current_app.config
        response.set_cookie(
            COOKIE_NAME,
            value,
            path="/letters",
            httponly=True,
            secure=bool(config.get("SESSION_COOKIE_SECURE")),
            samesite=config.get("SESSION_COOKIE_SAMESITE") or "Lax",
        )
    return response


def seconds_since_served(letter_id: int) -> float | None:
    """How long ago the form was last served to this browser; None if it never was."""
    at = _read().get(str(letter_id))
    if at is None:
        return None
    return max(0.0, time.time() - at - 1)
