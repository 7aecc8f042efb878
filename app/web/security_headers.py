"""Security headers on every response, with a Content-Security-Policy without inline script.

A page whose script must add a `<style>` element (the drafting room's CodeMirror editor) sets
`g.csp_style_nonce` (see `style_nonce`); its policy then allows style elements carrying that nonce,
and nothing else inline."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def style_nonce() -> str:
    """A fresh nonce for this response's `<style>` elements (one per request)."""
    if not g.get("csp_style_nonce"):
        g.csp_style_nonce = secrets.token_urlsafe(16)
    return g.csp_style_nonce


def content_security_policy() -> str:
    nonce = g.get("csp_style_nonce")
    return CSP.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'") if nonce else CSP


# Added to every response that does not set its own; the policy is added apart (it may carry a nonce).
STANDARD_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def add_security_headers(response: Response) -> Response:
    """The headers above, the policy, and `no-store` on HTML that says nothing of caching; a
    header the view set itself is kept (one pass over the response's headers, not one per name)."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", content_security_policy())
    for name, value in STANDARD_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if "cache-control" not in present and response.mimetype == "text/html":
        headers.add("Cache-Control", "no-store")
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
