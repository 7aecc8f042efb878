"""Who may do what. Every service checks here before it acts."""

from __future__ import annotations

import enum

from flask_babel import gettext as _

from app.accounts.models import Official, Role
from app.shared.errors import Forbidden, Unauthorized


class Action(enum.StrEnum):
    CREATE_LETTER = "create_letter"
    READ_DRAFT = "read_draft"
    EDIT_DRAFT = "edit_draft"
    INVITE_OFFICIAL = "invite_official"
    LOCK_LETTER = "lock_letter"
    SUGGEST = "suggest"
    DECIDE_SUGGESTION = "decide_suggestion"
    APPROVE = "approve"
    COMMENT = "comment"
    ENDORSE = "endorse"
    EXPORT_SIGNATURES = "export_signatures"
    VIEW_AUDIT_LOG = "view_audit_log"
    NAME_CHECKPOINT = "name_checkpoint"
    REQUEST_REVIEW = "request_review"
    HIDE_SIGNER_NAME = "hide_signer_name"
    PUBLISH_RESPONSE = "publish_response"


ALL_ROLES = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.CREATE_LETTER: frozenset({Role.CLERK, Role.DRAFTER}),
    Action.READ_DRAFT: ALL_ROLES,
    Action.EDIT_DRAFT: frozenset({Role.DRAFTER}),
    Action.INVITE_OFFICIAL: frozenset({Role.CLERK}),
    Action.LOCK_LETTER: frozenset({Role.CLERK}),
    Action.SUGGEST: frozenset({Role.REVIEWER, Role.DRAFTER}),
    Action.DECIDE_SUGGESTION: frozenset({Role.DRAFTER}),
    Action.APPROVE: frozenset({Role.REVIEWER}),
    Action.COMMENT: ALL_ROLES,
    Action.ENDORSE: ALL_ROLES,
    Action.EXPORT_SIGNATURES: frozenset({Role.CLERK}),
    Action.VIEW_AUDIT_LOG: frozenset({Role.CLERK}),
    Action.NAME_CHECKPOINT: frozenset({Role.CLERK, Role.DRAFTER}),
    Action.REQUEST_REVIEW: frozenset({Role.CLERK, Role.DRAFTER}),
    Action.HIDE_SIGNER_NAME: frozenset({Role.CLERK}),
    Action.PUBLISH_RESPONSE: frozenset({Role.CLERK}),
}


def can(official: Official | None, action: Action) -> bool:
    """True if this (active) official's role allows the action."""
    if official is None or not official.active:
        return False
    return official.role_enum in PERMISSIONS[action]


def require_role(role: str, action: Action) -> None:
    """Raise Forbidden unless an active official of this role may take the action (for callers
    that read the role without loading the official)."""
    if Role(role) not in PERMISSIONS[action]:
        raise Forbidden(_("Your role does not allow this action (%(action)s).", action=action.value))


def require(official: Official | None, action: Action) -> Official:
    """Return the official if allowed; raise Unauthorized or Forbidden otherwise."""
    if official is None or not official.active:
        raise Unauthorized(_("Sign in first."))
    if not can(official, action):
        raise Forbidden(_("Your role does not allow this action (%(action)s).", action=action.value))
    return official
