"""/api/v1/letters/{id}/lock: the clerk locks the letter for good (see docs/api.md)."""

from __future__ import annotations

from flask.views import MethodView

from app.accounts.api_auth import api_official
from app.letters.events import LockResult
from app.review import locking
from app.review.schemas import LockedSchema, LockSchema
from app.web.api.blueprint import answers, blp


@blp.route("/letters/<int:letter_id>/lock")
class LetterLock(MethodView):
    @blp.arguments(LockSchema, required=False)
    @blp.response(200, LockedSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, payload: dict, letter_id: int) -> LockResult:
        """Lock the text for good (clerk): the newest revision, or only the `revision` given.

        The body is optional: with none (or `{}`) the newest revision is locked. With `revision`, only
        that revision is: 409 `stale`, nothing locked, if the letter has moved past it (404 for a
        revision it does not have). 409 `conflict` if the letter is already locked. A text that no
        reviewer approved is locked all the same and recorded as locked without approval, with `reason`
        when given: the public page and the delivery packet say so.

        Every translation whose newest version a reviewer approved is locked with it (`translations`:
        each one's SHA-256 by language); the others are left out for good (`translations_left_out`),
        or, with `require_translations: true`, refuse the lock: 409 `translation_not_approved`."""
        return locking.lock_letter(
            api_official(),
            letter_id,
            payload.get("revision"),
            reason=payload.get("reason"),
            leave_out_unapproved_translations=not payload.get("require_translations", False),
        )
