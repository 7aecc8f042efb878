"""The /api/v1 blueprint; route modules attach to it."""

from __future__ import annotations

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from app.accounts.api_auth import load_api_official
from app.web.api.schemas import ErrorSchema


class ContractParser(FlaskParser):
    """Invalid input is a 400 `bad_request` (see app/web/errors.py), and documented so."""

    DEFAULT_VALIDATION_STATUS = 400


class ContractBlueprint(Blueprint):
    ARGUMENTS_PARSER = ContractParser()


blp = ContractBlueprint("api_v1", __name__, url_prefix="/api/v1", description="Undersigned API, version 1")
blp.before_request(load_api_official)

ERROR_RESPONSES = {status: ErrorSchema for status in (400, 401, 403, 404, 409)}
