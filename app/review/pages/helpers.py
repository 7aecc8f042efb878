"""What the review pages share: the letter for the page, revision arguments, safe return
paths, form errors and labels."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask_babel import gettext as _

from app.accounts.current import current_official
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.review import history
from app.shared.ids import whole_number
from app.web.redirects import safe_next


def letter_for_page(letter_id: int) -> Letter:
    return load_letter(letter_id, viewer=current_official(), need=Need.DRAFT)


def revision_arg(letter: Letter, name: str = "revision") -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return letter.revision
    return history.require_revision(letter, whole_number(raw, name, from_text=True))


def next_url(letter_id: int) -> str:
    """Where a review form returns to: its `next` field if that is a path on this site."""
    return safe_next(request.form.get("next"), url_for("review.overview", letter_id=letter_id))


def flash_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def kind_label(kind: str) -> str:
    labels = {
        "suggestion": _("accepted suggestion"),
        "restore": _("restored an earlier revision"),
        "created": _("the letter as created"),
    }
    return f"· {labels[kind]}" if kind in labels else ""


def form_number(value: str | None) -> Any:
    """A form value as an int when it is all digits; otherwise as given (the services answer 400
    for anything that is not a whole number)."""
    if value is None or value == "":
        return None
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) <= 10 else value
