"""Installmall storefront, accounts, checkout, merchant and admin portals."""
