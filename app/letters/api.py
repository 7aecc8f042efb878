"""/api/v1/letters: create and read letters."""

from __future__ import annotations

from flask.views import MethodView

from app.accounts.api_auth import api_official
from app.letters import creation
from app.letters.counts import letter_counts
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.review import locking
from app.web.api.blueprint import blp
from app.web.api.schemas import LetterCreatedSchema, LetterCreateSchema, LetterSchema, LockedSchema


def letter_json(letter: Letter) -> dict:
    counts = letter_counts(letter)
    return {
        "id": letter.id,
        "title": letter.title,
        "status": letter.status,
        "revision": letter.revision,
        "text": letter.text,
        "content_hash": letter.content_hash,
        "endorsement_count": counts.endorsements,
        "signature_count": counts.signatures,
    }


@blp.route("/letters")
class LetterCollection(MethodView):
    @blp.arguments(LetterCreateSchema)
    @blp.response(201, LetterCreatedSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, payload: dict):
        """Create a letter (clerk, drafter). Its text is revision 0."""
        letter = creation.create_letter(api_official(), payload["title"], payload["text"])
        return letter_json(letter)


@blp.route("/letters/<int:letter_id>")
class LetterItem(MethodView):
    @blp.response(200, LetterSchema)
    def get(self, letter_id: int):
        """Read a letter: anyone for a locked letter, officials for a draft."""
        return letter_json(load_letter(letter_id, viewer=api_official(), need=Need.READ))


@blp.route("/letters/<int:letter_id>/lock")
class LetterLock(MethodView):
    @blp.response(200, LockedSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, letter_id: int):
        """Lock the newest revision for good (clerk). 409 if already locked."""
        result = locking.lock_letter(api_official(), letter_id)
        return {"status": "locked", "revision": result.revision, "content_hash": result.content_hash}
