"""Charts drawn on the server as SVG (no script): horizontal stacked bars and lines.

Each chart is an `<svg role="img">` named by its <title> and summarised by its <desc>; the
page shows the same figures as a table beside it (the text alternative). Colours come from
PALETTE, each at least 3:1 against white; no inline style (the console's CSP forbids it),
only SVG presentation attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#0b5cad", "#a4161a", "#1e6b34", "#8a5300", "#6a3d9a", "#00707a", "#b3367a",
           "#4a5560", "#5b6b00", "#7a4f2a", "#2f4b7c", "#9c2f00", "#3c6e71", "#595959",
           "#8b1e3f")
WIDTH = 640
CHAR_WIDTH = 7  # of a 12 px label, about: the label column fits the longest label
ROW = 26
PLOT_HEIGHT = 220


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    colour: str
    values: Sequence[float | None]


def _svg(ident: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(ident)}" '
            f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{escape(ident)}-t '
            f'{escape(ident)}-d"><title id="{escape(ident)}-t">{escape(title)}</title>'
            f'<desc id="{escape(ident)}-d">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  (every text escaped above)


def _rect(x: float, y: float, w: float, h: float, colour: str, tip: str) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(tip)}</title></rect>')


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def stacked_bars(ident: str, title: str, desc: str, categories: Sequence[str],
                 series: Sequence[Series], fmt=str) -> Markup:  # type: ignore[no-untyped-def]
    """One horizontal bar per category, one segment per series, on a common scale."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    label_width = min(WIDTH // 2, 12 + CHAR_WIDTH * max(map(len, categories), default=4))
    scale = (WIDTH - label_width - 70) / top
    body = []
    for row, category in enumerate(categories):
        y, x = 8 + row * ROW, float(label_width)
        body.append(_text(label_width - 6, y + 15, category, "end"))
        for s in series:
            value = s.values[row] or 0
            if value:
                body.append(_rect(x, y, value * scale, ROW - 8, s.colour,
                                  f"{category}, {s.name}: {fmt(value)}"))
                x += value * scale
        body.append(_text(x + 6, y + 15, fmt(totals[row])))
    return _svg(ident, title, desc, 16 + ROW * max(len(categories), 1), body)


def lines(ident: str, title: str, desc: str, labels: Sequence[str],
          series: Sequence[Series], unit: str) -> Markup:
    """One line per series over the labels (days); a missing value breaks the line."""
    values = [v for s in series for v in s.values if v is not None]
    top = max(values, default=0) or 1
    left, bottom, step = 60.0, PLOT_HEIGHT + 10.0, (WIDTH - 80) / max(len(labels) - 1, 1)
    body = [f'<line x1="{left}" y1="10" x2="{left}" y2="{bottom}" stroke="#4a5560"/>',
            f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" '
            'stroke="#4a5560"/>',
            _text(left - 6, 16, f"{top:.1f} {unit}", "end"), _text(left - 6, bottom, "0", "end")]
    every = max(1, len(labels) // 7)
    for n, label in enumerate(labels):
        if n % every == 0:
            body.append(_text(left + n * step, bottom + 16, label[5:], "middle"))
    for s in series:
        points = [(left + n * step, bottom - (v / top) * PLOT_HEIGHT, v)
                  for n, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" '
                        'stroke-width="2"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{s.colour}"><title>'
                 f'{escape(s.name)}: {v:.1f} {escape(unit)}</title></circle>'
                 for x, y, v in points]
    return _svg(ident, title, desc, int(bottom) + 24, body)


def swatch(colour: str) -> Markup:
    """A legend's colour sample (SVG, so no inline style is needed)."""
    return Markup(f'<svg class="swatch" width="12" height="12" aria-hidden="true" '  # noqa: S704
                  f'focusable="false"><rect width="12" height="12" fill="{escape(colour)}" '
                  'stroke="#1b1f24"/></svg>')
