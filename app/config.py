"""Configuration read from the environment (see docs/configuration.md)."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent


def instance_path() -> Path:
    """The instance folder: local state that is never committed."""
    return Path(os.environ.get("UNDERSIGNED_INSTANCE_PATH", BASE_DIR / "instance"))


def _persistent_secret_key(folder: Path) -> str:
    """A random key generated once and kept in the instance folder."""
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def parse_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse a comma-separated list of addresses or CIDR ranges."""
    networks = []
    for part in value.split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return networks


def _positive_int(value: str | None, default: int) -> int:
    """A whole number of at least 1 from the environment (the default when unset)."""
    if value is None or not value.strip():
        return default
    number = int(value)
    if number < 1:
        raise ValueError(f"expected a whole number of at least 1, not {value!r}")
    return number


def parse_ward_labels(raw: str | None, wards: list[str], languages: list[str]) -> dict[str, dict[str, str]]:
    """`WARD_LABELS`: a JSON object naming wards per language, {"Ward 1": {"en": "Downtown", "es":
    "Centro"}}. Every key must be one of `wards`, every language one of `languages`, every label
    1 to 60 characters. A malformed value stops the app from starting, saying what is wrong."""
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"WARD_LABELS is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise ValueError('WARD_LABELS must be a JSON object: {"Ward 1": {"en": "Downtown", "es": "Centro"}}')
    for ward, labels in value.items():
        if ward not in wards:
            raise ValueError(f"WARD_LABELS names {ward!r}, which is not one of the wards (WARDS)")
        if not isinstance(labels, dict) or not labels:
            raise ValueError(f'WARD_LABELS[{ward!r}] must be an object of labels by language, e.g. {{"es": "Centro"}}')
        for language, label in labels.items():
            if language not in languages:
                raise ValueError(f"WARD_LABELS[{ward!r}]: {language!r} is not one of the languages {languages}")
            if not isinstance(label, str) or not label.strip() or len(label.strip()) > 60:
                raise ValueError(f"WARD_LABELS[{ward!r}][{language!r}] must be a label of 1 to 60 characters")
    return {ward: {language: label.strip() for language, label in labels.items()} for ward, labels in value.items()}


def engine_options(database_url: str) -> dict[str, Any]:
    """Connections are checked before use (a restarted database is survived). A server's greenlets
    share a pool sized for many concurrent short requests."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if not database_url.startswith("sqlite"):
        options.update(pool_size=10, max_overflow=40, pool_timeout=10)
    return options


def _number(env: Any, name: str, default: float) -> float:
    """A non-negative number from the environment (a malformed one stops the app from starting)."""
    raw = env.get(name)
    if not raw:
        return default
    value = float(raw)
    if not value >= 0:
        raise ValueError(f"{name} must be a number from 0 up, not {raw!r}")
    return value


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask configuration from the environment and explicit overrides."""
    env = os.environ
    overrides = overrides or {}
    folder = Path(overrides.get("INSTANCE_PATH") or instance_path())
    folder.mkdir(parents=True, exist_ok=True)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{folder / 'undersigned.sqlite3'}"
    smtp_port = env.get("SMTP_PORT")
    config: dict[str, Any] = {
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": env.get("SECRET_KEY") or _persistent_secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # The queue's channel: processes of one deployment share it; give each deployment its own.
        "SOCKETIO_CHANNEL": env.get("SOCKETIO_CHANNEL") or "undersigned",
        "SMTP_HOST": env.get("SMTP_HOST") or None,
        "SMTP_PORT": int(smtp_port) if smtp_port else 25,
        "MAIL_FROM": env.get("MAIL_FROM") or "Undersigned <no-reply@undersigned.invalid>",
        "MAIL_OUTBOX": str(folder / "outbox"),
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "RATE_LIMIT_ALLOWLIST": parse_networks(env.get("RATE_LIMIT_ALLOWLIST", "")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        # How many reverse proxies (nginx) stand in front and set X-Forwarded-For/-Proto.
        "PROXY_COUNT": int(env.get("PROXY_COUNT") or 0),
        "HOST": env.get("HOST") or "127.0.0.1",
        "PORT": int(env.get("PORT") or 5000),
        # Sessions and cookies.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": (env.get("PUBLIC_BASE_URL") or "").startswith("https://"),
        "REMEMBER_COOKIE_SECURE": (env.get("PUBLIC_BASE_URL") or "").startswith("https://"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # Internationalisation.
        "LANGUAGES": ["en", "es"],
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "app" / "translations"),
        # Links sent by mail.
        "INVITATION_LINK_HOURS": 72,
        "RESET_LINK_HOURS": 2,
        # The OpenAPI description served at /api/v1/openapi.json.
        "API_TITLE": "Undersigned",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Mail sender: the background delivery loop.
        "MAIL_SENDER_ENABLED": True,
        "MAIL_SENDER_INTERVAL": 2.0,
        "MAIL_MAX_ATTEMPTS": 8,
        # Wards residents choose from when they sign (comma-separated in WARDS).
        "WARDS": [w.strip() for w in env.get("WARDS", "").split(",") if w.strip()]
        or [f"Ward {n}" for n in range(1, 31)],
        # One mailbox gets a confirmation link for a letter at most this often.
        "SIGNATURE_RESEND_MINUTES": 5,
        # Signature submissions never confirmed are deleted (address included) after this many days.
        "UNCONFIRMED_SIGNATURE_DAYS": _positive_int(env.get("UNCONFIRMED_SIGNATURE_DAYS"), 7),
        # A signing form submitted faster than this is treated as automated.
        "SIGNING_FORM_MIN_SECONDS": 3,
        # Drafting limits and storage.
        "SNAPSHOT_EVERY": 50,
        # Real-time edits: token buckets per connection and per official (edits a second, burst).
        "DRAFT_BATCH_INTERVAL_MS": _number(env, "DRAFT_BATCH_INTERVAL_MS", 20),
        "DRAFT_COMMIT_INTERVAL_MS": _number(env, "DRAFT_COMMIT_INTERVAL_MS", 20),
        "DRAFT_EDIT_RATE": _number(env, "DRAFT_EDIT_RATE", 20),
        "DRAFT_EDIT_BURST": _number(env, "DRAFT_EDIT_BURST", 40),
        "DRAFT_EDIT_RATE_PER_OFFICIAL": _number(env, "DRAFT_EDIT_RATE_PER_OFFICIAL", 40),
        "DRAFT_EDIT_BURST_PER_OFFICIAL": _number(env, "DRAFT_EDIT_BURST_PER_OFFICIAL", 80),
        # Review requests (each emails every reviewer) in any hour: per official, per letter.
        "REVIEW_REQUESTS_PER_HOUR_PER_OFFICIAL": int(_number(env, "REVIEW_REQUESTS_PER_HOUR_PER_OFFICIAL", 6)),
        "REVIEW_REQUESTS_PER_HOUR_PER_LETTER": int(_number(env, "REVIEW_REQUESTS_PER_HOUR_PER_LETTER", 3)),
    }
    # How each ward is named in each language (JSON in WARD_LABELS; see parse_ward_labels).
    config["WARD_LABELS"] = parse_ward_labels(env.get("WARD_LABELS"), config["WARDS"], config["LANGUAGES"])
    config.update(overrides)
    return config
