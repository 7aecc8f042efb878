"""TEMPORARY placeholder written by the lead so the app imports; the sync-engine helper replaces this file."""

MAX_TEXT_UNITS = 200_000


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
