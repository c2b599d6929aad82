"""Bar charts as inline SVG for the printed reports: no script, no request, every
label escaped."""

from __future__ import annotations

from html import escape

from companion.insights.formatting import number

DEFAULT_COLOUR = "#2e86c1"
_LABEL_WIDTH = 170
_ROW = 18


def bars(items: list[tuple[str, float, str]], width: int = 460) -> str:
    """Horizontal bars: (label, value, colour) per row, the value printed after the bar."""
    if not items:
        return ""
    top = max(value for _label, value, _colour in items) or 1
    span = width - _LABEL_WIDTH - 60
    rows = []
    for i, (label, value, colour) in enumerate(items):
        y = i * _ROW
        length = max(1.0, span * value / top) if value else 0.0
        rows.append(
            f'<text x="{_LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{_LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{_ROW - 6}" '
            f'fill="{escape(colour or DEFAULT_COLOUR)}"/>'
            f'<text x="{_LABEL_WIDTH + length + 4:.1f}" y="{y + 13}">{escape(number(value))}</text>'
        )
    height = len(items) * _ROW
    return _svg(width, height, "".join(rows))


def columns(labels: list[str], series: list[tuple[str, list[int], str]], width: int = 700) -> str:
    """Stacked columns: one per label (a month), one coloured part per series, and a legend."""
    if not labels or not series:
        return ""
    totals = [sum(values[i] for _name, values, _colour in series) for i in range(len(labels))]
    top = max(totals) or 1
    plot, base = 110, 130
    step = (width - 20) / len(labels)  # 10 px aside: the first and last labels fit
    bar = max(2.0, step * 0.7)
    parts = []
    for i, label in enumerate(labels):
        x = 10 + i * step + (step - bar) / 2
        y = float(base)
        for _name, values, colour in series:
            height = plot * values[i] / top
            if height:
                y -= height
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                    f'fill="{escape(colour)}"/>'
                )
        if totals[i]:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                f"{escape(number(totals[i]))}</text>"
            )
        if len(labels) <= 12 or i % max(1, len(labels) // 12) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 13}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    x = 0.0
    for name, _values, colour in series:  # the legend, in one line
        parts.append(
            f'<rect x="{x:.1f}" y="{base + 22}" width="10" height="10" fill="{escape(colour)}"/>'
            f'<text x="{x + 14:.1f}" y="{base + 31}">{escape(name)}</text>'
        )
        x += 24 + 6.5 * len(name)
    return _svg(width, base + 38, "".join(parts))


def _svg(width: int, height: int, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="10" font-family="sans-serif" '
        f'role="img">{body}</svg>'
    )
