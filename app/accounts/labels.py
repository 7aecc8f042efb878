"""Translated labels for values stored in English (roles, statuses)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "clerk": _l("city clerk"),
    "drafter": _l("drafter (alder)"),
    "reviewer": _l("reviewer (mayor's office)"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
