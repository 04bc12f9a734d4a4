"""Documents: the loan agreement (and later notices), rendered from
templates/documents/ with a plain Jinja2 environment: no request, no page
context processors, the same output in a web request, a CLI job or a test."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shop.formatting import format_money, payment_kind, product_name

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    env.filters.update(money=format_money, product_name=product_name, payment_kind=payment_kind)
    return env


def render(name: str, **context: Any) -> str:
    """Render templates/documents/<name> to a standalone HTML snippet."""
    return environment().get_template(f"documents/{name}").render(**context)


def render_agreement(**context: Any) -> str:
    return render("agreement.html", **context)
