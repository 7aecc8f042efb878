"""The flask-smorest Api that generates /api/v1/openapi.json from the code."""

from __future__ import annotations

from flask_smorest import Api


class ContractApi(Api):
    """An Api whose errors follow the contract's JSON format (see app/web/errors.py)."""

    def _register_error_handlers(self) -> None:
        # Error handling is app-wide and lives in app/web/errors.py.
        return None


BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "An official's API token."}
