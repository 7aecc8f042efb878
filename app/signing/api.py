"""/api/v1: endorsements, signatures, confirmation and the public signature log."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import get_locale

from app.accounts.api_auth import api_official
from app.extensions import limiter
from app.letters import endorsements
from app.letters.loading import Need, load_letter
from app.shared.rate_limits import client_address
from app.signing import signature_log, signatures
from app.web.api.blueprint import blp
from app.web.api.schemas import (
    ConfirmedSchema,
    ConfirmSchema,
    EndorsementCreateSchema,
    EndorsementSchema,
    SignatureCreateSchema,
    SignatureLogSchema,
    StatusSchema,
)


def per_address_and_letter() -> str:
    return f"{client_address()}|{(request.view_args or {}).get('letter_id')}"


@blp.route("/letters/<int:letter_id>/endorsements")
class Endorsements(MethodView):
    @blp.arguments(EndorsementCreateSchema, required=False)
    @blp.response(201, EndorsementSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, payload: dict | None, letter_id: int):
        """Endorse a locked letter (any official, once). 409 for a second one, or while drafting."""
        endorsement = endorsements.endorse(api_official(), letter_id, (payload or {}).get("title"))
        return {
            "id": endorsement.id,
            "official": {"id": endorsement.official.id, "name": endorsement.official.name},
            "title": endorsement.title,
            "content_hash": endorsement.content_hash,
            "created_at": endorsement.created_at,
        }


@blp.route("/letters/<int:letter_id>/signatures")
class Signatures(MethodView):
    decorators = [limiter.limit("5 per minute; 30 per hour", key_func=per_address_and_letter, methods=["POST"])]

    @blp.arguments(SignatureCreateSchema)
    @blp.response(202, StatusSchema)
    def post(self, payload: dict, letter_id: int):
        """Co-sign a locked letter: one confirmation email is sent. 409 while drafting."""
        data = signatures.validate(
            payload.get("name"),
            payload.get("email"),
            payload.get("ward"),
            payload.get("public", False),
            payload.get("updates", False),
        )
        signatures.submit(letter_id, data, locale=str(get_locale()))
        return {"status": "pending"}


@blp.route("/signatures/confirm")
class Confirm(MethodView):
    decorators = [limiter.limit("30 per minute", methods=["POST"])]

    @blp.arguments(ConfirmSchema)
    @blp.response(200, ConfirmedSchema)
    def post(self, payload: dict):
        """Confirm a signature with the token from the confirmation email's link."""
        confirmation = signatures.confirm(payload.get("token"))
        return {"status": "confirmed", "receipt_code": confirmation.receipt_code}


@blp.route("/letters/<int:letter_id>/log")
class SignatureLog(MethodView):
    @blp.response(200, SignatureLogSchema)
    def get(self, letter_id: int):
        """The letter's append-only signature log (check it with `flask --app wsgi verify-log FILE`)."""
        return signature_log.published_log(load_letter(letter_id, need=Need.PUBLIC))
