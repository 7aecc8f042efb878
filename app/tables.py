"""Importing this module registers every table with SQLAlchemy (for Alembic and `create_all`)."""

from app.accounts import models as accounts_models  # noqa: F401
from app.audit import models as audit_models  # noqa: F401
from app.letters import (
    locked_text_guard,  # noqa: F401  (the locked-text database guard)
    locked_translation_guard,  # noqa: F401  (the same guard for translations)
    translation_models,  # noqa: F401
)
from app.letters import models as letters_models  # noqa: F401
from app.mail import models as mail_models  # noqa: F401
from app.review import models as review_models  # noqa: F401
from app.signing import models as signing_models  # noqa: F401
