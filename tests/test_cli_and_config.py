"""The contract's command line and configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import Official
from app.config import load_config, parse_networks
from app.extensions import db
from app.letters.models import Letter
from tests.support.databases import create_postgres_database, drop_postgres_database, worker_suffix
from tests.support.services import postgres_available, require_part

ROOT = Path(__file__).resolve().parent.parent


def flask(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    require_part(postgres_available(), "PostgreSQL")
    name = f"undersigned_cli_{worker_suffix()}"
    yield create_postgres_database(name)
    drop_postgres_database(name)


def test_db_upgrade_then_seed_demo_twice_then_users(fresh_database, tmp_path):
    env = {"DATABASE_URL": fresh_database, "UNDERSIGNED_INSTANCE_PATH": str(tmp_path / "instance")}
    upgrade = flask(["db", "upgrade"], env)
    assert upgrade.returncode == 0, upgrade.stderr
    # The migrations describe exactly the models.
    check = flask(["db", "check"], env)
    assert check.returncode == 0, check.stdout + check.stderr
    first = flask(["seed-demo"], env)
    second = flask(["seed-demo"], env)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    for email in (
        "clerk@demo.undersigned.example",
        "alder.okafor@demo.undersigned.example",
        "mayors.office@demo.undersigned.example",
    ):
        assert email in first.stdout
    created = flask(["users", "create", "new.clerk@city.example", "--name", "New Clerk", "--role", "clerk"], env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().splitlines()[-1].startswith("http://127.0.0.1:5000/auth/link/")
    token = flask(["users", "token", "new.clerk@city.example"], env)
    assert token.returncode == 0 and token.stdout.rstrip("\n").splitlines()[-1].startswith("usg_")

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database, "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Official)) == 5
        assert db.session.scalar(select(func.count()).select_from(Letter)) == 2  # a draft and a locked letter
        db.engine.dispose()


def test_users_create_refuses_bad_role_and_duplicates(runner):
    assert runner.invoke(args=["users", "create", "a@city.example", "--name", "A", "--role", "mayor"]).exit_code != 0
    ok = runner.invoke(args=["users", "create", "a@city.example", "--name", "A", "--role", "drafter"])
    assert ok.exit_code == 0
    again = runner.invoke(args=["users", "create", "A@city.example", "--name", "A", "--role", "drafter"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(args=["users", "create", "not-an-email", "--name", "A", "--role", "drafter"])
    assert bad.exit_code != 0 and "not valid" in bad.output


def test_defaults_when_unset(monkeypatch, tmp_path):
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "SMTP_HOST",
        "PUBLIC_BASE_URL",
        "RATE_LIMIT_ALLOWLIST",
        "SOCKETIO_MESSAGE_QUEUE",
        "RATELIMIT_STORAGE_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    config = load_config({"INSTANCE_PATH": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'undersigned.sqlite3'}"
    assert config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert config["SOCKETIO_MESSAGE_QUEUE"] is None and config["SMTP_HOST"] is None
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["RATE_LIMIT_ALLOWLIST"] == []
    # The generated key is kept: a restart keeps sessions and links valid.
    assert len(config["SECRET_KEY"]) >= 64
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"] == config["SECRET_KEY"]
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_environment_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("SMTP_HOST", "mail.city.example")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("MAIL_FROM", "Clerk <clerk@city.example>")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://letters.city.example/")
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/1")
    monkeypatch.setenv("RATE_LIMIT_ALLOWLIST", "10.1.0.0/16, 192.0.2.7")
    config = load_config({"INSTANCE_PATH": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1/x"
    assert config["SECRET_KEY"] == "s3cret"
    assert (config["SMTP_HOST"], config["SMTP_PORT"], config["MAIL_FROM"]) == (
        "mail.city.example",
        2525,
        "Clerk <clerk@city.example>",
    )
    assert config["PUBLIC_BASE_URL"] == "https://letters.city.example"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SOCKETIO_MESSAGE_QUEUE"] == "redis://127.0.0.1:6379/0"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/1"
    assert [str(n) for n in config["RATE_LIMIT_ALLOWLIST"]] == ["10.1.0.0/16", "192.0.2.7/32"]


def test_bad_allowlist_entry_is_a_clear_error():
    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/8, not-an-address")


def test_behind_a_proxy_the_forwarded_address_is_rate_limited(app_config, tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.setenv("PROXY_COUNT", "1")
    proxied = create_app({**app_config, "INSTANCE_PATH": str(tmp_path / "proxied")})
    seen = []

    @proxied.get("/whoami-test")
    def whoami():
        from app.shared.rate_limits import client_address

        seen.append(client_address())
        return "ok"

    proxied.test_client().get("/whoami-test", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen == ["203.0.113.9"]
