"""One Markdown configuration: the drafting room's preview (markdown-it in the browser) renders
exactly what the published page (markdown-it-py) renders, line breaks and bare addresses included."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from app.letters.markdown import render_markdown, render_unsanitised
from tests.support.services import require_part

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = [
    "# An open letter\n\nTo the Mayor,\nand the Board of Alders,\n\nSincerely,\nAlder Okafor",
    "See https://example.org/plan and www.example.org, or write to clerk@example.org.",
    "We ask **for help** and _quickly_; ~~not~~ now.\n\n> A quote\n> on two lines\n\n- one\n- two\n\n1. a\n2. b",
    "| Ward | Signatures |\n|:--|--:|\n| 1 | 20 |\n| 2 | 31 |",
    '<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org "title")',
    "Line with two spaces  \nthen a hard break, a `code span` and\n\n    indented code\n\n```\nfenced\n```",
    "Emoji 👋🏽 and 中文 text; a [link](mailto:clerk@example.org)\n***\nAfter a rule.",
]


def _render_in_node(samples: list[str]) -> list[str]:
    script = (
        "import { renderMarkdown } from './static/js/drafting/markdown.js';"
        "let input = '';"
        "process.stdin.on('data', (d) => (input += d));"
        "process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map(renderMarkdown))));"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=ROOT,
        input=json.dumps(samples),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_preview_renders_exactly_what_the_published_page_renders():
    require_part(shutil.which("node") is not None and (ROOT / "node_modules").is_dir(), "Node.js with node_modules")
    for sample, browser in zip(SAMPLES, _render_in_node(SAMPLES), strict=True):
        assert browser == render_unsanitised(sample), sample


def test_a_single_line_break_is_kept_and_a_bare_address_is_not_a_link():
    html = str(render_markdown("Sincerely,\nAlder Okafor\n\nhttps://example.org/plan"))
    assert "Sincerely,<br>\nAlder Okafor" in html
    assert "<a" not in html
