"""Record privileged actions in the audit log (inside the caller's transaction)."""

from __future__ import annotations

from typing import Any

from app.accounts.models import Official
from app.audit.models import AuditEntry
from app.extensions import db


def record(actor: Official | None, action: str, subject: str | None = None, **details: Any) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject=subject,
        details=details,
    )
    db.session.add(entry)
    return entry
