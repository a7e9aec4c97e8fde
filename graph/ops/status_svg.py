"""Inline SVG charts for the status page: no script, no external asset, readable without colour.

Each chart carries a `<title>` and `role="img"` with a German description, so a screen
reader says what it shows; numbers are in the table next to it anyway.
"""

from __future__ import annotations

from graph.ops.upstream_window import SlotSummary, UpstreamSummary

GREY, BLUE, RED = "#8c959f", "#0969da", "#cf222e"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _german(value: float) -> str:
    return _number(value).replace(".", ",")


def sparkline(summary: UpstreamSummary, width: int = 140, height: int = 28) -> str:
    """The 95th percentile per time slot; red dots where calls failed; grey line when idle."""
    points = [(n, s.p95) for n, s in enumerate(summary.series) if s.p95 is not None]
    step = width / max(1, len(summary.series) - 1)
    label = "keine Aufrufe im Zeitfenster"
    if not points:
        return (
            f'<svg width="{width}" height="{height}" role="img" aria-label="{label}">'
            f"<title>{label}</title>"
            f'<line x1="0" y1="{height - 2}" x2="{width}" y2="{height - 2}" stroke="{GREY}"'
            ' stroke-dasharray="2 3"/></svg>'
        )
    top = max(p for _, p in points) or 1.0

    def y(value: float) -> str:
        return _number(height - 3 - (height - 6) * value / top)

    line = " ".join(f"{_number(n * step)},{y(p)}" for n, p in points)
    dots = "".join(
        f'<circle cx="{_number(n * step)}" cy="{y(s.p95 or 0.0)}" r="2.5" fill="{RED}"/>'
        for n, s in enumerate(summary.series)
        if s.errors
    )
    label = f"95. Perzentil, höchstens {_german(top * 1000)} ms"
    return (
        f'<svg width="{width}" height="{height}" role="img" aria-label="{label}">'
        f'<title>{label}</title><polyline points="{line}" fill="none" stroke="{BLUE}"'
        f' stroke-width="1.5"/>{dots}</svg>'
    )


def _total(summaries: list[UpstreamSummary], slots: int) -> list[SlotSummary]:
    return [
        SlotSummary(
            calls=sum(s.series[n].calls for s in summaries),
            errors=sum(s.series[n].errors for s in summaries),
            p95=None,
        )
        for n in range(slots)
    ]


def calls_chart(
    summaries: list[UpstreamSummary], slot_seconds: float, width: int = 720, height: int = 150
) -> str:
    """Bars of calls per time slot over every upstream, failed calls stacked in red."""
    slots = len(summaries[0].series) if summaries else 30
    totals = _total(summaries, slots)
    top = max((t.calls for t in totals), default=0) or 1
    plot, left, bottom = height - 30, 40, height - 20
    bar = (width - left) / slots
    label = f"Aufrufe je {_german(slot_seconds)} Sekunden, höchstens {top}"
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{label}"><title>{label}</title>',
        f'<line x1="{left}" y1="{bottom}" x2="{width}" y2="{bottom}" stroke="{GREY}"/>',
        f'<text x="{left - 6}" y="{bottom - plot + 10}" font-size="11" text-anchor="end"'
        f' fill="{GREY}">{top}</text>',
        f'<text x="{left - 6}" y="{bottom}" font-size="11" text-anchor="end" fill="{GREY}">0</text>',
        f'<text x="{left}" y="{height - 4}" font-size="11" fill="{GREY}">vor'
        f" {_german(slots * slot_seconds / 60)} min</text>",
        f'<text x="{width}" y="{height - 4}" font-size="11" text-anchor="end"'
        f' fill="{GREY}">jetzt</text>',
    ]
    for n, total in enumerate(totals):
        if not total.calls:
            continue
        x = _number(left + n * bar + 1)
        tall = plot * total.calls / top
        failed = plot * total.errors / top
        parts.append(
            f'<rect x="{x}" y="{_number(bottom - tall)}" width="{_number(bar - 2)}"'
            f' height="{_number(tall - failed)}" fill="{BLUE}"/>'
        )
        if total.errors:
            parts.append(
                f'<rect x="{x}" y="{_number(bottom - failed)}" width="{_number(bar - 2)}"'
                f' height="{_number(failed)}" fill="{RED}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
