"""Check that every catalogue under app/translations is complete.

Fails (exit 1) on: a fuzzy entry, an empty msgstr, a msgid in messages.pot
that the catalogue lacks, or placeholders (%(name)s, %s) that differ
between msgid and msgstr. Run: .venv/bin/python app/translations/check.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0\- +]*\d*(?:\.\d+)?[sdifr%]")


def placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def check(po_path: Path, pot_ids: set) -> list[str]:
    problems: list[str] = []
    with po_path.open("rb") as f:
        catalog = read_po(f)
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        ids.add(message.id)
        label = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            problems.append(f"fuzzy: {label!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"empty msgstr: {label!r}")
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = placeholders(sources[-1])
        for string in strings:
            if placeholders(string) != expected:
                problems.append(f"placeholders differ: {label!r} -> {string!r}")
    for missing in sorted(map(str, pot_ids - ids)):
        problems.append(f"not in catalogue: {missing!r}")
    return [f"{po_path.relative_to(HERE)}: {p}" for p in problems]


def main() -> int:
    pot_ids: set = set()
    pot = HERE / "messages.pot"
    if pot.exists():
        with pot.open("rb") as f:
            pot_ids = {m.id for m in read_po(f) if m.id}
    problems: list[str] = []
    catalogues = sorted(HERE.glob("*/LC_MESSAGES/messages.po"))
    total = 0
    for po_path in catalogues:
        problems += check(po_path, pot_ids)
        with po_path.open("rb") as f:
            total = max(total, sum(1 for m in read_po(f) if m.id))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not catalogues:
        print("no catalogues found", file=sys.stderr)
        return 1
    if problems:
        return 1
    print(f"OK: {len(catalogues)} catalogue(s), {total} messages, none fuzzy or empty")
    return 0


if __name__ == "__main__":
    sys.exit(main())
