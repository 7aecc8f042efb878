"""Rate limits are checked where they are declared, and request-wide limits still apply to every
request when one is configured (app.web.rate_limit_hooks)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from app.extensions import limiter

ROOT = Path(__file__).resolve().parent.parent


def test_no_per_request_limit_check_without_a_request_wide_limit(app):
    """Declared limits still refuse past their budget: tests/test_auth_flows.py and the others."""
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_a_configured_default_limit_keeps_the_per_request_check(tmp_path):
    """In a process of its own: the limiter is one object, and a default limit set on it stays."""
    script = textwrap.dedent(
        f"""
        from app import create_app
        from app.extensions import limiter
        app = create_app({{
            "TESTING": True, "INSTANCE_PATH": {str(tmp_path)!r}, "SECRET_KEY": "k",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/db.sqlite", "MAIL_SENDER_ENABLED": False,
            "SOCKETIO_ASYNC_MODE": "threading", "RATELIMIT_DEFAULT": "2 per minute",
        }})
        assert limiter._check_request_limit in app.before_request_funcs[None]
        client = app.test_client()
        print([client.get("/healthz").status_code for _ in range(3)])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[200, 200, 429]"
