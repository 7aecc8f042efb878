"""Who a rate limit applies to: the client address, less the allowlist."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app, request


def client_address() -> str:
    """The address the server sees (behind PROXY_COUNT proxies, the forwarded one). Never store it."""
    return request.remote_addr or "unknown"


def client_key() -> str:
    """What limits are counted against: a keyed hash of the client address, so that no IP address
    is written anywhere (not in the limiter's storage, such as Redis, nor in its log lines)."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return "client-" + hmac.new(key, client_address().encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def is_exempt_from_limits() -> bool:
    """True for addresses in RATE_LIMIT_ALLOWLIST (a campus NAT, a signing drive's laptop)."""
    networks = current_app.config.get("RATE_LIMIT_ALLOWLIST") or []
    if not networks or not request.remote_addr:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr)
    except ValueError:
        return False
    return any(address in network for network in networks)
