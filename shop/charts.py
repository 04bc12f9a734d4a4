"""Charts: the app's one charting approach.  pygal renders SVG on the server,
with no script (its tooltip JavaScript, which would come from a CDN, is
turned off), so a chart is plain markup inlined in the page and needs nothing
from elsewhere.  Money series are given in cents and shown with Babel."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from markupsafe import Markup
from pygal.style import Style

from shop.formatting import format_money

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    colors=("#1f5fa8", "#c0392b", "#2e7d32", "#8e44ad"),
    font_family="system-ui, sans-serif",
)


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    """The chart's SVG without pygal's inline config script (no tooltips: nothing runs)."""
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))


def _config(title: str, height: int) -> dict:
    return {
        "title": title,
        "style": STYLE,
        "height": height,
        "width": 720,
        "js": [],  # no tooltips script: nothing is fetched, the CSP stays strict
        "disable_xml_declaration": True,
        "show_legend": False,
        "x_label_rotation": 30,
        "explicit_size": False,
    }


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[int], *, money: str | None = None, height: int = 300
) -> Markup:
    """A bar chart as inline SVG; `money` (a currency) formats values given in cents."""
    chart = pygal.Bar(**_config(title, height))
    chart.x_labels = list(labels)
    if money:
        chart.value_formatter = lambda v: format_money(int(v), money)
    chart.add(title, list(values))
    return _svg(chart)


def line_chart(
    title: str, labels: Sequence[str], series: dict[str, Sequence[int]], *, money: str | None = None, height: int = 300
) -> Markup:
    """A line chart (one line per series) as inline SVG."""
    chart = pygal.Line(**{**_config(title, height), "show_legend": len(series) > 1})
    chart.x_labels = list(labels)
    if money:
        chart.value_formatter = lambda v: format_money(int(v), money)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart)
