"""/api/v1/letters/{id}/lock: the clerk locks the letter for good (see docs/api.md)."""

from __future__ import annotations

from flask.views import MethodView

from app.accounts.api_auth import api_official
from app.letters.events import LockResult
from app.review import locking
from app.review.schemas import LockedSchema
from app.web.api.blueprint import answers, blp


@blp.route("/letters/<int:letter_id>/lock")
class LetterLock(MethodView):
    @blp.response(200, LockedSchema)
    @answers(401, 403, 404, 409)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, letter_id: int) -> LockResult:
        """Lock the newest revision for good (clerk). 409 if already locked."""
        return locking.lock_letter(api_official(), letter_id)
