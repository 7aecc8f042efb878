"""Signers' names that carry a link: never listed publicly, never repeated in a mail.

A signing form that prints what it is given is a way to publish links (spam, scams) on the city's
page and to send them, in the city's name, to any address. A name with a link or an address-like
string (a URL, `www.`, a domain, an email address, an @handle) is therefore counted but never
listed, and the mails greet the signer without it.
"""

from __future__ import annotations

import re
import unicodedata

# Domains people type without a scheme; with a path ("x.shop/y") any ending counts.
_TLDS = (
    "com|net|org|info|biz|io|co|me|ly|gl|gd|to|tv|cc|ws|xyz|top|site|online|app|dev|link|click|live|shop|"
    "store|club|pro|vip|win|bid|loan|icu|buzz|ru|su|cn|tk|ml|ga|cf|gq|pw|us|uk|de|fr|es|it|nl|eu|ca|au|in|br|mx"
)
LINK_PATTERN = re.compile(
    r"[a-z][a-z0-9+.-]*:/"  # a scheme: https://, ftp:/...
    r"|\b(?:mailto|tel|sms|javascript|data):"
    r"|\bwww\d{0,3}\."
    r"|@"  # an email address or an @handle
    rf"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:{_TLDS})\b"
    r"|\b[a-z0-9-]+\.[a-z]{2,}/",
    re.IGNORECASE,
)
# Dots that browsers and mail programs also read as dots in a domain.
_DOTS = str.maketrans({"\u3002": ".", "\uff61": ".", "\ufe12": ".", "\u2024": "."})


def _plain(name: str) -> str:
    """The name as a link detector should read it: compatibility forms folded (fullwidth ＠ is @),
    invisible format characters (zero-width spaces) removed."""
    folded = unicodedata.normalize("NFKC", name).translate(_DOTS)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def has_link(name: str | None) -> bool:
    """True if the name contains a link or an address-like string."""
    return bool(name) and LINK_PATTERN.search(_plain(name)) is not None


def name_for_mail(name: str | None) -> str | None:
    """The name to greet a signer with in a mail: None (a greeting without a name) if it has a link."""
    return None if has_link(name) else name
