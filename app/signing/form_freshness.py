"""When the signing form was last served to this browser, kept in its signed session cookie.

The minimum time to fill in the form (SIGNING_FORM_MIN_SECONDS) counts from the last time the
server served the letter's page to this browser: a render, or a revalidation answered 304 (the
page is `private, no-cache`, so every view asks the server). A time printed in the page would be
kept by a cached copy and let a stale form through at once; the session's time cannot go stale.

The time is kept in whole seconds, and the age counted from the end of that second (so a form
never looks older than it is): a page served again within the same second leaves the session, and
so the cookie, as it is, which keeps a revalidation cheap.
"""

from __future__ import annotations

import time

from flask import session

SESSION_KEY = "signing_form_served"
REMEMBERED_LETTERS = 8


def mark_served(letter_id: int) -> None:
    """The letter's form is being served to this browser now."""
    now = int(time.time())
    served = session.get(SESSION_KEY) or {}
    if isinstance(served, dict) and served.get(str(letter_id)) == now:
        return  # marked this second already
    served = {key: value for key, value in served.items() if key != str(letter_id)}
    served[str(letter_id)] = now
    while len(served) > REMEMBERED_LETTERS:
        served.pop(next(iter(served)))
    session[SESSION_KEY] = served


def seconds_since_served(letter_id: int) -> float | None:
    """How long ago the form was last served to this browser; None if it never was."""
    served = session.get(SESSION_KEY)
    at = served.get(str(letter_id)) if isinstance(served, dict) else None
    if not isinstance(at, int | float) or isinstance(at, bool):
        return None
    return max(0.0, time.time() - at - (1 if isinstance(at, int) else 0))
