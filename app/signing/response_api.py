"""/api/v1: what came of a letter. Anyone reads the published responses; the clerk drafts, edits
(until sent) and sends them."""

from __future__ import annotations

from flask.views import MethodView

from app.accounts.api_auth import api_official
from app.letters.loading import Need, load_letter
from app.signing import responses
from app.signing.models import LetterResponse
from app.signing.schemas import ResponseInputSchema, ResponseSchema
from app.web.api.blueprint import answers, blp

CLERK_ONLY = [{"bearerAuth": []}]


@blp.route("/letters/<int:letter_id>/responses")
class LetterResponses(MethodView):
    @blp.response(200, ResponseSchema(many=True))
    @answers(401, 404)
    def get(self, letter_id: int) -> list[LetterResponse]:
        """The letter's published responses, newest first (drafts are not listed). 404 for a letter
        that is not locked."""
        return responses.published(load_letter(letter_id, need=Need.PUBLIC).id)

    @blp.arguments(ResponseInputSchema)
    @blp.response(201, ResponseSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=CLERK_ONLY)
    def post(self, payload: dict, letter_id: int) -> LetterResponse:
        """Draft a response to a locked letter (clerk). Nothing is published or mailed until it is sent."""
        return responses.create(api_official(), letter_id, responses.validate(payload["source"], payload["text"]))


@blp.route("/responses/<int:response_id>")
class LetterResponseItem(MethodView):
    @blp.response(200, ResponseSchema)
    @answers(401, 403, 404)
    @blp.doc(security=CLERK_ONLY)
    def get(self, response_id: int) -> LetterResponse:
        """A response, draft or sent (clerk)."""
        return responses.get(api_official(), response_id)

    @blp.arguments(ResponseInputSchema)
    @blp.response(200, ResponseSchema)
    @answers(400, 401, 403, 404, 409, 413, 415)
    @blp.doc(security=CLERK_ONLY)
    def put(self, payload: dict, response_id: int) -> LetterResponse:
        """Replace a draft's source and text (clerk). 409 once it is sent: a sent response never changes."""
        return responses.edit(api_official(), response_id, responses.validate(payload["source"], payload["text"]))


@blp.route("/responses/<int:response_id>/send")
class SendLetterResponse(MethodView):
    @blp.response(200, ResponseSchema)
    @answers(401, 403, 404, 409)
    @blp.doc(security=CLERK_ONLY)
    def post(self, response_id: int) -> LetterResponse:
        """Publish the response on the letter's page and email it, once, to the signers who asked for
        updates (clerk). 409 if it was sent already."""
        return responses.send(api_official(), response_id)
