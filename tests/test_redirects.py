"""Forms send the browser on only to paths of this site: sign-in, the language switch and the
review pages (issue 11, item 9)."""

from __future__ import annotations

import pytest

from app.web.redirects import safe_next
from tests.conftest import csrf_token_from
from tests.review_helpers import new_letter

# What browsers make of these (tabs and newlines dropped, `\` read as `/`): another site, or a
# header that cannot be sent at all.
UNSAFE = [
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    "/\n/x",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/x\\y",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example/",
    " /x",
    "/x\x00",
    "/x\x7f",
    "/x\x85",
    "",
    "/" + "a" * 2000,
]

SAFE = ["/", "/dashboard", "/drafts/3/review?from=0&to=2", "/letters/7#sign", "/a//b", "/%2F%2Fevil.example", "/café"]


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_give_the_default(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", [None, 3, ["/x"]])
def test_non_strings_give_the_default(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", SAFE)
def test_paths_of_this_site_are_kept(target):
    assert safe_next(target, "/home") == target


def sign_in_with_next(client, official, next_value: str):
    page = client.get("/auth/sign-in", query_string={"next": next_value})
    assert page.status_code == 200
    return client.post(
        "/auth/sign-in",
        query_string={"next": next_value},
        data={
            "email": official.email,
            "password": "correct horse battery staple",
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )


@pytest.mark.parametrize("next_value", ["/\t/evil.example/", "/\n/x", "//evil.example/", "/\\evil.example"])
def test_sign_in_never_sends_the_browser_to_another_site(client, drafter, next_value):
    response = sign_in_with_next(client, drafter, next_value)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_sign_in_returns_to_the_page_asked_for(client, drafter):
    response = sign_in_with_next(client, drafter, "/officials/?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/officials/?x=1"


@pytest.mark.parametrize("next_value", ["/\t/evil.example/", "/\n/x", "//evil.example/", "https://evil.example/"])
def test_language_switch_never_sends_the_browser_to_another_site(client, submit_form, next_value):
    response = submit_form("/", {"lang": "es", "next": next_value}, post_url="/language")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_the_page(client, submit_form):
    response = submit_form("/", {"lang": "es", "next": "/auth/sign-in?next=/dashboard"}, post_url="/language")
    assert response.headers["Location"] == "/auth/sign-in?next=/dashboard"


@pytest.mark.parametrize(("next_value", "expected"), [("/\t/evil.example/", None), ("/dashboard", "/dashboard")])
def test_review_forms_return_only_to_paths_of_this_site(client, sign_in, drafter, next_value, expected):
    letter_id = new_letter(drafter)
    sign_in(drafter)
    overview = f"/drafts/{letter_id}/review"
    token = csrf_token_from(client.get(overview).get_data(as_text=True))
    response = client.post(
        f"{overview}/checkpoints", data={"revision": "0", "name": "First", "next": next_value, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (expected or overview)
