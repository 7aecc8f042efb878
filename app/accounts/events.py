"""Account events, for whoever subscribes (the drafting sockets close the connections they end).

credentials_ended.send(official_id)   a browser session or an API token of that official has
                                      just ended (sign-out, new password, deactivation,
                                      revocation); sent after the commit
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
credentials_ended = _signals.signal("credentials-ended")


def announce_credentials_ended(official_id: int) -> None:
    """Tell this process's subscribers that a credential of the official ended (other processes
    find out on the connection's next request: see app/accounts/credentials.py)."""
    credentials_ended.send(official_id)
