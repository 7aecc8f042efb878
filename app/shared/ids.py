"""Whole numbers from clients (ids, revision numbers, offsets): they must fit the database's
integer columns. One check for every adapter: JSON, sockets, forms and query strings."""

from __future__ import annotations

from flask_babel import gettext as _

from app.shared.errors import InvalidInput

MAX_ID = 2**31 - 1


def is_whole_number(value: object) -> bool:
    """A JSON integer (not a boolean) from 0 to MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


def whole_number(value: object, field: str, *, from_text: bool = False) -> int:
    """`value` as a whole number, or 400 naming `field`. With `from_text`, the digits of a query
    string or form field are accepted too."""
    if from_text and isinstance(value, str):
        digits = value.strip()
        if digits.isdecimal() and len(digits) <= 10:
            value = int(digits)
    if not is_whole_number(value):
        raise InvalidInput(
            _("%(field)s must be a whole number from 0 to %(max)s.", field=field, max=MAX_ID), details={"field": field}
        )
    return value  # type: ignore[return-value]
