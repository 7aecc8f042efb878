"""The data model. Importing this package registers every table."""

from app.models import locked_text_guard  # noqa: F401  (the locked-text database guard)
from app.models.api_token import ApiToken
from app.models.audit_entry import AuditEntry
from app.models.letter import Letter, LetterStatus, Revision
from app.models.official import Official, Role
from app.models.outgoing_mail import OutgoingMail
from app.models.review import (
    Approval,
    BlameSnapshot,
    Checkpoint,
    Comment,
    ReviewRequest,
    Suggestion,
    SuggestionStatus,
)
from app.models.sign_in_link import LinkPurpose, SignInLink
from app.models.signing import Endorsement, LogEntry, PaperBatch, PaperSignature, Signature, SignatureStatus

__all__ = [
    "ApiToken",
    "Approval",
    "AuditEntry",
    "BlameSnapshot",
    "Checkpoint",
    "Comment",
    "Endorsement",
    "Letter",
    "LetterStatus",
    "LinkPurpose",
    "LogEntry",
    "Official",
    "OutgoingMail",
    "PaperBatch",
    "PaperSignature",
    "ReviewRequest",
    "Revision",
    "Role",
    "SignInLink",
    "Signature",
    "SignatureStatus",
    "Suggestion",
    "SuggestionStatus",
]
