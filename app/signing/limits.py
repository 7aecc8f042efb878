"""One signing budget per client and letter, shared by the web form and the API."""

from __future__ import annotations

from flask import request

from app.extensions import limiter
from app.shared.rate_limits import client_key

SIGNING_LIMIT = "5 per minute; 30 per hour"


def per_client_and_letter() -> str:
    return f"{client_key()}|{(request.view_args or {}).get('letter_id')}"


# Applied to both POST /letters/<id>/sign and POST /api/v1/letters/<id>/signatures: one scope, one count.
signing_budget = limiter.shared_limit(SIGNING_LIMIT, scope="signing", key_func=per_client_and_letter, methods=["POST"])
