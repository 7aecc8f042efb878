"""Who a rate limit applies to: the client address, less the allowlist."""

from __future__ import annotations

import ipaddress

from flask import current_app, request


def client_address() -> str:
    """The address limits are counted against (never stored in the database)."""
    return request.remote_addr or "unknown"


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
