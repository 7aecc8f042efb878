"""Ward names in the reader's language. Wards are stored as configured (`WARDS`, e.g. "Ward 12").
A city may name them per language (`WARD_LABELS`, e.g. {"Ward 1": {"en": "Downtown", "es":
"Centro"}}); otherwise the numbered ones the default list makes are shown translated ("Distrito
12"), and any other name as the city spelled it."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

NUMBERED = re.compile(r"Ward (\d{1,4})")


def ward_label(ward: str | None) -> str:
    """The ward's name for the current language: the city's label in that language, else the
    translated "Ward N", else the city's label in the original language, else the ward as stored."""
    if not ward:
        return ""
    labels = current_app.config.get("WARD_LABELS", {}).get(ward, {})
    label = labels.get(str(get_locale()))
    if label:
        return label
    match = NUMBERED.fullmatch(ward)
    if match:
        return _("Ward %(number)s", number=match.group(1))
    return labels.get(current_app.config["BABEL_DEFAULT_LOCALE"]) or ward
