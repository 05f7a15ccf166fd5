"""The dashboard's charts as geometry for server-rendered SVG: no script, nothing from a CDN.

Horizontal positions are percentages of the chart's width and vertical ones pixels, with no
`viewBox`: the SVG stretches to the width of the screen while its text keeps the page's size,
so a chart stays readable on a 360-pixel phone instead of shrinking as a whole. Bars end short
of the right edge (`PLOT_WIDTH`), leaving room for the value written there.

Pure functions of plain values; the template (`reports/_charts.html`) draws them, and each
chart is followed by its data as a table for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

PLOT_WIDTH = 82.0  # % of the chart's width that 100 % coverage takes
LABEL_CHARS = 34
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
PAIR_BAR_HEIGHT = 11
ROW_GAP = 10
TOP = 22  # room for the target's label

COLUMN_PLOT = 130  # px: the tallest column
COLUMN_TOP = 20  # room for the tallest column's value


@dataclass(frozen=True)
class Bar:
    series: str  # "all" or "priority": the CSS class that colours it
    value: float | None  # None: nothing required, no bar
    y: int
    height: int
    width: float  # % of the chart's width
    text_y: int
    is_below: bool


@dataclass(frozen=True)
class BarRow:
    label: str  # shortened to fit a phone; the data table has it whole
    y: int  # the label's baseline
    bars: list[Bar]


@dataclass(frozen=True)
class TargetLine:
    series: str
    percent: float
    x: float  # % of the chart's width
    y1: int
    y2: int


@dataclass(frozen=True)
class BarChart:
    key: str  # prefix of the ids the SVG's title and description carry
    height: int
    rows: list[BarRow]
    targets: list[TargetLine]
    plot_width: float = PLOT_WIDTH  # the grey track behind each bar: where 100 % ends


@dataclass(frozen=True)
class UnitValues:
    name: str
    coverage_pct: float | None
    priority_coverage_pct: float | None = None


@dataclass(frozen=True)
class Column:
    month: date
    value: int
    x: float  # % of the width: the column's left edge
    width: float  # %
    center: float  # %
    y: int
    height: int


@dataclass(frozen=True)
class ColumnChart:
    key: str
    height: int
    baseline: int
    label_y: int
    year_y: int
    value_top: int
    columns: list[Column]

    @property
    def total(self) -> int:
        return sum(column.value for column in self.columns)


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _x(percent: float) -> float:
    return round(min(max(percent, 0.0), 100.0) * PLOT_WIDTH / 100, 3)


def _below(value: float | None, target: float | None) -> bool:
    return value is not None and target is not None and value < target


def coverage_chart(
    units: Sequence[UnitValues], *, target_pct: float | None, key: str = "coverage-chart"
) -> BarChart:
    """One bar per unit, with the target as a dashed line across them."""
    rows, y = [], TOP
    for unit in units:
        label_y = y + LABEL_HEIGHT - 5
        bar_y = y + LABEL_HEIGHT
        value = unit.coverage_pct
        bar = Bar(
            "all",
            value,
            bar_y,
            BAR_HEIGHT,
            _x(value or 0),
            bar_y + BAR_HEIGHT - 2,
            _below(value, target_pct),
        )
        rows.append(BarRow(shorten(unit.name), label_y, [bar]))
        y = bar_y + BAR_HEIGHT + ROW_GAP
    targets = []
    if target_pct is not None and rows:
        targets.append(TargetLine("all", target_pct, _x(target_pct), TOP - 4, y - ROW_GAP + 4))
    return BarChart(key, y + 4, rows, targets)


def priority_chart(
    units: Sequence[UnitValues],
    *,
    target_pct: float | None,
    priority_target_pct: float | None,
    key: str = "priority-chart",
) -> BarChart:
    """Two bars per unit, everyone's coverage above the priority staff's; each target a line
    in its bar's colour."""
    rows, y = [], TOP
    for unit in units:
        label_y = y + LABEL_HEIGHT - 5
        bars = []
        bar_y = y + LABEL_HEIGHT
        for series, value, target in (
            ("all", unit.coverage_pct, target_pct),
            ("priority", unit.priority_coverage_pct, priority_target_pct),
        ):
            bars.append(
                Bar(
                    series,
                    value,
                    bar_y,
                    PAIR_BAR_HEIGHT,
                    _x(value or 0),
                    bar_y + PAIR_BAR_HEIGHT - 1,
                    _below(value, target),
                )
            )
            bar_y += PAIR_BAR_HEIGHT + 3
        rows.append(BarRow(shorten(unit.name), label_y, bars))
        y = bar_y - 3 + ROW_GAP
    targets = [
        TargetLine(series, percent, _x(percent), TOP - 4, y - ROW_GAP + 4)
        for series, percent in (("all", target_pct), ("priority", priority_target_pct))
        if percent is not None and rows
    ]
    return BarChart(key, y + 4, rows, targets)


def months_chart(months: Sequence[tuple[date, int]], *, key: str = "months-chart") -> ColumnChart:
    """One column per month, the tallest the full height; each month's count above it."""
    slot = 100 / max(len(months), 1)
    tallest = max((value for _month, value in months), default=0)
    baseline = COLUMN_TOP + COLUMN_PLOT
    columns = []
    for index, (month, value) in enumerate(months):
        height = round(COLUMN_PLOT * value / tallest) if tallest else 0
        columns.append(
            Column(
                month=month,
                value=value,
                x=round(index * slot + slot * 0.15, 3),
                width=round(slot * 0.7, 3),
                center=round(index * slot + slot / 2, 3),
                y=baseline - height,
                height=height,
            )
        )
    return ColumnChart(
        key,
        baseline + 40,
        baseline,
        baseline + 16,
        baseline + 32,
        COLUMN_TOP - 6,
        columns,
    )
