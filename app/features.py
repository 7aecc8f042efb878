"""The features, each a package with its pages, API resources, socket handlers, use-cases and
models. Registering one attaches its blueprints and API routes, then subscribes its event handlers."""

from __future__ import annotations

from flask import Flask


def register_features(app: Flask) -> None:
    from app.accounts import official_pages, sign_in_pages, token_pages
    from app.drafting import (
        comment_json,  # noqa: F401  (attaches routes to the drafting blueprint)
        suggestion_json,  # noqa: F401  (attaches routes to the drafting blueprint)
    )
    from app.drafting import pages as drafting_pages
    from app.drafting.sockets import register_sockets
    from app.letters import api as letters_api  # noqa: F401  (attaches routes to the API blueprint)
    from app.letters import pages as letter_pages
    from app.letters import translations
    from app.letters.markdown import render_markdown
    from app.letters.translations import letter_version
    from app.review import api as review_api  # noqa: F401  (attaches routes to the API blueprint)
    from app.review import (
        lock_api,  # noqa: F401  (attaches routes to the API blueprint)
        translation_api,  # noqa: F401  (attaches routes to the API blueprint)
    )
    from app.review import pages as review_pages
    from app.review.pages import lock as lock_page
    from app.signing import api as signing_api  # noqa: F401  (attaches routes to the API blueprint)
    from app.signing import (
        clerk_pages,
        public_pages,
        public_state,
        receipt_pages,
        response_api,  # noqa: F401  (attaches routes to the API blueprint)
        response_pages,
    )
    from app.signing.response_mail import register_round_tasks as register_response_mail
    from app.signing.submissions import register_round_tasks
    from app.signing.ward_labels import ward_label
    from app.web.api import register_api

    for module in (
        sign_in_pages,
        token_pages,
        official_pages,
        letter_pages,
        drafting_pages,
        review_pages,
        lock_page,
        public_pages,
        receipt_pages,
        clerk_pages,
        response_pages,
    ):
        app.register_blueprint(module.bp)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["ward_label"] = ward_label
    app.jinja_env.globals["letter_version"] = letter_version
    register_api(app)
    register_sockets(app)
    register_round_tasks(app)
    register_response_mail(app)
    public_state.subscribe()
    translations.subscribe()
