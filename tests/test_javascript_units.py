"""The browser client's unit tests (node:test), run as part of the one test command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.services import require_part

ROOT = Path(__file__).resolve().parent.parent


def test_browser_client_unit_tests_pass():
    require_part(shutil.which("node") is not None and (ROOT / "node_modules").is_dir(), "Node.js with node_modules")
    result = subprocess.run(
        ["node", "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "# fail 0" in result.stdout
