"""The release of Undersigned (also a part of the public page's ETag)."""

__version__ = "0.3.0"
