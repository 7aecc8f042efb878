"""/api/v1/letters: create and read letters."""

from __future__ import annotations

from flask.views import MethodView

from app.accounts.api_auth import api_official
from app.letters import creation
from app.letters.counts import CountedLetter, counted
from app.letters.loading import Need, load_letter
from app.letters.models import Letter
from app.letters.schemas import LetterCreatedSchema, LetterCreateSchema, LetterSchema
from app.web.api.blueprint import answers, blp


@blp.route("/letters")
class LetterCollection(MethodView):
    @blp.arguments(LetterCreateSchema)
    @blp.response(201, LetterCreatedSchema)
    @answers(400, 401, 403, 413, 415)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, payload: dict) -> Letter:
        """Create a letter (clerk, drafter). Its text is revision 0."""
        return creation.create_letter(api_official(), payload["title"], payload["text"])


@blp.route("/letters/<int:letter_id>")
class LetterItem(MethodView):
    @blp.response(200, LetterSchema)
    @answers(401, 404)
    def get(self, letter_id: int) -> CountedLetter:
        """Read a letter: anyone for a locked letter, officials for a draft (401 without a token)."""
        return counted(load_letter(letter_id, viewer=api_official(), need=Need.READ))
