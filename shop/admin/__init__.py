"""Lender staff portal blueprint: views.py holds the blueprint; page groups register their routes on it."""

from shop.admin import merchants  # noqa: F401 - /admin/merchants routes on admin.bp
