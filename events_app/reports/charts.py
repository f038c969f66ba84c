"""Hand-made SVG charts from the figures: small, deterministic, no fonts or images fetched.

WeasyPrint draws inline SVG as vector paths, so the PDF stays sharp and small.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from .services import TimelineBin, nice_max

ACCENT = "#0f5fa8"
SOFT = "#9dbfe0"
GRID = "#d9dee7"
INK = "#1d2330"
MUTED = "#5b6475"
FONT = "'Noto Sans CJK JP', sans-serif"


def _text(x: float, y: float, text: str, *, size: float = 9, anchor: str = "middle", fill: str = MUTED) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-family="{FONT}">{escape(text)}</text>')


def column_chart(values: list[int], labels: list[str], *, width: int = 640, height: int = 200,
                 label_every: int = 1, colours: list[str] | None = None, title: str = "",
                 css_class: str = "chart") -> Markup:
    """Vertical bars with a value on each non-zero bar, a baseline and sparse x labels."""
    left, right, top, bottom = 34, 8, 14, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_max(max(values, default=0))
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.72, 1.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    for step in range(0, 5):
        value = top_value * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        if value == int(value):
            parts.append(_text(left - 4, y + 3, str(int(value)), size=8, anchor="end"))
    for i, value in enumerate(values):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * value / top_value
        y = top + plot_h - h
        colour = colours[i] if colours else ACCENT
        if value:
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}"/>')
            if slot >= 14:
                parts.append(_text(x + bar_w / 2, y - 3, str(value), size=7.5, fill=INK))
        if i % label_every == 0 and i < len(labels):
            parts.append(_text(x + bar_w / 2, height - bottom + 12, labels[i], size=8))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{MUTED}" stroke-width="0.8"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline_chart(bins: list[TimelineBin], *, title: str = "") -> Markup:
    labels = [b.label for b in bins]
    # Keep x labels readable: about one label per 12 bins at most.
    every = max(1, -(-len(bins) // 12))
    return column_chart([b.count for b in bins], labels, label_every=every, title=title,
                        css_class="chart chart-timeline")


def score_chart(distribution: list[int], *, title: str = "") -> Markup:
    """Scores 0–10 coloured as detractors (0–6), passives (7–8) and promoters (9–10)."""
    colours = ["#c8553d"] * 7 + ["#b8b8b8"] * 2 + [ACCENT] * 2
    return column_chart(distribution, [str(i) for i in range(11)], width=420, height=180, colours=colours,
                        title=title, css_class="chart chart-scores")


def bar(value: int, maximum: int, *, width: int = 120, height: int = 9) -> Markup:
    """One horizontal bar for a table cell."""
    w = 0 if not maximum else width * value / maximum
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" width="{width}" height="{height}" '
                  f'viewBox="0 0 {width} {height}"><rect x="0" y="0" width="{width}" height="{height}" fill="#eef1f6"/>'
                  f'<rect x="0" y="0" width="{w:.1f}" height="{height}" fill="{ACCENT}"/></svg>')
