"""The data model. Importing this package registers every table."""

from app.models.api_token import ApiToken
from app.models.audit_entry import AuditEntry
from app.models.letter import Letter, LetterStatus, Revision
from app.models.official import Official, Role
from app.models.outgoing_mail import OutgoingMail
from app.models.sign_in_link import LinkPurpose, SignInLink

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Letter",
    "LetterStatus",
    "LinkPurpose",
    "Official",
    "OutgoingMail",
    "Revision",
    "Role",
    "SignInLink",
]
