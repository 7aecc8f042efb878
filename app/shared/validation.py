"""Small input checks shared by services."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from app.shared.errors import InvalidInput


def normalise_email(value: object) -> str:
    """A syntactically valid email address, trimmed, domain lower-cased (no DNS look-up)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("An email address is required."), details={"field": "email"})
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(
            _("That email address is not valid: %(reason)s", reason=str(error)), details={"field": "email"}
        ) from error
    return result.normalized


def clean_text(value: object, field: str, *, min_length: int = 1, max_length: int = 200) -> str:
    """A trimmed single-line string within the given length."""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be a string.", field=field), details={"field": field})
    value = value.strip()
    if not min_length <= len(value) <= max_length:
        raise InvalidInput(
            _("%(field)s must be %(min)s to %(max)s characters long.", field=field, min=min_length, max=max_length),
            details={"field": field},
        )
    if any(ch in value for ch in "\r\n\x00"):
        raise InvalidInput(_("%(field)s must be one line.", field=field), details={"field": field})
    return value


def is_storable(value: object) -> bool:
    """Whether every string in `value` (nested lists and dicts included, keys too) is text a
    database can keep: no NUL character and no lone surrogate (\\ud800-\\udfff). Iterative, so
    that a deeply nested value is checked without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item or not _encodes(item):
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
