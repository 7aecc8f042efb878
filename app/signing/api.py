"""/api/v1: endorsements, signatures, confirmation and the public signature log."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import get_locale

from app.accounts.api_auth import api_official
from app.extensions import limiter
from app.letters import endorsements
from app.letters.loading import Need, load_letter
from app.letters.models import Endorsement
from app.signing import public_state, signature_log, signatures, submissions
from app.signing.limits import signing_budget
from app.signing.schemas import (
    ConfirmedSchema,
    ConfirmSchema,
    EndorsementCreateSchema,
    EndorsementSchema,
    PendingSchema,
    SignatureCreateSchema,
    SignatureLogSchema,
)
from app.web.api.blueprint import answers, blp


@blp.route("/letters/<int:letter_id>/endorsements")
class Endorsements(MethodView):
    @blp.arguments(EndorsementCreateSchema, required=False)
    @blp.response(201, EndorsementSchema)
    @answers(400, 401, 404, 409, 413, 415)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, payload: dict | None, letter_id: int) -> Endorsement:
        """Endorse a locked letter (any official, once). 409 for a second one, or while drafting."""
        endorsement = endorsements.endorse(api_official(), letter_id, (payload or {}).get("title"))
        public_state.changed(letter_id)
        return endorsement


@blp.route("/letters/<int:letter_id>/signatures")
class Signatures(MethodView):
    decorators = [signing_budget]

    @blp.arguments(SignatureCreateSchema())  # one instance: not built again for every request
    @blp.response(202, PendingSchema)
    @answers(400, 401, 404, 409, 413, 415, 429)
    def post(self, payload: dict, letter_id: int) -> dict:
        """Co-sign a locked letter: a confirmation email with its own link follows. 409 while drafting.

        The answer is the same whether the address is new, has a link waiting or has signed already
        (no mail then). At most 5 a minute and 30 an hour from one network address for one letter,
        counted together with the web form (429)."""
        data = signatures.validate(
            payload["name"],
            payload["email"],  # normalised by the schema's Email field
            payload.get("ward"),
            payload["public"],
            payload["updates"],
            email_checked=True,
        )
        submissions.submit(letter_id, data, locale=str(get_locale()))
        return {}


@blp.route("/signatures/confirm")
class Confirm(MethodView):
    decorators = [limiter.limit("30 per minute", methods=["POST"])]

    @blp.arguments(ConfirmSchema())  # one instance: not built again for every request
    @blp.response(200, ConfirmedSchema)
    @answers(400, 401, 404, 409, 413, 415, 429)
    def post(self, payload: dict) -> signatures.Confirmation:
        """Confirm a signature with the token from the confirmation email's link. 404 for an unknown
        token, 409 for a withdrawn signature. At most 30 a minute from one address (429)."""
        return signatures.confirm(payload["token"])


@blp.route("/letters/<int:letter_id>/log")
class SignatureLog(MethodView):
    @blp.response(200, SignatureLogSchema)
    @answers(401, 404)
    def get(self, letter_id: int) -> signature_log.PublishedLog:
        """The letter's append-only signature log (check it with `flask --app wsgi verify-log FILE`).
        404 for a letter that is not locked."""
        return signature_log.published_log(load_letter(letter_id, need=Need.PUBLIC))
