"""Draw p95 (edit -> every other drafter) against N as an SVG, from drafting_load.py JSON files.

    .venv/bin/python bench/plot_p95.py "1 process=bench/results/a.json" "2 processes=bench/results/b.json" \
        --output docs/perf-p95.svg

Standard library only. The y axis is logarithmic (10 ms .. 100 s); a dashed line marks 100 ms.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 180, 30, 50
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
Y_MIN, Y_MAX = 5.0, 100_000.0


def series(path: str) -> list[tuple[int, float]]:
    steps = json.loads(Path(path).read_text())["steps"]
    return [(s["drafters"], s["all_received_ms"]["p95"]) for s in steps if s.get("all_received_ms", {}).get("p95")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("series", nargs="+", help="LABEL=PATH to a drafting_load.py JSON file")
    parser.add_argument("--output", default="docs/perf-p95.svg")
    args = parser.parse_args()
    data = [(label, series(path)) for label, path in (item.split("=", 1) for item in args.series)]
    n_max = max(n for _, points in data for n, _ in points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(n: float) -> float:
        return LEFT + plot_w * n / n_max

    def y(ms: float) -> float:
        share = (math.log10(max(Y_MIN, min(Y_MAX, ms))) - math.log10(Y_MIN)) / (math.log10(Y_MAX) - math.log10(Y_MIN))
        return TOP + plot_h * (1 - share)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="18" font-size="14">p95 edit -&gt; every other drafter (ms, log scale) against N</text>',
    ]
    for ms in (10, 100, 1000, 10_000, 100_000):
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:,}</text>')
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(100):.1f}" y2="{y(100):.1f}" stroke="#888" '
        'stroke-dasharray="5,4"/>'
    )
    step = 50 if n_max <= 400 else 100
    for n in range(0, n_max + 1, step):
        out.append(f'<line x1="{x(n):.1f}" x2="{x(n):.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" stroke="#000"/>')
        out.append(f'<text x="{x(n):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{n}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle">N drafters</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#000"/>')
    for index, (label, points) in enumerate(data):
        colour = COLOURS[index % len(COLOURS)]
        path = " ".join(f"{x(n):.1f},{y(ms):.1f}" for n, ms in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, ms in points:
            out.append(f'<circle cx="{x(n):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>')
        ly = TOP + 10 + 20 * index
        out.append(
            f'<line x1="{LEFT + plot_w + 10}" x2="{LEFT + plot_w + 30}" y1="{ly}" y2="{ly}" stroke="{colour}" '
            'stroke-width="2"/>'
        )
        out.append(f'<text x="{LEFT + plot_w + 35}" y="{ly + 4}">{label}</text>')
    out.append(f'<text x="{LEFT + plot_w + 10}" y="{TOP + 10 + 20 * len(data) + 10}" fill="#888">--- 100 ms</text>')
    out.append("</svg>")
    Path(args.output).write_text("\n".join(out) + "\n")
    print(f"SVG: {args.output}")


if __name__ == "__main__":
    main()
