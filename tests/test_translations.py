"""Every user-facing string has a Spanish translation (none empty or fuzzy, placeholders kept)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYBABEL = Path(sys.executable).parent / "pybabel"


def msgids(path: Path) -> set[str]:
    return {line for line in path.read_text().splitlines() if line.startswith("msgid ")}


def test_spanish_catalogue_is_complete_and_current(tmp_path):
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [PYBABEL, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", fresh, "."],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    missing = msgids(fresh) - msgids(ROOT / "app" / "translations" / "messages.pot")
    assert not missing, f"messages.pot is out of date (run app/translations/update.sh): {sorted(missing)[:5]}"
    check = subprocess.run([sys.executable, "app/translations/check.py"], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
