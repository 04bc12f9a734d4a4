"""Merchant portal blueprint: views.py holds the blueprint; each page group registers its routes on it."""

from shop.merchant import listing_views, order_views, settlement_views  # noqa: F401 - routes on merchant.bp
