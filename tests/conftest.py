"""Shared fixtures: an app and a database per test (SQLite and PostgreSQL), a real SMTP server,
officials of each role and their API tokens."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import count

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.accounts import api_tokens
from app.accounts.models import Official
from app.accounts.passwords import hash_password
from app.drafting import edit_limits, fanout, presence
from app.extensions import db
from app.letters import live_text
from app.letters.revision_texts import cache as revision_text_cache
from app.signing import public_state
from app.signing.public_letter import live_counter
from app.signing.public_pages import rendered_pages
from tests.support.databases import create_postgres_database, drop_postgres_database, empty_all_tables, worker_suffix
from tests.support.mailbox import Mailbox, SMTPServer
from tests.support.services import postgres_available, require_part

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SMTPServer) -> Mailbox:
    smtp_server.mailbox.clear()
    return smtp_server.mailbox


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    require_part(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    name = f"undersigned_test_{worker_suffix()}"
    url = create_postgres_database(name)
    yield url
    drop_postgres_database(name)


_pg_schema_ready: set[str] = set()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Each database test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app_config(database_url: str, tmp_path, smtp_server: SMTPServer) -> dict:
    """The configuration of the test app; tests may change it before using `app`."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "PUBLIC_BASE_URL": "http://localhost",
        "SOCKETIO_ASYNC_MODE": "threading",
        "MAIL_SENDER_ENABLED": False,
    }


class RequestContextClient(FlaskClient):
    """A test client whose every request runs in an app context of its own (fresh `g`, own
    database session), as in production, even though the test holds an app context open."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config: dict, mailbox: Mailbox) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = RequestContextClient
    # Per-process caches outlive an app; each test starts from an empty one.
    live_counter.clear()
    public_state.clear()
    rendered_pages.clear()
    revision_text_cache.clear()
    edit_limits.buckets.clear()
    live_text.clear()
    fanout.clear()
    presence.clear()
    with app.app_context():
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("postgresql"):
            if url not in _pg_schema_ready:
                db.drop_all()
                db.create_all()
                _pg_schema_ready.add(url)
            empty_all_tables(db.engine, db.metadata)
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


_numbers = count(1)


@pytest.fixture
def make_official(app: Flask) -> Callable[..., Official]:
    """Create an official with a known password (PASSWORD)."""

    def make(
        role: str = "drafter", *, name: str | None = None, email: str | None = None, active: bool = True
    ) -> Official:
        number = next(_numbers)
        official = Official(
            email=email or f"{role}{number}@city.example",
            name=name or f"{role.title()} Official {number}",
            role=role,
            active=active,
            password_hash=_PASSWORD_HASH,
        )
        db.session.add(official)
        db.session.commit()
        return official

    return make


@pytest.fixture
def clerk(make_official) -> Official:
    return make_official("clerk", name="Clara Clerk")


@pytest.fixture
def drafter(make_official) -> Official:
    return make_official("drafter", name="Alder Ada")


@pytest.fixture
def drafter2(make_official) -> Official:
    return make_official("drafter", name="Alder Bo")


@pytest.fixture
def reviewer(make_official) -> Official:
    return make_official("reviewer", name="Reviewer Rae")


@pytest.fixture
def bearer(app: Flask) -> Callable[[Official], dict[str, str]]:
    """Authorization headers with a fresh API token for an official."""

    def headers(official: Official) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_tokens.issue_token(official, 'test')}"}

    return headers


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def submit_form(client: FlaskClient) -> Callable:
    """GET a page, then POST its form with the page's CSRF token."""

    def submit(url: str, data: dict, *, post_url: str | None = None, follow_redirects: bool = False, **kwargs):
        page = client.get(url)
        token = csrf_token_from(page.get_data(as_text=True))
        return client.post(
            post_url or url, data={**data, "csrf_token": token}, follow_redirects=follow_redirects, **kwargs
        )

    return submit


@pytest.fixture
def sign_in(submit_form) -> Callable[[Official], None]:
    def sign_in(official: Official, password: str = PASSWORD):
        response = submit_form("/auth/sign-in", {"email": official.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return sign_in
