"""Dates on every page in one format per language: Babel's "medium" date and time of the
reader's locale ("Nov 28, 2026, 8:11:05 AM"; "28 nov 2026, 8:11:05"), ranges as two such dates,
and, where only the day matters, the same "medium" format's date ("Nov 28, 2026"). Templates use
the `when`, `when_range` and `day` filters; Python code the functions."""

from __future__ import annotations

from datetime import datetime

from babel.lists import format_list
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _

# The one named format of dates and times (Flask-Babel's, in the reader's locale and time zone).
DATE_FORMAT = "medium"


def when(value: datetime | None) -> str:
    """A date and time in the reader's language; "" for none."""
    return format_datetime(value, DATE_FORMAT) if value else ""


def day(value: datetime | None) -> str:
    """The day of a date and time, in the same named format; "" for none."""
    return format_date(value, DATE_FORMAT) if value else ""


def when_range(start: datetime | None, end: datetime | None) -> str:
    """From one date and time to another, both in the same format (one date when they are the same)."""
    if start is None or end is None or when(start) == when(end):
        return when(start or end)
    return _("%(start)s – %(end)s", start=when(start), end=when(end))


def names_list(names: list[str]) -> str:
    """Names joined as the reader's language joins them ("A, B and C"; "A, B y C")."""
    return format_list(list(names), locale=get_locale()) if names else ""
