"""Ward names in the reader's language. Wards are stored as configured (`WARDS`, e.g. "Ward 12");
the numbered ones the default list makes are shown translated ("Distrito 12"), any other name as
the city spelled it."""

from __future__ import annotations

import re

from flask_babel import gettext as _

NUMBERED = re.compile(r"Ward (\d{1,4})")


def ward_label(ward: str | None) -> str:
    if not ward:
        return ""
    match = NUMBERED.fullmatch(ward)
    return _("Ward %(number)s", number=match.group(1)) if match else ward
