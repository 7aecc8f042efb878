"""schemathesis over /api/v1/openapi.json: every operation, a few generated requests each (valid and
invalid), answered without a 5xx, with a documented status, content type and body.

Requests go to the Flask app through WSGI. Each is made by an official whose role may do the call,
and most of them name letters, suggestions and comments that exist (the rest name unknown ones)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app.review import approvals, comments, suggestions
from app.signing import responses
from app.sync import make_patch
from tests.review_helpers import TEXT, new_letter, replace_in
from tests.signing_helpers import make_locked_letter

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 10

# Who makes each call: an official whose role may do it (None: nobody signed in); others: a reviewer.
ROLE_FOR = {
    ("POST", "/api/v1/letters"): "drafter",
    ("POST", "/api/v1/letters/{letter_id}/lock"): "clerk",
    ("POST", "/api/v1/suggestions/{suggestion_id}/accept"): "drafter",
    ("POST", "/api/v1/suggestions/{suggestion_id}/reject"): "drafter",
    ("POST", "/api/v1/suggestions/{suggestion_id}/refresh"): "drafter",
    ("POST", "/api/v1/letters/{letter_id}/checkpoints"): "drafter",
    ("POST", "/api/v1/letters/{letter_id}/review-requests"): "drafter",
    ("POST", "/api/v1/letters/{letter_id}/restore"): "drafter",
    ("POST", "/api/v1/letters/{letter_id}/endorsements"): "clerk",
    ("POST", "/api/v1/letters/{letter_id}/signatures"): None,
    ("POST", "/api/v1/signatures/confirm"): None,
    ("GET", "/api/v1/letters/{letter_id}/log"): None,
    ("GET", "/api/v1/letters/{letter_id}/responses"): None,
    ("POST", "/api/v1/letters/{letter_id}/responses"): "clerk",
    ("GET", "/api/v1/responses/{response_id}"): "clerk",
    ("PUT", "/api/v1/responses/{response_id}"): "clerk",
    ("POST", "/api/v1/responses/{response_id}/send"): "clerk",
}
# Calls on a locked letter; the lock call gets a draft of its own.
LOCKED_LETTER_CALLS = ("/endorsements", "/signatures", "/log", "/responses")


@dataclass
class World:
    """Officials' Authorization headers, and the ids of things that exist."""

    headers: dict[str | None, dict[str, str]]
    ids: dict[str, int]

    def headers_for(self, operation) -> dict[str, str]:
        return self.headers[ROLE_FOR.get((operation.method.upper(), operation.path), "reviewer")]

    def existing_ids(self, operation) -> dict[str, int]:
        names = [p.name for p in operation.path_parameters]
        out = {}
        for name in names:
            if name != "letter_id":
                out[name] = self.ids[name]
            elif operation.path.endswith("/lock"):
                out[name] = self.ids["to_lock"]
            elif operation.path.endswith(LOCKED_LETTER_CALLS):
                out[name] = self.ids["locked"]
            else:
                out[name] = self.ids["draft"]
        return out


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """No rate limits here, so that signing is exercised beyond its fifth request (429s are tested
    in test_api_input.py and test_signing_flow.py)."""
    return {**app_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def world(app, make_official, bearer) -> World:
    clerk, drafter, reviewer = make_official("clerk"), make_official("drafter"), make_official("reviewer")
    draft = new_letter(drafter)
    replace_in(drafter, draft, "affirm", "reaffirm")
    suggestion = suggestions.create_suggestion(
        reviewer, draft, 0, make_patch(TEXT, TEXT.replace("alders", "alders of the city")), "clearer"
    )
    approvals.name_checkpoint(drafter, draft, 1, "First draft")
    comment = comments.add_comment(reviewer, draft, "Why?", start=0, end=4)
    locked = make_locked_letter(drafter, clerk)
    response = responses.create(clerk, locked, responses.ResponseInput("Mayor Rivera", "Yes."))
    ids = {
        "draft": draft,
        "to_lock": new_letter(drafter),
        "locked": locked,
        "response_id": response.id,
        "suggestion_id": suggestion.id,
        "comment_id": comment.id,
        "number": 1,
    }
    officials = {"clerk": clerk, "drafter": drafter, "reviewer": reviewer}
    return World(headers={None: {}, **{role: bearer(o) for role, o in officials.items()}}, ids=ids)


def strategies(operation, world: World):
    """Valid and invalid requests, naming existing things and unknown ones."""
    existing = world.existing_ids(operation)
    has_input = bool(operation.body) or any(True for _ in operation.query)
    out = [
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=existing),
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if has_input:
        out.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=existing))
    return st.one_of(out)


def check(operation, world: World) -> None:
    """A few valid and invalid requests for `operation`, each answered as documented."""
    headers = world.headers_for(operation)

    @given(case=strategies(operation, world))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_answers_as_documented(app, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The officials' tokens are sent by the test (see ROLE_FOR); tests of missing or bad tokens are
    # in test_api_letters.py and test_api_tokens.py.
    schema.config.generation.update(with_security_parameters=False)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 28
    for operation in operations:
        try:
            check(operation, world)
        except (Exception, BaseExceptionGroup) as error:  # collect every operation's failures, then report
            failures.append(f"{operation.label}:\n{error}")
    assert not failures, "\n\n".join(failures)
