"""The HTTP JSON API, version 1 (see ../shared/CONTRACT.md and docs/api.md)."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Bind a fresh OpenAPI-generating Api to this app and register /api/v1 (the features have
    attached their routes to the blueprint by now)."""
    from app.extensions import csrf
    from app.web.api.blueprint import blp
    from app.web.api.openapi import BEARER_SCHEME, ContractApi

    api = ContractApi(
        app, spec_kwargs={"info": {"description": "Undersigned's public API, version 1. See docs/api.md."}}
    )
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    csrf.exempt(blp)
    api.register_blueprint(blp)
